// 三会一课 forms: show the 请假事由 box only for 请假, and show the derived counts as you go.
(function () {
  "use strict";
  function refresh(root) {
    var counts = {present: 0, leave: 0, absent: 0};
    root.querySelectorAll('select[data-group="attendance"]').forEach(function (select) {
      counts[select.value] = (counts[select.value] || 0) + 1;
      var reason = select.closest("tr").querySelector("[data-reason]");
      if (reason) { reason.classList.toggle("hidden", select.value !== "leave"); }
    });
    Object.keys(counts).forEach(function (key) {
      var out = root.querySelector('[data-count="' + key + '"]');
      if (out) { out.textContent = counts[key]; }
    });
  }
  function refreshAll() {
    document.querySelectorAll("[data-attendance]").forEach(refresh);
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches('select[data-group="attendance"]')) {
      refresh(event.target.closest("[data-attendance]") || document);
    }
  });
  document.addEventListener("DOMContentLoaded", refreshAll);
  document.addEventListener("htmx:afterSwap", refreshAll);
})();
