/* Approvals, in a member's home: the answers the organisation's responders prepared for an
 * officer (drafts on the hub, sealed to the organisation: GET /api/approvals), one opened with
 * its answers, sub-suppliers and plans, approved (signed and sent as the organisation's answer)
 * or rejected with a note. Not the page's local drafts (saved forms, /api/drafts). And, in every
 * home, the grants waiting for a second officer (GET /api/grants): approved or rejected by
 * another officer; the organisation's own home switches the two-officer setting. */
'use strict';

(function () {
  var TX = window.TX;
  var h = TX.h;
  var t = TX.t;
  var badge = {pending: 's-open', approved: 's-verified', rejected: 's-failed'};

  function stateBadge(state) {
    return h('span', {class: 'badge ' + (badge[state] || ''), t: 'approval-state', text: t('appr.state.' + state)});
  }
  function who(p) {
    return p ? t('member.who', {name: p.name, role: t('role.' + p.role)}) : '—';
  }
  function scoreText(d) {
    return d.score === null || d.score === undefined ? '—' : TX.pct(d.score) + '% / ' + t('sup.level', {v: d.level_achieved ? d.level_achieved : '—'});
  }
  function qTitle(d) {
    return TX.L(d.questionnaire_title) || TX.short(d.questionnaire);
  }

  /* Pending first, then the decided ones; newest first within each. */
  function order(list) {
    return list.slice().sort(function (a, b) {
      var pa = a.state === 'pending' ? 0 : 1;
      var pb = b.state === 'pending' ? 0 : 1;
      return pa - pb || (a.created < b.created ? 1 : a.created > b.created ? -1 : 0);
    });
  }

  function renderList(main) {
    TX.title(main, t('appr.title'), t('appr.lead'));
    if (TX.needsHub(main)) {
      return;
    }
    return TX.get('/api/approvals').then(function (d) {
      var list = order(d.drafts || []);
      var pending = list.filter(function (x) {
        return x.state === 'pending';
      }).length;
      main.appendChild(h('p', {class: 'hint', t: 'approvals-hint', text: t(d.may_decide ? 'appr.hint.officer' : 'appr.hint.other')}));
      if (!list.length) {
        main.appendChild(h('p', {class: 'empty', t: 'approvals-empty', text: t('appr.none')}));
        return;
      }
      main.appendChild(h('section', {class: 'card', 'aria-labelledby': 'appr-h'}, [
        h('h2', {id: 'appr-h', text: TX.tn('appr.count', list.length, {p: pending})}),
        h('table', {class: 'grid', t: 'approvals'}, [
          h('thead', null, h('tr', null, ['appr.col.state', 'appr.col.by', 'appr.col.questionnaire', 'appr.col.request', 'appr.col.created', 'appr.col.score', 'appr.col.decision'].map(function (k) {
            return h('th', {scope: 'col', text: t(k)});
          }))),
          h('tbody', null, list.map(function (x) {
            return h('tr', {t: 'approval', 'data-id': x.draft, 'data-state': x.state}, [
              h('td', null, [stateBadge(x.state), x.ok ? null : h('span', {class: 'badge s-failed', text: t('appr.refused')})]),
              h('th', {scope: 'row'}, h('a', {href: '#/approvals/' + x.draft, t: 'approval-open', text: who(x.prepared_by)})),
              h('td', {text: qTitle(x)}),
              h('td', {class: 'mono', title: x.request, text: TX.short(x.request)}),
              h('td', {text: TX.dash(x.created)}),
              h('td', {text: scoreText(x)}),
              h('td', {t: 'approval-decision', text: x.state === 'pending' ? '—' : t('appr.decided', {name: x.decided_by || ''}) + (x.note ? ': ' + x.note : '')})
            ]);
          }))
        ])
      ]));
    });
  }

  function itemsTable(items) {
    return h('table', {class: 'grid compact', t: 'approval-items'}, [
      h('thead', null, h('tr', null, ['plan.item', 'appr.col.question', 'appr.col.answer', 'appr.col.comment'].map(function (k) {
        return h('th', {scope: 'col', text: t(k)});
      }))),
      h('tbody', null, items.map(function (it) {
        return h('tr', {'data-item': it.id}, [
          h('th', {scope: 'row', class: 'mono nw', text: it.id}),
          h('td', {class: 'small', text: TX.L(it.text)}),
          h('td', {class: 'nw', text: it.answer ? TX.L(it.label) || it.answer : t('item.unanswered')}),
          h('td', {class: 'small', text: it.comment || ''})
        ]);
      }))
    ]);
  }

  function plansTable(plans) {
    var items = (plans && plans.items) || [];
    if (!items.length) {
      return h('p', {class: 'empty', text: t('appr.noplans')});
    }
    return h('table', {class: 'grid compact', t: 'approval-plans'}, [
      h('thead', null, h('tr', null, ['plan.item', 'plan.due', 'plan.action'].map(function (k) {
        return h('th', {scope: 'col', text: t(k)});
      }))),
      h('tbody', null, items.map(function (p) {
        return h('tr', null, [h('th', {scope: 'row', class: 'mono nw', text: p.item}), h('td', {text: p.due || ''}), h('td', {text: p.action || ''})]);
      }))
    ]);
  }

  /* Approve and reject, for an officer on a pending draft that opened and checked. */
  function decide(main, d) {
    var noteId = TX.uid('note');
    var note = h('textarea', {id: noteId, t: 'reject-note', rows: 3, maxlength: 500});
    var approve = TX.action({class: 'primary', t: 'approve'}, t('appr.approve'), t('appr.approve.confirm', {name: d.prepared_by.name}), t('appr.approve.ok'), function () {
      return TX.post('/api/approvals/approve', {draft: d.draft}).then(function (res) {
        TX.notice(t('appr.approve.done', {id: TX.short(res.assessment)}) + (res.waiting && res.waiting.length ? ' ' + t('gr.waiting', {name: '—'}) : ''));
        TX.render(true);
      });
    });
    var reject = TX.action({class: 'danger', t: 'reject'}, t('appr.reject'), t('appr.reject.confirm', {name: d.prepared_by.name}), t('appr.reject.ok'), function () {
      var body = {draft: d.draft};
      if (note.value.trim()) {
        body.note = note.value.trim();
      }
      return TX.post('/api/approvals/reject', body).then(function () {
        TX.notice(t('appr.reject.done'));
        TX.render(true);
      });
    });
    return h('section', {class: 'card', t: 'approval-decide', 'aria-labelledby': 'decide-h'}, [
      h('h2', {id: 'decide-h', text: t('appr.decide')}),
      h('p', {class: 'hint', text: t('appr.decide.means')}),
      h('div', {class: 'actions'}, [approve]),
      h('div', {class: 'field'}, [h('label', {for: noteId, text: t('appr.note')}), note]),
      h('div', {class: 'actions'}, [reject])
    ]);
  }

  function renderOne(main, m) {
    TX.title(main, t('appr.one.title'));
    if (TX.needsHub(main)) {
      return;
    }
    return TX.get('/api/approvals/' + m[1]).then(function (d) {
      TX.title(main, t('appr.one.title'), qTitle(d));
      main.appendChild(h('p', null, h('a', {href: '#/approvals', text: t('appr.back')})));
      var facts = h('section', {class: 'card', t: 'approval-facts', 'aria-labelledby': 'facts-h'}, [
        h('h2', {id: 'facts-h', text: t('appr.facts')}),
        h('dl', {class: 'kv'}, [
          h('dt', {text: t('appr.col.state')}), h('dd', null, stateBadge(d.state)),
          h('dt', {text: t('appr.col.by')}), h('dd', {text: who(d.prepared_by)}),
          h('dt', {text: t('appr.col.request')}), h('dd', {class: 'mono', text: d.request}),
          h('dt', {text: t('appr.col.created')}), h('dd', {text: TX.dash(d.created)}),
          h('dt', {text: t('ans.valid')}), h('dd', {text: TX.dash(d.valid_until)}),
          h('dt', {text: t('appr.col.score')}), h('dd', {t: 'approval-score', text: scoreText(d)}),
          d.state !== 'pending' ? h('dt', {text: t('appr.col.decision')}) : null,
          d.state !== 'pending' ? h('dd', {t: 'approval-decision', text: t('appr.decided', {name: d.decided_by || ''})}) : null,
          d.note ? h('dt', {text: t('appr.note.label')}) : null,
          d.note ? h('dd', {t: 'approval-note', text: d.note}) : null,
          d.assessment ? h('dt', {text: t('sent.id')}) : null,
          d.assessment ? h('dd', {class: 'mono', t: 'approval-assessment', text: d.assessment}) : null
        ])
      ]);
      main.appendChild(facts);
      if (!d.ok) {
        main.appendChild(h('p', {class: 'warn', t: 'approval-problem', text: t('appr.problem', {why: d.problem || ''})}));
        return;
      }
      if (d.state === 'pending' && d.may_decide) {
        main.appendChild(decide(main, d));
      }
      main.appendChild(h('section', {class: 'card', 'aria-labelledby': 'items-h'}, [
        h('h2', {id: 'items-h', text: t('appr.answers', {n: d.answered})}),
        d.items ? itemsTable(d.items) : h('p', {class: 'empty', text: t('appr.noquestionnaire')})
      ]));
      var subs = d.suppliers || [];
      main.appendChild(h('section', {class: 'card', 'aria-labelledby': 'subs-h'}, [
        h('h2', {id: 'subs-h', text: t('subs.title')}),
        subs.length ? h('ul', {class: 'plain-list', t: 'approval-subs'}, subs.map(function (s) {
          return h('li', {text: s.name + (s.supplies ? ' — ' + s.supplies : '') + (s.key ? ' (' + TX.short(s.key) + '…)' : ' (' + t('subs.nokey') + ')')});
        })) : h('p', {class: 'empty', text: t('subs.none')})
      ]));
      main.appendChild(h('section', {class: 'card', 'aria-labelledby': 'plans-h'}, [h('h2', {id: 'plans-h', text: t('sup.plans')}), plansTable(d.plans)]));
    });
  }

  /* ---- grants waiting for a second officer (two officers for grants to new buyers) ---- */

  function grantDate(x) {
    return x.created ? new Date(x.created * 1000).toISOString().slice(0, 10) : '—';
  }
  function grantee(x) {
    return (x.grantee.name || '?') + ' (' + x.grantee.fingerprint + ')';
  }

  /* The setting; the organisation's own home switches it. */
  function settingCard(d) {
    var on = !!d.two_officers;
    var kids = [h('h2', {id: 'gset-h', text: t('gr.setting')}), h('p', {t: 'two-officers', 'data-on': on ? 'true' : 'false', text: t(on ? 'gr.setting.on' : 'gr.setting.off')})];
    if (d.may_set) {
      kids.push(h('div', {class: 'actions'}, [
        TX.action({class: 'secondary', t: 'two-officers-switch'}, t(on ? 'gr.switch.off' : 'gr.switch.on'), t(on ? 'gr.switch.off.confirm' : 'gr.switch.on.confirm'), t('gr.switch.ok'), function () {
          return TX.post('/api/grants/settings', {two_officers: !on}).then(function () {
            TX.notice(t(on ? 'gr.setting.off' : 'gr.setting.on'));
            TX.render(true);
          });
        })
      ]));
    } else {
      kids.push(h('p', {class: 'hint', t: 'two-officers-how', text: t('gr.setting.how')}));
    }
    return h('section', {class: 'card', t: 'grants-setting', 'aria-labelledby': 'gset-h'}, kids);
  }

  /* Approve and reject for another officer; the one who granted may only withdraw it. */
  function grantDecision(d, x) {
    var by = x.granted_by || t('gr.orgkey');
    var name = x.grantee.name || x.grantee.fingerprint;
    if (!d.may_decide) {
      return h('td', {text: '—'});
    }
    var reject = TX.action({class: 'danger', t: 'grant-reject'}, t('gr.reject'), t('gr.reject.confirm', {name: name}), t('gr.reject.ok'), function () {
      return TX.post('/api/grants/reject', {grant: x.grant}).then(function () {
        TX.notice(t('gr.reject.done'));
        TX.render(true);
      });
    });
    if (x.mine) {
      return h('td', null, [h('p', {class: 'small', t: 'grant-mine', text: t('gr.mine')}), h('div', {class: 'actions'}, [reject])]);
    }
    var approve = TX.action({class: 'primary', t: 'grant-approve'}, t('gr.approve'), t('gr.approve.confirm', {by: by, name: name}), t('gr.approve.ok'), function () {
      return TX.post('/api/grants/approve', {grant: x.grant}).then(function () {
        TX.notice(t('gr.approve.done', {name: name}));
        TX.render(true);
      });
    });
    return h('td', null, h('div', {class: 'actions'}, [approve, reject]));
  }

  function renderGrants(main) {
    TX.title(main, t('gr.title'), t('gr.lead'));
    if (TX.needsHub(main)) {
      return;
    }
    return TX.get('/api/grants').then(function (d) {
      var list = d.waiting || [];
      main.appendChild(settingCard(d));
      if (!list.length) {
        main.appendChild(h('p', {class: 'empty', t: 'grants-empty', text: t('gr.none')}));
        return;
      }
      main.appendChild(h('section', {class: 'card', 'aria-labelledby': 'gw-h'}, [
        h('h2', {id: 'gw-h', text: TX.tn('gr.count', list.length)}),
        h('p', {class: 'hint', t: 'grants-hint', text: t(d.may_decide ? 'gr.hint.officer' : 'gr.hint.other')}),
        h('table', {class: 'grid', t: 'waiting-grants'}, [
          h('thead', null, h('tr', null, ['gr.col.to', 'gr.col.by', 'gr.col.assessment', 'gr.col.created', 'gr.col.decision'].map(function (k) {
            return h('th', {scope: 'col', text: t(k)});
          }))),
          h('tbody', null, list.map(function (x) {
            return h('tr', {t: 'waiting-grant', 'data-id': x.grant}, [
              h('th', {scope: 'row', text: grantee(x)}),
              h('td', {text: x.granted_by || t('gr.orgkey')}),
              h('td', {class: 'mono', title: x.assessment, text: TX.short(x.assessment)}),
              h('td', {text: grantDate(x)}),
              grantDecision(d, x)
            ]);
          }))
        ])
      ]));
    });
  }

  TX.route(/^\/approvals$/, renderList, 'approvals');
  TX.route(/^\/grants$/, renderGrants, 'grants');
  TX.route(/^\/approvals\/([0-9a-f]{64})$/, renderOne, 'approval', 'approvals');
})();
