/* The answer form, shared by answering a request (#/answer/REQUEST) and the self-check
 * (#/selfcheck): the questionnaire per area with the scale's labels as choices, comments,
 * sub-suppliers, the certificate, drafts saved in the home, a live score and radar, the review
 * step and signing. The form's state outlives a re-render (language switch, live events). */
'use strict';

(function () {
  var TX = window.TX;
  var h = TX.h;
  var t = TX.t;
  var forms = {}; // route path -> form state

  function answersList(F) {
    var out = [];
    Object.keys(F.answers).forEach(function (id) {
      var a = F.answers[id];
      if (a.answer || a.comment) {
        var o = {item: id, answer: a.answer || null, comment: a.comment || ''};
        // a remediation plan only while the answer is short of full credit
        if (a.plan && (a.plan.action || a.plan.due) && planAllowed(F, a.answer)) {
          o.plan = {action: a.plan.action || '', due: a.plan.due || '', done: a.plan.done || ''};
        }
        out.push(o);
      }
    });
    return out;
  }
  // true when choice `code` scores below full credit and is not "not applicable"
  function planAllowed(F, code) {
    var sc = F.q && (F.q.scale || []).filter(function (c) {
      return c.code === code;
    })[0];
    return !!sc && !sc.not_applicable && sc.score_permille < 1000;
  }
  // the plan fields of one item: what will be done and by when, shown for partly/no answers
  function planEditor(F, it, cur) {
    var aid = TX.uid('pa'), did = TX.uid('pd');
    var plan = cur.plan || {action: '', due: '', done: ''};
    var ta = h('textarea', {id: aid, t: 'plan-action', rows: '1', maxlength: '4000'});
    var due = h('input', {id: did, t: 'plan-due', type: 'date'});
    ta.value = plan.action || '';
    due.value = plan.due || '';
    function set() {
      F.answers[it.id] = F.answers[it.id] || {answer: null, comment: ''};
      F.answers[it.id].plan = {action: ta.value, due: due.value, done: plan.done || ''};
      changed(F);
    }
    ta.addEventListener('input', set);
    due.addEventListener('change', set);
    var box = h('div', {class: 'field plan-field', t: 'plan'}, [
      h('label', {for: aid, text: t('ans.plan', {id: it.id})}), ta,
      h('label', {for: did, text: t('ans.plan.due')}), due,
      plan.done ? h('p', {class: 'hint', text: t('ans.plan.done', {date: plan.done})}) : null
    ]);
    box.hidden = !planAllowed(F, cur.answer);
    return box;
  }
  function subsList(F) {
    return F.suppliers.filter(function (s) {
      return s.name || s.key || s.supplies;
    }).map(function (s) {
      return {name: s.name || '', supplies: s.supplies || '', key: s.key || null};
    });
  }

  /* Loads (or reuses) the form state for a route. opts: {mode, request, draft, supersedes} */
  TX.answerForm = function (main, key, opts) {
    var F = forms[key];
    if (F && F.draftParam === (opts.draft || null)) {
      return Promise.resolve(draw(main, F));
    }
    F = forms[key] = {
      key: key,
      mode: opts.mode,
      reqId: opts.request || null,
      request: null,
      draftParam: opts.draft || null,
      draftId: null,
      ref: opts.ref || null,
      q: null,
      answers: {},
      suppliers: [],
      certificate: null,
      certs: [],
      orgs: [],
      supersedes: opts.supersedes || null,
      validUntil: '',
      phase: 'form',
      savedAt: null,
      saveState: 'none',
      score: null
    };
    var loads = [];
    var draftId = opts.draft || null;
    var p = Promise.resolve();
    if (F.reqId) {
      p = TX.get('/api/inbox').then(function (inbox) {
        F.request = (inbox.requests || []).filter(function (r) {
          return r.id === F.reqId;
        })[0] || null;
        if (!F.request) {
          throw new Error(t('ans.noreq', {id: F.reqId}));
        }
        if (!draftId && F.request.drafts && F.request.drafts.length) {
          draftId = F.request.drafts[F.request.drafts.length - 1];
        }
        F.ref = F.reqId;
      });
    }
    return p
      .then(function () {
        loads.push(TX.get('/api/questionnaire?ref=' + encodeURIComponent(F.ref)).then(function (q) {
          F.q = q;
        }));
        if (draftId) {
          loads.push(TX.get('/api/drafts/' + encodeURIComponent(draftId)).then(function (d) {
            // a sent draft stays as it was: changes go to a new draft
            F.draftId = d.sent ? null : d.id;
            (d.answers || []).forEach(function (a) {
              F.answers[a.item] = {answer: a.answer || null, comment: a.comment || '', plan: a.plan || null};
            });
            F.suppliers = (d.suppliers || []).map(function (s) {
              return {name: s.name || '', supplies: s.supplies || '', key: s.key || ''};
            });
            F.certificate = d.certificate === undefined ? null : d.certificate;
            F.savedAt = d.updated || null;
            F.saveState = d.sent ? 'copy' : 'loaded';
          }));
        } else if (F.mode === 'selfcheck') {
          // resume the newest unsent self-check draft
          loads.push(TX.get('/api/drafts').then(function (d) {
            var mine = (d.drafts || []).filter(function (x) {
              return !x.request && !x.sent;
            });
            if (mine.length) {
              return TX.get('/api/drafts/' + encodeURIComponent(mine[mine.length - 1].id)).then(function (dd) {
                F.draftId = dd.id;
                (dd.answers || []).forEach(function (a) {
                  F.answers[a.item] = {answer: a.answer || null, comment: a.comment || '', plan: a.plan || null};
                });
                F.suppliers = (dd.suppliers || []).map(function (s) {
                  return {name: s.name || '', supplies: s.supplies || '', key: s.key || ''};
                });
                F.savedAt = dd.updated || null;
                F.saveState = 'loaded';
              });
            }
          }).catch(function () {
            /* no drafts yet */
          }));
        }
        if (F.mode === 'answer') {
          loads.push(TX.get('/api/certificates').then(function (d) {
            F.certs = d.certificates || [];
          }).catch(function () {
            F.certs = [];
          }));
        }
        loads.push(TX.orgs(false).then(function (list) {
          F.orgs = list;
        }).catch(function () {
          F.orgs = [];
        }));
        return Promise.all(loads);
      })
      .then(function () {
        if (F.q && F.q.record && F.mode === 'answer') {
          F.ref = F.q.record;
        }
        draw(main, F);
        rescore(F);
      });
  };

  /* ---- saving and scoring -------------------------------------------------------------- */
  /* Saves run one after another, so the first save's new id is used by the next. */
  function save(F) {
    F.queue = (F.queue || Promise.resolve()).catch(function () {}).then(function () {
      return saveNow(F);
    });
    return F.queue;
  }
  function saveNow(F) {
    var body = {questionnaire: F.ref, answers: answersList(F), suppliers: subsList(F)};
    if (F.draftId) {
      body.id = F.draftId;
    }
    if (F.reqId) {
      body.request = F.reqId;
    }
    if (F.mode === 'answer') {
      body.certificate = F.certificate;
    }
    F.saveState = 'saving';
    status(F);
    return TX.post('/api/drafts', body).then(
      function (r) {
        F.draftId = r.id;
        F.savedAt = new Date();
        F.saveState = 'saved';
        status(F);
        return r;
      },
      function (e) {
        F.saveState = 'failed';
        status(F);
        throw e;
      }
    );
  }
  function status(F) {
    var n = F.ui && F.ui.status;
    if (!n) {
      return;
    }
    var s = F.saveState;
    /* The state, for a test or a script that waits for the save to end (the text is translated). */
    n.setAttribute('data-state', s || 'none');
    if (s === 'saved') {
      n.textContent = t('draft.saved', {time: TX.hhmm(F.savedAt)});
    } else if (s === 'saving') {
      n.textContent = t('draft.saving');
    } else if (s === 'failed') {
      n.textContent = t('draft.failed');
    } else if (s === 'loaded') {
      n.textContent = t('draft.loaded', {date: typeof F.savedAt === 'string' ? F.savedAt : ''});
    } else if (s === 'copy') {
      n.textContent = t('draft.copy');
    } else if (s === 'dirty') {
      n.textContent = t('draft.dirty');
    } else {
      n.textContent = t('draft.none');
    }
  }
  function rescore(F) {
    if (!F.q) {
      return;
    }
    TX.post('/api/score', {questionnaire: F.ref, answers: answersList(F)})
      .then(function (s) {
        F.score = s;
        drawScore(F);
      })
      .catch(function () {
        /* the live score is a help; the form works without it */
      });
  }
  function changed(F) {
    F.saveState = 'dirty';
    status(F);
    progress(F);
    if (!F.autosave) {
      F.autosave = TX.debounce(function () {
        save(F).catch(TX.error);
      }, 1200);
      F.autoscore = TX.debounce(function () {
        rescore(F);
      }, 400);
    }
    F.autosave();
    F.autoscore();
  }

  /* ---- drawing ------------------------------------------------------------------------- */
  function draw(main, F) {
    var title = F.mode === 'selfcheck' ? t('self.title') : F.supersedes ? t('ans.title.supersede') : t('ans.title');
    var head = TX.title(main, title, F.mode === 'selfcheck' ? t('self.lead') : null);
    F.ui = {};
    if (F.mode === 'selfcheck') {
      head.appendChild(h('p', {class: 'callout', text: t('self.noreg')}));
    }
    if (F.request) {
      var r = F.request;
      head.appendChild(h('dl', {class: 'kv kv-row'}, [
        h('dt', {text: t('ans.from')}), h('dd', {text: r.from ? r.from.name : '—'}),
        r.on_behalf_of ? h('dt', {text: t('ans.behalf')}) : null, r.on_behalf_of ? h('dd', {text: r.on_behalf_of.name}) : null,
        h('dt', {text: t('col.due')}), h('dd', null, [r.due || '—', r.due && r.due < TX.today() ? h('span', {class: 'badge s-overdue', text: t('inbox.overdue')}) : null]),
        h('dt', {text: t('ans.questionnaire')}), h('dd', {text: F.q ? TX.L(F.q.title) + ' (' + F.q.id + ' v' + F.q.version + ')' : r.questionnaire_name})
      ]));
      if (F.supersedes) {
        head.appendChild(h('p', {class: 'warn', text: t('ans.supersedes', {id: TX.short(F.supersedes)})}));
      }
    }
    if (F.phase === 'review') {
      return drawReview(main, F);
    }
    if (F.phase === 'sent') {
      return drawSent(main, F);
    }
    var q = F.q;
    var layout = h('div', {class: 'answer-layout'});
    var form = h('form', {class: 'answer-form', novalidate: true});
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
    });
    var side = h('aside', {class: 'answer-side', 'aria-label': t('ans.side')});
    layout.appendChild(form);
    layout.appendChild(side);
    main.appendChild(layout);

    // area index with progress
    var index = h('ol', {class: 'area-index'});
    F.ui.index = {};
    q.areas.forEach(function (a) {
      var prog = h('span', {class: 'area-prog'});
      F.ui.index[a.id] = prog;
      index.appendChild(h('li', null, h('a', {href: '#' + F.key, 'data-area': a.id, onclick: function (ev) {
        ev.preventDefault();
        var sec = document.getElementById('area-' + a.id);
        if (sec) {
          sec.scrollIntoView({behavior: 'smooth', block: 'start'});
          var f = sec.querySelector('input');
          if (f) {
            f.focus({preventScroll: true});
          }
        }
      }}, [h('span', {class: 'area-id', text: a.id}), ' ', TX.L(a.name), ' ', prog])));
    });
    form.appendChild(h('nav', {class: 'card area-nav', 'aria-label': t('ans.areas')}, [h('h2', {class: 'h3', text: t('ans.areas')}), index]));

    var levelName = {};
    (q.levels || []).forEach(function (l) {
      levelName[l.level] = TX.L(l.name);
    });
    q.areas.forEach(function (a) {
      var sec = h('section', {class: 'card area', t: 'area', id: 'area-' + a.id, 'data-area': a.id, 'aria-labelledby': 'ah-' + a.id}, [
        h('h2', {id: 'ah-' + a.id}, [h('span', {class: 'area-id', text: a.id}), ' ', TX.L(a.name)])
      ]);
      a.items.forEach(function (it) {
        var cur = F.answers[it.id] || {answer: null, comment: ''};
        var fs = h('fieldset', {class: 'q-item', t: 'item', 'data-item': it.id}, [
          h('legend', null, [h('span', {class: 'item-id', text: it.id}), h('span', {class: 'badge s-level', text: t('level.n', {n: it.level}) + (levelName[it.level] ? ' ' + levelName[it.level] : '')}), h('span', {class: 'item-text', text: TX.L(it.text)})]),
          TX.topicList(it.topics)
        ]);
        var choices = h('div', {class: 'choices'});
        var planBox = planEditor(F, it, cur);
        q.scale.forEach(function (sc) {
          var id = TX.uid('c');
          var radio = h('input', {type: 'radio', id: id, name: 'a-' + it.id, value: sc.code, checked: cur.answer === sc.code});
          radio.addEventListener('change', function () {
            F.answers[it.id] = F.answers[it.id] || {answer: null, comment: ''};
            F.answers[it.id].answer = sc.code;
            planBox.hidden = !planAllowed(F, sc.code);
            fs.classList.add('answered');
            changed(F);
          });
          choices.appendChild(h('span', {class: 'choice'}, [radio, h('label', {for: id, text: TX.L(sc.label) || sc.code})]));
        });
        fs.appendChild(choices);
        if (cur.answer) {
          fs.classList.add('answered');
        }
        var cid = TX.uid('cm');
        var ta = h('textarea', {id: cid, t: 'comment', rows: '1', maxlength: '2000'});
        ta.value = cur.comment || '';
        ta.addEventListener('input', function () {
          F.answers[it.id] = F.answers[it.id] || {answer: null, comment: ''};
          F.answers[it.id].comment = ta.value;
          changed(F);
        });
        fs.appendChild(h('div', {class: 'field comment-field'}, [h('label', {for: cid, text: t('ans.comment', {id: it.id})}), ta]));
        fs.appendChild(planBox);
        sec.appendChild(fs);
      });
      form.appendChild(sec);
    });

    // sub-suppliers
    form.appendChild(subsEditor(F));
    // certificate
    if (F.mode === 'answer') {
      var certId = TX.uid('cert');
      var sel = h('select', {id: certId, t: 'certificate'}, [
        h('option', {value: '', selected: F.certificate === null, text: t('cert.pick.auto')}),
        h('option', {value: 'none', selected: F.certificate === 'none', text: t('cert.pick.none')})
      ].concat(F.certs.map(function (c) {
        var st = c.now ? c.now.status : c.status;
        return h('option', {value: c.number, selected: F.certificate === c.number, text: c.number + ' — ' + t('cert.' + (st || 'none')) + (c.expires ? ' (' + t('cert.until', {date: c.expires}) + ')' : '')});
      })));
      sel.addEventListener('change', function () {
        F.certificate = sel.value === '' ? null : sel.value;
        changed(F);
      });
      form.appendChild(h('section', {class: 'card', 'aria-labelledby': 'cert-h'}, [
        h('h2', {id: 'cert-h', text: t('ans.cert')}),
        h('div', {class: 'field'}, [h('label', {for: certId, text: t('ans.cert.label')}), sel]),
        h('p', {class: 'hint', text: F.certs.length ? t('ans.cert.hint') : t('ans.cert.nocerts')})
      ]));
      var vid = TX.uid('vu');
      var vu = h('input', {type: 'date', id: vid, value: F.validUntil, min: TX.today()});
      vu.addEventListener('change', function () {
        F.validUntil = vu.value;
      });
      form.appendChild(h('section', {class: 'card', 'aria-labelledby': 'vu-h'}, [
        h('h2', {id: 'vu-h', text: t('ans.valid')}),
        h('div', {class: 'field'}, [h('label', {for: vid, text: t('ans.valid.label')}), vu]),
        h('p', {class: 'hint', text: t('ans.valid.hint')})
      ]));
    }

    // side: draft status, live score, actions
    F.ui.status = h('p', {class: 'draft-status', t: 'draft-status', role: 'status'});
    var saveBtn = h('button', {type: 'button', class: 'secondary', t: 'save-draft', text: t('draft.save')});
    saveBtn.addEventListener('click', function () {
      if (F.autosave) {
        F.autosave.cancel();
      }
      TX.clearMessages();
      save(F).then(function () {
        TX.notice(t('draft.saved', {time: TX.hhmm(F.savedAt)}));
      }).catch(TX.error);
    });
    var actions = h('div', {class: 'side-actions'}, [saveBtn]);
    if (F.mode === 'answer') {
      var review = h('button', {type: 'button', class: 'primary', t: 'review', text: t('ans.review')});
      review.addEventListener('click', function () {
        TX.clearMessages();
        if (F.autosave) {
          F.autosave.cancel();
        }
        save(F).then(function () {
          F.phase = 'review';
          draw(main, F);
          window.scrollTo(0, 0);
          var b = main.querySelector('[data-t="sign-send"]');
          if (b) {
            b.focus();
          }
        }).catch(TX.error);
      });
      actions.appendChild(review);
    } else {
      actions.appendChild(h('p', {class: 'hint', text: t('self.later')}));
      actions.appendChild(h('a', {href: '#/inbox', class: 'button secondary', text: t('self.toinbox')}));
    }
    F.ui.score = h('div', {class: 'live-score', t: 'live-score', 'aria-live': 'polite'});
    F.ui.radar = h('div', {class: 'radar-box small'});
    side.appendChild(h('div', {class: 'card sticky'}, [
      h('h2', {class: 'h3', text: t('ans.status')}),
      F.ui.status,
      actions,
      h('h2', {class: 'h3', text: t('ans.live')}),
      F.ui.score,
      F.ui.radar
    ]));
    status(F);
    progress(F);
    drawScore(F);
  }

  function subsEditor(F) {
    var listId = TX.uid('orgs');
    var datalist = h('datalist', {id: listId}, F.orgs.map(function (o) {
      return h('option', {value: o.fingerprint, label: o.name});
    }));
    var body = h('tbody');
    var sec = h('section', {class: 'card', 'aria-labelledby': 'subs-h'}, [
      h('h2', {id: 'subs-h', text: t('subs.title')}),
      h('p', {class: 'hint', text: t('subs.hint')}),
      datalist
    ]);
    var table = h('table', {class: 'grid compact subs'}, [
      h('thead', null, h('tr', null, [
        h('th', {scope: 'col', text: t('subs.name')}), h('th', {scope: 'col', text: t('subs.supplies')}),
        h('th', {scope: 'col', text: t('subs.key')}), h('th', {scope: 'col', text: t('subs.actions')})
      ])),
      body
    ]);
    var redraw = function () {
      TX.clear(body);
      F.suppliers.forEach(function (s, i) {
        var name = h('input', {type: 'text', t: 'sub-name', value: s.name, 'aria-label': t('subs.name') + ' ' + (i + 1), maxlength: '200'});
        var sup = h('input', {type: 'text', t: 'sub-supplies', value: s.supplies, 'aria-label': t('subs.supplies') + ' ' + (i + 1), maxlength: '200'});
        var key = h('input', {type: 'text', t: 'sub-key', value: s.key, list: listId, 'aria-label': t('subs.key') + ' ' + (i + 1), placeholder: t('subs.key.ph'), spellcheck: 'false', class: 'mono'});
        name.addEventListener('input', function () {
          s.name = name.value;
          changed(F);
        });
        sup.addEventListener('input', function () {
          s.supplies = sup.value;
          changed(F);
        });
        key.addEventListener('input', function () {
          s.key = key.value.trim();
          var o = F.orgs.filter(function (x) {
            return x.key === s.key || x.fingerprint === s.key;
          })[0];
          if (o && !s.name) {
            s.name = o.name;
            name.value = o.name;
          }
          changed(F);
        });
        var rm = h('button', {type: 'button', class: 'link', text: t('subs.remove'), 'aria-label': t('subs.remove') + ' ' + (s.name || i + 1)});
        rm.addEventListener('click', function () {
          F.suppliers.splice(i, 1);
          redraw();
          changed(F);
        });
        body.appendChild(h('tr', null, [h('td', null, name), h('td', null, sup), h('td', null, key), h('td', null, rm)]));
      });
      table.hidden = !F.suppliers.length;
    };
    var add = h('button', {type: 'button', class: 'secondary', t: 'sub-add', text: t('subs.add')});
    add.addEventListener('click', function () {
      F.suppliers.push({name: '', supplies: '', key: ''});
      redraw();
      var ins = body.querySelectorAll('[data-t="sub-name"]');
      if (ins.length) {
        ins[ins.length - 1].focus();
      }
    });
    sec.appendChild(table);
    sec.appendChild(add);
    redraw();
    return sec;
  }

  function counts(F) {
    var out = {};
    F.q.areas.forEach(function (a) {
      var done = 0;
      a.items.forEach(function (it) {
        if (F.answers[it.id] && F.answers[it.id].answer) {
          done += 1;
        }
      });
      out[a.id] = {done: done, total: a.items.length};
    });
    return out;
  }

  function progress(F) {
    if (!F.ui || !F.ui.index) {
      return;
    }
    var c = counts(F);
    Object.keys(c).forEach(function (id) {
      var n = F.ui.index[id];
      if (n) {
        n.textContent = c[id].done + '/' + c[id].total;
        n.className = 'area-prog' + (c[id].done === c[id].total ? ' complete' : '');
      }
    });
  }

  function drawScore(F) {
    if (!F.ui || !F.ui.score) {
      return;
    }
    var s = F.score;
    TX.clear(F.ui.score);
    TX.clear(F.ui.radar);
    if (!s || s.overall === null || s.overall === undefined) {
      F.ui.score.appendChild(h('p', {class: 'hint', text: t('ans.live.none')}));
      return;
    }
    F.ui.score.appendChild(h('div', {class: 'score-big'}, [
      h('span', {class: 'stat-l', text: t('col.overall')}),
      h('span', {class: 'stat-n', t: 'overall', text: TX.pct(s.overall)}),
      h('span', {class: 'stat-l', text: t('sup.level', {v: TX.dash(s.level_achieved)})})
    ]));
    F.ui.score.appendChild(h('p', {class: 'small', text: t('ans.unanswered', {n: s.unanswered || 0})}));
    var scores = {};
    (s.areas || []).forEach(function (a) {
      scores[a.id] = a.score;
    });
    if ((s.areas || []).length) {
      F.ui.radar.appendChild(TX.radar(s.areas.map(function (a) {
        return {id: a.id, name: a.name};
      }), [{label: t('ans.mine'), scores: scores, kind: 'main'}], {size: 340, title: t('ans.live')}));
    }
  }

  function drawReview(main, F) {
    var c = counts(F);
    var total = 0;
    var done = 0;
    var sec = h('section', {class: 'card review', 'aria-labelledby': 'rev-h'}, [h('h2', {id: 'rev-h', text: t('rev.title')})]);
    var rows = F.q.areas.map(function (a) {
      total += c[a.id].total;
      done += c[a.id].done;
      var missing = a.items.filter(function (it) {
        return !(F.answers[it.id] && F.answers[it.id].answer);
      }).map(function (it) {
        return it.id;
      });
      return h('tr', null, [
        h('th', {scope: 'row'}, [h('span', {class: 'area-id', text: a.id}), ' ', TX.L(a.name)]),
        h('td', {class: 'num', text: String(c[a.id].done)}),
        h('td', {class: 'num', text: String(c[a.id].total - c[a.id].done)}),
        h('td', {class: 'small', text: missing.join(', ')})
      ]);
    });
    sec.appendChild(h('table', {class: 'grid compact'}, [
      h('thead', null, h('tr', null, [h('th', {scope: 'col', text: t('col.area')}), h('th', {scope: 'col', class: 'num', text: t('rev.answered')}), h('th', {scope: 'col', class: 'num', text: t('rev.unanswered')}), h('th', {scope: 'col', text: t('rev.missing')})])),
      h('tbody', null, rows)
    ]));
    if (done < total) {
      sec.appendChild(h('p', {class: 'warn', text: t('rev.incomplete', {n: total - done})}));
    }
    var subs = subsList(F);
    var cert = F.certificate === null ? t('cert.pick.auto') : F.certificate === 'none' ? t('cert.pick.none') : F.certificate;
    var r = F.request || {};
    sec.appendChild(h('dl', {class: 'kv'}, [
      h('dt', {text: t('rev.overall')}), h('dd', {text: F.score ? TX.pct(F.score.overall) + ' / ' + t('sup.level', {v: TX.dash(F.score.level_achieved)}) : '—'}),
      h('dt', {text: t('subs.title')}), h('dd', null, subs.length ? h('ul', {class: 'plain-list'}, subs.map(function (s) {
        return h('li', {text: s.name + (s.supplies ? ' — ' + s.supplies : '') + (s.key ? ' (' + TX.short(s.key) + '…)' : ' (' + t('subs.nokey') + ')')});
      })) : t('subs.none')),
      h('dt', {text: t('ans.cert')}), h('dd', {text: cert}),
      h('dt', {text: t('rev.to')}), h('dd', {text: (r.from ? r.from.name : '—') + (r.on_behalf_of ? ' ' + t('rev.behalf', {name: r.on_behalf_of.name}) : '')}),
      h('dt', {text: t('ans.valid')}), h('dd', {text: F.validUntil || t('ans.valid.default')})
    ]));
    if (F.supersedes) {
      sec.appendChild(h('p', {class: 'warn', text: t('rev.supersede')}));
    }
    if (r.on_behalf_of) {
      sec.appendChild(h('p', {class: 'hint', text: t('rev.origin', {name: r.from ? r.from.name : '', origin: r.on_behalf_of.name})}));
    }
    /* A responder's answer is a draft for the officers: the page says so before and after. */
    var forApproval = TX.may('answer') && !TX.may('sign');
    sec.appendChild(forApproval
      ? h('div', {class: 'callout', t: 'for-approval'}, [h('h3', {text: t('rev.approval.title')}), h('p', {text: t('rev.approval.means', {name: r.from ? r.from.name : ''})})])
      : h('div', {class: 'callout'}, [h('h3', {text: t('rev.sign.title')}), h('p', {text: t('rev.sign.means', {name: r.from ? r.from.name : ''})})]));
    var back = h('button', {type: 'button', class: 'secondary', text: t('rev.back')});
    back.addEventListener('click', function () {
      F.phase = 'form';
      draw(main, F);
    });
    var sendLabel = t(forApproval ? 'rev.approval.send' : 'rev.send');
    var send = h('button', {type: 'button', class: 'primary', t: 'sign-send', text: sendLabel});
    send.addEventListener('click', function () {
      send.disabled = true;
      back.disabled = true;
      TX.clearMessages();
      send.textContent = t('rev.sending');
      var body = {draft: F.draftId, request: F.reqId, certificate: F.certificate};
      if (F.validUntil) {
        body.valid_until = F.validUntil;
      }
      if (F.supersedes) {
        body.supersedes = F.supersedes;
      }
      TX.post('/api/answer', body)
        .then(function (res) {
          F.phase = 'sent';
          F.result = res;
          draw(main, F);
        })
        .catch(function (e) {
          send.disabled = false;
          back.disabled = false;
          send.textContent = sendLabel;
          TX.error(e);
        });
    });
    sec.appendChild(h('div', {class: 'actions'}, [back, send]));
    main.appendChild(sec);
  }

  function drawSent(main, F) {
    var res = F.result || {};
    var r = F.request || {};
    if (res.approval) {
      main.appendChild(h('section', {class: 'card success', t: 'sent-for-approval', 'aria-labelledby': 'sent-h'}, [
        h('h2', {id: 'sent-h', text: t('sent.approval.title')}),
        h('p', {text: t('sent.approval.text', {name: r.from ? r.from.name : ''})}),
        h('p', null, [t('sent.approval.id') + ' ', h('code', {class: 'mono wrap', t: 'approval-id', text: res.approval})]),
        h('div', {class: 'actions'}, [h('a', {class: 'button secondary', href: '#/approvals', text: t('sent.approval.list')}), h('a', {class: 'button secondary', href: '#/inbox', text: t('sent.inbox')})])
      ]));
      TX.notice(t('sent.approval.title'));
      return;
    }
    var box = h('section', {class: 'card success', t: 'sent', 'aria-labelledby': 'sent-h'}, [
      h('h2', {id: 'sent-h', text: t('sent.title')}),
      h('p', null, [t('sent.id') + ' ', h('code', {class: 'mono wrap', t: 'assessment-id', text: res.assessment || ''})]),
      h('p', {text: t('sent.to', {name: r.from ? r.from.name : ''})}),
      res.supersedes ? h('p', {text: t('sent.superseded', {id: TX.short(res.supersedes)})}) : null
    ]);
    var acts = h('div', {class: 'actions'}, [h('a', {class: 'button secondary', href: '#/assessments', text: t('sent.assessments')}), h('a', {class: 'button secondary', href: '#/inbox', text: t('sent.inbox')})]);
    var dropped = res.dropped_suppliers || {count: 0, names: []};
    if (dropped.count > 0) {
      box.appendChild(h('p', {class: 'warn', t: 'sent-dropped', text: t('sent.dropped', {n: dropped.count, names: dropped.names.join(', ')})}));
    }
    if (res.waiting && res.waiting.length) {
      box.appendChild(h('p', {class: 'callout', t: 'sent-waiting'}, [t('gr.waiting', {name: r.from ? r.from.name : ''}) + ' ', h('a', {href: '#/grants', text: t('gr.waiting.link')})]));
    }
    if (r.depth > 1) {
      box.appendChild(h('p', {class: 'callout', text: t('sent.forward')}));
    }
    box.appendChild(acts);
    main.appendChild(box);
    TX.notice(t('sent.title'));
  }
})();
