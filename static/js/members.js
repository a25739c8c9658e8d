// Roster page: the bulk 党小组 button stays disabled until at least one member is ticked.
(function () {
  "use strict";
  function update() {
    document.querySelectorAll("[data-requires-selection]").forEach(function (button) {
      var name = button.getAttribute("data-requires-selection");
      button.disabled = !document.querySelector('input[type=checkbox][name="' + name + '"]:checked');
    });
  }
  document.addEventListener("change", function () { update(); });
  document.addEventListener("DOMContentLoaded", update);
})();
