/* Draws the report charts from the page's JSON data block with the vendored Chart.js.
   No inline script or style: the CSP allows only files from this site. */
(function () {
  "use strict";
  var PALETTE = ["#405de6", "#e1306c", "#f77737", "#2a9d8f", "#8e44ad", "#6c757d"];

  function readCharts() {
    var block = document.getElementById("report-charts");
    if (!block) { return []; }
    try { return JSON.parse(block.textContent); } catch (e) { return []; }
  }

  function colourise(spec) {
    spec.datasets.forEach(function (ds, i) {
      var colour = PALETTE[i % PALETTE.length];
      if (spec.type === "doughnut") {
        ds.backgroundColor = spec.labels.map(function (_, j) { return PALETTE[j % PALETTE.length]; });
      } else {
        ds.backgroundColor = colour;
        ds.borderColor = colour;
        ds.spanGaps = true;
        ds.tension = 0.2;
      }
    });
  }

  function options(spec) {
    var opts = { responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { position: "bottom" } } };
    if (spec.type !== "doughnut") {
      opts.scales = { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked, beginAtZero: true } };
    }
    return opts;
  }

  function draw(spec) {
    var canvas = document.getElementById("chart-" + spec.id);
    if (!canvas || typeof Chart === "undefined") { return; }
    colourise(spec);
    var chart = new Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: spec.datasets },
                                    options: options(spec) });
    canvas.dataset.drawn = "1";
    return chart;
  }

  function start() { readCharts().forEach(draw); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
