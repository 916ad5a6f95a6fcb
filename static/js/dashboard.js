/* Dashboards: draw each Plotly figure from its <script type="application/json"> block.
 *
 * No inline scripts: the server embeds each figure's JSON (built with plotly.py from the
 * stored results) next to an empty .dash-plot element that names it in data-figure.
 * Without JavaScript the page still has every figure as a table (the <details> under
 * each chart). Filters apply with their Apply button (no change of page on select:
 * arrow keys in a select would otherwise reload the page at every step).
 */
(function () {
  "use strict";

  var CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };

  var NARROW = 600;

  function shorten(label, max) {
    label = String(label);
    return label.length > max ? label.slice(0, max - 1) + "…" : label;
  }

  // Phones: smaller type, short team names on heatmap rows (the hover keeps the full name),
  // no colour bar; the table under each chart has every figure in full.
  function compact(figure, width) {
    if (width >= NARROW) { return; }
    var layout = figure.layout;
    layout.font = Object.assign({}, layout.font, { size: 11 });
    if (layout.legend) {
      layout.legend = Object.assign({}, layout.legend, { font: { size: 11 } });
    }
    if (layout.meta === "network") {
      // A square plot, short labels: the circle would otherwise shrink to a third of the width.
      layout.height = Math.max(300, Math.min(width, 560) - 10);
      layout.xaxis = Object.assign({}, layout.xaxis, { range: [-1.75, 1.75] });
      layout.yaxis = Object.assign({}, layout.yaxis, { range: [-1.45, 1.45] });
      (figure.data || []).forEach(function (trace) {
        if (trace.mode === "markers+text") {
          trace.text = (trace.text || []).map(function (t) { return shorten(t, 11); });
          trace.textfont = Object.assign({}, trace.textfont, { size: 9 });
          trace.marker = Object.assign({}, trace.marker, { size: 10 });
        }
      });
    }
    (figure.data || []).forEach(function (trace) {
      if (trace.mode === "markers+text" && layout.meta !== "network") {
        trace.mode = "markers";  // dot labels would run off a narrow plot; the hover names the team
      }
      if (trace.type === "heatmap") {
        trace.showscale = false;
        trace.textfont = { size: 10 };
        if ((trace.x || []).length > 6) { trace.texttemplate = ""; }  // the hover and the table have the figures
        var rows = trace.y || [];
        layout.yaxis = Object.assign({}, layout.yaxis, {
          tickmode: "array",
          tickvals: rows,
          ticktext: rows.map(function (r) { return shorten(r, 14); }),
          tickfont: { size: 10 }
        });
        layout.xaxis = Object.assign({}, layout.xaxis, { tickangle: -60, tickfont: { size: 10 } });
      }
      if (trace.type === "bar" && trace.orientation === "h") {
        var cats = trace.y || [];
        layout.yaxis = Object.assign({}, layout.yaxis, {
          tickmode: "array",
          tickvals: cats,
          ticktext: cats.map(function (c) { return shorten(c, 18); }),
          tickfont: { size: 10 }
        });
      }
    });
    if (layout.xaxis && layout.xaxis.type === "category") {
      layout.xaxis = Object.assign({}, layout.xaxis, { tickangle: -45, tickfont: { size: 10 } });
    }
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source || typeof window.Plotly === "undefined") { return; }
    var figure;
    try { figure = JSON.parse(source.textContent); } catch (e) { return; }
    var layout = figure.layout = figure.layout || {};
    layout.autosize = true;
    compact(figure, window.innerWidth);
    el.style.minHeight = (layout.height || 360) + "px";
    window.Plotly.newPlot(el, figure.data || [], layout, CONFIG).then(function () {
      el.classList.add("is-drawn");
    });
    // A click on a team (a heatmap row, a dot, a node) opens its page: the URL is the point's customdata.
    el.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      var url = point && point.customdata;
      if (typeof url === "string" && url.charAt(0) === "/") { window.location.href = url; }
    });
  }

  function start() {
    document.querySelectorAll(".dash-plot[data-figure]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
