// The projector's access code: load the page again when the code changes (data-refresh seconds).
(function () {
  "use strict";
  var code = document.getElementById("access-code");
  if (!code) return;
  var seconds = parseInt(code.getAttribute("data-refresh"), 10);
  if (!(seconds > 0)) return;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
