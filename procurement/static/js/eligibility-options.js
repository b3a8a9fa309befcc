/* The tender form (templates/procurement/tenders/form.html): rule 4's local conditions
   are options of a call, on by default for 公益创投 and off for the statutory methods.
   On a new tender, choosing the method ticks or clears them all; the officer may then
   change any of them. Without this file the boxes keep what the server filled in. */
(function () {
  "use strict";
  var form = document.getElementById("tender-form");
  var box = form && form.querySelector("[data-local-conditions][data-new]");
  if (!box) { return; }
  var venture = box.getAttribute("data-venture");
  form.addEventListener("change", function (e) {
    if (e.target.name !== "method") { return; }
    var on = e.target.value === venture;
    box.querySelectorAll("input[type=checkbox]").forEach(function (el) { el.checked = on; });
  });
})();
