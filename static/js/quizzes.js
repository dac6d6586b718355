/* Daily quizzes: render $...$ math, autosave every answer through the JSON API, count down.
 * The countdown starts from the seconds the server sent and runs on the monotonic clock
 * (performance.now), never on the client's wall clock; every save response resyncs it.
 * Answers that could not be sent (offline, laptop asleep) wait in a queue and are retried. */
(function () {
  "use strict";

  function renderMath(root) {
    if (window.renderMathInElement) {
      window.renderMathInElement(root, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "$", right: "$", display: false },
        ],
        throwOnError: false,
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".math").forEach(renderMath);
    var form = document.getElementById("quiz-form");
    if (form) { takeQuiz(form); }
  });

  function cookie(name) {
    var m = document.cookie.match("(^|;)\\s*" + name + "=([^;]*)");
    return m ? decodeURIComponent(m[2]) : "";
  }

  function takeQuiz(form) {
    var S = JSON.parse(document.getElementById("quiz-strings").textContent);
    var api = form.dataset.api;
    var detailUrl = form.dataset.detailUrl;
    var statusEl = document.getElementById("save-status");
    var countdownEl = document.getElementById("countdown");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value || cookie("csrftoken");
    var pending = {};  // question id -> value waiting to be sent
    var inFlight = {};
    var timers = {};
    var finished = false;
    var lastSaved = null;

    // --- countdown -------------------------------------------------------------------------
    var remainingAtSync = parseInt(countdownEl.dataset.remaining, 10) || 0;
    var syncedAt = performance.now();

    function remaining() {
      return Math.max(0, remainingAtSync - (performance.now() - syncedAt) / 1000);
    }
    function resync(seconds) {
      remainingAtSync = seconds;
      syncedAt = performance.now();
    }
    function fmt(s) {
      s = Math.ceil(s);
      var m = Math.floor(s / 60);
      var r = s % 60;
      return m + ":" + (r < 10 ? "0" : "") + r;
    }
    function tick() {
      if (finished) { return; }
      var left = remaining();
      countdownEl.textContent = S.time_left.replace("%s", fmt(left));
      countdownEl.classList.toggle("low", left <= 60);
      if (left <= 0) { timeUp(); return; }
      setTimeout(tick, 250);
    }

    // --- status line -------------------------------------------------------------------------
    function say(text, css) {
      statusEl.textContent = text;
      statusEl.className = "save-status" + (css ? " " + css : "");
    }
    function pendingCount() { return Object.keys(pending).length; }
    function qStatus(qid, text) {
      var el = form.querySelector("#question-" + qid + " .q-status");
      if (el) { el.textContent = text; }
    }

    // --- reading an answer ------------------------------------------------------------------
    function valueOf(fieldset) {
      var kind = fieldset.dataset.kind;
      if (kind === "single") {
        var checked = fieldset.querySelector("input:checked");
        return checked ? parseInt(checked.value, 10) : null;
      }
      if (kind === "multiple") {
        return Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (el) {
          return parseInt(el.value, 10);
        });
      }
      var input = fieldset.querySelector("input, textarea");
      return input.value;
    }

    // --- saving ------------------------------------------------------------------------------
    function send(qid) {
      if (finished || inFlight[qid] || !(qid in pending)) { return Promise.resolve(); }
      var value = pending[qid];
      inFlight[qid] = true;
      say(S.saving);
      return fetch(api + "answers/" + qid + "/", {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
        body: JSON.stringify({ value: value }),
      }).then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (body) {
          inFlight[qid] = false;
          if (resp.ok) {
            if (JSON.stringify(pending[qid]) === JSON.stringify(value)) { delete pending[qid]; }
            resync(body.remaining_seconds);
            lastSaved = new Date();
            qStatus(qid, S.saved_short);
            var n = pendingCount();
            if (n) { send(Object.keys(pending)[0]); }
            else { say(S.saved.replace("%s", lastSaved.toLocaleTimeString()), "ok"); }
            return;
          }
          var msg = firstMessage(body) || (S.not_saved + " (" + resp.status + ")");
          if (resp.status >= 500) {  // keep it and retry later
            say(S.retrying, "warn");
            retryLater();
            return;
          }
          delete pending[qid];
          qStatus(qid, S.not_saved_short);
          say(msg, "err");
          if (body.code === "deadline_passed" || body.code === "submitted") { done(false); }
        });
      }).catch(function () {
        inFlight[qid] = false;
        say(S.offline.replace("%s", pendingCount()), "warn");
        retryLater();
      });
    }

    function firstMessage(body) {
      for (var k in body) {
        if (k !== "code" && Array.isArray(body[k]) && body[k].length) { return body[k][0]; }
        if (k === "detail") { return body[k]; }
      }
      return "";
    }

    var retryTimer = null;
    function retryLater() {
      if (retryTimer || finished) { return; }
      retryTimer = setTimeout(function () { retryTimer = null; flush(); }, 3000);
    }
    function flush() {
      var keys = Object.keys(pending);
      return Promise.all(keys.map(send));
    }
    window.addEventListener("online", function () {
      say(S.back_online, "ok");
      flush();
    });

    function queue(fieldset, delay) {
      var qid = fieldset.dataset.question;
      pending[qid] = valueOf(fieldset);
      qStatus(qid, S.unsaved_short);
      clearTimeout(timers[qid]);
      timers[qid] = setTimeout(function () { send(qid); }, delay);
    }

    form.querySelectorAll("fieldset.question").forEach(function (fs) {
      var kind = fs.dataset.kind;
      if (kind === "single" || kind === "multiple") {
        fs.addEventListener("change", function () { queue(fs, 0); });
      } else {
        var input = fs.querySelector("input, textarea");
        input.addEventListener("input", function () { queue(fs, 700); });
        input.addEventListener("change", function () { queue(fs, 0); });
      }
    });

    // --- submitting ----------------------------------------------------------------------------
    function submitAttempt() {
      return fetch(api + "submit/", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      });
    }
    function done(byTimeout) {
      if (finished) { return; }
      finished = true;
      form.querySelectorAll("input, textarea, button").forEach(function (el) { el.disabled = true; });
      countdownEl.textContent = byTimeout ? S.time_up : S.submitted;
      submitAttempt().then(function () {
        window.location.href = detailUrl;
      }).catch(function () {
        window.location.href = detailUrl;  // the server closes the attempt on the next read
      });
    }
    function timeUp() {
      say(S.time_up, "warn");
      // Last answers still waiting are sent within the grace period, then the attempt submitted.
      flush().then(function () { done(true); }, function () { done(true); });
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!window.confirm(S.confirm_submit)) { return; }
      flush().then(function () { done(false); });
    });

    tick();
  }
})();
