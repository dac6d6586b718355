// The instructor's live view of a quiz: polls the counts of who has answered each question
// (never what) and updates the page. Without JavaScript the page's "Refresh now" link does it.
(function () {
  "use strict";
  var root = document.getElementById("quiz-live");
  if (!root) return;
  var url = root.getAttribute("data-url");
  var every = Math.max(2, parseInt(root.getAttribute("data-every"), 10) || 5) * 1000;

  function set(selector, value) {
    var el = root.querySelector(selector);
    if (el) el.textContent = String(value);
  }

  function apply(data) {
    set('[data-live="opened"]', data.opened);
    set('[data-live="answering"]', data.answering);
    set('[data-live="submitted"]', data.submitted);
    (data.questions || []).forEach(function (q) {
      set('[data-live-question="' + q.id + '"]', q.answered);
      var meter = root.querySelector('[data-live-meter="' + q.id + '"]');
      if (meter) {
        meter.max = Math.max(1, data.opened);
        meter.value = q.answered;
        meter.textContent = q.answered + "/" + data.opened;
      }
    });
    root.setAttribute("data-updated", String(Date.now()));
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) apply(data); })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
})();
