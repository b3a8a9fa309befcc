/* The tender form (templates/procurement/tenders/form.html): show only the parts
   that apply to the chosen method. Optional: without this file every part shows.
   Loaded right after the form, without defer, so the parts are hidden before the
   page is first painted, as when this was an inline script. */
(function () {
  "use strict";
  var form = document.getElementById("tender-form");
  if (!form) { return; }
  function apply() {
    var method = (form.elements["method"] || {}).value || "";
    form.querySelectorAll("[data-methods]").forEach(function (block) {
      var hasValue = Array.prototype.some.call(block.querySelectorAll("input, select"), function (el) {
        return el.type === "checkbox" ? (el.checked && el.name === "invited_org_ids") : (el.type !== "hidden" && el.value);
      });
      var hasError = !!block.querySelector(".has-error, .group-error");
      var on = block.getAttribute("data-methods").split(" ").indexOf(method) >= 0 || hasError || (!method && hasValue);
      block.hidden = !on;
      block.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !on; });
    });
  }
  form.addEventListener("change", function (e) { if (e.target.name === "method") { apply(); } });
  apply();
})();

/* The live total of the evaluation weights (step 4): criteria points plus the price weight,
   against 100 (rules 21-22). The server checks again on saving; this only shows the sum as
   the officer types. Messages come from data-* attributes, in the page's language. */
(function () {
  "use strict";
  var form = document.getElementById("tender-form");
  var box = document.getElementById("weight-total");
  if (!form || !box) { return; }
  var sum = box.querySelector("[data-weight-sum]");
  var state = box.querySelector("[data-weight-state]");
  var target = parseInt(box.getAttribute("data-target"), 10) || 100;
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) { return key in values ? values[key] : whole; });
  }
  function number(el) {
    var n = parseInt((el && !el.disabled && el.value || "").trim(), 10);
    return isNaN(n) || n < 0 ? 0 : n;
  }
  function update() {
    var points = 0;
    form.querySelectorAll("input[name^='evaluation_scheme.criteria.'][name$='.max_points']").forEach(function (el) {
      points += number(el);
    });
    var fixedBox = form.elements["evaluation_scheme.price_fixed"];
    var fixed = !!(fixedBox && fixedBox.checked);
    var price = fixed ? 0 : number(form.elements["evaluation_scheme.price_weight"]);
    var method = (form.elements["evaluation_scheme.method"] || {}).value || "";
    var total = points + price;
    box.hidden = !(method === "" || method === "comprehensive");
    sum.textContent = fill(box.getAttribute("data-msg-sum"), { points: points, price: price, total: total });
    var message = total === target ? box.getAttribute("data-msg-ok")
      : fill(box.getAttribute(total < target ? "data-msg-short" : "data-msg-over"), { diff: Math.abs(target - total) });
    if (fixed) { message = box.getAttribute("data-msg-fixed") + " " + message; }
    state.textContent = message;
    box.classList.toggle("is-ok", total === target);
    box.classList.toggle("is-off", total !== target);
  }
  form.addEventListener("input", function (e) {
    if (e.target.name && e.target.name.indexOf("evaluation_scheme.") === 0) { update(); }
  });
  form.addEventListener("change", function (e) {
    if (e.target.name && e.target.name.indexOf("evaluation_scheme.") === 0) { update(); }
  });
  update();
})();

/* Step 6: a deadline on a weekend or holiday gets a warning; a date in a year whose holidays
   are not entered says that the tender cannot be published until they are. The calendar is
   the server's (data-* attributes of #calendar-notes); the server checks again on saving and
   publishing, and its own notes are replaced by these once the script runs. */
(function () {
  "use strict";
  var form = document.getElementById("tender-form");
  var box = document.getElementById("calendar-notes");
  if (!form || !box) { return; }
  function list(name) {
    var raw = box.getAttribute(name) || "";
    return raw ? raw.split(/[,|]/) : [];
  }
  var daysOff = list("data-days-off");
  var workingWeekends = list("data-working-weekends");
  var knownYears = list("data-known-years");
  var weekdays = list("data-weekdays");
  var labels = (box.getAttribute("data-labels") || "").split("|");
  var fields = ["bid_deadline", "clarification_deadline", "documents_until"];
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) { return key in values ? values[key] : whole; });
  }
  function note(kind, text) {
    var p = document.createElement("p");
    p.className = "alert calendar-note " + (kind === "error" ? "alert-error" : "alert-warning");
    p.textContent = text;
    box.appendChild(p);
  }
  function update() {
    box.querySelectorAll(".calendar-note").forEach(function (el) { el.remove(); });
    var today = new Date();
    var unknown = {};
    fields.forEach(function (name, i) {
      var el = form.elements[name];
      var value = el && el.value ? el.value.slice(0, 10) : "";
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) { return; }
      if (name === "documents_until" && form.elements.bid_deadline &&
          value === (form.elements.bid_deadline.value || "").slice(0, 10)) { return; }
      var parts = value.split("-");
      var day = new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
      for (var y = today.getFullYear(); y <= day.getFullYear(); y++) {
        if (knownYears.indexOf(String(y)) < 0) { unknown[y] = true; }
      }
      var weekday = (day.getDay() + 6) % 7;  // Monday first
      var known = knownYears.indexOf(parts[0]) >= 0;
      var off = weekday >= 5 ? workingWeekends.indexOf(value) < 0 : (known && daysOff.indexOf(value) >= 0);
      if (!off) { return; }
      var shown = fill(box.getAttribute("data-date") || "{year}-{month}-{day}",
        { year: parts[0], month: Number(parts[1]), day: Number(parts[2]) });
      note("warning", fill(box.getAttribute(weekday >= 5 ? "data-msg-weekend" : "data-msg-holiday"),
        { label: labels[i] || "", date: shown, weekday: weekdays[weekday] || "" }));
    });
    Object.keys(unknown).sort().forEach(function (year) {
      note("error", fill(box.getAttribute("data-msg-unknown"), { year: year }));
    });
  }
  fields.forEach(function (name) {
    var el = form.elements[name];
    if (el) { el.addEventListener("change", update); el.addEventListener("input", update); }
  });
  update();
})();
