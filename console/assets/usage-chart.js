// Island of the /usage page: draws each .chart[data-chart] with uPlot (served by the api role
/* global document, window, requestAnimationFrame, uPlot */
// from node_modules). The data attribute holds the API's decimal strings; they become numbers
// only to place points on the canvas — the legend shows the original strings.
(function () {
  'use strict';
  var PALETTE = ['#1f5fbf', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#be185d', '#4d7c0f', '#334155', '#9333ea'];

  function draw(el) {
    var g = JSON.parse(el.getAttribute('data-chart'));
    var xs = g.buckets.map(function (b) { return Date.parse(b) / 1000; });
    var data = [xs];
    var points = 0;
    var series = [{ label: 'bucket (UTC)', value: function (_u, _v, _si, di) { return di == null ? '—' : g.buckets[di]; } }];
    var all = g.fleet ? [{ label: 'fleet total', values: g.fleet, fleet: true }].concat(g.series) : g.series;
    all.forEach(function (s, i) {
      data.push(s.values.map(function (v) { if (v === null) return null; if (!s.fleet) points++; return Number(v); }));
      series.push({
        label: s.label,
        stroke: PALETTE[i % PALETTE.length],
        width: s.fleet ? 2.5 : 1.5,
        dash: s.fleet ? [6, 4] : undefined,
        spanGaps: false,
        value: function (_u, _v, _si, di) { var t = di == null ? null : s.values[di]; return t === null || t === undefined ? '—' : t + ' ' + g.unit; },
      });
    });
    var opts = {
      width: Math.max(280, el.clientWidth),
      height: 260,
      series: series,
      scales: { x: { time: true } },
      axes: [{}, { size: 70 }],
      legend: { live: true },
    };
    var plot = new uPlot(opts, data, el);
    el.setAttribute('data-points', String(points));
    el.setAttribute('data-ready', 'true');
    return plot;
  }

  function start() {
    var charts = Array.prototype.slice.call(document.querySelectorAll('.chart[data-chart]')).map(function (el) { return { el: el, plot: draw(el) }; });
    var pending = false;
    window.addEventListener('resize', function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () {
        pending = false;
        charts.forEach(function (c) { c.plot.setSize({ width: Math.max(280, c.el.clientWidth), height: 260 }); });
      });
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
