// Quarterly report pages: one chart per requirement (data from the json_script element
// #report-chart-data). Sortable tables are portal.js's. No inline scripts (CSP script-src 'self').
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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawCharts);
  } else {
    drawCharts();
  }
})();
