#!/usr/bin/python3
"""ticsx ui attacked: a supplier named with markup shows as text, a page on another local port
cannot post to (or read) the API with the user's cookie, a forged Host header (DNS rebinding)
and a missing or wrong CSRF token are refused, the first URL's token works once, the server
listens on 127.0.0.1 only, and no response the page loads carries a secret key."""

import base64
import http.server
import json
import os
import re
import socket
import socketserver
import sys
import threading
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uitest import (CORP, MARKUP, Failure, answers_file, expect, expect_eq, login,  # noqa: E402
                    main, open_supplier, response_statuses, visible)


def setup(w):
    buyer = w.party("buyer", "Tokai Motors", CORP["buyer"])
    evil = w.party("evil", MARKUP)
    w.start_hub()
    req = w.cli(buyer, "-q", "request", "--questionnaire", "tics-selfcheck", "--to",
                evil.fingerprint).stdout.strip()
    w.cli(evil, "answer", req, "--file", answers_file(w, evil, req, "weak"))
    w.cli(buyer, "fetch")
    ui, b, api = login(w, buyer)
    return {"w": w, "buyer": buyer, "evil": evil, "ui": ui, "b": b, "api": api, "req": req}


def test_markup_name_is_text(c):
    b, evil = c["b"], c["evil"]
    b.click("nav-dashboard")
    row = b.until("the markup-named supplier's row", lambda: [
        r for r in b.all("supplier-row") if MARKUP in r.text])[0]
    expect(row.get_attribute("data-key") and len(row.get_attribute("data-key")) == 64,
           "the supplier row carries no 64-hex data-key")
    expect(not b.css('img[src="x"]'), "the supplier's name became an <img> element")
    expect(b.alert_text() is None, "an alert ran from the supplier's name")
    # The wizard lists the enrolled organisations by name: the same name, as text.
    b.click("nav-requests")
    b.click("new-request")
    for _ in range(3):  # to the step listing the suppliers, each step drawn before moving on
        b.until("a wizard step", lambda: visible(b, "wiz-next") or visible(b, "wiz-send"))
        if visible(b, "wiz-supplier"):
            break
        before = [e.id for e in visible(b, "wiz-next")]
        b.click("wiz-next")
        b.until("the next wizard step",
                lambda: [e.id for e in visible(b, "wiz-next")] != before or visible(b, "wiz-send"))
    b.until("the markup name among the suppliers to ask",
            lambda: MARKUP in b.d.find_element("tag name", "body").text)
    cb = [e for e in b.all("wiz-supplier") if e.get_attribute("value") == evil.fingerprint]
    expect(cb, "no wiz-supplier checkbox with value %s" % evil.fingerprint)
    expect(not b.css('img[src="x"]'), "the supplier's name became an <img> in the wizard")
    expect(b.alert_text() is None, "an alert ran from the supplier's name in the wizard")
    expect(not [e for e in b.logs() if "alert(1)" in e.get("message", "")
                and "Content Security Policy" not in e.get("message", "")],
           "the console shows the name's script ran")


def test_token_once(c):
    ui, w = c["ui"], c["w"]
    path = ui.url[len(ui.origin):] or "/"
    st, _, body = ui.raw("GET", path)
    expect(st == 401, "the first URL opened again without a cookie: %d, want 401" % st)
    expect(b"csrf" not in body, "the refused page carries a CSRF token")
    fresh = w.browser()
    fresh.open(ui.url)
    got = fresh.d.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch('/api/session').then(function (r) { done(r.status); })"
        ".catch(function (e) { done(String(e)); });")
    expect_eq(got, 401, "/api/session in a fresh profile that opened the used URL")
    expect(not [x for x in fresh.d.get_cookies() if x["name"] == "ticsx_session"],
           "the used token still set a session cookie")
    expect(fresh.d.find_element("tag name", "body").text.strip(),
           "the 401 page is empty: it should say to start ticsx ui again")
    # Closed once seen: a later test's failure dumps every open browser, and this one's 401 for
    # the used one-time URL (expected here) was once read as that failure's cause.
    w.browsers.remove(fresh)
    fresh.quit()


def test_cookie(c):
    ui, b = c["ui"], c["b"]
    st, _, _ = ui.raw("GET", "/api/session")
    expect_eq(st, 401, "GET /api/session without a cookie")
    st, _, _ = ui.raw("GET", "/api/session", headers={"Cookie": "ticsx_session=" + "0" * 64})
    expect_eq(st, 401, "GET /api/session with a made-up cookie")
    for path in ("/api/dashboard", "/api/events", "/api/export?format=json&lang=en",
                 "/assets/app.js"):
        st, _, body = ui.raw("GET", path)
        expect(st == 401, "GET %s without a cookie: %d, want 401" % (path, st))
        expect(b"Tokai" not in body, "GET %s without a cookie shows the buyer's data" % path)
    ck = [x for x in b.d.get_cookies() if x["name"] == "ticsx_session"][0]
    expect(ck.get("httpOnly") is True, "the session cookie is not HttpOnly: %r" % ck)
    expect_eq(ck.get("sameSite"), "Strict", "the session cookie's SameSite")


def test_host_header(c):
    ui, api = c["ui"], c["api"]
    cookie = {"Cookie": "ticsx_session=" + api.cookie}
    for host in ("evil.example:%d" % ui.port, "localhost:%d" % ui.port,
                 "127.0.0.1:%d" % (ui.port + 1), "127.0.0.1", "[::1]:%d" % ui.port, ""):
        for path in ("/api/session", "/"):
            st, _, body = ui.raw("GET", path, headers=dict(cookie, Host=host))
            expect(st == 403, "GET %s with Host %r: %d, want 403" % (path, host, st))
            expect(api.csrf.encode() not in body, "a forged Host got the CSRF token")
    st, _, body = ui.raw("POST", "/api/drafts", json.dumps({"questionnaire": "tics-selfcheck",
                                                             "answers": [], "suppliers": []}),
                         dict(cookie, Host="evil.example:%d" % ui.port, Origin="http://evil."
                              "example:%d" % ui.port, **{"X-CSRF-Token": api.csrf}))
    expect_eq(st, 403, "POST with a forged Host and a matching Origin")


def drafts(api):
    st, _, body = api.call("GET", "/api/drafts")
    return json.loads(body)["drafts"] if st == 200 else None


def test_csrf_and_origin(c):
    ui, api = c["ui"], c["api"]
    before = drafts(api)
    body = {"questionnaire": "tics-selfcheck", "answers": [{"item": "A1-01", "answer": "yes"}],
            "suppliers": []}
    other = "http://127.0.0.1:%d" % (ui.port + 1)
    cases = [("no CSRF token", {"X-CSRF-Token": None}),
             ("a wrong CSRF token", {"X-CSRF-Token": "0" * len(api.csrf)}),
             ("another port's Origin", {"Origin": other}),
             ("Origin null", {"Origin": "null"}),
             ("a cross-site fetch without Origin",
              {"Origin": None, "Sec-Fetch-Site": "cross-site"}),
             ("a same-site fetch without Origin", {"Origin": None, "Sec-Fetch-Site": "same-site"}),
             ("neither Origin nor Sec-Fetch-Site", {"Origin": None}),
             ("a form's content type", {"Content-Type": "text/plain", "Origin": other})]
    for what, h in cases:
        st, _, resp = api.call("POST", "/api/drafts", body, h)
        expect(st == 403, "POST /api/drafts with %s: %d, want 403 (%s)" % (what, st, resp[:200]))
        doc = json.loads(resp)
        expect("error" in doc and doc["error"].get("code"), "403 without the error document")
    st, _, _ = api.call("GET", "/api/fetch")
    expect(st in (404, 405), "GET on a POST-only call: %d, want 405" % st)
    expect_eq(drafts(api), before, "the drafts after refused posts")
    # The control: the same post from the page itself is accepted.
    st, _, resp = api.call("POST", "/api/drafts", body)
    expect(st == 200, "POST /api/drafts from the page: %d %s" % (st, resp[:200]))
    api.post("/api/drafts/delete", {"id": json.loads(resp)["id"]})
    expect_eq(drafts(api), before, "the drafts after the control draft was deleted")


ATTACK = """<!doctype html><html><head><title>waiting</title></head><body>
<iframe name="sink" title="sink"></iframe>
<form id="f" method="POST" target="sink" enctype="text/plain" action="%(ui)s/api/requests">
<input type="hidden" name='{"questionnaire": "tics-selfcheck", "to": ["%(fp)s"], "x": "'
 value='"}'></form>
<script src="attack.js"></script></body></html>"""

ATTACK_JS = """(async function () {
  var ui = %(ui)r, out = {};
  var body = JSON.stringify({questionnaire: "tics-selfcheck", to: [%(fp)r], due: null,
                             depth: 1, note: "forged"});
  try {
    var r = await fetch(ui + "/api/session", {credentials: "include"});
    out.read = "status " + r.status + ": " + (await r.text()).slice(0, 200);
  } catch (e) { out.read = "blocked"; }
  try {
    await fetch(ui + "/api/requests", {method: "POST", credentials: "include", mode: "no-cors",
      headers: {"Content-Type": "text/plain"}, body: body});
    out.simple = "sent";
  } catch (e) { out.simple = "blocked"; }
  try {
    var r2 = await fetch(ui + "/api/requests", {method: "POST", credentials: "include",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": "guess"}, body: body});
    out.preflighted = "status " + r2.status;
  } catch (e) { out.preflighted = "blocked"; }
  document.getElementById("f").submit();
  setTimeout(function () { document.title = "done " + JSON.stringify(out); }, 1500);
})();"""


def inbox_ids(w, home):
    doc = w.cli(home, "inbox", "--all", json_out=True)
    return sorted(r["id"] for r in doc["requests"])


def test_cross_origin_page(c):
    w, ui, b, api, evil = c["w"], c["ui"], c["b"], c["api"], c["evil"]
    site = os.path.join(w.root, "attacker")
    os.makedirs(site)
    vals = {"ui": ui.origin, "fp": evil.fingerprint}
    with open(os.path.join(site, "index.html"), "w") as f:
        f.write(ATTACK % vals)
    with open(os.path.join(site, "attack.js"), "w") as f:
        f.write(ATTACK_JS % vals)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=site, **k)

        def log_message(self, *a):
            pass

    srv = socketserver.TCPServer(("127.0.0.1", 0), Quiet)
    w.servers.append(srv)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    before = api.get("/api/requests")["requests"]
    inbox_before = inbox_ids(w, evil)
    response_statuses(b, ui.origin)
    b.perf = []  # only what the attack page does counts below
    b.open("http://127.0.0.1:%d/index.html" % srv.server_address[1])
    title = b.until("the attack page to finish", lambda: b.d.title.startswith("done ")
                    and b.d.title)
    out = json.loads(title[5:])
    print("attack page saw: %r" % out)
    expect_eq(out["read"], "blocked", "a cross-origin read of /api/session")
    expect(out["preflighted"] == "blocked" or out["preflighted"].startswith("status 4"),
           "a cross-origin POST with a CSRF header: %s" % out["preflighted"])
    # The posts reached the server and were refused there (not merely unread by the page).
    try:
        b.until("the attack's responses", lambda: len(response_statuses(
            b, ui.origin + "/api/requests")) >= 2)
    finally:
        print("responses to the attack: %r" % response_statuses(b, "http", True))
    st = response_statuses(b, ui.origin + "/api/requests")
    print("statuses the attack got: %r" % st)
    expect(all(x in (403, 405) for x in st), "the attack's requests got %r" % st)
    after = api.get("/api/requests")["requests"]
    expect_eq(len(after), len(before), "this organisation's requests after the attack page")
    expect_eq(inbox_ids(w, evil), inbox_before,
              "the supplier's inbox after the attack page")
    b.open(ui.origin + "/")
    b.t("nav-dashboard")


def secret_forms(home):
    parts, line = home.secrets()
    forms = {line}
    for p in parts:
        forms |= {p.hex(), p.hex().upper(), base64.b64encode(p).decode(),
                  base64.urlsafe_b64encode(p).decode().rstrip("="),
                  base64.b64encode(p).decode().rstrip("=")}
    return forms


def test_no_secret_in_responses(c):
    ui, b, api, buyer, evil = c["ui"], c["b"], c["api"], c["buyer"], c["evil"]
    b.open(ui.origin + "/")
    for nav in ("nav-dashboard", "nav-tree", "nav-requests", "nav-inbox", "nav-assessments",
                "nav-selfcheck"):
        b.click(nav)
        b.until("the page after %s" % nav, lambda: b.d.execute_script(
            "return document.readyState") == "complete")
    b.click("nav-dashboard")
    row = b.until("a supplier row", lambda: b.all("supplier-row"))[0]
    key = row.get_attribute("data-key")
    open_supplier(b, row)
    urls = {u for u in b.requested_urls() if u.startswith(ui.origin)}
    urls |= {ui.origin + p for p in ("/", "/api/session", "/api/dashboard", "/api/tree",
                                     "/api/orgs", "/api/requests", "/api/inbox",
                                     "/api/assessments", "/api/drafts", "/api/questionnaires",
                                     "/api/supplier/" + key)}
    expect(len(urls) > 12, "the page loaded only %d URLs: %s" % (len(urls), sorted(urls)))
    forms = secret_forms(buyer)
    seen = 0
    for u in sorted(urls):
        path = urllib.parse.urlsplit(u)
        p = path.path + ("?" + path.query if path.query else "")
        if p.startswith("/api/events") or "token=" in p:
            continue
        st, _, body = api.call("GET", p)
        seen += 1
        text = body.decode("utf-8", "replace")
        for s in forms:
            if s in text:
                raise Failure("%s (%d) carries the buyer's secret key" % (p, st))
    dom = b.d.execute_script("return document.documentElement.outerHTML")
    for s in forms:
        expect(s not in dom, "the page's DOM carries the buyer's secret key")
    expect(seen > 10, "only %d responses scanned" % seen)
    # The session names the public signing key, nothing more.
    org = api.session["org"]
    expect(set(org) <= {"name", "corporate_number", "fingerprint", "key_id", "key"},
           "unexpected fields in the session's org: %s" % sorted(org))
    expect_eq(len(org["key"]), 64, "the session's public key length")
    expect(evil.fingerprint not in org.values(), "the session names the wrong organisation")


def test_headers_and_bind(c):
    ui, api = c["ui"], c["api"]
    st, h, body = api.call("GET", "/")
    expect_eq(st, 200, "GET / with the cookie")
    csp = h.get("content-security-policy", "")
    expect(csp, "no Content-Security-Policy on the page")
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    script = directives.get("script-src") or directives.get("default-src", "")
    expect(script and "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
           and "*" not in script.split(), "the CSP allows inline or foreign script: %s" % csp)
    expect(not re.search(rb"<script(?![^>]*\bsrc=)[^>]*>", body, re.I),
           "the page has an inline script")
    for addr, fam in (("127.0.0.2", socket.AF_INET), ("::1", socket.AF_INET6)):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect((addr, ui.port))
            connected = True
        except OSError:
            connected = False
        finally:
            s.close()
        expect(not connected, "ticsx ui accepts connections on %s, not only 127.0.0.1" % addr)


if __name__ == "__main__":
    sys.exit(main(setup, [test_cookie, test_host_header, test_csrf_and_origin, test_token_once,
                          test_headers_and_bind, test_markup_name_is_text,
                          test_cross_origin_page, test_no_secret_in_responses],
                  stop_on_failure=False))
