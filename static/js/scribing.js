// Scribing: refresh "on time / late" from the server's clock when a file is chosen.
(function () {
  "use strict";
  var status = document.getElementById("lateness-status");
  var form = document.getElementById("notes-form");
  if (!status || !form) { return; }
  function refresh() {
    fetch(status.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        status.textContent = data.message;
        status.classList.toggle("late", data.is_late);
        status.classList.toggle("on-time", !data.is_late);
      })
      .catch(function () { /* keep the server-rendered status */ });
  }
  form.addEventListener("change", refresh);
})();
