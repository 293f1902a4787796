"""The browser tests' harness (tests/ui): a real ticsx-hub and real homes in a temporary
directory, the ticsx CLI for setup, `ticsx ui --no-browser --port 0` per home, and Debian's
Chromium driven headless through chromedriver and selenium, with axe-core injected for the
accessibility checks. Run by ctest with /usr/bin/python3; exits 0 passed, 1 failed, 77 skipped
(a missing browser, driver, selenium or axe-core; with CI set those fail instead)."""

import base64
import http.client
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SKIP = 77
SRC = os.environ.get("TX_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("TX_BUILD_DIR") or os.path.join(SRC, "build")
NPM = os.environ.get("TX_NPM_PREFIX") or os.path.join(SRC, "build", "npm")
TICSX = os.path.join(BUILD, "client", "ticsx")
HUB = os.path.join(BUILD, "hub", "ticsx-hub")
AXE = os.path.join(NPM, "node_modules", "axe-core", "axe.min.js")
WAIT = 30  # seconds before a wait for the page gives up (a deadline, not a measurement)

# Corporate numbers with valid check digits (the demo's).
CORP = {"buyer": "8180001034567", "buyer2": "1180001078901", "supplier": "3180001056789"}
MARKUP = "<img src=x onerror=alert(1)> Seiko KK"


class Failure(AssertionError):
    pass


def expect(cond, message):
    if not cond:
        raise Failure(message)


SOFT = []  # failures recorded by soft_expect: the test fails at its end, the flow goes on


def soft_expect(cond, message):
    """A check whose failure fails the test but lets the flow go on (to reach the later checks
    past a known product bug)."""
    if not cond:
        print("FAILED (continuing): %s" % message, file=sys.stderr, flush=True)
        SOFT.append(message)
    return cond


def expect_eq(got, want, what):
    if got != want:
        raise Failure("%s: got %r, want %r" % (what, got, want))


def on_ci():
    ci = os.environ.get("CI", "")
    return ci not in ("", "false", "0")


def unavailable(what):
    """A tool the tests need is missing: fail on CI, skip (77) elsewhere."""
    if on_ci():
        print("%s: %s is missing on CI: run script/bootstrap --tests" % (prog(), what),
              file=sys.stderr)
        sys.exit(1)
    print("%s: skipping: %s (script/bootstrap --tests installs it)" % (prog(), what),
          file=sys.stderr)
    sys.exit(SKIP)


def prog():
    return os.path.splitext(os.path.basename(sys.argv[0]))[0]


def which(names):
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    return None


def check_tools(axe=False):
    """Skips or fails when a tool is missing; returns (chromium, chromedriver)."""
    for b in (TICSX, HUB):
        if not os.access(b, os.X_OK):
            print("%s: %s is not built: make ticsx ticsx-hub" % (prog(), b), file=sys.stderr)
            sys.exit(1)
    try:
        import selenium
        del selenium
    except ImportError:
        unavailable("python3-selenium (for %s)" % sys.executable)
    chromium = which(["chromium", "chromium-browser", "google-chrome"])
    if chromium is None:
        unavailable("chromium")
    driver = which(["chromedriver"])
    if driver is None:
        unavailable("chromium-driver (chromedriver)")
    if axe and not os.path.isfile(AXE):
        unavailable("axe-core (%s)" % AXE)
    return chromium, driver


class Home:
    def __init__(self, path, name, whoami):
        self.path = path
        self.name = name
        self.fingerprint = whoami["fingerprint"]
        self.key_id = whoami["key_id"]
        self.key = None  # the 64-hex signing key, from /api/orgs or a report

    def secrets(self):
        """The secret parts of identity.key: signing seed, seal and CURVE secret keys."""
        with open(os.path.join(self.path, "identity.key")) as f:
            line = [x for x in f.read().splitlines() if x and not x.startswith("untrusted")][-1]
        raw = base64.b64decode(line)
        # "Tx" | key id (8) | sign sk (64: seed, public) | seal sk (32) | curve sk (32) | sum
        return [raw[10:42], raw[74:106], raw[106:138]], line


class World:
    """A hub and homes in one temporary directory; close() stops everything and removes it."""

    def __init__(self, name):
        self.name = name
        self.root = tempfile.mkdtemp(prefix="ticsx-ui-%s-" % name)
        self.hubdir = os.path.join(self.root, "hub")
        self.hub_log = os.path.join(self.root, "hub.log")
        self.hub = None
        self.endpoint = None
        self.uis = []
        self.browsers = []
        self.servers = []
        self.run([HUB, "init", "--data", self.hubdir])

    def env(self):
        e = dict(os.environ)
        for k in ("TICSX_HOME", "TICSX_HUB", "TICSX_HUB_KEY", "TICSX_NOW", "LANG", "LC_ALL"):
            e.pop(k, None)
        e["LANG"] = "C.UTF-8"
        e["BROWSER"] = "/bin/false"
        return e

    def run(self, argv, ok=(0,), stdin=None):
        r = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=self.env(),
                           timeout=120)
        if r.returncode not in ok:
            raise Failure("%s exited %d\nstdout: %s\nstderr: %s" %
                          (" ".join(argv), r.returncode, r.stdout, r.stderr))
        return r

    def party(self, dirname, name, corp=None, enroll=True):
        path = os.path.join(self.root, dirname)
        argv = [TICSX, "--home", path, "keygen", "--name", name]
        if corp:
            argv += ["--corporate-number", corp]
        self.run(argv)
        if enroll:
            self.run([HUB, "enroll", "--data", self.hubdir, os.path.join(path, "profile.tx")])
        who = json.loads(self.run([TICSX, "--home", path, "--json", "whoami"]).stdout)
        return Home(path, name, who)

    def start_hub(self):
        ep = os.path.join(self.hubdir, "endpoint")
        if os.path.exists(ep):
            os.unlink(ep)
        log = open(self.hub_log, "ab")
        self.hub = subprocess.Popen([HUB, "run", "--data", self.hubdir, "--bind",
                                     "tcp://127.0.0.1:*", "--log-level", "debug"],
                                    stdout=log, stderr=log, env=self.env())
        log.close()
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if os.path.exists(ep) and os.path.getsize(ep) > 0:
                with open(ep) as f:
                    self.endpoint = f.read().strip()
                return
            if self.hub.poll() is not None:
                raise Failure("ticsx-hub run exited %d" % self.hub.returncode)
            time.sleep(0.05)
        raise Failure("ticsx-hub wrote no endpoint within %d s" % WAIT)

    def hub_args(self):
        return ["--hub", self.endpoint, "--hub-key", os.path.join(self.hubdir, "hub.pub")]

    def cli(self, home, *args, json_out=False, ok=(0,), hub=True):
        argv = [TICSX, "--home", home.path] + (self.hub_args() if hub else [])
        if json_out:
            argv.append("--json")
        r = self.run(argv + list(args), ok=ok)
        return json.loads(r.stdout) if json_out else r

    def ui(self, home, hub=True):
        u = Ui(self, home, hub)
        self.uis.append(u)
        return u

    def browser(self, lang="en"):
        b = Browser(self, lang)
        self.browsers.append(b)
        return b

    def dump(self):
        """What helps to see why a test failed: the hub log and every ui's stderr."""
        if os.path.exists(self.hub_log):
            with open(self.hub_log, errors="replace") as f:
                tail = f.read()[-6000:]
            print("---- hub log (tail) ----\n" + tail, file=sys.stderr)
        for u in self.uis:
            print("---- ticsx ui stderr (%s) ----\n%s" % (u.home.name, u.stderr()[-6000:]),
                  file=sys.stderr)
        for b in self.browsers:
            b.dump()

    def close(self):
        """Stops everything and removes the directory; the names of the ticsx ui processes that
        did not stop cleanly (exit status, then standard error printed)."""
        dirty = []
        for b in self.browsers:
            b.quit()
        for s in self.servers:
            s.shutdown()
        for u in self.uis:
            status = u.stop()
            if status != 0:
                dirty.append(u.home.name)
                print("---- ticsx ui (%s) exited %s ----\n%s" % (u.home.name, status,
                                                              u.stderr()[-6000:]),
                      file=sys.stderr)
        if self.hub is not None and self.hub.poll() is None:
            self.hub.send_signal(signal.SIGTERM)
            try:
                self.hub.wait(10)
            except subprocess.TimeoutExpired:
                self.hub.kill()
                self.hub.wait()
        shutil.rmtree(self.root, ignore_errors=True)
        return dirty


class Ui:
    """ticsx ui for one home; url is the first URL with its one-time token."""

    def __init__(self, world, home, hub=True):
        self.world = world
        self.home = home
        self.err_path = os.path.join(world.root, "ui-%s-%d.err" % (os.path.basename(home.path),
                                                                   len(world.uis)))
        argv = [TICSX, "--home", home.path] + (world.hub_args() if hub else [])
        argv += ["ui", "--no-browser", "--port", "0"]
        err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err,
                                     stdin=subprocess.DEVNULL, env=world.env(), text=True)
        err.close()
        lines = queue.Queue()

        def reader():
            for line in self.proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=reader, daemon=True).start()
        self.url = None
        deadline = time.monotonic() + WAIT
        while self.url is None:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise Failure("ticsx ui printed no URL within %d s" % WAIT)
            if line is None:
                raise Failure("ticsx ui exited (%s) before printing its URL: %s" %
                              (self.proc.wait(), self.stderr()))
            if line.startswith("http://127.0.0.1:"):
                self.url = line.strip()
        m = re.match(r"http://127\.0\.0\.1:(\d+)(/.*)?$", self.url)
        expect(m is not None, "ticsx ui printed an unexpected URL: %r" % self.url)
        self.port = int(m.group(1))
        self.origin = "http://127.0.0.1:%d" % self.port
        self.host = "127.0.0.1:%d" % self.port

    def stderr(self):
        try:
            with open(self.err_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        """Stops it with SIGTERM; its exit status (0 for a clean stop; a sanitizer's report or a
        crash makes it non-zero), -9 when it had to be killed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return -9
        return self.proc.returncode

    def raw(self, method, path, body=None, headers=None):
        """One HTTP request to the ui, exactly as given: (status, headers dict, body bytes)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            h = {"Host": self.host}
            h.update(headers or {})
            for k, v in h.items():
                if v is not None:
                    c.putheader(k, v)
            data = body.encode() if isinstance(body, str) else body
            if data is not None:
                c.putheader("Content-Length", str(len(data)))
            c.endheaders(data)
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            c.close()


class Api:
    """The ui's API as the page calls it, with a session cookie taken from a browser."""

    def __init__(self, ui, cookie):
        self.ui = ui
        self.cookie = cookie
        st, _, body = self.call("GET", "/api/session")
        expect_eq(st, 200, "GET /api/session with the page's cookie")
        self.session = json.loads(body)
        self.csrf = self.session["csrf"]

    def call(self, method, path, obj=None, headers=None):
        h = {"Cookie": "ticsx_session=" + self.cookie}
        if method == "POST":
            h.update({"Origin": self.ui.origin, "X-CSRF-Token": getattr(self, "csrf", None),
                      "Content-Type": "application/json"})
        h.update(headers or {})
        body = json.dumps(obj) if obj is not None else None
        return self.ui.raw(method, path, body, h)

    def get(self, path):
        st, _, body = self.call("GET", path)
        expect(st == 200, "GET %s: %d %s" % (path, st, body[:300]))
        return json.loads(body)

    def post(self, path, obj):
        st, _, body = self.call("POST", path, obj)
        expect(st == 200, "POST %s: %d %s" % (path, st, body[:300]))
        return json.loads(body)


class Browser:
    """Headless Chromium through chromedriver, with its own profile."""

    def __init__(self, world, lang="en"):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        chromium, driver = check_tools()
        self.world = world
        self.profile = tempfile.mkdtemp(prefix="profile-", dir=world.root)
        o = webdriver.ChromeOptions()
        o.binary_location = chromium
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--window-size=1280,900", "--user-data-dir=" + self.profile,
                  "--lang=" + ("ja-JP" if lang == "ja" else "en-US"),
                  "--no-first-run", "--no-default-browser-check", "--disable-extensions"):
            o.add_argument(a)
        o.add_experimental_option("prefs", {"intl.accept_languages":
                                            "ja,en" if lang == "ja" else "en-US,en"})
        o.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.d = webdriver.Chrome(service=Service(driver), options=o)
        self.d.set_page_load_timeout(WAIT)
        self.console = []
        self.perf = []

    def quit(self):
        try:
            self.d.quit()
        except Exception:
            pass

    def dump(self):
        try:
            print("---- browser at %s ----" % self.d.current_url, file=sys.stderr)
            print(self.d.execute_script("return document.body ? document.body.innerText : ''")
                  [:3000], file=sys.stderr)
            for e in self.logs():
                print("console: %s" % e.get("message"), file=sys.stderr)
        except Exception as e:
            print("(browser state unavailable: %s)" % e, file=sys.stderr)

    def logs(self):
        try:
            self.console += self.d.get_log("browser")
        except Exception:
            pass
        return self.console

    def requested_urls(self):
        """Every URL the page requested so far (from the performance log)."""
        try:
            self.perf += self.d.get_log("performance")
        except Exception:
            pass
        urls = []
        for e in self.perf:
            m = json.loads(e["message"])["message"]
            if m.get("method") == "Network.requestWillBeSent":
                urls.append(m["params"]["request"]["url"])
        return urls

    def open(self, url):
        self.d.get(url)

    # The page's hooks: data-t="name".
    def all(self, name, within=None):
        from selenium.webdriver.common.by import By
        return (within or self.d).find_elements(By.CSS_SELECTOR, '[data-t="%s"]' % name)

    def css(self, selector, within=None):
        from selenium.webdriver.common.by import By
        return (within or self.d).find_elements(By.CSS_SELECTOR, selector)

    def until(self, what, fn, timeout=WAIT):
        """Waits until fn() returns something true and returns it; fails with `what`."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                v = fn()
                if v:
                    return v
            except Exception as e:  # the page is re-rendering
                last = e
            if time.monotonic() > deadline:
                errs = [x.text for x in self.all("error") if x.is_displayed()]
                raise Failure("waited %d s for %s%s%s" % (timeout, what,
                              "; page error: %s" % errs if errs else "",
                              "; last exception: %s" % last if last else ""))
            time.sleep(0.1)

    def t(self, name, within=None, visible=True):
        """The first (visible) element with data-t=name, waiting for it."""
        def find():
            for e in self.all(name, within):
                if not visible or e.is_displayed():
                    return e
            return None
        return self.until('[data-t="%s"]' % name, find)

    def click(self, name, within=None):
        e = self.t(name, within)
        self.until('[data-t="%s"] enabled' % name, lambda: e.is_enabled())
        self.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", e)
        e.click()
        return e

    def confirm(self):
        """Accepts the page's confirm dialog; returns its text."""
        text = self.t("confirm-text").text
        self.click("confirm-ok")
        return text

    def set_value(self, el, value):
        self.d.execute_script(
            "arguments[0].value = arguments[1];"
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
            "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", el, value)

    def type(self, el, text):
        el.clear()
        el.send_keys(text)

    def cookie(self):
        for c in self.d.get_cookies():
            if c["name"] == "ticsx_session":
                return c["value"]
        raise Failure("the browser has no ticsx_session cookie")

    def alert_text(self):
        try:
            a = self.d.switch_to.alert
            t = a.text
            a.dismiss()
            return t
        except Exception:
            return None

    def html_lang(self):
        return self.d.execute_script("return document.documentElement.lang")

    def axe(self, where):
        """axe-core in the page: returns the violations; fails on serious or critical ones,
        printing every violation found."""
        with open(AXE) as f:
            src = f.read()
        self.d.execute_script(src)
        self.d.set_script_timeout(120)
        res = self.d.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(function (r) { done({violations: r.violations, passes: r.passes.length,"
            " url: location.href}); })"
            ".catch(function (e) { done({error: String(e)}); });")
        expect(isinstance(res, dict) and "violations" in res,
               "axe-core failed on %s: %r" % (where, res))
        print("axe %s (%s): %d rules passed, %d violated" % (
            where, res["url"], res["passes"], len(res["violations"])), file=sys.stderr)
        expect(res["passes"] >= 10, "axe-core checked almost nothing on %s" % where)
        res = res["violations"]
        bad = []
        for v in res:
            nodes = ["%s %s" % (", ".join(n.get("target", [])), (n.get("failureSummary") or "")
                                .replace("\n", " ")[:200]) for n in v["nodes"][:5]]
            print("axe %s: %s %s: %s\n    %s" % (where, v["impact"], v["id"], v["help"],
                                                "\n    ".join(nodes)), file=sys.stderr)
            if v["impact"] in ("serious", "critical"):
                bad.append(v["id"])
        expect(not bad, "axe-core on %s: serious or critical violations: %s" % (where, bad))
        return res

    def shot(self, name, full=True):
        """With TX_UI_SCREENSHOTS=DIR, saves DIR/NAME.png at 1280 wide."""
        out = os.environ.get("TX_UI_SCREENSHOTS")
        if not out:
            return None
        return save_shot(self, os.path.join(out, name + ".png"), full)


def save_shot(b, path, full=True):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    h = 900
    if full:
        h = b.d.execute_script("return Math.max(document.documentElement.scrollHeight,"
                               " document.body ? document.body.scrollHeight : 0)")
        h = max(700, min(int(h or 900), 2400))
    b.d.set_window_size(1280, h)
    b.d.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.3)  # layout after the resize; only the picture depends on it
    b.d.save_screenshot(path)
    b.d.set_window_size(1280, 900)
    return path


def member(w, org, dirname, name, role):
    """A person's home (keygen --member-of) named by the organisation with `role`."""
    path = os.path.join(w.root, dirname)
    w.run([TICSX, "--home", path, "keygen", "--name", name, "--member-of",
           os.path.join(org.path, "profile.tx")])
    w.cli(org, "member", "add", "--name", name, "--role", role, "--key",
          os.path.join(path, "identity.pub"))
    who = json.loads(w.run([TICSX, "--home", path, "--json", "whoami"]).stdout)
    h = Home(path, name, who)
    w.cli(h, "fetch")
    return h


def login(world, home, hub=True, lang="en"):
    """Starts ticsx ui for home, opens its URL in a new browser; returns (ui, browser, api)."""
    u = world.ui(home, hub)
    b = world.browser(lang)
    b.open(u.url)
    b.until("the session cookie", lambda: [c for c in b.d.get_cookies()
                                           if c["name"] == "ticsx_session"])
    return u, b, Api(u, b.cookie())


def answers_file(world, home, request, profile="strong", comment=None, subs=None):
    """A JSON answers file for `request` with the questionnaire's items, deterministic."""
    q = world.cli(home, "questionnaire", "show", "tics-selfcheck", json_out=True)
    answers = []
    for i, it in enumerate(q["items"]):
        answers.append({"item": it["id"], "answer": pick(profile, i)})
    if comment:
        answers[0]["comment"] = comment
    path = os.path.join(home.path, "answers-%s.json" % request[:8])
    with open(path, "w") as f:
        json.dump({"answers": answers, "suppliers": subs or []}, f)
    return path


def pick(profile, i):
    """The answer a deterministic profile gives to item number i."""
    if profile == "strong":
        return "na" if i % 11 == 10 else ("partly" if i % 4 == 3 else "yes")
    return ["yes", "partly", "no", "no", "partly"][i % 5]


def report_doc(world, home, *args):
    """The one questionnaire's document of `report --json` ({"generated", "reports": [doc]})."""
    out = world.cli(home, "report", *args, json_out=True, ok=(0, 1))
    if len(out["reports"]) != 1:
        raise Failure("report --json of %s: %d documents, one expected"
                      % (home.name, len(out["reports"])))
    return out["reports"][0]


def report_row(world, home, key):
    doc = report_doc(world, home)
    for r in doc["suppliers"]:
        if r["key"] == key:
            return r
    raise Failure("report --json of %s has no row for %s" % (home.name, key[:16]))


def number(text):
    m = re.search(r"-?\d+(?:\.\d+)?", text or "")
    return float(m.group(0)) if m else None


def main(setup, tests, stop_on_failure=True, axe=False):
    """Runs setup(world) then each test(ctx) in order; prints RUN/OK/FAILED lines like cmocka,
    dumps the logs on a failure, always cleans up. Exit 0, 1 or 77."""
    check_tools(axe)
    only = os.environ.get("TX_TEST_FILTER") or os.environ.get("CMOCKA_TEST_FILTER")
    world = World(prog())
    failed = []
    ran = 0
    try:
        try:
            ctx = setup(world)
        except Exception:
            traceback.print_exc()
            world.dump()
            print("[  FAILED  ] setup", file=sys.stderr)
            return 1
        for t in tests:
            if only and only not in t.__name__:
                continue
            print("[ RUN      ] %s" % t.__name__, flush=True)
            ran += 1
            try:
                del SOFT[:]
                t(ctx)
                if SOFT:
                    e = Failure("%d check(s) failed:\n  %s" % (len(SOFT), "\n  ".join(SOFT)))
                    e.soft = True  # the flow went on: the next tests may run
                    raise e
                print("[       OK ] %s" % t.__name__, flush=True)
            except Exception as e:
                traceback.print_exc()
                world.dump()
                print("[  FAILED  ] %s" % t.__name__, flush=True)
                failed.append(t.__name__)
                if stop_on_failure and not getattr(e, "soft", False):
                    break
    finally:
        dirty = world.close()
    if dirty:
        # Under the sanitizers a leak or an error shows only in ticsx ui's exit status.
        failed.append("ticsx ui stopped uncleanly: " + ", ".join(dirty))
    if failed:
        print("[  FAILED  ] %d test(s): %s" % (len(failed), ", ".join(failed)), flush=True)
        return 1
    print("[  PASSED  ] %d test(s)" % ran, flush=True)
    return 0


# ---- Driving the pages (shared by the flows and script/screenshots) ----

HEX64 = re.compile(r"\b[0-9a-f]{64}\b")


def visible(b, name):
    return [e for e in b.all(name) if e.is_displayed()]


def builtin_ref(api):
    qs = api.get("/api/questionnaires")["questionnaires"]
    refs = [q["ref"] for q in qs if q.get("builtin")]
    expect(refs, "no built-in questionnaire in /api/questionnaires: %r" % qs)
    return refs[0]


def choose(b, els, value):
    """Picks `value` in a select or among radios/options carrying data-t."""
    from selenium.webdriver.support.ui import Select
    if els[0].tag_name == "select":
        s = Select(els[0])
        vals = [o.get_attribute("value") for o in s.options]
        expect(value in vals, "no option %r in the select (%r)" % (value, vals))
        s.select_by_value(value)
        return
    for e in els:
        if e.get_attribute("value") == value:
            b.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", e)
            e.click()
            return
    raise Failure("no choice %r among %r" % (value, [e.get_attribute("value") for e in els]))


def wizard(b, ref, fingerprints, due, note=None, shot=None, depth=None):
    """The request wizard: questionnaire, suppliers, due date; returns the request id."""
    b.click("nav-requests")
    b.click("new-request")
    done = set()
    for step in range(8):
        b.until("a wizard step", lambda: visible(b, "wiz-next") or visible(b, "wiz-send"))
        q = visible(b, "wiz-questionnaire")
        if q and "q" not in done:
            choose(b, q, ref)
            done.add("q")
        s = visible(b, "wiz-supplier")
        if s and "s" not in done:
            values = [e.get_attribute("value") for e in s]
            for fp in fingerprints:
                expect(fp in values, "wiz-supplier has no %s (%r)" % (fp, values))
            for e in s:
                if e.is_selected() != (e.get_attribute("value") in fingerprints):
                    b.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", e)
                    e.click()
            done.add("s")
        d = visible(b, "wiz-due")
        if d and "d" not in done:
            b.set_value(d[0], due)
            done.add("d")
        dp = visible(b, "wiz-depth")
        if dp and depth and "p" not in done:
            choose(b, dp, str(depth))
            done.add("p")
        n = visible(b, "wiz-note")
        if n and note and "n" not in done:
            b.type(n[0], note)
            done.add("n")
        if shot:
            b.shot("%s-wizard-%d" % (shot, step))
        if visible(b, "wiz-send"):
            expect({"q", "s", "d"} <= done, "the wizard offers to send before all was asked "
                   "(%s)" % sorted(done))
            b.click("wiz-send")
            break
        before = [e.id for e in visible(b, "wiz-next")]
        b.click("wiz-next")
        b.until("the next wizard step",
                lambda: [e.id for e in visible(b, "wiz-next")] != before or visible(b, "wiz-send"))
    rid = b.until("the new request's id", lambda: HEX64.search(b.t("request-id").text))
    return rid.group(0)


def fill_answers(b, answers, comments=None, subs=None):
    """Fills the answer form: answers {item: code}, comments {item: text}, subs [(name,
    supplies, key)]. The first few choices are clicked as a user does, the rest by script."""
    b.until("the questionnaire's items", lambda: b.all("item"))
    for i, (item, code) in enumerate(answers.items()):
        radios = b.css('input[name="a-%s"][value="%s"]' % (item, code))
        expect(radios, "no radio a-%s=%s in the form" % (item, code))
        r = radios[0]
        if i < 4 and r.is_displayed():
            b.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", r)
            r.click()
        else:
            b.d.execute_script("arguments[0].click()", r)
    for item, text in (comments or {}).items():
        fs = b.css('[data-t="item"][data-item="%s"]' % item)
        expect(fs, "no item %s in the form" % item)
        c = b.all("comment", fs[0])
        expect(c, "item %s has no comment field" % item)
        if c[0].is_displayed():
            b.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", c[0])
            b.type(c[0], text)
        else:
            b.set_value(c[0], text)
    for name, supplies, key in subs or []:
        n0 = len(b.all("sub-name"))
        b.click("sub-add")
        b.until("a new sub-supplier row", lambda: len(b.all("sub-name")) > n0)
        b.type(b.all("sub-name")[-1], name)
        b.type(b.all("sub-supplies")[-1], supplies)
        b.type(b.all("sub-key")[-1], key)


def review_and_send(b):
    """Review, then sign and send (accepting a confirm dialog); returns the assessment id."""
    b.click("review")
    b.click("sign-send")
    if b.until("sent or a confirm dialog",
               lambda: visible(b, "confirm-ok") or visible(b, "assessment-id")) and \
            visible(b, "confirm-ok"):
        b.confirm()
    aid = b.until("the assessment id", lambda: HEX64.search(b.t("assessment-id").text))
    return aid.group(0)


def profile_answers(world, home, profile="strong"):
    q = world.cli(home, "questionnaire", "show", "tics-selfcheck", json_out=True, hub=False)
    return {it["id"]: pick(profile, i) for i, it in enumerate(q["items"])}


def org_key(api, fingerprint):
    for o in api.get("/api/orgs")["orgs"]:
        if o["fingerprint"] == fingerprint:
            return o["key"]
    raise Failure("/api/orgs has no %s" % fingerprint)


def row_of(b, key):
    rows = b.css('[data-t="supplier-row"][data-key="%s"]' % key)
    shown = [r for r in rows if r.is_displayed()]
    return (shown or rows or [None])[0]


def fetch_until(b, what, cond):
    """Clicks fetch on the dashboard until cond() holds (the hub has it at once; a click
    while the page is busy is ignored)."""
    b.click("nav-dashboard")
    b.click("fetch")
    return b.until(what, cond)


def demo_world(w):
    """A buyer with three suppliers answered by the CLI (one listing a sub-supplier that shares
    with the buyer), one supplier with an open request: data for the pages' screenshots and
    the accessibility checks. Returns a dict of homes and ids."""
    c = {"w": w}
    c["buyer"] = w.party("buyer", "Tokai Motors", CORP["buyer"])
    c["sup"] = w.party("supplier", "Mikawa Precision", CORP["supplier"])
    c["sup2"] = w.party("supplier2", "Nagoya Electronics", CORP["buyer2"])
    c["sub"] = w.party("tier2", "Okazaki Plating")
    c["open"] = w.party("supplier3", "Anjo Wiring")
    w.start_hub()
    # Mikawa Precision declares its ISMS certificate with a scan (every answer includes it);
    # the buyer accepts a declared ISMS certificate or a valid or listed TICS one.
    c["isms_pdf"] = os.path.join(c["sup"].path, "isms-ui.pdf")
    with open(c["isms_pdf"], "wb") as f:
        f.write(b"%PDF-1.4\n% demo scan of ISMS certificate IS-UI-0001\n%%EOF\n")
    w.cli(c["sup"], "credential", "add", "--scheme", "isms", "--number", "IS-UI-0001", "--body",
          "Demo ISMS Registrar", "--standard", "ISO/IEC 27001:2022", "--scope", "Head office",
          "--issued", "2025-01-10", "--expires", "2028-01-09", "--document", c["isms_pdf"])
    w.cli(c["buyer"], "policy", "set", "--accept", "isms:declared", "--accept",
          "tics:valid,listed", "--name", "UI demo")
    req = w.cli(c["buyer"], "-q", "request", "--questionnaire", "tics-selfcheck", "--to",
                ",".join(h.fingerprint for h in (c["sup"], c["sup2"], c["open"])), "--depth",
                "2").stdout.strip()
    c["req"] = req
    subs = [{"name": "Okazaki Plating", "supplies": "plating", "key": "Okazaki Plating"}]
    c["aid"] = w.cli(c["sup"], "-q", "answer", req, "--file",
                     answers_file(w, c["sup"], req, "strong", "ISMS certified since 2024", subs)
                     ).stdout.strip()
    w.cli(c["sup2"], "answer", req, "--file", answers_file(w, c["sup2"], req, "weak"))
    fwd = w.cli(c["sup"], "-q", "forward", req).stdout.strip()
    w.cli(c["sub"], "answer", fwd, "--file", answers_file(w, c["sub"], fwd, "strong"),
          "--also-grant-origin")
    w.cli(c["buyer"], "fetch")
    # An open request for the supplier's inbox and answer form.
    c["req2"] = w.cli(c["buyer"], "-q", "request", "--questionnaire", "tics-selfcheck", "--to",
                      c["sup"].fingerprint, "--due", "2027-03-31").stdout.strip()
    return c


def open_supplier(b, row):
    """Opens the supplier page from a dashboard row (its name is the link); row: the element
    or the supplier's key (found again when the dashboard redraws meanwhile)."""
    key = row if isinstance(row, str) else row.get_attribute("data-key")

    def go():
        r = row_of(b, key)
        link = b.css("a", r) if r else []
        if not link or not link[0].is_displayed():
            return False
        b.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", link[0])
        link[0].click()
        return True
    b.until("a link to the supplier page of %s" % key[:16], go)
    return b.t("radar")


def response_statuses(b, prefix, urls=False):
    """HTTP statuses of the responses the browser got for URLs starting with prefix (with
    urls: (url, status) pairs)."""
    try:
        b.perf += b.d.get_log("performance")
    except Exception:
        pass
    out = []
    for e in b.perf:
        m = json.loads(e["message"])["message"]
        if m.get("method") == "Network.responseReceived":
            r = m["params"]["response"]
            if r["url"].startswith(prefix):
                out.append((r["url"], r["status"]) if urls else r["status"])
    return out
