/* The buyer's pages: the suppliers' dashboard (sort, filter, paging, heat map, exports), the
 * supply tree with per-tier roll-ups, one supplier (radar, answers, certificate chain, history,
 * proof), the own requests with their progress and the request wizard. */
'use strict';

(function () {
  var TX = window.TX;
  var h = TX.h;
  var t = TX.t;

  // The words of a policy rule's name ("credentials": 認証); an unknown name as it is.
  function ruleLabel(rule) {
    var key = 'policy.rule.' + (rule || '');
    var text = t(key);
    return text === key ? (rule || '') : text;
  }

  /* ---- Dashboard ---------------------------------------------------------------------- */
  var dash = {offset: 0, limit: 50, sort: 'name', order: 'asc', q: '', status: '', cert: ''};
  var STATUSES = ['verified', 'expired', 'failed', 'revoked', 'not_answered'];
  var CERTS = ['valid', 'no_certificate', 'unavailable', 'holder_mismatch', 'not_accredited', 'revoked',
    'not_yet_valid', 'expired', 'suspended', 'stale'];

  // The questionnaire the buyer's pages show: '' until the buyer picks one (the server then
  // shows the main questionnaire, else the first answered). Every report call names it.
  var shownQ = '';
  function withQ(path) {
    if (!shownQ) {
      return path;
    }
    var sep = path.indexOf('?') < 0 ? '?' : '&';
    return path + sep + 'questionnaire=' + encodeURIComponent(shownQ);
  }

  // The questionnaire selector: one option per questionnaire answered (the main one marked).
  function fillQuestionnaires(field, sel, list) {
    TX.clear(sel);
    (list || []).forEach(function (q) {
      var name = q.id === null ? t('dash.q.unknown')
        : (TX.L(q.title) || q.id) + ' (' + q.id + (q.version ? ' v' + q.version : '') + ')';
      sel.appendChild(h('option', {
        value: q.id || '',
        text: q.main ? t('dash.q.main', {name: name}) : name,
        selected: q.selected
      }));
    });
    field.hidden = !list || list.length === 0;
  }

  function dashQuery() {
    var p = new URLSearchParams();
    p.set('offset', dash.offset);
    p.set('limit', dash.limit);
    p.set('sort', dash.sort);
    p.set('order', dash.order);
    if (dash.q) {
      p.set('q', dash.q);
    }
    if (dash.status) {
      p.set('status', dash.status);
    }
    if (dash.cert) {
      p.set('cert', dash.cert);
    }
    return withQ('/api/dashboard?' + p.toString());
  }

  function renderDashboard(main) {
    var head = TX.title(main, t('dash.title'), t('dash.lead'));
    var tools = h('div', {class: 'toolbar'});
    var fetchBtn = h('button', {type: 'button', class: 'primary', t: 'fetch', text: t('dash.fetch')});
    fetchBtn.addEventListener('click', function () {
      fetchBtn.disabled = true;
      fetchBtn.textContent = t('dash.fetching');
      TX.clearMessages();
      TX.post('/api/fetch', {})
        .then(function (r) {
          TX.notice(t('dash.fetched', {n: r.suppliers, date: r.generated}));
          TX.render(true);
        })
        .catch(TX.error)
        .then(function () {
          fetchBtn.disabled = false;
          fetchBtn.textContent = t('dash.fetch');
        });
    });
    tools.appendChild(fetchBtn);
    var exp = h('div', {class: 'exports', role: 'group', 'aria-label': t('dash.export')}, [
      h('span', {class: 'tool-label', text: t('dash.export')})
    ]);
    ['xlsx', 'csv', 'html', 'oscal', 'json'].forEach(function (f) {
      exp.appendChild(h('a', {
        class: 'button secondary',
        t: 'export-' + f,
        href: withQ('/api/export?format=' + f + '&lang=' + TX.lang),
        download: '',
        text: f.toUpperCase()
      }));
    });
    tools.appendChild(exp);
    head.appendChild(tools);
    var qId = TX.uid('q');
    var qSel = h('select', {id: qId, t: 'questionnaire'});
    var qField = h('div', {class: 'field questionnaire-pick', t: 'questionnaire-pick'}, [
      h('label', {for: qId, text: t('dash.questionnaire')}), qSel
    ]);
    qField.hidden = true;
    head.appendChild(qField);
    qSel.addEventListener('change', function () {
      shownQ = qSel.value;
      dash.offset = 0;
      TX.render(true);
    });

    var counts = h('div', {class: 'cards counts'});
    main.appendChild(counts);

    var filterId = TX.uid('filter');
    var stId = TX.uid('st');
    var ceId = TX.uid('ce');
    var filter = h('input', {id: filterId, type: 'search', t: 'filter', value: dash.q, placeholder: t('dash.filter.ph')});
    var stSel = h('select', {id: stId, t: 'status-filter'}, [h('option', {value: '', text: t('all')})].concat(
      STATUSES.map(function (s) {
        return h('option', {value: s, text: t('status.' + s), selected: dash.status === s});
      })
    ));
    var ceSel = h('select', {id: ceId, t: 'cert-filter'}, [h('option', {value: '', text: t('all')})].concat(
      CERTS.map(function (s) {
        return h('option', {value: s, text: t('cert.' + s), selected: dash.cert === s});
      })
    ));
    var filters = h('div', {class: 'filters', role: 'search'}, [
      h('div', {class: 'field'}, [h('label', {for: filterId, text: t('dash.filter')}), filter]),
      h('div', {class: 'field'}, [h('label', {for: stId, text: t('col.status')}), stSel]),
      h('div', {class: 'field'}, [h('label', {for: ceId, text: t('col.cert')}), ceSel])
    ]);
    var tableCard = h('section', {class: 'card', 'aria-labelledby': 'sup-h'}, [
      h('h2', {id: 'sup-h', text: t('dash.suppliers')}),
      filters
    ]);
    var tableBox = h('div', {class: 'table-box'});
    tableCard.appendChild(tableBox);
    main.appendChild(tableCard);
    var heatCard = h('section', {class: 'card', 'aria-labelledby': 'heat-h'}, [
      h('h2', {id: 'heat-h', text: t('heat.title')}),
      h('p', {class: 'hint', text: t('heat.lead')})
    ]);
    var heatBox = h('div');
    heatCard.appendChild(heatBox);
    main.appendChild(heatCard);

    var load = function (focusKey) {
      return TX.get(dashQuery()).then(function (d) {
        fillQuestionnaires(qField, qSel, d.questionnaires);
        drawCounts(counts, d);
        drawTable(tableBox, d, load, focusKey);
        TX.clear(heatBox);
        if (d.rows.length && d.areas.length) {
          heatBox.appendChild(TX.heatmap(d.rows, d.areas, true));
        } else {
          heatBox.appendChild(h('p', {class: 'empty', text: t('heat.empty')}));
        }
      });
    };
    var refilter = TX.debounce(function () {
      dash.q = filter.value;
      dash.offset = 0;
      load().catch(TX.error);
    }, 300);
    filter.addEventListener('input', refilter);
    stSel.addEventListener('change', function () {
      dash.status = stSel.value;
      dash.offset = 0;
      load().catch(TX.error);
    });
    ceSel.addEventListener('change', function () {
      dash.cert = ceSel.value;
      dash.offset = 0;
      load().catch(TX.error);
    });
    return load();
  }

  function drawCounts(box, d) {
    TX.clear(box);
    var c = d.counts || {};
    box.appendChild(h('div', {class: 'stat'}, [h('span', {class: 'stat-n', text: String(d.total)}), h('span', {class: 'stat-l', text: t('dash.total')})]));
    STATUSES.forEach(function (s) {
      box.appendChild(h('div', {class: 'stat s-' + s}, [
        h('span', {class: 'stat-n', text: String(c[s] || 0)}),
        h('span', {class: 'stat-l', text: t('status.' + s)})
      ]));
    });
    box.appendChild(h('p', {class: 'as-of', text: t('dash.generated', {date: TX.dash(d.generated)})}));
  }

  function drawTable(box, d, load, focusKey) {
    TX.clear(box);
    var cols = [
      {key: 'name', label: t('col.name')},
      {key: 'status', label: t('col.status')},
      {key: 'cert', label: t('col.cert')},
      {key: 'overall', label: t('col.overall'), num: true},
      {key: 'level', label: t('col.level'), num: true}
    ];
    cols.push({key: 'creds', label: t('col.creds'), nosort: true});
    cols.push({key: 'policy', label: t('col.policy'), nosort: true});
    cols.push({key: 'age', label: t('col.age'), num: true});
    cols.push({key: 'due', label: t('col.due')});
    d.areas.forEach(function (a) {
      cols.push({key: a.id, label: a.id, title: TX.L(a.name), num: true, area: true});
    });
    var sortBtn = function (c) {
      var active = dash.sort === c.key;
      var b = h('button', {type: 'button', class: 'sort', t: 'sort-' + c.key, title: c.title || null}, [
        c.label,
        h('span', {class: 'arrow', 'aria-hidden': 'true', text: active ? (dash.order === 'asc' ? '▲' : '▼') : '↕'})
      ]);
      if (c.title) {
        b.setAttribute('aria-label', c.label + ' ' + c.title);
      }
      b.addEventListener('click', function () {
        if (dash.sort === c.key) {
          dash.order = dash.order === 'asc' ? 'desc' : 'asc';
        } else {
          dash.sort = c.key;
          dash.order = c.num ? 'desc' : 'asc';
        }
        dash.offset = 0;
        load('sort-' + c.key).catch(TX.error);
      });
      return b;
    };
    var thead = h('thead', null, h('tr', null, cols.map(function (c) {
      var active = dash.sort === c.key;
      if (c.nosort) {
        return h('th', {scope: 'col', class: 'nw', t: 'col-' + c.key, text: c.label});
      }
      return h('th', {scope: 'col', class: c.num ? 'num' : null, 'aria-sort': active ? (dash.order === 'asc' ? 'ascending' : 'descending') : null}, sortBtn(c));
    })));
    var tbody = h('tbody');
    d.rows.forEach(function (r) {
      var cert = r.certificate;
      var certCell = h('td', {t: 'cert'}, cert ? [TX.badge('cert', cert.status), cert.reason && cert.status !== 'valid' ? h('div', {class: 'reason', text: cert.reason}) : null] : TX.badge('cert', 'none'));
      var req = r.requests || {};
      var due = h('td', {t: 'due'}, [
        req.next_due ? h('span', {text: req.next_due}) : h('span', {text: '—'}),
        req.open ? h('div', {class: 'small', text: t('dash.open', {n: req.open})}) : null,
        req.overdue ? h('div', null, TX.h('span', {class: 'badge s-overdue', text: t('dash.overdue', {n: req.overdue})})) : null
      ]);
      var tr = h('tr', {t: 'supplier-row', 'data-key': r.key}, [
        h('th', {scope: 'row'}, [
          r.key ? h('a', {href: '#/supplier/' + r.key, text: r.name}) : h('span', {text: r.name}),
          h('div', {class: 'fp', title: r.fingerprint || null, text: r.fingerprint || ''})
        ]),
        h('td', {t: 'status'}, [TX.badge('status', r.status), r.reason ? h('div', {class: 'reason', text: r.reason}) : null]),
        certCell,
        h('td', {t: 'overall', class: 'num strong'}, TX.pct(r.overall)),
        h('td', {t: 'level', class: 'num nw'}, TX.levelText(r.levels, r.level_achieved))
      ]);
      tr.appendChild(h('td', {t: 'creds'}, (r.credentials || []).length ? h('div', {class: 'cred-list'}, r.credentials.map(function (c) {
        return TX.credBadge(c, null, true);
      })) : '—'));
      // The badge only, its reasons as its title: the supplier's page lists them in full.
      tr.appendChild(h('td', {t: 'policy'}, r.policy ? TX.policyBadge(r.policy, null, true) : '—'));
      tr.appendChild(h('td', {t: 'age', class: 'num'}, r.age_days === null || r.age_days === undefined ? '—' : String(r.age_days)));
      tr.appendChild(due);
      d.areas.forEach(function (a) {
        var v = r.scores ? r.scores[a.id] : null;
        tr.appendChild(h('td', {class: 'num score ' + TX.heatClass(v)}, TX.pct(v)));
      });
      tbody.appendChild(tr);
    });
    var table = h('table', {class: 'grid', t: 'suppliers'}, [h('caption', {class: 'sr-only', text: t('dash.suppliers')}), thead, tbody]);
    box.appendChild(h('div', {class: 'scroll'}, table));
    if (!d.rows.length) {
      box.appendChild(h('p', {class: 'empty', text: d.total === 0 && !dash.q && !dash.status && !dash.cert ? t('dash.empty') : t('dash.nomatch')}));
    }
    var from = d.total ? d.offset + 1 : 0;
    var to = d.offset + d.rows.length;
    var prev = h('button', {type: 'button', class: 'secondary', t: 'prev', text: t('prev'), disabled: d.offset <= 0});
    var next = h('button', {type: 'button', class: 'secondary', t: 'next', text: t('next'), disabled: to >= d.total});
    prev.addEventListener('click', function () {
      dash.offset = Math.max(0, d.offset - d.limit);
      load('prev').catch(TX.error);
    });
    next.addEventListener('click', function () {
      dash.offset = d.offset + d.limit;
      load('next').catch(TX.error);
    });
    box.appendChild(h('nav', {class: 'pager', 'aria-label': t('pager')}, [prev, h('span', {text: t('dash.range', {from: from, to: to, total: d.total})}), next]));
    if (focusKey) {
      var f = box.querySelector('[data-t="' + focusKey + '"]');
      if (f && !f.disabled) {
        f.focus();
      }
    }
  }

  /* ---- Supply tree --------------------------------------------------------------------- */
  var CHUNK = 200;

  function renderTree(main, m, q) {
    TX.title(main, t('tree.title'), t('tree.lead'));
    var depth = q.depth ? '?depth=' + encodeURIComponent(q.depth) : '';
    return TX.get(withQ('/api/tree' + depth)).then(function (d) {
      var nodes = d.nodes || [];
      var byKey = {};
      var children = {};
      var roots = [];
      nodes.forEach(function (n, i) {
        n._i = i;
        if (n.key) {
          byKey[n.key] = n;
        }
      });
      nodes.forEach(function (n) {
        var ps = n.parents || [];
        if (!ps.length || n.tier === 1) {
          roots.push(n);
        }
        ps.forEach(function (p) {
          if (n.tier === 1) {
            return;
          }
          (children[p] = children[p] || []).push(n);
        });
      });

      var roll = h('section', {class: 'card', 'aria-labelledby': 'roll-h'}, [h('h2', {id: 'roll-h', text: t('tree.rollup')})]);
      roll.appendChild(rollups(d));
      main.appendChild(roll);

      var treeCard = h('section', {class: 'card', 'aria-labelledby': 'tree-h'}, [
        h('h2', {id: 'tree-h', text: t('tree.nodes', {n: nodes.length, depth: d.depth})}),
        h('p', {class: 'hint', text: t('tree.hint')})
      ]);
      var ul = h('ul', {class: 'tree', t: 'tree', role: 'list'});
      appendNodes(ul, roots, children, [], 0);
      treeCard.appendChild(ul);
      if (!nodes.length) {
        treeCard.appendChild(h('p', {class: 'empty', text: t('tree.empty')}));
      }
      main.appendChild(treeCard);
    });
  }

  function appendNodes(ul, list, children, path, from) {
    var end = Math.min(list.length, from + CHUNK);
    for (var i = from; i < end; i++) {
      ul.appendChild(nodeItem(list[i], children, path));
    }
    if (end < list.length) {
      var more = h('li', {class: 'more'});
      var b = h('button', {type: 'button', class: 'link', text: t('tree.more', {n: list.length - end})});
      b.addEventListener('click', function () {
        ul.removeChild(more);
        appendNodes(ul, list, children, path, end);
      });
      more.appendChild(b);
      ul.appendChild(more);
    }
  }

  function nodeItem(n, children, path) {
    var kids = n.key ? children[n.key] || [] : [];
    // the edge back of a loop is not followed
    var onPath = n.key && path.indexOf(n.key) >= 0;
    var li = h('li', {t: 'node', 'data-key': n.key || '', class: 'node'});
    var row = h('div', {class: 'node-row'});
    var toggle = null;
    if (kids.length && !onPath) {
      var listId = TX.uid('kids');
      toggle = h('button', {type: 'button', class: 'toggle', t: 'toggle', 'aria-expanded': 'false', 'aria-controls': listId, 'aria-label': t('tree.toggle', {name: n.name || '', n: kids.length})}, h('span', {'aria-hidden': 'true', text: '▸'}));
      var sub = null;
      toggle.addEventListener('click', function () {
        var open = toggle.getAttribute('aria-expanded') === 'true';
        if (open) {
          toggle.setAttribute('aria-expanded', 'false');
          toggle.firstChild.textContent = '▸';
          sub.hidden = true;
        } else {
          if (!sub) {
            sub = h('ul', {id: listId, role: 'list'});
            appendNodes(sub, kids, children, path.concat([n.key]), 0);
            li.appendChild(sub);
          }
          sub.hidden = false;
          toggle.setAttribute('aria-expanded', 'true');
          toggle.firstChild.textContent = '▾';
        }
      });
      row.appendChild(toggle);
    } else {
      row.appendChild(h('span', {class: 'toggle-space', 'aria-hidden': 'true'}));
    }
    row.appendChild(h('span', {class: 'tier-tag', text: t('tree.tier', {n: n.tier})}));
    row.appendChild(n.key && n.answer_state === 'answered' ? h('a', {href: '#/supplier/' + n.key, class: 'node-name', text: n.name || '—'}) : h('span', {class: 'node-name', text: n.name || '—'}));
    if (n.supplies) {
      row.appendChild(h('span', {class: 'supplies', text: t('tree.supplies', {what: n.supplies})}));
    }
    row.appendChild(TX.badge('state', n.answer_state));
    if (n.status) {
      row.appendChild(TX.badge('status', n.status));
    }
    if (n.certificate && n.certificate.status) {
      row.appendChild(TX.badge('cert', n.certificate.status));
    }
    (n.credentials || []).forEach(function (c) {
      row.appendChild(TX.credBadge(c, null, true));
    });
    if (n.policy) {
      row.appendChild(TX.policyBadge(n.policy, null, true));
    }
    row.appendChild(h('span', {class: 'node-score', text: t('tree.score', {score: TX.pct(n.overall), level: TX.dash(n.level_achieved)})}));
    (n.flags || []).forEach(function (f) {
      row.appendChild(h('span', {class: 'badge s-flag', text: t('flag.' + f)}));
    });
    if (onPath) {
      row.appendChild(h('span', {class: 'small', text: t('tree.loopstop')}));
    }
    li.appendChild(row);
    return li;
  }

  function rollups(d) {
    var tiers = (d.tiers || []).slice();
    if (d.total) {
      tiers.push(d.total);
    }
    var box = h('div', {class: 'rollups'});
    tiers.forEach(function (r) {
      var isTotal = r.tier === null || r.tier === undefined;
      var cov = r.coverage || {};
      var certs = r.certificate_status || {};
      var card = h('div', {class: 'rollup' + (isTotal ? ' total' : ''), t: 'tier-rollup'}, [
        h('h3', {text: isTotal ? t('tree.total') : t('tree.tier', {n: r.tier})}),
        h('dl', {class: 'kv'}, [
          h('dt', {text: t('tree.count')}), h('dd', {text: String(r.nodes)}),
          h('dt', {text: t('tree.verified')}), h('dd', {text: r.verified + ' (' + TX.pct(cov.verified) + '%)'}),
          h('dt', {text: t('tree.current')}), h('dd', {text: r.current + ' (' + TX.pct(cov.current) + '%)'}),
          h('dt', {text: t('tree.certified')}), h('dd', {text: r.certified + ' (' + TX.pct(cov.certified) + '%)'})
        ])
      ]);
      var bar = h('div', {class: 'bar', role: 'img', 'aria-label': t('tree.coverage') + ' ' + TX.pct(cov.verified) + '%'});
      var fill = h('span', {class: 'bar-fill'});
      fill.style.width = Math.max(0, Math.min(100, cov.verified || 0)) + '%';
      bar.appendChild(fill);
      card.appendChild(bar);
      var cs = Object.keys(certs);
      if (cs.length) {
        card.appendChild(h('p', {class: 'small', text: t('tree.certs')}));
        card.appendChild(h('ul', {class: 'badges'}, cs.map(function (k) {
          return h('li', null, [TX.badge('cert', k), ' ' + certs[k]]);
        })));
      }
      if ((r.weakest || []).length) {
        card.appendChild(h('p', {class: 'small', text: t('tree.weakest')}));
        card.appendChild(h('ul', {class: 'weakest'}, r.weakest.map(function (w) {
          return h('li', null, [
            h('span', {class: 'area-id', text: w.area}), ' ', TX.L(w.name), ': ',
            h('strong', {text: TX.pct(w.score)}), ' — ',
            w.node ? h('a', {href: '#/supplier/' + w.node, text: w.node_name || TX.short(w.node)}) : (w.node_name || '')
          ]);
        })));
      }
      box.appendChild(card);
    });
    return box;
  }

  /* ---- One supplier -------------------------------------------------------------------- */
  var overlayChoice = {};

  function renderSupplier(main, m) {
    var key = m[1];
    return TX.get(withQ('/api/supplier/' + key)).then(function (d) {
      var r = d.row || {};
      TX.title(main, r.name || TX.short(key), r.fingerprint || '');
      var head = main.querySelector('.page-head');
      head.appendChild(h('div', {class: 'badges-row'}, [
        TX.badge('status', r.status, 'status'),
        r.certificate && r.certificate.now ? TX.badge('cert', r.certificate.now.status, 'cert') : null,
        h('span', {class: 'kv-inline', text: t('sup.overall', {v: TX.pct(r.overall)})}),
        h('span', {class: 'kv-inline', t: 'level-share', text: t('sup.level', {v: TX.levelText(r.levels, r.level_achieved)})}),
        TX.policyBadge(r.policy),
        h('span', {class: 'kv-inline', text: t('sup.asof', {asof: TX.dash(r.as_of), until: TX.dash(r.valid_until)})}),
        r.questionnaire ? h('span', {class: 'kv-inline', text: TX.L(r.questionnaire.title) + ' ' + (r.questionnaire.id || '') + ' v' + TX.dash(r.questionnaire.version)}) : null
      ]));
      if (r.reason) {
        head.appendChild(h('p', {class: 'reason', text: r.reason}));
      }
      if (r.superseded_by) {
        head.appendChild(h('p', {class: 'warn', text: t('sup.superseded', {date: TX.dash(r.superseded_by.date), id: TX.short(r.superseded_by.assessment)})}));
      }
      if (r.questionnaire_mismatch) {
        head.appendChild(h('p', {class: 'warn', text: r.questionnaire_mismatch.reason}));
      }

      var grid = h('div', {class: 'two-col'});
      main.appendChild(grid);
      var radarCard = h('section', {class: 'card', 'aria-labelledby': 'radar-h'}, [h('h2', {id: 'radar-h', text: t('sup.radar')})]);
      grid.appendChild(radarCard);
      var areasCard = h('section', {class: 'card', 'aria-labelledby': 'areas-h'}, [h('h2', {id: 'areas-h', text: t('sup.areas')})]);
      grid.appendChild(areasCard);
      drawAreas(areasCard, r);
      drawRadarWithOverlay(radarCard, d, key);

      main.appendChild(credentialsSection(r));
      if (r.policy) {
        main.appendChild(policySection(r.policy));
      }
      main.appendChild(plansSection(r));
      main.appendChild(itemsSection(r));
      main.appendChild(chainSection(d.chain || [], r));
      main.appendChild(historySection(d.history || []));
      main.appendChild(proofSection(d.proof || {}));
    });
  }

  function areaScores(r) {
    var o = {};
    (r.areas || []).forEach(function (a) {
      o[a.id] = a.score;
    });
    return o;
  }

  function drawAreas(card, r) {
    var rows = (r.areas || []).map(function (a) {
      return h('tr', null, [
        h('th', {scope: 'row'}, [h('span', {class: 'area-id', text: a.id}), ' ', TX.L(a.name)]),
        h('td', {class: 'num score ' + TX.heatClass(a.score)}, TX.pct(a.score)),
        h('td', {class: 'num', text: a.answered + ' / ' + a.items})
      ]);
    });
    card.appendChild(h('table', {class: 'grid compact'}, [
      h('thead', null, h('tr', null, [h('th', {scope: 'col', text: t('col.area')}), h('th', {scope: 'col', class: 'num', text: t('col.score')}), h('th', {scope: 'col', class: 'num', text: t('col.answered')})])),
      h('tbody', null, rows)
    ]));
    if ((r.levels || []).length) {
      card.appendChild(h('h3', {text: t('sup.levels')}));
      card.appendChild(h('ul', {class: 'levels'}, r.levels.map(function (l) {
        return h('li', null, [
          h('span', {class: 'badge ' + (l.achieved ? 's-verified' : 's-none'), text: l.achieved ? t('level.achieved') : t('level.notyet')}),
          ' ' + t('level.n', {n: l.level}) + ' ' + TX.L(l.name) + ' — ' + t('level.share', {v: TX.pct(l.share), impl: l.implemented, app: l.applicable})
        ]);
      })));
    }
  }

  function drawRadarWithOverlay(card, d, key) {
    var r = d.row || {};
    var areas = (r.areas || []).map(function (a) {
      return {id: a.id, name: a.name};
    });
    var selId = TX.uid('overlay');
    var sel = h('select', {id: selId, t: 'overlay'}, [
      h('option', {value: '', text: t('sup.overlay.none')}),
      h('option', {value: 'tier', text: t('sup.overlay.tier', {n: TX.dash(d.tier)})})
    ]);
    var chartBox = h('div', {class: 'radar-box'});
    card.appendChild(h('div', {class: 'field inline'}, [h('label', {for: selId, text: t('sup.overlay')}), sel]));
    card.appendChild(chartBox);
    var others = {};
    var draw = function () {
      var series = [{label: r.name || '', scores: areaScores(r), kind: 'main'}];
      var v = sel.value;
      overlayChoice[key] = v;
      if (v === 'tier') {
        series.push({label: t('sup.overlay.tier', {n: TX.dash(d.tier)}), scores: d.tier_average || {}, kind: 'overlay'});
      } else if (v && others[v]) {
        series.push({label: others[v].name, scores: others[v].scores || {}, kind: 'overlay'});
      }
      TX.clear(chartBox);
      if (!areas.length) {
        chartBox.appendChild(h('p', {class: 'empty', text: t('sup.noscores')}));
        return;
      }
      chartBox.appendChild(TX.radar(areas, series, {title: t('sup.radar')}));
    };
    sel.addEventListener('change', draw);
    draw();
    // other suppliers for the overlay, from the dashboard's data
    TX.get(withQ('/api/dashboard?limit=500&sort=name&status=verified'))
      .then(function (dd) {
        var grp = h('optgroup', {label: t('sup.overlay.others')});
        dd.rows.forEach(function (row) {
          if (row.key && row.key !== key) {
            others[row.key] = row;
            grp.appendChild(h('option', {value: row.key, text: row.name}));
          }
        });
        if (grp.childNodes.length) {
          sel.appendChild(grp);
        }
        if (overlayChoice[key]) {
          sel.value = overlayChoice[key];
          draw();
        }
      })
      .catch(function () {
        /* the overlay list is optional */
      });
  }

  function fullyMet(it) {
    return it.not_applicable || (it.score_permille !== null && it.score_permille !== undefined && it.score_permille >= 1000);
  }

  function itemRow(it) {
    var answered = it.answer !== null && it.answer !== undefined;
    return h('li', {class: 'item-card' + (fullyMet(it) ? '' : ' gap'), t: 'item', 'data-item': it.id}, [
      h('div', {class: 'item-head'}, [
        h('span', {class: 'item-id', text: it.id}),
        h('span', {class: 'badge s-level', text: t('level.n', {n: it.level})}),
        answered ? h('span', {class: 'badge ' + (fullyMet(it) ? 's-verified' : it.score_permille === 0 ? 's-failed' : 's-partial'), text: TX.L(it.label) || it.answer}) : h('span', {class: 'badge s-not_answered', text: t('item.unanswered')})
      ]),
      h('p', {class: 'item-text', text: TX.L(it.text)}),
      TX.topicList(it.topics),
      it.comment ? h('p', {class: 'comment', t: 'comment'}, [h('span', {class: 'comment-label', text: t('item.comment')}), it.comment]) : null
    ]);
  }

  // the supplier's remediation plans: counts, then one row a plan (item, state, due, done, action)
  function plansSection(r) {
    var p = r.plans || {items: []};
    var sec = h('section', {class: 'card', t: 'plans', 'aria-labelledby': 'plans-h'}, [h('h2', {id: 'plans-h', text: t('sup.plans')})]);
    if (!(p.items || []).length) {
      sec.appendChild(h('p', {class: 'empty', text: t('sup.noplans')}));
      return sec;
    }
    sec.appendChild(h('p', {t: 'plan-counts', text: t('sup.plans.counts', {open: p.open || 0, overdue: p.overdue || 0, done: p.done || 0, stale: p.stale || 0})}));
    var badge = {open: 's-partial', overdue: 's-failed', done: 's-verified', stale: 's-failed'};
    var rows = p.items.map(function (pl) {
      return h('tr', {t: 'plan', 'data-item': pl.item, 'data-state': pl.state}, [
        h('td', {text: pl.item}),
        h('td', null, h('span', {class: 'badge ' + (badge[pl.state] || ''), text: t('plan.' + pl.state)})),
        h('td', {text: pl.due || ''}),
        h('td', {text: pl.done || '—'}),
        h('td', {text: pl.action || ''})
      ]);
    });
    sec.appendChild(h('table', {class: 'grid compact'}, [
      h('thead', null, h('tr', null, ['plan.item', 'plan.state', 'plan.due', 'plan.done', 'plan.action'].map(function (k) {
        return h('th', {scope: 'col', text: t(k)});
      }))),
      h('tbody', null, rows)
    ]));
    return sec;
  }

  function itemsSection(r) {
    var items = r.items || [];
    var gaps = items.filter(function (it) {
      return !fullyMet(it);
    });
    var sec = h('section', {class: 'card', t: 'items', 'aria-labelledby': 'items-h'}, [h('h2', {id: 'items-h', text: t('sup.items')})]);
    if (!items.length) {
      sec.appendChild(h('p', {class: 'empty', text: t('sup.noitems')}));
      return sec;
    }
    // each item once: what is not fully met first, then the rest
    var met = items.filter(fullyMet);
    sec.appendChild(h('h3', {text: t('sup.gaps', {n: gaps.length})}));
    if (gaps.length) {
      sec.appendChild(h('ol', {class: 'items'}, gaps.map(itemRow)));
    } else {
      sec.appendChild(h('p', {class: 'empty', text: t('sup.nogaps')}));
    }
    if (met.length) {
      sec.appendChild(h('h3', {text: t('sup.met', {n: met.length})}));
      sec.appendChild(h('ol', {class: 'items'}, met.map(itemRow)));
    }
    return sec;
  }

  /* ---- Credentials, evidence and the policy --------------------------------------------- */

  /* The link that opens a checked evidence file (GET /api/evidence); a file not checked is
   * shown with its status and never offered. */
  function evidenceItem(assessment, e) {
    var ok = e.status === 'checked';
    var url = '/api/evidence?assessment=' + encodeURIComponent(assessment || '') + '&name=' + encodeURIComponent(e.name || '');
    return h('li', {t: 'evidence', 'data-name': e.name || ''}, [
      ok && assessment ? h('a', {href: url, download: e.name || '', t: 'evidence-open', text: e.name}) : h('span', {text: e.name}),
      ' ',
      h('span', {class: 'badge ' + (ok ? 's-verified' : 's-failed'), text: t('ev.' + (e.status || 'missing'))}),
      e.media_type ? h('span', {class: 'small', text: ' ' + e.media_type + (e.size !== undefined && e.size !== null ? ', ' + t('ev.size', {n: e.size}) : '')}) : null
    ]);
  }

  var CRED_FIELDS = ['number', 'body', 'holder_name', 'corporate_number', 'scope', 'standard', 'criteria_version', 'issued', 'expires', 'last_report', 'next_report_due', 'expected', 'renews'];

  function credentialCard(r, c, i) {
    var hid = 'cred-h-' + i;
    var dl = h('dl', {class: 'kv'});
    CRED_FIELDS.forEach(function (f) {
      if (c[f] === null || c[f] === undefined || c[f] === '') {
        return;
      }
      dl.appendChild(h('dt', {text: t('credf.' + f)}));
      dl.appendChild(h('dd', {text: String(c[f])}));
    });
    var reg = c.register;
    var card = h('section', {class: 'card cred-card sev-border-' + (c.severity || 'problem'), t: 'credential', 'data-scheme': c.scheme || '', 'data-source': c.source || '', 'aria-labelledby': hid}, [
      h('h3', {id: hid}, [t('scheme.' + c.scheme), ' ', h('span', {class: 'small', text: t('source.' + c.source)})]),
      h('p', null, TX.credBadge(c, 'cred-status')),
      c.reason ? h('p', {class: 'reason', t: 'cred-reason', text: c.reason}) : null,
      dl
    ]);
    if (reg) {
      card.appendChild(h('p', {t: 'register'}, [
        h('span', {class: 'badge ' + (reg.match === 'listed' ? 's-verified' : 's-failed'), text: t('match.' + reg.match)}),
        ' ' + t('reg.of', {list: TX.dash(reg.list), publisher: TX.dash(reg.publisher), date: TX.dash(reg.as_of)}),
        reg.fingerprint ? h('span', {class: 'fp', text: ' ' + reg.fingerprint}) : null
      ]));
    }
    if ((c.evidence || []).length) {
      card.appendChild(h('ul', {class: 'plain-list evidence', 'aria-label': t('sup.evidence')}, c.evidence.map(function (e) {
        return evidenceItem(r.assessment, e);
      })));
    }
    return card;
  }

  function credentialsSection(r) {
    var creds = r.credentials || [];
    var sec = h('section', {class: 'card', t: 'credentials', 'aria-labelledby': 'creds-h'}, [h('h2', {id: 'creds-h', text: t('sup.creds')})]);
    if (!creds.length) {
      sec.appendChild(h('p', {class: 'empty', text: t('sup.nocreds')}));
    } else {
      sec.appendChild(h('div', {class: 'cred-grid'}, creds.map(function (c, i) {
        return credentialCard(r, c, i);
      })));
    }
    if ((r.evidence || []).length) {
      sec.appendChild(h('h3', {text: t('sup.evidence')}));
      sec.appendChild(h('ul', {class: 'plain-list evidence', t: 'evidence-all'}, r.evidence.map(function (e) {
        return evidenceItem(r.assessment, e);
      })));
    }
    return sec;
  }

  function policySection(p) {
    var sec = h('section', {class: 'card', t: 'policy-section', 'aria-labelledby': 'policy-h'}, [
      h('h2', {id: 'policy-h', text: t('sup.policy')}),
      h('p', null, TX.policyBadge(p, 'policy-verdict'))
    ]);
    if ((p.reasons || []).length) {
      sec.appendChild(h('ul', {class: 'reasons', t: 'policy-reasons'}, p.reasons.map(function (x) {
        return h('li', {text: x});
      })));
    }
    if ((p.checks || []).length) {
      sec.appendChild(h('table', {class: 'grid compact'}, [
        h('thead', null, h('tr', null, [h('th', {scope: 'col', text: t('policy.rule')}), h('th', {scope: 'col', text: t('policy.result')}), h('th', {scope: 'col', text: t('policy.reason')})])),
        h('tbody', null, p.checks.map(function (c) {
          return h('tr', null, [h('th', {scope: 'row', text: ruleLabel(c.rule)}), h('td', null, h('span', {class: 'badge ' + (c.pass ? 's-verified' : 's-failed'), text: t(c.pass ? 'policy.ok' : 'policy.no')})), h('td', {text: c.reason || ''})]);
        }))
      ]));
    }
    return sec;
  }

  function chainText(s) {
    switch (s.step) {
    case 'accreditor':
      return t(s.pinned ? 'chain.accreditor.pinned' : 'chain.accreditor.unpinned', {name: TX.dash(s.name), fp: TX.dash(s.fingerprint)});
    case 'accreditation':
      return t(s.ok ? 'chain.accreditation.ok' : 'chain.accreditation.bad', {scope: (s.scope || []).join(', ') || '—', from: TX.dash(s.from), until: s.until || t('chain.open')});
    case 'body':
      return t('chain.body', {name: TX.dash(s.name), fp: TX.dash(s.fingerprint)});
    case 'certificate':
      return t('chain.certificate', {number: TX.dash(s.number), scope: TX.dash(s.scope), sector: TX.dash(s.sector), criteria: TX.dash(s.criteria_version), issued: TX.dash(s.issued), expires: TX.dash(s.expires), status: t('cert.' + (s.status || 'none'))}) + (s.reason ? ' ' + s.reason : '');
    case 'event':
      return t('chain.event.' + (s.kind || 'report'), {date: TX.dash(s.effective)}) + (s.note ? ' — ' + s.note : '');
    default:
      return s.step;
    }
  }

  function chainSection(chain, r) {
    var sec = h('section', {class: 'card', 'aria-labelledby': 'chain-h'}, [h('h2', {id: 'chain-h', text: t('sup.chain')})]);
    if (!chain.length) {
      var st = r.certificate && r.certificate.now ? r.certificate.now : null;
      sec.appendChild(h('p', {t: 'chain', class: 'empty', text: st ? t('cert.' + st.status) + ': ' + (st.reason || '') : t('chain.none')}));
      return sec;
    }
    sec.appendChild(h('p', {class: 'hint', text: t('chain.lead')}));
    sec.appendChild(h('ol', {class: 'chain', t: 'chain'}, chain.map(function (s) {
      var ok = s.step === 'accreditor' ? s.pinned : s.step === 'accreditation' ? s.ok : s.step === 'certificate' ? s.status === 'valid' : null;
      return h('li', {t: 'chain-step', class: 'step-' + s.step}, [
        h('span', {class: 'step-name', text: t('chain.step.' + s.step)}),
        ok === null ? null : h('span', {class: 'badge ' + (ok ? 's-verified' : 's-failed'), text: ok ? t('chain.ok') : t('chain.ng')}),
        h('p', {text: chainText(s)})
      ]);
    })));
    return sec;
  }

  function historySection(hist) {
    var sec = h('section', {class: 'card', 'aria-labelledby': 'hist-h'}, [h('h2', {id: 'hist-h', text: t('sup.history')})]);
    if (!hist.length) {
      sec.appendChild(h('p', {t: 'history', class: 'empty', text: t('sup.nohistory')}));
      return sec;
    }
    sec.appendChild(h('table', {class: 'grid compact', t: 'history'}, [
      h('thead', null, h('tr', null, [
        h('th', {scope: 'col', text: t('col.date')}), h('th', {scope: 'col', text: t('col.event')}),
        h('th', {scope: 'col', text: t('col.detail')}), h('th', {scope: 'col', text: t('col.record')}),
        h('th', {scope: 'col', class: 'num', text: t('col.logindex')})
      ])),
      h('tbody', null, hist.map(function (e) {
        return h('tr', null, [
          h('td', {text: TX.dash(e.date)}),
          h('th', {scope: 'row', text: t('hist.' + e.event)}),
          h('td', {text: e.detail === null || e.detail === undefined ? '' : typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail)}),
          h('td', {class: 'mono', title: e.record || '', text: TX.short(e.record)}),
          h('td', {class: 'num', text: TX.dash(e.log_index)})
        ]);
      }))
    ]));
    return sec;
  }

  function proofSection(p) {
    var sec = h('section', {class: 'card', t: 'proof', 'aria-labelledby': 'proof-h'}, [
      h('h2', {id: 'proof-h', text: t('sup.proof')}),
      h('p', {class: 'hint', text: t('proof.lead')})
    ]);
    var dl = h('dl', {class: 'kv'});
    var rec = function (label, x) {
      dl.appendChild(h('dt', {text: label}));
      dl.appendChild(h('dd', null, x ? [t('proof.index', {n: x.log_index}), ' ', h('code', {class: 'mono wrap', text: x.record || ''})] : t('proof.none')));
    };
    rec(t('proof.assessment'), p.assessment);
    rec(t('proof.grant'), p.grant);
    dl.appendChild(h('dt', {text: t('proof.checkpoint')}));
    dl.appendChild(h('dd', null, p.checkpoint ? [
      t('proof.cp', {origin: p.checkpoint.origin, size: p.checkpoint.size, time: TX.dash(p.checkpoint.time)}), ' ',
      h('code', {class: 'mono wrap', text: p.checkpoint.root || ''})
    ] : t('proof.nocp')));
    sec.appendChild(dl);
    sec.appendChild(h('p', {class: 'small', text: p.checkpoint ? t('proof.means', {size: p.checkpoint.size}) : t('proof.meansnone')}));
    return sec;
  }

  /* ---- Own requests -------------------------------------------------------------------- */
  function requestCard(r) {
    var pct = r.total ? Math.round((100 * r.answered) / r.total) : 0;
    var progId = TX.uid('prog');
    return h('li', {class: 'card request', t: 'request', 'data-id': r.id}, [
      h('div', {class: 'req-head'}, [
        h('h2', {class: 'h3', text: TX.L(r.questionnaire && r.questionnaire.title) || t('req.untitled')}),
        h('span', {class: 'mono small', text: t('req.id', {id: TX.short(r.id)}), title: r.id})
      ]),
      h('p', {class: 'meta', text: t('req.meta', {date: TX.dash(r.date), due: r.due || t('req.nodue'), depth: r.depth})}),
      r.note ? h('p', {class: 'note', text: r.note}) : null,
      h('div', {class: 'progress-line'}, [
        h('label', {for: progId, text: t('req.progress', {a: r.answered, n: r.total})}),
        h('progress', {id: progId, t: 'progress', max: String(r.total || 1), value: String(r.answered)}),
        h('span', {class: 'small', text: pct + '%'})
      ]),
      h('table', {class: 'grid compact'}, [
        h('thead', null, h('tr', null, [h('th', {scope: 'col', text: t('col.name')}), h('th', {scope: 'col', text: t('col.state')}), h('th', {scope: 'col', text: t('col.answeredon')})])),
        h('tbody', null, (r.suppliers || []).map(function (s) {
          return h('tr', {'data-key': s.key || ''}, [
            h('th', {scope: 'row'}, [s.key && s.state === 'answered' ? h('a', {href: '#/supplier/' + s.key, text: s.name}) : s.name, h('div', {class: 'fp', text: s.fingerprint || ''})]),
            h('td', null, TX.badge('req', s.state)),
            h('td', {text: TX.dash(s.answered_on)})
          ]);
        }))
      ])
    ]);
  }

  function renderRequests(main) {
    var head = TX.title(main, t('req.title'), t('req.lead'));
    if (TX.may('sign')) {
      head.appendChild(h('div', {class: 'toolbar'}, h('a', {class: 'button primary', href: '#/requests/new', t: 'new-request', text: t('req.new')})));
    }
    return TX.get('/api/requests').then(function (d) {
      var list = d.requests || [];
      if (!list.length) {
        main.appendChild(h('p', {class: 'empty card', t: 'requests', text: t('req.empty')}));
        return;
      }
      main.appendChild(h('ul', {class: 'req-list', t: 'requests', role: 'list'}, list.map(requestCard)));
    });
  }

  /* ---- Request wizard ------------------------------------------------------------------ */
  var wiz = null;

  function renderWizard(main) {
    if (!wiz || wiz.done) {
      wiz = {step: 1, questionnaire: '', to: {}, due: '', depth: 1, note: '', search: '', qs: null, orgs: null};
    }
    TX.title(main, t('wiz.title'), t('wiz.lead'));
    if (TX.needsHub(main) || TX.roleRefuses(main, 'sign')) {
      return;
    }
    var loads = [];
    if (!wiz.qs) {
      loads.push(TX.get('/api/questionnaires').then(function (d) {
        wiz.qs = d.questionnaires || [];
        if (!wiz.questionnaire && wiz.qs.length) {
          wiz.questionnaire = wiz.qs[0].ref;
        }
      }));
    }
    if (!wiz.orgs) {
      loads.push(loadOrgs(false));
    }
    return Promise.all(loads).then(function () {
      drawWizard(main);
    });
  }

  function loadOrgs(refresh) {
    return TX.orgs(refresh).then(function (list) {
      wiz.orgs = list;
    });
  }

  function drawWizard(main) {
    var old = main.querySelector('.wizard');
    if (old) {
      main.removeChild(old);
    }
    var box = h('section', {class: 'card wizard', 'aria-labelledby': 'wiz-h'});
    var steps = ['wiz.s1', 'wiz.s2', 'wiz.s3', 'wiz.s4'];
    box.appendChild(h('ol', {class: 'steps'}, steps.map(function (k, i) {
      return h('li', {class: i + 1 === wiz.step ? 'on' : i + 1 < wiz.step ? 'done' : null, 'aria-current': i + 1 === wiz.step ? 'step' : null, text: t(k)});
    })));
    box.appendChild(h('h2', {id: 'wiz-h', text: t(steps[wiz.step - 1])}));
    var body = h('div', {class: 'wiz-body'});
    box.appendChild(body);
    var nav = h('div', {class: 'actions'});
    box.appendChild(nav);
    main.appendChild(box);

    var back = h('button', {type: 'button', class: 'secondary', t: 'wiz-back', text: t('wiz.back'), disabled: wiz.step === 1});
    back.addEventListener('click', function () {
      wiz.step -= 1;
      drawWizard(main);
    });
    nav.appendChild(back);
    var chosen = Object.keys(wiz.to).filter(function (k) {
      return wiz.to[k];
    });
    var go = function () {
      wiz.step += 1;
      drawWizard(main);
      var f = main.querySelector('.wiz-body input, .wiz-body select, .wiz-body textarea, [data-t="wiz-send"]');
      if (f) {
        f.focus();
      }
    };

    if (wiz.step === 1) {
      var qid = TX.uid('q');
      var sel = h('select', {id: qid, t: 'wiz-questionnaire'}, wiz.qs.map(function (q) {
        return h('option', {value: q.ref, selected: q.ref === wiz.questionnaire, text: TX.L(q.title) + ' (' + q.id + ' v' + q.version + ', ' + t('wiz.items', {n: q.items}) + (q.builtin ? ', ' + t('wiz.builtin') : '') + ')'});
      }));
      sel.addEventListener('change', function () {
        wiz.questionnaire = sel.value;
      });
      body.appendChild(h('div', {class: 'field'}, [h('label', {for: qid, text: t('wiz.questionnaire')}), sel]));
      if (!wiz.qs.length) {
        body.appendChild(h('p', {class: 'empty', text: t('wiz.noq')}));
      }
    } else if (wiz.step === 2) {
      var sid = TX.uid('s');
      var search = h('input', {id: sid, type: 'search', value: wiz.search, t: 'wiz-search'});
      var list = h('ul', {class: 'pick-list', role: 'list'});
      var count = h('p', {class: 'small', role: 'status'});
      var drawList = function () {
        TX.clear(list);
        var q = wiz.search.toLowerCase();
        var shown = 0;
        wiz.orgs.forEach(function (o) {
          var match = !q || (o.name || '').toLowerCase().indexOf(q) >= 0 || (o.fingerprint || '').toLowerCase().indexOf(q) >= 0 || (o.corporate_number || '').indexOf(q) >= 0;
          if (!match) {
            return;
          }
          shown += 1;
          if (shown > 300) {
            return;
          }
          var id = TX.uid('o');
          var cb = h('input', {type: 'checkbox', id: id, t: 'wiz-supplier', value: o.fingerprint, checked: !!wiz.to[o.fingerprint]});
          cb.addEventListener('change', function () {
            wiz.to[o.fingerprint] = cb.checked;
            count.textContent = t('wiz.chosen', {n: Object.keys(wiz.to).filter(function (k) { return wiz.to[k]; }).length});
          });
          list.appendChild(h('li', null, [cb, h('label', {for: id}, [h('span', {class: 'org-name', text: o.name}), h('span', {class: 'fp', text: (o.corporate_number ? o.corporate_number + ' · ' : '') + o.fingerprint})])]));
        });
        if (!shown) {
          list.appendChild(h('li', {class: 'empty', text: wiz.orgs.length ? t('wiz.nomatch') : t('wiz.noorgs')}));
        } else if (shown > 300) {
          list.appendChild(h('li', {class: 'small', text: t('wiz.narrow', {n: shown})}));
        }
        count.textContent = t('wiz.chosen', {n: Object.keys(wiz.to).filter(function (k) { return wiz.to[k]; }).length});
      };
      search.addEventListener('input', function () {
        wiz.search = search.value;
        drawList();
      });
      body.appendChild(h('div', {class: 'field'}, [h('label', {for: sid, text: t('wiz.search')}), search]));
      body.appendChild(h('fieldset', {class: 'plain'}, [h('legend', {text: t('wiz.suppliers')}), list]));
      var reload = h('button', {type: 'button', class: 'link', text: t('wiz.reload')});
      reload.addEventListener('click', function () {
        reload.disabled = true;
        TX.clearMessages();
        loadOrgs(true).then(drawList).catch(TX.error).then(function () {
          reload.disabled = false;
        });
      });
      body.appendChild(h('div', {class: 'row-between'}, [count, reload]));
      drawList();
    } else if (wiz.step === 3) {
      var did = TX.uid('due');
      var pid = TX.uid('depth');
      var nid = TX.uid('note');
      var due = h('input', {id: did, type: 'date', t: 'wiz-due', value: wiz.due, min: TX.today()});
      var depth = h('select', {id: pid, t: 'wiz-depth'}, [1, 2, 3, 4].map(function (n) {
        return h('option', {value: String(n), selected: Number(wiz.depth) === n, text: t('wiz.depth.' + (n === 1 ? '1' : 'n'), {n: n})});
      }));
      var note = h('textarea', {id: nid, t: 'wiz-note', rows: '3', maxlength: '1000'});
      note.value = wiz.note;
      due.addEventListener('change', function () {
        wiz.due = due.value;
      });
      depth.addEventListener('change', function () {
        wiz.depth = Number(depth.value);
      });
      note.addEventListener('input', function () {
        wiz.note = note.value;
      });
      body.appendChild(h('div', {class: 'field'}, [h('label', {for: did, text: t('wiz.due')}), due, h('p', {class: 'hint', text: t('wiz.due.hint')})]));
      body.appendChild(h('div', {class: 'field'}, [h('label', {for: pid, text: t('wiz.depth')}), depth, h('p', {class: 'hint', text: t('wiz.depth.hint')})]));
      body.appendChild(h('div', {class: 'field'}, [h('label', {for: nid, text: t('wiz.note')}), note]));
    } else {
      var q = wiz.qs.filter(function (x) {
        return x.ref === wiz.questionnaire;
      })[0];
      var names = wiz.orgs.filter(function (o) {
        return wiz.to[o.fingerprint];
      });
      body.appendChild(h('dl', {class: 'kv'}, [
        h('dt', {text: t('wiz.questionnaire')}), h('dd', {text: q ? TX.L(q.title) + ' (' + q.id + ' v' + q.version + ')' : wiz.questionnaire}),
        h('dt', {text: t('wiz.suppliers')}), h('dd', null, h('ul', {class: 'plain-list'}, names.map(function (o) { return h('li', {text: o.name + ' (' + o.fingerprint + ')'}); }))),
        h('dt', {text: t('wiz.due')}), h('dd', {text: wiz.due || t('req.nodue')}),
        h('dt', {text: t('wiz.depth')}), h('dd', {text: t('wiz.depth.' + (Number(wiz.depth) === 1 ? '1' : 'n'), {n: wiz.depth})}),
        h('dt', {text: t('wiz.note.short')}), h('dd', {class: 'note-text', text: wiz.note || '—'})
      ]));
      body.appendChild(h('p', {class: 'consequence', text: t('wiz.consequence', {n: names.length})}));
    }

    if (wiz.step < 4) {
      var next = h('button', {type: 'button', class: 'primary', t: 'wiz-next', text: t('wiz.next')});
      next.addEventListener('click', function () {
        TX.clearMessages();
        if (wiz.step === 1 && !wiz.questionnaire) {
          TX.error(new Error(t('wiz.need.q')));
          return;
        }
        if (wiz.step === 2 && !Object.keys(wiz.to).some(function (k) { return wiz.to[k]; })) {
          TX.error(new Error(t('wiz.need.s')));
          return;
        }
        go();
      });
      nav.appendChild(next);
    } else {
      var send = h('button', {type: 'button', class: 'primary', t: 'wiz-send', text: t('wiz.send')});
      send.addEventListener('click', function () {
        send.disabled = true;
        TX.clearMessages();
        TX.post('/api/requests', {questionnaire: wiz.questionnaire, to: chosen, due: wiz.due || null, depth: Number(wiz.depth) || 1, note: wiz.note || ''})
          .then(function (res) {
            wiz.done = true;
            sentRequest(main, res);
          })
          .catch(function (e) {
            send.disabled = false;
            TX.error(e);
          });
      });
      nav.appendChild(send);
    }
  }

  function sentRequest(main, res) {
    TX.title(main, t('wiz.sent.title'));
    var box = h('section', {class: 'card success', 'aria-labelledby': 'sent-h'}, [
      h('h2', {id: 'sent-h', text: t('wiz.sent', {n: res.suppliers})}),
      h('p', null, [t('wiz.sent.id') + ' ', h('code', {class: 'mono wrap', t: 'request-id', text: res.request})]),
      h('div', {class: 'actions'}, [
        h('a', {class: 'button secondary', href: '#/requests', text: t('wiz.sent.all')}),
        h('a', {class: 'button secondary', href: '#/requests/new', text: t('wiz.sent.again')})
      ])
    ]);
    main.appendChild(box);
    TX.notice(t('wiz.sent', {n: res.suppliers}));
    TX.get('/api/requests').then(function (d) {
      var r = (d.requests || []).filter(function (x) {
        return x.id === res.request;
      })[0];
      if (r) {
        main.appendChild(h('h2', {text: t('wiz.sent.progress')}));
        main.appendChild(h('ul', {class: 'req-list', t: 'requests', role: 'list'}, requestCard(r)));
      }
    }).catch(TX.error);
  }

  TX.route(/^\/dashboard$/, renderDashboard, 'dashboard');
  TX.route(/^\/tree$/, renderTree, 'tree');
  TX.route(/^\/supplier\/([0-9a-f]{64})$/, renderSupplier, 'supplier', 'dashboard');
  TX.route(/^\/requests$/, renderRequests, 'requests');
  TX.route(/^\/requests\/new$/, renderWizard, 'requests-new', 'requests');
})();
