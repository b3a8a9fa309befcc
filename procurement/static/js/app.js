/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  // Ask before destructive or important POSTs: <form data-confirm="确认……？">, or on the
  // one button of a form that needs it: <button data-confirm="……">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.getAttribute && button.getAttribute("data-confirm")) ||
      (form && form.getAttribute && form.getAttribute("data-confirm"));
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // The CSS-only menu (a checkbox) also closes with Escape.
  document.addEventListener("keydown", function (event) {
    var toggle = document.getElementById("nav-toggle");
    if (event.key === "Escape" && toggle && toggle.checked) {
      toggle.checked = false;
      toggle.focus();
    }
  });
})();
