// Quarterly report pages: one chart per requirement (data from the json_script element
// #report-chart-data) and sortable tables (<table data-sortable>, <th data-sort="num|text">,
// cells carry data-value). No inline scripts (CSP script-src 'self').
(function () {
  "use strict";

  function drawCharts() {
    var source = document.getElementById("report-chart-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    data.requirements.forEach(function (requirement) {
      var canvas = document.querySelector('canvas[data-requirement="' + requirement.key + '"]');
      if (!canvas) { return; }
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: data.quarters,
          datasets: [{
            label: requirement.label + "完成率（%）",
            data: requirement.rates.map(function (r) { return r === null ? null : Math.round(r * 10000) / 100; }),
            backgroundColor: "#c62828"
          }]
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } },
          plugins: { legend: { display: false } }
        }
      });
    });
  }

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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawCharts);
  } else {
    drawCharts();
  }
})();
