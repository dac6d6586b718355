/* Daily quizzes: render $...$ math, keep every answer until the server has it, count down.
 *
 * Nothing the student answers is lost by the browser: each answer is written to a queue in
 * localStorage (one record per attempt, one entry per question, the last value wins) before it
 * is sent, so it survives a reload, a closed tab or a laptop put to sleep. An entry leaves the
 * queue only when the server acknowledges that very value; a network failure, a timeout or a
 * 5xx keeps it and it is sent again with backoff (a Retry-After is honoured); a 4xx refusal is
 * shown beside the question with the server's reason. A reloaded page puts the queued values
 * back over the ones the server sent. Submitting first sends what is pending, and the page says
 * "Submitted" only once the server has said so.
 *
 * The countdown starts from the seconds the server sent and runs on the monotonic clock
 * (performance.now), never on the client's wall clock; every acknowledged save resyncs it. */
(function () {
  "use strict";

  var STORAGE_PREFIX = "coursekit:quiz-answers:";
  var STALE_RECORD_MS = 14 * 24 * 3600 * 1000;  // a record untouched this long is forgotten
  var TYPING_DELAY_MS = 700;
  var MAX_BACKOFF_MS = 20000;
  var MAX_RETRY_AFTER_MS = 5 * 60 * 1000;

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

  function fill(template) {
    var args = Array.prototype.slice.call(arguments, 1);
    return template.replace(/%s/g, function () { return args.length ? String(args.shift()) : ""; });
  }

  // --- the durable queue ------------------------------------------------------------------------
  // {answers: {question id: {value, at, refused}}, submit: time asked or null, touched}

  function AnswerStore(attemptId) {
    this.key = STORAGE_PREFIX + attemptId;
    this.durable = true;
    this.record = { answers: {}, submit: null, touched: Date.now() };
    try {
      var raw = window.localStorage.getItem(this.key);
      var parsed = raw ? JSON.parse(raw) : null;
      if (parsed && typeof parsed.answers === "object" && parsed.answers) {
        this.record.answers = parsed.answers;
        this.record.submit = parsed.submit || null;
      }
      forgetStaleRecords(this.key);
    } catch (e) {
      this.durable = false;
    }
  }
  AnswerStore.prototype.save = function () {
    this.record.touched = Date.now();
    try {
      window.localStorage.setItem(this.key, JSON.stringify(this.record));
      this.durable = true;
    } catch (e) {
      this.durable = false;  // private browsing, quota: the page still works from memory
    }
  };
  AnswerStore.prototype.clear = function () {
    this.record = { answers: {}, submit: null, touched: Date.now() };
    try { window.localStorage.removeItem(this.key); } catch (e) { /* nothing kept anyway */ }
  };

  function forgetStaleRecords(keep) {
    var now = Date.now();
    for (var i = window.localStorage.length - 1; i >= 0; i--) {
      var key = window.localStorage.key(i);
      if (!key || key === keep || key.indexOf(STORAGE_PREFIX) !== 0) { continue; }
      try {
        var rec = JSON.parse(window.localStorage.getItem(key));
        if (!rec || !(now - rec.touched < STALE_RECORD_MS)) { window.localStorage.removeItem(key); }
      } catch (e) {
        window.localStorage.removeItem(key);
      }
    }
  }

  // --- the page ---------------------------------------------------------------------------------

  function takeQuiz(form) {
    var S = JSON.parse(document.getElementById("quiz-strings").textContent);
    var api = form.dataset.api;
    var detailUrl = form.dataset.detailUrl;
    var statusEl = document.getElementById("save-status");
    var countdownEl = document.getElementById("countdown");
    var submitButton = document.getElementById("submit-button");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value || cookie("csrftoken");
    var lang = document.documentElement.lang || undefined;
    var store = new AnswerStore(form.dataset.attempt);
    var queue = store.record.answers;

    var fieldsets = {};  // question id -> fieldset
    form.querySelectorAll("fieldset.question").forEach(function (fs) {
      fieldsets[fs.dataset.question] = fs;
    });
    var revision = {};  // question id -> revision of the queued value (in this page)
    var inFlight = {};  // question id -> revision being sent
    var savedAt = {};  // question id -> Date the server stored the answer
    var typingTimers = {};
    var failures = 0;
    var notBefore = 0;  // performance.now() before which nothing is sent (backoff, Retry-After)
    var pumpTimer = null;
    var submitting = false;
    var submitInFlight = false;
    var finished = false;
    var problem = "";  // what the last failure was: "offline", "server", "busy"

    // --- countdown -------------------------------------------------------------------------------
    var remainingAtSync = parseInt(countdownEl.dataset.remaining, 10) || 0;
    var syncedAt = performance.now();
    var timeIsUp = false;
    // Screen readers hear the time left at these moments only (a polite live region); a moment
    // already past when the page opens is not announced.
    var announcer = document.getElementById("countdown-announcer");
    var moments = [300, 60, 30].filter(function (t) { return remainingAtSync > t; });
    function announce(text) {
      if (announcer && text) { announcer.textContent = text; }
    }

    function remaining() {
      return Math.max(0, remainingAtSync - (performance.now() - syncedAt) / 1000);
    }
    function resync(seconds) {
      if (typeof seconds !== "number") { return; }
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
      if (!timeIsUp) {
        countdownEl.textContent = fill(S.time_left, fmt(left));
        countdownEl.classList.toggle("low", left <= 60);
        while (moments.length && left <= moments[0]) {
          announce(S["left_" + moments.shift()]);
        }
      }
      if (left <= 0 && !timeIsUp) {
        timeIsUp = true;
        countdownEl.textContent = S.time_up;
        announce(S.time_up);
        // Answers still waiting are sent within the grace period, then the attempt submitted.
        startSubmit();
      }
      setTimeout(tick, 250);
    }

    // --- what the page says ----------------------------------------------------------------------
    function clock(date) {
      return date.toLocaleTimeString(lang, { hour: "numeric", minute: "2-digit", second: "2-digit" });
    }
    function numberOf(qid) {
      var fs = fieldsets[qid];
      return fs ? fs.dataset.number : qid;
    }
    function pendingIds() {
      return Object.keys(queue).filter(function (qid) { return !queue[qid].refused; });
    }
    function refusedIds() {
      return Object.keys(queue).filter(function (qid) { return !!queue[qid].refused; });
    }
    function numbers(ids) {
      return ids.map(numberOf).sort(function (a, b) { return a - b; }).join(", ");
    }
    function aboutQuestions(key, ids) {
      // "_one" / "_many": the same sentence for one question or several, in both languages
      return fill(S[key + (ids.length === 1 ? "_one" : "_many")], numbers(ids));
    }

    function showQuestion(qid) {
      var fs = fieldsets[qid];
      if (!fs) { return; }
      var el = fs.querySelector(".q-status");
      var entry = queue[qid];
      var state;
      var text;
      if (entry && entry.refused) {
        state = "refused";
        text = fill(S.q_refused, entry.refused);
      } else if (entry) {
        state = "waiting";
        text = inFlight[qid] !== undefined ? S.q_sending : S.q_waiting;
      } else if (savedAt[qid]) {
        state = "saved";
        text = fill(S.q_saved, clock(savedAt[qid]));
      } else {
        state = "";
        text = "";
      }
      fs.dataset.state = state;
      // A refused answer is marked invalid on its inputs, which are described by this status.
      fs.querySelectorAll("input, textarea").forEach(function (input) {
        if (state === "refused") { input.setAttribute("aria-invalid", "true"); }
        else { input.removeAttribute("aria-invalid"); }
      });
      if (el.textContent !== text) { el.textContent = text; }
    }

    function say(text, css) {
      if (statusEl.textContent !== text) { statusEl.textContent = text; }
      statusEl.className = "save-status" + (css ? " " + css : "");
    }

    function showStatus() {
      var pending = pendingIds();
      var refused = refusedIds();
      var parts = [];
      var css = "ok";
      if (pending.length) {
        css = "warn";
        if (problem === "offline") {
          parts.push(aboutQuestions("status_offline", pending));
        } else if (problem) {
          parts.push(aboutQuestions("status_retrying", pending));
        } else {
          parts.push(aboutQuestions("status_waiting", pending));
        }
      }
      if (refused.length) {
        css = "err";
        parts.push(aboutQuestions("status_refused", refused));
      }
      if (submitting && !finished) {
        if (submitInFlight && !pending.length) {
          parts.unshift(S.submitting);
        } else if (pending.length) {
          css = "err";
          parts.unshift(aboutQuestions("submit_waiting", pending));
        } else if (problem) {
          css = "err";
          parts.unshift(S.submit_retrying);
        }
      }
      if (!store.durable && pending.length) {
        parts.push(S.storage_unavailable);
      }
      if (!parts.length) {
        var last = null;
        Object.keys(savedAt).forEach(function (qid) {
          if (!last || savedAt[qid] > last) { last = savedAt[qid]; }
        });
        parts.push(last ? fill(S.status_saved, clock(last)) : S.status_none);
      }
      say(parts.join(" "), css);
    }

    // --- reading and restoring an answer --------------------------------------------------------
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
      return fieldset.querySelector("input, textarea").value;
    }

    function restore(fieldset, value) {
      var kind = fieldset.dataset.kind;
      if (kind === "single" || kind === "multiple") {
        var picked = Array.isArray(value) ? value.map(String) : [String(value)];
        fieldset.querySelectorAll("input").forEach(function (el) {
          el.checked = picked.indexOf(el.value) !== -1;
        });
        return;
      }
      fieldset.querySelector("input, textarea").value = value === null ? "" : String(value);
    }

    // --- sending ---------------------------------------------------------------------------------
    function remember(qid, value) {
      // Written to the durable queue before anything is sent.
      queue[qid] = { value: value, at: Date.now(), refused: null };
      revision[qid] = (revision[qid] || 0) + 1;
      store.save();
      showQuestion(qid);
      showStatus();
    }

    function schedulePump(delayMs) {
      if (finished) { return; }
      clearTimeout(pumpTimer);
      pumpTimer = setTimeout(pump, Math.max(0, delayMs));
    }

    function pump() {
      pumpTimer = null;
      if (finished) { return; }
      var wait = notBefore - performance.now();
      if (wait > 0) { schedulePump(wait); return; }
      pendingIds().forEach(function (qid) {
        if (inFlight[qid] === undefined && typingTimers[qid] === undefined) { send(qid); }
      });
      if (submitting && !pendingIds().length && !submitInFlight) { sendSubmit(); }
    }

    function transientFailure(kind, retryAfterMs) {
      failures += 1;
      problem = kind;
      var backoff = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, failures - 1));
      backoff *= 0.8 + 0.4 * Math.random();  // a class that lost the server does not return in step
      var delay = retryAfterMs !== null ? Math.max(retryAfterMs, 500) : backoff;
      notBefore = Math.max(notBefore, performance.now() + delay);
      schedulePump(notBefore - performance.now());
      showStatus();
    }

    function succeeded() {
      failures = 0;
      problem = "";
    }

    function retryAfter(resp) {
      var header = resp.headers.get("Retry-After");
      if (!header) { return null; }
      var seconds = Number(header);
      var ms = isNaN(seconds) ? Date.parse(header) - Date.now() : seconds * 1000;
      return isNaN(ms) ? null : Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
    }

    function isTransient(status) {
      return status === 408 || status === 425 || status === 429 || status >= 500;
    }

    function reasonOf(body, status) {
      if (body && typeof body === "object") {
        if (typeof body.detail === "string" && body.detail) { return body.detail; }
        for (var k in body) {
          if (k !== "code" && Array.isArray(body[k]) && body[k].length) { return String(body[k][0]); }
        }
      }
      return fill(S.refused_status, status);
    }

    function readJson(resp) {
      return resp.json().catch(function () { return null; });
    }

    function send(qid) {
      var rev = revision[qid];
      var value = queue[qid].value;
      inFlight[qid] = rev;
      showQuestion(qid);
      fetch(api + "answers/" + qid + "/", {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
        body: JSON.stringify({ value: value }),
      }).then(function (resp) {
        return readJson(resp).then(function (body) { answered(qid, rev, resp, body); });
      }, function () {
        delete inFlight[qid];
        showQuestion(qid);
        transientFailure("offline", null);  // no answer at all: the network, not the server
      });
    }

    function answered(qid, rev, resp, body) {
      delete inFlight[qid];
      var current = revision[qid] === rev && queue[qid];
      if (resp.ok && body) {
        succeeded();
        resync(body.remaining_seconds);
        if (current) {
          delete queue[qid];
          store.save();
          savedAt[qid] = body.saved_at ? new Date(body.saved_at) : new Date();
        }
        showQuestion(qid);
        showStatus();
        schedulePump(0);  // a newer value given meanwhile, or the submit waiting for this one
        return;
      }
      if (resp.ok || isTransient(resp.status)) {  // a 2xx without JSON: a proxy's page, not ours
        showQuestion(qid);
        transientFailure(resp.status === 503 || resp.status === 429 ? "busy" : "server", retryAfter(resp));
        return;
      }
      succeeded();
      if (body && (body.code === "deadline_passed" || body.code === "submitted")) {
        attemptClosed(reasonOf(body, resp.status));
        return;
      }
      if (current) {
        queue[qid].refused = reasonOf(body, resp.status);
        store.save();
      }
      showQuestion(qid);
      showStatus();
      schedulePump(0);
    }

    function attemptClosed(reason) {
      // The server takes no more answers: what is still queued can never be saved.
      Object.keys(queue).forEach(function (qid) {
        queue[qid].refused = reason;
        showQuestion(qid);
      });
      store.save();
      startSubmit();
      schedulePump(0);
    }

    // --- submitting ------------------------------------------------------------------------------
    function startSubmit() {
      if (submitting || finished) { return; }
      submitting = true;
      if (!store.record.submit) {
        store.record.submit = Date.now();
        store.save();
      }
      form.querySelectorAll("input, textarea, button").forEach(function (el) { el.disabled = true; });
      Object.keys(typingTimers).forEach(function (qid) {
        clearTimeout(typingTimers[qid]);
        delete typingTimers[qid];
      });
      notBefore = 0;
      showStatus();
      schedulePump(0);
    }

    function sendSubmit() {
      submitInFlight = true;
      showStatus();
      fetch(api + "submit/", {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
      }).then(function (resp) {
        return readJson(resp).then(function (body) {
          submitInFlight = false;
          if (resp.ok && body && body.submitted_at) {
            submitted();
            return;
          }
          if (resp.ok || isTransient(resp.status)) {
            transientFailure(resp.status === 503 ? "busy" : "server", retryAfter(resp));
            return;
          }
          // Refused (no attempt, signed out): say why; nothing will change by retrying.
          submitting = false;
          store.record.submit = null;
          store.save();
          form.querySelectorAll("input, textarea, button").forEach(function (el) { el.disabled = false; });
          say(fill(S.submit_refused, reasonOf(body, resp.status)), "err");
        });
      }, function () {
        submitInFlight = false;
        transientFailure("offline", null);
      });
    }

    function submitted() {
      finished = true;
      store.clear();
      countdownEl.textContent = S.submitted;
      say(S.submitted, "ok");
      window.location.href = detailUrl;
    }

    // --- events ----------------------------------------------------------------------------------
    function given(fs, delayMs) {
      var qid = fs.dataset.question;
      remember(qid, valueOf(fs));
      clearTimeout(typingTimers[qid]);
      if (delayMs) {
        typingTimers[qid] = setTimeout(function () {
          delete typingTimers[qid];
          pump();
        }, delayMs);
      } else {
        delete typingTimers[qid];
        pump();
      }
    }

    Object.keys(fieldsets).forEach(function (qid) {
      var fs = fieldsets[qid];
      if (fs.dataset.savedAt) { savedAt[qid] = new Date(fs.dataset.savedAt); }
      if (fs.dataset.kind === "single" || fs.dataset.kind === "multiple") {
        fs.addEventListener("change", function () { given(fs, 0); });
      } else {
        var input = fs.querySelector("input, textarea");
        input.addEventListener("input", function () { given(fs, TYPING_DELAY_MS); });
        input.addEventListener("change", function () { given(fs, 0); });
      }
    });

    function retryNow() {
      if (problem === "busy") { return; }  // the server said when: keep to it
      notBefore = 0;
      failures = 0;
      schedulePump(0);
    }
    window.addEventListener("online", function () {
      if (pendingIds().length || submitting) { say(S.back_online, "ok"); }
      retryNow();
    });
    window.addEventListener("offline", function () {
      problem = problem || "offline";
      showStatus();
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { retryNow(); }  // back from sleep
    });
    window.addEventListener("beforeunload", function (ev) {
      if (finished || (!Object.keys(queue).length && !submitting)) { return undefined; }
      ev.preventDefault();
      ev.returnValue = S.leave_warning;
      return S.leave_warning;
    });

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var refused = refusedIds();
      var question = refused.length ? aboutQuestions("confirm_submit_refused", refused) : S.confirm_submit;
      if (!window.confirm(question)) { return; }
      startSubmit();
    });

    // --- start: the queue kept on this device goes back over what the server sent ---------------
    var restored = Object.keys(queue).filter(function (qid) {
      if (!fieldsets[qid]) {  // a question no longer in the quiz
        delete queue[qid];
        return false;
      }
      queue[qid].refused = null;  // a reload tries again what was refused (signed in again...)
      revision[qid] = 1;
      restore(fieldsets[qid], queue[qid].value);
      return true;
    });
    store.save();
    Object.keys(fieldsets).forEach(showQuestion);
    showStatus();
    if (restored.length) { say(aboutQuestions("status_restored", restored), "warn"); }
    if (submitButton && store.record.submit) {
      startSubmit();  // asked before the page was left: carry it through
    } else {
      schedulePump(0);
    }
    tick();
  }
})();
