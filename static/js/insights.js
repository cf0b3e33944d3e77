// Insights' charts. Each figure of /insights carries its numbers twice: in
// a table, which is the page without JavaScript, and in a JSON data block
// (<script type="application/json">, which the Content-Security-Policy
// allows as it runs nothing) that this file draws with uPlot into the
// figure's .chart container. Colours come from the stylesheet's custom
// properties, so a chart follows the page's theme, and is drawn again
// when the theme or the width changes.
(function () {
  "use strict";
  if (typeof uPlot === "undefined") return;

  var charts = [];

  // css reads a custom property of the insights page.
  function css(root, name, fallback) {
    var v = getComputedStyle(root).getPropertyValue(name).trim();
    return v || fallback;
  }

  function palette(root) {
    return {
      ink: css(root, "--chart-ink", "#0f172a"),
      grid: css(root, "--chart-grid", "#e2e8f0"),
      font: "12px " + css(root, "--chart-font", "system-ui, sans-serif"),
      series: [css(root, "--chart-1", "#2563eb"), css(root, "--chart-2", "#c2410c"),
        css(root, "--chart-3", "#7c3aed"), css(root, "--chart-4", "#0f766e")],
      tone: {
        ok: css(root, "--chart-ok", "#15803d"), warn: css(root, "--chart-warn", "#d97706"),
        bad: css(root, "--chart-bad", "#b91c1c"), calm: css(root, "--chart-calm", "#64748b")
      }
    };
  }

  // textWidth measures labels, to size the axis that names the categories.
  var measure = document.createElement("canvas").getContext("2d");
  function textWidth(font, s) {
    measure.font = font;
    return measure.measureText(s).width;
  }

  // shorten cuts a label to fit w pixels; the table holds it whole.
  function shorten(font, s, w) {
    if (textWidth(font, s) <= w) return s;
    while (s.length > 1 && textWidth(font, s + "…") > w) s = s.slice(0, -1);
    return s + "…";
  }

  function number(v, unit) {
    if (v == null) return "";
    var s = Math.round(v * 10) / 10;
    return unit ? s + (unit === "days" ? " d" : " h") : String(s);
  }

  function build(el, data, pal) {
    var n = data.labels.length;
    var horizontal = !!data.horizontal;
    // The box is hidden while empty (the page without JavaScript shows no
    // blank space); it shows before it is measured.
    el.style.display = "block";
    var width = Math.max(el.clientWidth, 200);
    var height = horizontal ? Math.min(Math.max(n * 30 + 70, 130), 640) : 240;
    var xs = [];
    for (var i = 0; i < n; i++) xs.push(i);

    // Stacked bars are drawn as each series' running total, the tallest
    // first, so the ones after it show as its lower parts.
    var series = data.series.map(function (s, k) {
      var color = s.tone ? pal.tone[s.tone] : pal.series[k % pal.series.length];
      return { name: s.name, color: color, values: s.values.slice() };
    });
    if (data.kind === "stacked") {
      for (var k = 1; k < series.length; k++) {
        series[k].values = series[k].values.map(function (v, j) {
          return (v || 0) + (series[k - 1].values[j] || 0);
        });
      }
      series.reverse();
    }

    var bars = data.kind !== "lines";
    var grouped = bars && data.kind !== "stacked" ? series.length : 1;
    var labelRoom = horizontal ? Math.min(Math.ceil(Math.max.apply(null, data.labels.map(function (l) {
      return textWidth(pal.font, l);
    })) + 14), Math.round(width * 0.42)) : 0;
    // At most one week label every 56 pixels.
    var every = horizontal ? 1 : Math.max(1, Math.ceil(n * 56 / width));

    var max = 0;
    series.forEach(function (s) {
      s.values.forEach(function (v) { if (v != null && v > max) max = v; });
    });

    var opts = {
      width: width,
      height: height,
      legend: { show: series.length > 1, live: false },
      cursor: { show: false },
      scales: {
        x: { time: false, ori: horizontal ? 1 : 0, dir: horizontal ? -1 : 1, range: [-0.5, n - 0.5] },
        y: { ori: horizontal ? 0 : 1, range: [0, max > 0 ? max * 1.08 : 1] }
      },
      axes: [
        {
          scale: "x", side: horizontal ? 3 : 2, stroke: pal.ink, font: pal.font, gap: 4,
          size: horizontal ? labelRoom : 32,
          grid: { show: false }, ticks: { show: false },
          splits: function () { return xs.filter(function (i) { return (n - 1 - i) % every === 0; }); },
          values: function (u, splits) {
            return splits.map(function (i) {
              return horizontal ? shorten(pal.font, data.labels[i], labelRoom - 10) : data.labels[i];
            });
          }
        },
        {
          scale: "y", side: horizontal ? 2 : 3, stroke: pal.ink, font: pal.font, size: horizontal ? 30 : 48, space: horizontal ? 56 : 30,
          grid: { stroke: pal.grid, width: 1 }, ticks: { show: false },
          incrs: data.unit ? undefined : [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
          values: function (u, splits) { return splits.map(function (v) { return number(v, data.unit); }); }
        }
      ],
      series: [{}]
    };
    series.forEach(function (s, k) {
      var one = { label: s.name, stroke: s.color, width: bars ? 0 : 2 };
      if (bars) {
        var size = grouped > 1 ? 0.8 / grouped : 0.6;
        var align = grouped > 1 ? (k === 0 ? -1 : 1) : 0;
        one.fill = s.color;
        one.paths = uPlot.paths.bars({ size: [size, 64], align: align });
        one.points = { show: false };
      } else {
        one.points = { show: true, size: 7, fill: s.color };
        one.dash = k % 2 === 1 ? [6, 4] : undefined;
      }
      opts.series.push(one);
    });
    var columns = [xs].concat(series.map(function (s) { return s.values; }));
    return new uPlot(opts, columns, el);
  }

  function drawAll() {
    charts.forEach(function (c) { if (c.plot) c.plot.destroy(); });
    charts = [];
    var root = document.querySelector(".insights") || document.documentElement;
    var pal = palette(root);
    document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      var block = document.getElementById(el.getAttribute("data-chart"));
      if (!block) return;
      var data;
      try {
        data = JSON.parse(block.textContent);
      } catch (e) {
        return; // the table below says it all
      }
      var plot = build(el, data, pal);
      charts.push({ el: el, data: data, width: el.clientWidth, plot: plot });
    });
  }

  // Charts follow their box's width: a phone turned, a window resized.
  var pending = 0;
  function resized() {
    clearTimeout(pending);
    pending = setTimeout(function () {
      if (charts.some(function (c) { return Math.abs(c.el.clientWidth - c.width) > 4; })) drawAll();
    }, 150);
  }

  function start() {
    drawAll();
    window.addEventListener("resize", resized);
    var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
    if (dark && dark.addEventListener) dark.addEventListener("change", drawAll);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
