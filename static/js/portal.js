// Small behaviours shared by every page. No inline scripts anywhere (CSP script-src 'self').
(function () {
  "use strict";
  // <button data-confirm="确定…？"> asks before submitting.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
  // <button data-print> prints the page (the initial-password sheet).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { event.preventDefault(); window.print(); }
  });
  // <input type=checkbox data-check-all="name"> toggles every checkbox called `name`.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-check-all]")) {
      document.querySelectorAll('input[type=checkbox][name="' + el.getAttribute("data-check-all") + '"]')
        .forEach(function (box) { box.checked = el.checked; });
    }
  });
  // <button data-set-all="status" data-value="present"> sets every <select data-group="status">.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-set-all]");
    if (!el) { return; }
    event.preventDefault();
    var group = el.getAttribute("data-set-all"), value = el.getAttribute("data-value");
    document.querySelectorAll('[data-group="' + group + '"]').forEach(function (field) {
      if (field.tagName === "SELECT") { field.value = value; field.dispatchEvent(new Event("change", {bubbles: true})); }
      else if (field.type === "radio") { if (field.value === value) { field.checked = true; } }
    });
  });

  // <table data-sortable>: a click on <th data-sort="num|text"> sorts the rows by the cells'
  // data-value (district tables of 160+ branches).
  function sortBy(table, index, numeric, header) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[data-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows).filter(function (row) { return row.cells.length > index; });
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute("data-value") || "";
      var y = b.cells[index].getAttribute("data-value") || "";
      var order = numeric ? (parseFloat(x) - parseFloat(y)) : x.localeCompare(y, "zh-Hans-CN");
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  document.addEventListener("click", function (event) {
    var header = event.target.closest("table[data-sortable] th[data-sort]");
    if (!header) { return; }
    var table = header.closest("table");
    sortBy(table, header.cellIndex, header.getAttribute("data-sort") === "num", header);
  });

  // On a phone the menu folds behind <button class="nav-toggle" aria-controls="…">.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".nav-toggle");
    if (!toggle) { return; }
    var menu = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (menu) { menu.classList.toggle("open", open); }
  });
})();
