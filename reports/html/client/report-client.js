/* global uPlot, document, window, console, requestAnimationFrame */
// Draws the charts of a degsim report.html from the JSON embedded in #report-data. Runs in the
// browser, offline, after uPlot. Each chart container gets data-points (the number of plotted
// values) once drawn, and <body> gets data-ready when all are done, so tests can check them.
(function () {
  'use strict';

  var HEIGHT = 300;
  var charts = [];

  function pad2(n) {
    return n < 10 ? '0' + n : String(n);
  }

  /** Unix seconds as `YYYY-MM-DD HH:MM` UTC. */
  function utc(ts) {
    var d = new Date(ts * 1000);
    return d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate()) + ' ' + pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes());
  }

  function countPoints(series) {
    var n = 0;
    series.forEach(function (s) {
      if (s.style === 'threshold') return;
      s.values.forEach(function (v) {
        if (v !== null && v !== undefined) n++;
      });
    });
    return n;
  }

  function pathsFor(style) {
    if (style === 'step' || style === 'threshold') return uPlot.paths.stepped({ align: 1 });
    if (style === 'bars') return uPlot.paths.bars({ size: [0.6, 64] });
    return undefined;
  }

  function withAlpha(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + ((n >> 16) & 255) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + alpha + ')';
  }

  function options(spec, series, width) {
    var isTime = spec.xKind === 'time';
    var cats = spec.categories || [];
    var opts = {
      width: width,
      height: HEIGHT,
      tzDate: function (ts) {
        return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
      },
      cursor: { drag: { x: isTime, y: false } },
      legend: { live: true },
      scales: {
        x: isTime ? { time: true } : { time: false, range: [-0.6, Math.max(cats.length - 0.4, 0.4)] },
        y: {},
      },
      series: [
        {
          label: isTime ? 'time (UTC)' : 'party',
          value: function (u, v) {
            if (v === null || v === undefined) return '–';
            return isTime ? utc(v) : cats[v] || '';
          },
        },
      ],
      axes: [
        isTime
          ? {
              stroke: '#59636e',
              grid: { stroke: '#eaeef2' },
              size: 52,
              values: function (u, splits) {
                var prevDay = '';
                return splits.map(function (ts) {
                  var s = utc(ts);
                  var day = s.slice(0, 10);
                  var label = day !== prevDay ? s.slice(11) + '\n' + day : s.slice(11);
                  prevDay = day;
                  return label;
                });
              },
            }
          : {
              stroke: '#59636e',
              grid: { show: false },
              space: 8,
              incrs: [1],
              rotate: cats.length > 6 ? -35 : 0,
              size: cats.length > 6 ? 96 : 40,
              values: function (u, splits) {
                return splits.map(function (i) {
                  var name = Number.isInteger(i) ? cats[i] || '' : '';
                  return name.length > 18 ? name.slice(0, 17) + '…' : name;
                });
              },
            },
        { stroke: '#59636e', grid: { stroke: '#eaeef2' }, label: spec.yLabel, size: 64, labelSize: 22 },
      ],
    };
    if (spec.yRange) {
      opts.scales.y.range = [spec.yRange[0], spec.yRange[1]];
    } else if (!isTime) {
      opts.scales.y.range = function (u, min, max) {
        var lo = Math.min(0, min);
        var hi = Math.max(0, max);
        var padding = (hi - lo) * 0.08 || 1;
        return [lo - (lo < 0 ? padding : 0), hi + (hi > 0 ? padding : 0)];
      };
    }
    series.forEach(function (s) {
      var o = {
        label: s.label,
        stroke: s.color,
        width: s.width || (s.style === 'bars' ? 1 : 1.5),
        value: function (u, v) {
          return v === null || v === undefined ? '–' : v.toFixed(spec.decimals);
        },
        points: { show: s.style === 'line' },
      };
      var p = pathsFor(s.style);
      if (p) o.paths = p;
      if (s.dash) o.dash = s.dash;
      if (s.style === 'bars') o.fill = withAlpha(s.color, 0.75);
      else if (s.fill) o.fill = s.fill;
      opts.series.push(o);
    });
    if (spec.bands) {
      opts.bands = spec.bands.map(function (b) {
        return { series: [b.upper + 1, b.lower + 1], fill: b.fill };
      });
    }
    return opts;
  }

  function draw(el, spec, series) {
    var data = [spec.x].concat(
      series.map(function (s) {
        return s.values;
      }),
    );
    var plot = new uPlot(options(spec, series, Math.max(320, el.clientWidth)), data, el);
    el.setAttribute('data-points', String(countPoints(series)));
    el.setAttribute('data-rendered', 'true');
    return plot;
  }

  function fail(el, name, err) {
    console.error('chart ' + name + ' could not be drawn: ' + (err && err.message ? err.message : String(err)));
    el.textContent = 'This chart could not be drawn.';
    el.className += ' chart-error';
  }

  var data = JSON.parse(document.getElementById('report-data').textContent);

  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var name = el.getAttribute('data-chart');
    var spec = data.charts[name];
    try {
      if (!spec) throw new Error('no data for this chart');
      charts.push({ el: el, plot: draw(el, spec, spec.series) });
    } catch (err) {
      fail(el, name, err);
    }
  });

  document.querySelectorAll('[data-selectable]').forEach(function (el) {
    var name = el.getAttribute('data-selectable');
    var sel = data.selectable[name];
    var picker = document.querySelector('[data-select-for="' + name + '"]');
    var entry = { el: el, plot: null };
    charts.push(entry);
    function show(i) {
      try {
        if (!sel || !sel.choices[i]) throw new Error('no data for this chart');
        if (entry.plot) entry.plot.destroy();
        entry.plot = draw(el, sel.chart, sel.choices[i].series);
      } catch (err) {
        fail(el, name, err);
      }
    }
    if (sel && picker) {
      sel.choices.forEach(function (c, i) {
        var o = document.createElement('option');
        o.value = String(i);
        o.textContent = c.label;
        picker.appendChild(o);
      });
      picker.value = String(sel.initial);
      picker.addEventListener('change', function () {
        show(Number(picker.value));
      });
    }
    show(sel ? sel.initial : 0);
  });

  var pending = false;
  window.addEventListener('resize', function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      charts.forEach(function (c) {
        if (c.plot) c.plot.setSize({ width: Math.max(320, c.el.clientWidth), height: HEIGHT });
      });
    });
  });

  document.body.setAttribute('data-ready', 'true');
})();
