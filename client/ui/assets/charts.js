/* Charts as SVG built with createElementNS: the radar (a scale of rings 0-100 with labels, the
 * area names, one polygon and an optional overlay with a legend) and the suppliers x areas
 * heat map (scores in the cells, a colour scale with its legend). */
'use strict';

(function () {
  var TX = window.TX;
  var NS = 'http://www.w3.org/2000/svg';

  function s(tag, attrs, text) {
    var n = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined) {
        n.setAttribute(k, String(attrs[k]));
      }
    });
    if (text !== undefined && text !== null) {
      n.textContent = String(text);
    }
    return n;
  }

  /* areas: [{id, name}] ; series: [{label, scores: {id: number|null}, kind: 'main'|'overlay'}]
   * Returns a <figure> holding the svg (data-t=radar) and its legend. */
  TX.radar = function (areas, series, opts) {
    opts = opts || {};
    var size = opts.size || 420;
    var pad = 70; // room for long area names left and right
    var cx = size / 2 + pad;
    var cy = size / 2;
    var R = size / 2 - 80;
    var n = areas.length;
    var title = opts.title || TX.t('radar.title');
    var svg = s('svg', {
      viewBox: '0 0 ' + (size + 2 * pad) + ' ' + size,
      width: size + 2 * pad,
      height: size,
      role: 'img',
      'aria-label': title + ': ' + describe(areas, series),
      'data-t': 'radar',
      class: 'radar'
    });
    svg.appendChild(s('title', {}, title));
    var angle = function (i) {
      return -Math.PI / 2 + (2 * Math.PI * i) / Math.max(n, 1);
    };
    var pt = function (i, v) {
      var r = (R * Math.max(0, Math.min(100, v))) / 100;
      return [cx + r * Math.cos(angle(i)), cy + r * Math.sin(angle(i))];
    };
    var grid = s('g', {class: 'radar-grid'});
    [25, 50, 75, 100].forEach(function (v) {
      var pts = [];
      for (var i = 0; i < n; i++) {
        pts.push(pt(i, v).join(','));
      }
      if (n >= 3) {
        grid.appendChild(s('polygon', {points: pts.join(' '), class: 'ring'}));
      } else {
        grid.appendChild(s('circle', {cx: cx, cy: cy, r: (R * v) / 100, class: 'ring'}));
      }
    });
    for (var i = 0; i < n; i++) {
      var e = pt(i, 100);
      grid.appendChild(s('line', {x1: cx, y1: cy, x2: e[0], y2: e[1], class: 'spoke'}));
    }
    svg.appendChild(grid);
    // the scale: 0, 25, 50, 75, 100 along the first spoke
    var scale = s('g', {class: 'radar-scale'});
    // the ticks run between the first two spokes, clear of the area labels
    var ta = -Math.PI / 2 + Math.PI / Math.max(n, 1);
    [0, 25, 50, 75, 100].forEach(function (v) {
      var r = (R * v) / 100;
      scale.appendChild(s('text', {x: cx + r * Math.cos(ta) + 3, y: cy + r * Math.sin(ta) + 4, class: 'tick'}, v));
    });
    svg.appendChild(scale);
    series.forEach(function (ser, k) {
      var pts = [];
      var dots = s('g', {class: 'dots ' + (ser.kind || (k === 0 ? 'main' : 'overlay'))});
      for (var i = 0; i < n; i++) {
        var v = ser.scores[areas[i].id];
        var p = pt(i, v === null || v === undefined ? 0 : v);
        pts.push(p.join(','));
        if (v !== null && v !== undefined) {
          dots.appendChild(s('circle', {cx: p[0], cy: p[1], r: 3.5}));
        }
      }
      if (n >= 2) {
        svg.appendChild(
          s('polygon', {points: pts.join(' '), class: 'series ' + (ser.kind || (k === 0 ? 'main' : 'overlay'))})
        );
      }
      svg.appendChild(dots);
    });
    var labels = s('g', {class: 'radar-labels'});
    for (var j = 0; j < n; j++) {
      var a = angle(j);
      var lx = cx + (R + 14) * Math.cos(a);
      var ly = cy + (R + 14) * Math.sin(a);
      var anchor = Math.abs(Math.cos(a)) < 0.3 ? 'middle' : Math.cos(a) > 0 ? 'start' : 'end';
      var name = TX.L(areas[j].name) || areas[j].id;
      var main = series[0] ? series[0].scores[areas[j].id] : null;
      var lines = wrap(name, /[\u3000-\u9fff]/.test(name) ? 7 : 13);
      var rows = lines.length + 1;
      var y0 = Math.sin(a) > 0.3 ? ly + 10 : Math.sin(a) < -0.3 ? ly - 14 * (rows - 1) : ly - 7 * (rows - 1) + 4;
      var txt = s('text', {x: lx, y: y0, 'text-anchor': anchor});
      lines.forEach(function (line, li) {
        txt.appendChild(s('tspan', {x: lx, dy: li === 0 ? 0 : 14}, line));
      });
      txt.appendChild(s('tspan', {x: lx, dy: 14, class: 'val'}, TX.pct(main)));
      labels.appendChild(txt);
    }
    svg.appendChild(labels);

    var fig = TX.h('figure', {class: 'chart'});
    fig.appendChild(svg);
    var legend = TX.h('ul', {class: 'legend'});
    series.forEach(function (ser, k) {
      legend.appendChild(
        TX.h('li', null, [
          TX.h('span', {class: 'swatch ' + (ser.kind || (k === 0 ? 'main' : 'overlay')), 'aria-hidden': 'true'}),
          ser.label
        ])
      );
    });
    fig.appendChild(legend);
    return fig;
  };

  function wrap(text, max) {
    if (text.length <= max) {
      return [text];
    }
    var words = text.split(' ');
    if (words.length === 1) {
      var out = [];
      for (var i = 0; i < text.length && out.length < 3; i += max) {
        out.push(text.slice(i, i + max));
      }
      return out;
    }
    var lines = [''];
    words.forEach(function (w) {
      var cur = lines[lines.length - 1];
      if (cur && (cur + ' ' + w).length > max) {
        lines.push(w);
      } else {
        lines[lines.length - 1] = cur ? cur + ' ' + w : w;
      }
    });
    return lines.slice(0, 3);
  }

  function describe(areas, series) {
    return series
      .map(function (ser) {
        return (
          ser.label +
          ' — ' +
          areas
            .map(function (a) {
              return (TX.L(a.name) || a.id) + ' ' + TX.pct(ser.scores[a.id]);
            })
            .join(', ')
        );
      })
      .join('; ');
  }

  /* The colour of a score: five steps from red to green, each with dark text (contrast >= 4.5). */
  var STEPS = [
    {min: 80, cls: 'hm5'},
    {min: 60, cls: 'hm4'},
    {min: 40, cls: 'hm3'},
    {min: 20, cls: 'hm2'},
    {min: 0, cls: 'hm1'}
  ];
  TX.heatClass = function (v) {
    if (v === null || v === undefined) {
      return 'hm0';
    }
    for (var i = 0; i < STEPS.length; i++) {
      if (v >= STEPS[i].min) {
        return STEPS[i].cls;
      }
    }
    return 'hm1';
  };

  /* rows: [{key, name, scores: {id: v}}], areas: [{id, name}] -> a table (data-t=heatmap) in a
   * scrollable region, with its legend. A table keeps the scores readable by screen readers. */
  TX.heatmap = function (rows, areas, onPick) {
    var h = TX.h;
    var table = h('table', {class: 'heatmap', t: 'heatmap'}, [
      h('caption', {class: 'sr-only', text: TX.t('heat.caption')}),
      h('thead', null,
        h('tr', null, [h('th', {scope: 'col', text: TX.t('col.name')})].concat(
          areas.map(function (a) {
            return h('th', {scope: 'col', title: TX.L(a.name)}, [h('span', {class: 'area-id', text: a.id}), h('span', {class: 'area-name', text: TX.L(a.name)})]);
          })
        ))
      ),
      h('tbody', null,
        rows.map(function (r) {
          return h('tr', null, [
            h('th', {scope: 'row'}, onPick ? h('a', {href: '#/supplier/' + r.key, text: r.name}) : r.name)
          ].concat(
            areas.map(function (a) {
              var v = r.scores ? r.scores[a.id] : null;
              return h('td', {class: 'cell ' + TX.heatClass(v)}, TX.pct(v));
            })
          ));
        })
      )
    ]);
    var legend = h('ul', {class: 'heat-legend', 'aria-label': TX.t('heat.legend')}, [
      h('li', {class: 'legend-title', text: TX.t('heat.legend')})
    ].concat([['hm1', '0–19'], ['hm2', '20–39'], ['hm3', '40–59'], ['hm4', '60–79'], ['hm5', '80–100'], ['hm0', TX.t('heat.none')]].map(function (p) {
      return h('li', {class: 'swatch-cell ' + p[0], text: p[1]});
    })));
    return h('div', {class: 'heat-wrap'}, [
      h('div', {class: 'scroll', tabindex: '0', role: 'region', 'aria-label': TX.t('heat.caption')}, table),
      legend
    ]);
  };
})();
