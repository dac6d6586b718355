// The LTI pages' steps that need no click: hand the deep link back to the LMS, and tell the
// LMS that Dynamic Registration is done. Each page keeps its button or text for no script.
(function () {
  "use strict";
  var back = document.getElementById("deep-link-return");
  if (back) {
    back.submit();
  }
  if (document.getElementById("lti-registered")) {
    (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
})();
