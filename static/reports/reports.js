/* Reports: draw each chart with the plotly.js served by Cabildo (never a CDN). Every chart's
   data table is on the page already; without JavaScript the page shows the tables only. */
(function () {
  "use strict";
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  if (!window.Plotly) return;
  var lang = document.documentElement.lang || "en";
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var source = document.getElementById(element.dataset.figure);
    if (!source) return;
    var figure = JSON.parse(source.textContent);
    // Draw at the container's width: shown before drawing (an empty chart is hidden, and
    // plotly draws a hidden one 700 px wide), no fixed width, and redrawn as the window turns.
    element.classList.add("is-drawing");
    var layout = figure.layout || {};
    delete layout.width;
    layout.autosize = true;
    window.Plotly.newPlot(element, figure.data, layout, {
      responsive: true, displaylogo: false, locale: lang,
      modeBarButtonsToRemove: ["lasso2d", "select2d"]
    }).then(function () { element.classList.add("is-drawn"); });
  });
})();
