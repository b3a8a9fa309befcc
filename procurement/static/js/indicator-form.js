/* The indicator-system form (templates/contracts/assessments/indicator_form.html): add a
   row, remove one (its fields are cleared, so the server ignores it), mark dimension rows,
   and sum the weights of each level as they are typed. Optional: without this file the
   blank rows take new lines and a cleared row is removed. The server checks everything. */
(function () {
  "use strict";
  var form = document.getElementById("indicator-form");
  var body = form && form.querySelector("#indicator-rows tbody");
  var template = document.getElementById("indicator-row-template");
  var add = document.getElementById("add-indicator-row");
  var sums = document.getElementById("indicator-sums");
  if (!form || !body || !template) { return; }

  function field(row, name) { return row.querySelector("[name$='." + name + "']"); }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) { return key in values ? values[key] : whole; });
  }
  function update() {
    var top = 0, dims = {}, order = [];
    body.querySelectorAll("tr[data-row]").forEach(function (row) {
      var code = (field(row, "code").value || "").trim();
      var weight = parseInt((field(row, "weight").value || "").trim(), 10) || 0;
      var parts = code.split(".");
      row.classList.toggle("is-dimension", /^\d+$/.test(code));
      if (/^\d+$/.test(code)) { top += weight; }
      else if (/^\d+\.\d+$/.test(code)) {
        if (!(parts[0] in dims)) { dims[parts[0]] = 0; order.push(parts[0]); }
        dims[parts[0]] += weight;
      }
    });
    if (!sums) { return; }
    var ok = sums.getAttribute("data-msg-ok"), off = sums.getAttribute("data-msg-off");
    sums.textContent = "";
    function line(text, total) {
      var p = document.createElement("p");
      p.textContent = text + (total === 100 ? ok : off);
      if (total !== 100) { p.className = "is-off"; }
      sums.appendChild(p);
    }
    line(fill(sums.getAttribute("data-msg-top"), { total: top }), top);
    order.sort(function (a, b) { return a - b; }).forEach(function (code) {
      line(fill(sums.getAttribute("data-msg-dim"), { code: code, total: dims[code] }), dims[code]);
    });
    sums.hidden = false;
  }
  function wire(row) {
    var button = row.querySelector("[data-remove-row]");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      row.querySelectorAll("input, textarea").forEach(function (el) { el.value = ""; });
      row.hidden = true;
      update();
    });
  }
  body.querySelectorAll("tr[data-row]").forEach(wire);
  if (add) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var next = 0;
      body.querySelectorAll("tr[data-row]").forEach(function (row) {
        next = Math.max(next, parseInt(row.getAttribute("data-row"), 10) || 0);
      });
      next += 1;
      var holder = document.createElement("tbody");
      holder.innerHTML = template.innerHTML.replace(/__N__/g, String(next));
      var row = holder.querySelector("tr");
      body.appendChild(row);
      wire(row);
      field(row, "code").focus();
    });
  }
  form.addEventListener("input", update);
  update();
})();
