/* The page's core: DOM and text helpers, the API wrapper (CSRF header, error documents), the
 * hash router, the language switch, the confirm dialog and the live event stream. Pages
 * (buyer.js, supplier.js, answer.js, approvals.js) register their routes with TX.route. */
'use strict';

(function () {
  var TX = (window.TX = {});
  TX.session = null;
  TX.lang = 'ja';
  TX.routes = [];
  TX.current = null; // {route, params, query}

  /* Texts. Every string a user reads is in i18n.js (English) and i18n-ja.js (its Japanese,
   * made from po/ja.po); a text without Japanese shows in English. */
  TX.t = function (key, vars) {
    var ja = TX.lang === 'ja' ? window.TX_TEXT_JA || {} : {};
    var s = ja[key] || window.TX_TEXT[key] || key;
    if (vars) {
      s = s.replace(/\{(\w+)\}/g, function (m, k) {
        return vars[k] === undefined || vars[k] === null ? '' : String(vars[k]);
      });
    }
    return s;
  };
  /* A count's text: the key's '.one' form when n is 1 and the form exists, else the key itself
   * ({n} filled in). Japanese has one form; its '.one' translation reads as the other. */
  TX.tn = function (key, n, vars) {
    var v = Object.assign({}, vars || {}, {n: n});
    return TX.t(n === 1 && window.TX_TEXT[key + '.one'] ? key + '.one' : key, v);
  };
  /* A {"ja","en"} object from the data, in the page's language, else the other. */
  TX.L = function (o) {
    if (o === null || o === undefined) {
      return '';
    }
    if (typeof o === 'string') {
      return o;
    }
    return o[TX.lang] || o[TX.lang === 'ja' ? 'en' : 'ja'] || '';
  };

  /* Builds an element: props {class, t (data-t), text, onclick..., other attributes};
   * children are nodes, strings (as text) or arrays of them. Never parses HTML. */
  var h = (TX.h = function (tag, props, children) {
    var n = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === undefined || v === null || v === false) {
          return;
        }
        if (k === 'class') {
          n.className = v;
        } else if (k === 't') {
          n.setAttribute('data-t', v);
        } else if (k === 'text') {
          n.textContent = v;
        } else if (k.indexOf('on') === 0 && typeof v === 'function') {
          n.addEventListener(k.slice(2), v);
        } else if (k === 'value' && (tag === 'input' || tag === 'textarea' || tag === 'select')) {
          n.value = v;
        } else if (k === 'checked' || k === 'selected' || k === 'disabled') {
          n[k] = !!v;
        } else {
          n.setAttribute(k, v === true ? '' : String(v));
        }
      });
    }
    append(n, children);
    return n;
  });
  function append(n, c) {
    if (c === undefined || c === null || c === false) {
      return;
    }
    if (Array.isArray(c)) {
      c.forEach(function (x) {
        append(n, x);
      });
    } else if (typeof c === 'string' || typeof c === 'number') {
      n.appendChild(document.createTextNode(String(c)));
    } else {
      n.appendChild(c);
    }
  }
  TX.append = append;
  TX.clear = function (n) {
    while (n.firstChild) {
      n.removeChild(n.firstChild);
    }
    return n;
  };

  var seq = 0;
  TX.uid = function (p) {
    seq += 1;
    return (p || 'id') + '-' + seq;
  };

  TX.debounce = function (fn, ms) {
    var timer = null;
    var d = function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () {
        timer = null;
        fn.apply(null, args);
      }, ms);
    };
    d.flush = function () {
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
        fn();
      }
    };
    d.cancel = function () {
      clearTimeout(timer);
      timer = null;
    };
    return d;
  };

  /* Numbers and dates as the page shows them. */
  TX.pct = function (v) {
    return v === null || v === undefined ? '—' : Number(v).toFixed(1);
  };
  TX.dash = function (v) {
    return v === null || v === undefined || v === '' ? '—' : String(v);
  };
  TX.short = function (hex) {
    return hex ? String(hex).slice(0, 12) : '—';
  };
  TX.today = function () {
    return (TX.session && TX.session.today) || new Date().toISOString().slice(0, 10);
  };
  TX.hhmm = function (d) {
    var z = function (x) {
      return (x < 10 ? '0' : '') + x;
    };
    return z(d.getHours()) + ':' + z(d.getMinutes());
  };

  /* A status badge: colour and text, never colour alone. */
  TX.badge = function (kind, value, t) {
    var key = kind + '.' + (value === null || value === undefined ? 'none' : value);
    return h('span', {class: 'badge b-' + kind + ' s-' + (value || 'none'), t: t}, TX.t(key));
  };

  /* A credential's badge: scheme and status in words, coloured by severity; a declared one
   * has its own words and a dashed, neutral style, never the look of a valid one. `brief`: the
   * scheme's short name, for lists. */
  TX.credBadge = function (c, t, brief) {
    var declared = c.status === 'declared';
    var scheme = brief ? 'scheme.brief.' + c.scheme : 'scheme.' + c.scheme;
    var word = TX.t(scheme);
    return h('span', {class: 'badge cred sev-' + (c.severity || 'problem') + (declared ? ' cred-declared' : ''), t: t || 'cred', 'data-status': c.status || ''},
      (word === scheme ? TX.t('scheme.' + c.scheme) : word) + ': ' + TX.t('cred.' + c.status));
  };
  /* An item's topics (2024 criteria, JAMA/JAPIA Level 1) as a list of chips; null when none. */
  TX.topicList = function (topics) {
    if (!(topics || []).length) {
      return null;
    }
    return h('ul', {class: 'topics', t: 'topics', 'aria-label': TX.t('item.topics')}, topics.map(function (tp) {
      return h('li', {class: 'topic', title: tp.framework || null}, [h('span', {class: 'topic-id', text: tp.id}), ' ', TX.L(tp.name)]);
    }));
  };
  /* The policy's verdict: "Pass"/"Fail" with the version, or nothing without a policy; `brief`:
   * the word alone, the version and reasons as its title, for lists. */
  TX.policyBadge = function (p, t, brief) {
    if (!p) {
      return null;
    }
    var full = TX.t(p.pass ? 'policy.pass' : 'policy.fail', {v: p.version});
    var reasons = (p.reasons || []).join('; ');
    return h('span', {class: 'badge ' + (p.pass ? 's-verified' : 's-failed'), t: t || 'policy', title: brief ? full + (reasons ? ': ' + reasons : '') : reasons || null},
      brief ? TX.t(p.pass ? 'policy.ok.brief' : 'policy.no.brief') : full);
  };
  /* "L1 80%" (no level yet, 80% of level 1 fully met), "L1 L2 40%", "L3": as the reports. */
  TX.levelText = function (levels, achieved) {
    var out = achieved ? 'L' + achieved : '';
    var next = (levels || []).filter(function (l) {
      return l.level > (achieved || 0) && l.share !== null && l.share !== undefined;
    })[0];
    if (next) {
      out += (out ? ' ' : '') + 'L' + next.level + ' ' + Math.floor(next.share) + '%';
    }
    return out || '—';
  };

  /* The API. Every POST carries the CSRF token and a JSON body; errors become Error objects
   * carrying the server's error document. */
  function failed(res) {
    return res
      .json()
      .catch(function () {
        return null;
      })
      .then(function (doc) {
        var msg = doc && doc.error && doc.error.message ? doc.error.message : res.status + ' ' + res.statusText;
        var e = new Error(msg);
        e.status = res.status;
        e.code = doc && doc.error ? doc.error.code : null;
        throw e;
      });
  }
  TX.get = function (path) {
    return fetch(path, {credentials: 'same-origin', headers: {Accept: 'application/json'}}).then(
      function (res) {
        return res.ok ? res.json() : failed(res);
      }
    );
  };
  TX.post = function (path, body) {
    return fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-CSRF-Token': TX.session ? TX.session.csrf : ''
      },
      body: JSON.stringify(body || {})
    }).then(function (res) {
      return res.ok ? res.json() : failed(res);
    });
  };

  /* The enrolled organisations other than this one. They come from the home's cache; when it
   * holds none yet (nothing fetched so far) or refresh is asked, fetch from the hub first. */
  TX.orgs = function (refresh) {
    var get = function () {
      return TX.get('/api/orgs').then(function (d) {
        return (d.orgs || []).filter(function (o) {
          return !o.self;
        });
      });
    };
    var hub = TX.session && TX.session.hub && TX.session.hub.configured;
    if (refresh) {
      return TX.post('/api/fetch', {}).then(get);
    }
    return get().then(function (list) {
      if (list.length || !hub) {
        return list;
      }
      return TX.post('/api/fetch', {}).then(get, function () {
        return list;
      });
    });
  };

  /* Pages that need the hub say so plainly when this home has none (the self-check does not). */
  TX.needsHub = function (main) {
    if (!TX.session || !TX.session.hub || TX.session.hub.configured) {
      return false;
    }
    main.appendChild(
      h('section', {class: 'card callout-card', 'aria-labelledby': 'nohub-h'}, [
        h('h2', {id: 'nohub-h', text: TX.t('nohub.title')}),
        h('p', {text: TX.t('nohub.text')}),
        h('p', null, h('a', {class: 'button primary', href: '#/selfcheck', text: TX.t('nohub.selfcheck')}))
      ])
    );
    return true;
  };

  /* A page whose action the person's role does not allow ('answer', 'sign') says so instead. */
  TX.roleRefuses = function (main, what) {
    if (TX.may(what)) {
      return false;
    }
    var m = (TX.session && TX.session.member) || {};
    main.appendChild(
      h('section', {class: 'card callout-card', t: 'role-refused', 'aria-labelledby': 'role-h'}, [
        h('h2', {id: 'role-h', text: TX.t('role.refused.title')}),
        h('p', {text: TX.t('role.refused.' + what, {role: m.role && m.acts ? TX.t('role.' + m.role) : TX.t('role.none')})})
      ])
    );
    return true;
  };

  /* The regions: a notice (role=status) and an error (role=alert) with a heading. */
  TX.notice = function (text) {
    var n = document.getElementById('notice');
    TX.clear(n);
    if (text) {
      n.appendChild(h('p', null, text));
    }
  };
  TX.error = function (err) {
    var n = document.getElementById('error');
    TX.clear(n);
    if (!err) {
      return;
    }
    var heading = TX.t('error.heading');
    if (err.status === 503) {
      heading = TX.t('error.hub');
    } else if (err.status === 401 || err.status === 403) {
      heading = TX.t('error.session');
    }
    n.appendChild(
      h('div', {class: 'alert-box'}, [
        h('h2', {text: heading}),
        h('p', {class: 'alert-message', text: err.message || String(err)}),
        h('button', {
          type: 'button',
          class: 'link',
          text: TX.t('error.dismiss'),
          onclick: function () {
            TX.error(null);
          }
        })
      ])
    );
    n.scrollIntoView({block: 'nearest'});
  };
  TX.clearMessages = function () {
    TX.error(null);
  };

  /* The confirm dialog: states the consequence, resolves true on OK. Focus returns to the
   * button that opened it. */
  TX.confirm = function (text, okLabel) {
    var dlg = document.getElementById('confirm');
    var before = document.activeElement;
    document.getElementById('confirm-title').textContent = TX.t('confirm.title');
    document.getElementById('confirm-text').textContent = text;
    var ok = document.getElementById('confirm-ok');
    var cancel = document.getElementById('confirm-cancel');
    ok.textContent = okLabel || TX.t('confirm.ok');
    cancel.textContent = TX.t('confirm.cancel');
    return new Promise(function (resolve) {
      function done(v) {
        ok.removeEventListener('click', onOk);
        cancel.removeEventListener('click', onCancel);
        dlg.removeEventListener('cancel', onCancel);
        if (dlg.open) {
          dlg.close();
        }
        if (before && before.focus && document.body.contains(before)) {
          before.focus();
        }
        resolve(v);
      }
      function onOk() {
        done(true);
      }
      function onCancel(ev) {
        if (ev) {
          ev.preventDefault();
        }
        done(false);
      }
      ok.addEventListener('click', onOk);
      cancel.addEventListener('click', onCancel);
      dlg.addEventListener('cancel', onCancel);
      dlg.showModal();
      cancel.focus();
    });
  };

  /* A button whose action is confirmed first and then run; errors go to the alert region. */
  TX.action = function (props, label, confirmText, okLabel, run) {
    props = props || {};
    props.type = 'button';
    props.onclick = function (ev) {
      var btn = ev.currentTarget;
      TX.confirm(typeof confirmText === 'function' ? confirmText() : confirmText, okLabel).then(
        function (yes) {
          if (!yes) {
            return;
          }
          btn.disabled = true;
          TX.clearMessages();
          Promise.resolve()
            .then(run)
            .catch(TX.error)
            .then(function () {
              btn.disabled = false;
            });
        }
      );
    };
    return h('button', props, label);
  };

  /* Routes: TX.route(/^\/dashboard$/, render) — render(main, match, query) draws the page. */
  /* nav: the page's name (live updates redraw by it); hl: the menu entry to mark, if other. */
  TX.route = function (re, render, nav, hl) {
    TX.routes.push({re: re, render: render, nav: nav, hl: hl || nav});
  };
  function parseHash() {
    var hsh = location.hash.replace(/^#/, '') || '/dashboard';
    var q = {};
    var i = hsh.indexOf('?');
    var path = i >= 0 ? hsh.slice(0, i) : hsh;
    if (i >= 0) {
      new URLSearchParams(hsh.slice(i + 1)).forEach(function (v, k) {
        q[k] = v;
      });
    }
    return {path: path, query: q};
  }
  TX.render = function (keepMessages) {
    var p = parseHash();
    var main = document.getElementById('main');
    if (!keepMessages) {
      TX.clearMessages();
    }
    for (var i = 0; i < TX.routes.length; i++) {
      var r = TX.routes[i];
      var m = p.path.match(r.re);
      if (m) {
        TX.current = {route: r, match: m, query: p.query, path: p.path};
        markNav(r.hl);
        TX.clear(main);
        main.appendChild(h('p', {class: 'loading', text: TX.t('loading')}));
        Promise.resolve()
          .then(function () {
            return r.render(main, m, p.query);
          })
          .catch(function (e) {
            TX.clear(main);
            main.appendChild(h('h1', {text: TX.t('error.page')}));
            TX.error(e);
          });
        return;
      }
    }
    TX.current = null;
    markNav(null);
    TX.clear(main);
    main.appendChild(h('h1', {text: TX.t('notfound.title')}));
    main.appendChild(h('p', null, h('a', {href: '#/dashboard', text: TX.t('nav.dashboard')})));
  };
  TX.title = function (main, text, sub) {
    TX.clear(main);
    document.title = text + ' — ticsx';
    var head = h('div', {class: 'page-head'}, [h('h1', {text: text})]);
    if (sub) {
      head.appendChild(h('p', {class: 'lead', text: sub}));
    }
    main.appendChild(head);
    return head;
  };
  function markNav(name) {
    var links = document.querySelectorAll('#nav a');
    for (var i = 0; i < links.length; i++) {
      var on = links[i].getAttribute('data-t') === 'nav-' + name;
      if (on) {
        links[i].setAttribute('aria-current', 'page');
      } else {
        links[i].removeAttribute('aria-current');
      }
    }
  }
  TX.go = function (hash) {
    if (location.hash === hash) {
      TX.render();
    } else {
      location.hash = hash;
    }
  };
  /* Re-renders the current page if it is one of the given nav names (live updates). */
  TX.refreshIf = function (names) {
    if (TX.current && names.indexOf(TX.current.route.nav) >= 0) {
      TX.render(true);
    }
  };

  /* The shell's texts, redrawn on a language switch. */
  function shell() {
    document.documentElement.setAttribute('lang', TX.lang);
    var set = function (id, key) {
      var n = document.getElementById(id);
      if (n) {
        n.textContent = TX.t(key);
      }
    };
    set('skip-link', 'skip');
    set('nav-buyer-title', 'nav.buyer');
    set('nav-supplier-title', 'nav.supplier');
    set('nav-dashboard', 'nav.dashboard');
    set('nav-tree', 'nav.tree');
    set('nav-requests', 'nav.requests');
    set('nav-inbox', 'nav.inbox');
    set('nav-assessments', 'nav.assessments');
    set('nav-selfcheck', 'nav.selfcheck');
    set('nav-approvals', 'nav.approvals');
    set('nav-grants', 'nav.grants');
    document.getElementById('nav').setAttribute('aria-label', TX.t('nav.label'));
    document.getElementById('lang-switch').setAttribute('aria-label', TX.t('lang.label'));
    ['ja', 'en'].forEach(function (l) {
      document.getElementById('lang-' + l).setAttribute('aria-pressed', TX.lang === l ? 'true' : 'false');
    });
    var org = document.getElementById('org-name');
    org.textContent = TX.session && TX.session.org ? TX.session.org.name : '';
    person();
    hubStatus(TX.hub);
  }

  /* What this home's role may do ('answer', 'sign', 'approvals'): the organisation's own home
   * may do all; in a member's home the session says (the server refuses the rest with 403). */
  TX.may = function (what) {
    var may = TX.session && TX.session.may;
    return may ? !!may[what] : what !== 'approvals';
  };
  /* In a member's home, the person and its role beside the organisation's name; the approvals
   * entry of the menu for its people. */
  function person() {
    var n = document.getElementById('person-name');
    var m = TX.session ? TX.session.member : null;
    document.getElementById('nav-approvals-item').hidden = !TX.may('approvals');
    n.hidden = !m;
    n.title = (TX.session && TX.session.member_problem) || '';
    n.textContent = m ? TX.t('member.who', {name: m.name, role: m.role && m.acts ? TX.t('role.' + m.role) : TX.t('role.none')}) : '';
  }

  TX.hub = null;
  function hubStatus(st) {
    var n = document.getElementById('hub-status');
    var state = st && st.state ? st.state : TX.session && TX.session.hub && TX.session.hub.configured ? 'unknown' : 'none';
    n.className = 'hub badge s-hub-' + state;
    n.textContent = TX.t('hub.' + state);
    n.title = st && st.message ? st.message : TX.session && TX.session.hub ? TX.session.hub.endpoint || '' : '';
  }

  TX.setLang = function (l) {
    if (l !== 'ja' && l !== 'en') {
      return;
    }
    TX.lang = l;
    document.cookie = 'lang=' + l + '; Path=/; SameSite=Strict';
    shell();
    TX.render(true);
  };

  /* Live updates from the hub's watch stream. */
  var source = null;
  function events() {
    if (!window.EventSource || source) {
      return;
    }
    source = new EventSource('/api/events');
    source.addEventListener('hub', function (ev) {
      try {
        TX.hub = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      hubStatus(TX.hub);
    });
    source.addEventListener('inbox', function (ev) {
      var d;
      try {
        d = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      var who = d.from ? d.from.name : '';
      TX.notice(TX.t('live.' + (d.kind || 'request'), {name: who}));
      TX.refreshIf(['inbox', 'assessments', 'requests']);
    });
    /* The organisation's own news: what another person of it did. */
    source.addEventListener('news', function (ev) {
      var d;
      try {
        d = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (d.mine) {
        return; /* this page did it, and drew it already */
      }
      TX.notice(TX.t('live.news.' + d.news, {name: d.by || TX.t('gr.orgkey')}));
      TX.refreshIf(['approvals', 'grants', 'assessments']);
    });
    source.addEventListener('model', function (ev) {
      var d = {};
      try {
        d = JSON.parse(ev.data);
      } catch (e) {
        /* a model event without a body still means: reload */
      }
      TX.notice(TX.t('live.model', {n: d.suppliers === undefined ? '' : d.suppliers}));
      TX.refreshIf(['dashboard', 'tree', 'supplier', 'requests']);
    });
    source.onerror = function () {
      hubStatus({state: 'unknown', message: ''});
    };
  }

  function start() {
    document.getElementById('lang-ja').addEventListener('click', function () {
      TX.setLang('ja');
    });
    document.getElementById('lang-en').addEventListener('click', function () {
      TX.setLang('en');
    });
    document.getElementById('skip-link').addEventListener('click', function (ev) {
      ev.preventDefault();
      document.getElementById('main').focus();
    });
    window.addEventListener('hashchange', function () {
      TX.render();
      document.getElementById('main').focus({preventScroll: true});
    });
    var m = document.cookie.match(/(?:^|;\s*)lang=(ja|en)/);
    if (m) {
      TX.lang = m[1];
    } else if (/^en/i.test(navigator.language || '')) {
      TX.lang = 'en';
    }
    shell();
    TX.get('/api/session')
      .then(function (s) {
        TX.session = s;
        if (s.lang === 'ja' || s.lang === 'en') {
          TX.lang = s.lang;
        }
        shell();
        events();
      })
      .catch(function (e) {
        TX.error(e);
      })
      .then(function () {
        TX.render(true);
      });
  }
  document.addEventListener('DOMContentLoaded', start);
})();
