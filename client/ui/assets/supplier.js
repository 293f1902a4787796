/* The supplier's pages: the inbox (requests, grants and revocations received; answer, reuse,
 * forward), answering a request, the own assessments (share, revoke, supersede) and the
 * self-check that needs no hub. Every action states its consequence in a confirm dialog. */
'use strict';

(function () {
  var TX = window.TX;
  var h = TX.h;
  var t = TX.t;

  /* ---- Inbox --------------------------------------------------------------------------- */
  function renderInbox(main) {
    TX.title(main, t('inbox.title'), t('inbox.lead'));
    if (TX.needsHub(main)) {
      return;
    }
    return Promise.all([
      TX.get('/api/inbox'),
      TX.get('/api/drafts').catch(function () {
        return {drafts: []};
      }),
      // In a member's home: the approval requests, newest decision per request on its card.
      TX.may('approvals') ? TX.get('/api/approvals').catch(function () {
        return {drafts: []};
      }) : {drafts: []}
    ]).then(function (res) {
      var d = res[0];
      var approvals = {};
      (res[2].drafts || []).forEach(function (x) {
        var seen = approvals[x.request];
        if (!seen || x.created >= seen.created) {
          approvals[x.request] = x;
        }
      });
      var selfDrafts = (res[1].drafts || []).filter(function (x) {
        return !x.request && !x.sent;
      });
      var reqs = (d.requests || []).slice().sort(function (a, b) {
        // open first, then by due date
        if (!!a.answered !== !!b.answered) {
          return a.answered ? 1 : -1;
        }
        return String(a.due || '9999').localeCompare(String(b.due || '9999'));
      });
      var sec = h('section', {class: 'block', 'aria-labelledby': 'in-req-h'}, [h('h2', {id: 'in-req-h', text: t('inbox.requests', {n: reqs.length})})]);
      if (!reqs.length) {
        sec.appendChild(h('p', {class: 'empty card', text: t('inbox.empty')}));
      }
      var ul = h('ul', {class: 'req-list', role: 'list'});
      reqs.forEach(function (r) {
        ul.appendChild(inboxCard(r, selfDrafts, approvals[r.id]));
      });
      sec.appendChild(ul);
      main.appendChild(sec);

      var grants = d.grants || [];
      var revs = d.revocations || [];
      var gs = h('section', {class: 'card', 'aria-labelledby': 'in-g-h'}, [h('h2', {id: 'in-g-h', text: t('inbox.grants')}), h('p', {class: 'hint', text: t('inbox.grants.lead')})]);
      if (!grants.length && !revs.length) {
        gs.appendChild(h('p', {class: 'empty', text: t('inbox.nogrants')}));
      } else {
        gs.appendChild(h('table', {class: 'grid compact'}, [
          h('thead', null, h('tr', null, [h('th', {scope: 'col', text: t('col.kind')}), h('th', {scope: 'col', text: t('col.from')}), h('th', {scope: 'col', text: t('col.assessment')}), h('th', {scope: 'col', text: t('col.until')})])),
          h('tbody', null, grants.map(function (g) {
            return h('tr', {t: 'inbox-grant', 'data-id': g.id}, [
              h('th', {scope: 'row'}, [h('span', {class: 'badge s-verified', text: t('inbox.grant')}), g['new'] ? h('span', {class: 'badge s-new', text: t('inbox.new')}) : null]),
              h('td', {text: g.from ? g.from.name : '—'}),
              h('td', {class: 'mono', title: g.assessment, text: TX.short(g.assessment)}),
              h('td', {text: g.until || t('inbox.nolimit')})
            ]);
          }).concat(revs.map(function (v) {
            return h('tr', {t: 'inbox-revocation', 'data-id': v.id}, [
              h('th', {scope: 'row'}, [h('span', {class: 'badge s-revoked', text: t('inbox.revocation')}), v['new'] ? h('span', {class: 'badge s-new', text: t('inbox.new')}) : null]),
              h('td', {text: v.from ? v.from.name : '—'}),
              h('td', {class: 'mono', title: v.assessment, text: TX.short(v.assessment)}),
              h('td', {text: t('inbox.revoked.on', {date: TX.dash(v.date)})})
            ]);
          })))
        ]));
      }
      main.appendChild(gs);
    });
  }

  function inboxCard(r, selfDrafts, approval) {
    var overdue = !r.answered && r.due && r.due < TX.today();
    var card = h('li', {class: 'card request' + (overdue ? ' overdue' : ''), t: 'inbox-request', 'data-id': r.id}, [
      h('div', {class: 'req-head'}, [
        h('h3', {text: r.questionnaire_name || TX.short(r.questionnaire)}),
        r['new'] ? h('span', {class: 'badge s-new', text: t('inbox.new')}) : null,
        r.answered ? h('span', {class: 'badge s-verified', text: t('inbox.answered')}) : h('span', {class: 'badge s-open', text: t('inbox.open')}),
        overdue ? h('span', {class: 'badge s-overdue', text: t('inbox.overdue')}) : null
      ]),
      h('dl', {class: 'kv kv-row'}, [
        h('dt', {text: t('inbox.from')}), h('dd', null, [r.from ? r.from.name : '—', h('span', {class: 'fp', text: r.from ? ' ' + r.from.fingerprint : ''})]),
        r.on_behalf_of ? h('dt', {text: t('inbox.behalf')}) : null,
        r.on_behalf_of ? h('dd', {text: r.on_behalf_of.name + ' ' + t('inbox.forwarded')}) : null,
        h('dt', {text: t('col.due')}), h('dd', {class: overdue ? 'overdue-text' : null, text: r.due || t('req.nodue')}),
        h('dt', {text: t('inbox.depth')}), h('dd', {text: t('wiz.depth.' + (r.depth > 1 ? 'n' : '1'), {n: r.depth})}),
        h('dt', {text: t('req.idlabel')}), h('dd', {class: 'mono', title: r.id, text: TX.short(r.id)})
      ]),
      r.note ? h('p', {class: 'note', text: r.note}) : null,
      approval && !r.answered ? h('p', {class: 'hint', t: 'inbox-approval', 'data-state': approval.state}, [
        t('inbox.approval.' + approval.state, {name: approval.decided_by || ''}) + (approval.note ? ': ' + approval.note : '') + ' ',
        h('a', {href: '#/approvals/' + approval.draft, text: t('inbox.approval.open')})
      ]) : null
    ]);
    var acts = h('div', {class: 'actions'});
    if (!r.answered && TX.may('answer')) {
      acts.appendChild(h('a', {class: 'button primary', t: 'answer', href: '#/answer/' + r.id, text: (r.drafts || []).length ? t('inbox.resume') : t('inbox.answer')}));
    } else if (r.assessment) {
      card.appendChild(h('p', {class: 'small', text: t('inbox.answered.with', {id: TX.short(r.assessment)})}));
    }
    var reusable = r.reusable || [];
    if (!r.answered && reusable.length && TX.may('sign')) {
      var pick = reusable[0];
      var reuseSel = null;
      if (reusable.length > 1) {
        var rid = TX.uid('ru');
        reuseSel = h('select', {id: rid}, reusable.map(function (a) {
          return h('option', {value: a.assessment, text: t('inbox.reuse.opt', {asof: a.as_of, until: TX.dash(a.valid_until), id: TX.short(a.assessment)})});
        }));
        acts.appendChild(h('span', {class: 'field inline'}, [h('label', {for: rid, text: t('inbox.reuse.which')}), reuseSel]));
      }
      acts.appendChild(TX.action({class: 'secondary', t: 'reuse'}, t('inbox.reuse'), function () {
        var a = reuseSel ? reusable.filter(function (x) { return x.assessment === reuseSel.value; })[0] : pick;
        return t('inbox.reuse.confirm', {name: r.from ? r.from.name : '', asof: a.as_of, until: TX.dash(a.valid_until)});
      }, t('inbox.reuse.ok'), function () {
        var a = reuseSel ? reuseSel.value : pick.assessment;
        return TX.post('/api/reuse', {request: r.id, assessment: a}).then(function (res) {
          var done = res.already_answered ? t('inbox.reuse.already') : t('inbox.reuse.done', {name: r.from ? r.from.name : ''});
          TX.notice(res.waiting && res.waiting.length ? done + ' ' + t('gr.waiting', {name: r.from ? r.from.name : ''}) : done);
          TX.render(true);
        });
      }));
      acts.appendChild(h('p', {class: 'hint', text: t('inbox.reuse.hint')}));
    }
    if (!r.answered && selfDrafts.length && !(r.drafts || []).length && TX.may('answer')) {
      var sd = selfDrafts[selfDrafts.length - 1];
      acts.appendChild(h('a', {class: 'button secondary', t: 'use-selfcheck', href: '#/answer/' + r.id + '?draft=' + encodeURIComponent(sd.id), text: t('inbox.useself', {date: TX.dash(sd.updated)})}));
    }
    if (r.depth > 1 && TX.may('sign')) {
      acts.appendChild(TX.action({class: 'secondary', t: 'forward'}, t('inbox.forward'), t('inbox.forward.confirm', {name: r.from ? r.from.name : '', n: r.depth - 1}), t('inbox.forward.ok'), function () {
        return TX.post('/api/forward', {request: r.id}).then(function (res) {
          var skipped = (res.skipped || []).map(function (s) { return s.name || s.fingerprint; });
          var msg = res.request ? t('inbox.forward.done', {n: res.suppliers}) : t('inbox.forward.none');
          TX.notice(skipped.length ? msg + ' ' + t('inbox.forward.skipped', {names: skipped.join(', ')}) : msg);
        });
      }));
    }
    card.appendChild(acts);
    return card;
  }

  /* ---- Answering ----------------------------------------------------------------------- */
  function renderAnswer(main, m, q) {
    if (!TX.may('answer')) {
      TX.title(main, t('nav.inbox'));
      TX.roleRefuses(main, 'answer');
      return;
    }
    var key = '/answer/' + m[1] + (q.draft ? '?draft=' + q.draft : '') + (q.supersedes ? (q.draft ? '&' : '?') + 'supersedes=' + q.supersedes : '');
    return TX.answerForm(main, key, {mode: 'answer', request: m[1], draft: q.draft || null, supersedes: q.supersedes || null});
  }
  function renderSelfcheck(main) {
    return TX.answerForm(main, '/selfcheck', {mode: 'selfcheck', ref: 'tics-selfcheck'});
  }

  /* ---- Own assessments ----------------------------------------------------------------- */
  function renderAssessments(main) {
    TX.title(main, t('as.title'), t('as.lead'));
    if (TX.needsHub(main)) {
      return;
    }
    return Promise.all([
      TX.get('/api/assessments'),
      TX.orgs(false).catch(function () {
        return [];
      }),
      TX.get('/api/credentials').catch(function () {
        return {credentials: []};
      }),
      TX.get('/api/plans').catch(function () {
        return {plans: []};
      })
    ]).then(function (res) {
      var list = res[0].assessments || [];
      var orgs = res[1];
      main.appendChild(declaredCredentials(res[2].credentials || []));
      var open = (res[3].plans || []).filter(function (p) {
        return !p.done;
      });
      if (open.length) {
        main.appendChild(ownPlans(open));
      }
      if (!list.length) {
        main.appendChild(h('p', {class: 'empty card', text: t('as.empty')}));
        return;
      }
      main.appendChild(h('ul', {class: 'req-list', role: 'list'}, list.map(function (a) {
        return assessmentCard(a, orgs);
      })));
    });
  }

  /* This organisation's remediation plans in its current assessments (GET /api/plans); marking
   * one done (POST /api/plans/done, as `ticsx plan done`) signs a new version. */
  function ownPlans(plans) {
    var badge = {open: 's-partial', overdue: 's-failed', done: 's-verified', stale: 's-failed'};
    return h('section', {class: 'card', t: 'own-plans', 'aria-labelledby': 'own-plans-h'}, [
      h('h2', {id: 'own-plans-h', text: t('sup.plans')}),
      h('p', {class: 'hint', text: t('as.plans.hint')}),
      h('table', {class: 'grid compact'}, [
        h('thead', null, h('tr', null, ['as.assessment', 'plan.item', 'plan.state', 'plan.due', 'plan.action', 'plan.mark'].map(function (k) {
          return h('th', {scope: 'col', text: t(k)});
        }))),
        h('tbody', null, plans.map(function (p) {
          return h('tr', {t: 'own-plan', 'data-item': p.item, 'data-state': p.state}, [
            h('td', {class: 'mono', title: p.assessment, text: TX.short(p.assessment)}),
            h('td', {text: p.item}),
            h('td', null, h('span', {class: 'badge ' + (badge[p.state] || ''), text: t('plan.' + p.state)})),
            h('td', {text: p.due || ''}),
            h('td', {text: p.action || ''}),
            h('td', null, TX.may('sign') && TX.action({class: 'secondary small', t: 'plan-done', 'aria-label': t('plan.mark') + ': ' + p.item}, t('plan.mark'), t('plan.mark.confirm', {item: p.item}), t('plan.mark.ok'), function () {
              return TX.post('/api/plans/done', {assessment: p.assessment, item: p.item}).then(function (res) {
                TX.notice(t('plan.mark.done', {item: p.item, id: TX.short(res.assessment)}));
                TX.render(true);
              });
            }))
          ]);
        }))
      ])
    ]);
  }

  /* The credentials this organisation declared (read-only: ticsx credential add|remove). */
  var DECL_FIELDS = ['number', 'body', 'scope', 'standard', 'issued', 'expires', 'last_report', 'expected', 'renews', 'document'];

  function declaredCredentials(creds) {
    var sec = h('section', {class: 'card', t: 'declared-credentials', 'aria-labelledby': 'decl-h'}, [
      h('h2', {id: 'decl-h', text: t('as.creds')}),
      h('p', {class: 'hint', text: t('as.creds.lead')})
    ]);
    if (!creds.length) {
      sec.appendChild(h('p', {class: 'empty', text: t('as.creds.none')}));
      return sec;
    }
    sec.appendChild(h('div', {class: 'cred-grid'}, creds.map(function (c, i) {
      var dl = h('dl', {class: 'kv'});
      DECL_FIELDS.forEach(function (f) {
        if (c[f] === null || c[f] === undefined || c[f] === '') {
          return;
        }
        dl.appendChild(h('dt', {text: t('credf.' + f)}));
        dl.appendChild(h('dd', {text: String(c[f])}));
      });
      return h('section', {class: 'card', t: 'declared-credential', 'data-scheme': c.scheme || '', 'aria-labelledby': 'decl-' + i}, [
        h('h3', {id: 'decl-' + i, text: t('scheme.' + c.scheme)}),
        h('p', null, h('span', {class: 'badge cred cred-declared', text: t('state.' + (c.state || 'certified'))})),
        dl
      ]);
    })));
    return sec;
  }

  function assessmentCard(a, orgs) {
    var q = a.questionnaire || {};
    var expired = a.valid_until && a.valid_until < TX.today();
    var card = h('li', {class: 'card assessment' + (a.superseded_by ? ' muted' : ''), t: 'assessment', 'data-id': a.id}, [
      h('div', {class: 'req-head'}, [
        h('h2', {class: 'h3', text: TX.L(q.title) || q.id || '—'}),
        a.superseded_by ? h('span', {class: 'badge s-expired', text: t('as.superseded')}) : expired ? h('span', {class: 'badge s-expired', text: t('status.expired')}) : h('span', {class: 'badge s-verified', text: t('as.current')})
      ]),
      h('dl', {class: 'kv kv-row'}, [
        h('dt', {text: t('as.id')}), h('dd', {class: 'mono', title: a.id, text: TX.short(a.id)}),
        h('dt', {text: t('as.asof')}), h('dd', {text: TX.dash(a.as_of)}),
        h('dt', {text: t('as.until')}), h('dd', {text: TX.dash(a.valid_until)}),
        a.superseded_by ? h('dt', {text: t('as.by')}) : null,
        a.superseded_by ? h('dd', {class: 'mono', text: TX.short(a.superseded_by)}) : null
      ])
    ]);
    var grantees = a.grantees || [];
    card.appendChild(h('h3', {class: 'h4', text: t('as.grantees', {n: grantees.length})}));
    if (!grantees.length) {
      card.appendChild(h('p', {class: 'empty', text: t('as.nogrants')}));
    } else {
      card.appendChild(h('table', {class: 'grid compact'}, [
        h('thead', null, h('tr', null, [h('th', {scope: 'col', text: t('col.buyer')}), h('th', {scope: 'col', text: t('col.until')}), h('th', {scope: 'col', text: t('subs.actions')})])),
        h('tbody', null, grantees.map(function (g) {
          return h('tr', {'data-fingerprint': g.fingerprint}, [
            h('th', {scope: 'row'}, [g.name, h('div', {class: 'fp', text: g.fingerprint})]),
            h('td', {text: g.until || t('inbox.nolimit')}),
            h('td', null, TX.may('sign') && TX.action({class: 'danger small', t: 'revoke', 'aria-label': t('as.revoke') + ': ' + g.name}, t('as.revoke'), t('as.revoke.confirm', {name: g.name}), t('as.revoke.ok'), function () {
              return TX.post('/api/revoke', {assessment: a.id, from: g.fingerprint}).then(function (res) {
                TX.notice(t('as.revoke.done', {name: g.name, n: (res.assessments || []).length}));
                TX.render(true);
              });
            }))
          ]);
        }))
      ]));
    }
    var past = (a.shared || []).filter(function (s) { return s.state !== 'current'; });
    if (past.length) {
      card.appendChild(h('h3', {class: 'h4', text: t('as.past', {n: past.length})}));
      card.appendChild(h('ul', {class: 'plain-list', t: 'past-shares'}, past.map(function (s) {
        return h('li', {'data-fingerprint': s.fingerprint, 'data-state': s.state, text: t(s.state === 'revoked' ? 'as.past.revoked' : 'as.past.ended', {name: s.name || s.fingerprint, date: s.state === 'revoked' ? s.revoked : s.until, granted: s.granted})});
      })));
    }
    if (!a.superseded_by && TX.may('sign')) {
      var toId = TX.uid('gt');
      var untilId = TX.uid('gu');
      var to = h('select', {id: toId, t: 'grant-to'}, [h('option', {value: '', text: t('as.grant.pick')})].concat(orgs.filter(function (o) {
        return !grantees.some(function (g) {
          return g.fingerprint === o.fingerprint;
        });
      }).map(function (o) {
        return h('option', {value: o.fingerprint, text: o.name + ' (' + o.fingerprint + ')'});
      })));
      var until = h('input', {type: 'date', id: untilId, t: 'grant-until', min: TX.today()});
      var grantBtn = TX.action({class: 'secondary', t: 'grant'}, t('as.grant'), function () {
        var o = to.options[to.selectedIndex];
        return t(until.value ? 'as.grant.confirm.until' : 'as.grant.confirm', {name: o && o.value ? o.text : '—', until: until.value});
      }, t('as.grant.ok'), function () {
        if (!to.value) {
          throw new Error(t('as.grant.need'));
        }
        var body = {assessment: a.id, to: [to.value]};
        if (until.value) {
          body.until = until.value;
        }
        var chosen = to.options[to.selectedIndex].text;
        return TX.post('/api/grant', body).then(function (res) {
          TX.notice(res.waiting && res.waiting.length ? t('gr.waiting', {name: chosen}) : t('as.grant.done'));
          TX.render(true);
        });
      });
      card.appendChild(h('div', {class: 'grant-form'}, [
        h('h3', {class: 'h4', text: t('as.share')}),
        h('div', {class: 'row'}, [
          h('div', {class: 'field'}, [h('label', {for: toId, text: t('as.grant.to')}), to]),
          h('div', {class: 'field'}, [h('label', {for: untilId, text: t('as.grant.until')}), until]),
          grantBtn
        ])
      ]));
      card.appendChild(h('div', {class: 'actions'}, [
        TX.action({class: 'secondary', t: 'supersede'}, t('as.supersede'), t('as.supersede.confirm', {n: grantees.length}), t('as.supersede.ok'), function () {
          return supersede(a);
        })
      ]));
    }
    return card;
  }

  function supersede(a) {
    var reqOf = function () {
      var g = (a.grantees || []).filter(function (x) {
        return x.request;
      })[0];
      return g ? g.request : null;
    };
    var open = function (req, draft) {
      if (!req) {
        throw new Error(t('as.supersede.noreq'));
      }
      location.hash = '#/answer/' + req + '?' + (draft ? 'draft=' + encodeURIComponent(draft) + '&' : '') + 'supersedes=' + a.id;
    };
    if (a.draft) {
      return TX.get('/api/drafts/' + encodeURIComponent(a.draft)).then(function (d) {
        open(d.request || reqOf(), a.draft);
      });
    }
    open(reqOf(), null);
  }

  TX.route(/^\/inbox$/, renderInbox, 'inbox');
  TX.route(/^\/answer\/([0-9a-f]{64})$/, renderAnswer, 'answer', 'inbox');
  TX.route(/^\/assessments$/, renderAssessments, 'assessments');
  TX.route(/^\/selfcheck$/, renderSelfcheck, 'selfcheck');
})();
