// Small behaviours shared by every page. No inline scripts anywhere (CSP script-src 'self').
(function () {
  "use strict";
  // <button data-confirm="确定…？"> asks before submitting.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
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
})();
// On a phone the menu folds behind <button class="nav-toggle" aria-controls="…">.
document.addEventListener("click", function (event) {
  "use strict";
  var toggle = event.target.closest(".nav-toggle");
  if (!toggle) { return; }
  var menu = document.getElementById(toggle.getAttribute("aria-controls"));
  var open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
  if (menu) { menu.classList.toggle("open", open); }
});
