#!/usr/bin/python3
"""The self-check without a hub (a small company's first look): ticsx ui started with no hub
key, a few answers in the browser, the live score as the library computes it, a draft saved
in the home (0600 in a 0700 directory), kept after a reload."""

import os
import stat
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uitest import expect, expect_eq, fill_answers, login, number, main  # noqa: E402

ANSWERS = {"A1-01": "yes", "A1-02": "partly", "A2-01": "no", "A3-01": "na", "A4-01": "yes"}


def setup(w):
    c = {"w": w}
    c["home"] = w.party("alone", "Toyohashi Metal Works", enroll=False)
    c["ui"], c["b"], c["api"] = login(w, c["home"], hub=False)
    return c


def test_no_hub(c):
    s = c["api"].session
    expect_eq(s["hub"]["configured"], False, "/api/session hub.configured without a hub key")
    st = c["b"].t("hub-status", visible=False)
    expect(st is not None, "no hub-status element")


def test_live_score(c):
    b, api = c["b"], c["api"]
    b.click("nav-selfcheck")
    b.until("the self-check form", lambda: b.all("item"))
    expect(len(b.all("item")) >= 60, "the self-check shows %d items" % len(b.all("item")))
    before = b.t("live-score").text
    fill_answers(b, ANSWERS, {"A1-02": "ISMS規程は改訂中"})
    want = api.post("/api/score", {"questionnaire": "tics-selfcheck",
                                   "answers": [{"item": k, "answer": v}
                                               for k, v in ANSWERS.items()]})
    expect(want["overall"] is not None, "/api/score gave no overall")
    b.until("the live score %.1f (was %r)" % (want["overall"], before),
            lambda: number(b.t("live-score").text) == want["overall"])
    b.until("the live radar (svg, with shapes)", lambda: b.t("radar").tag_name == "svg"
            and b.css("polygon, path, polyline", b.t("radar")))
    b.shot("en-selfcheck")


def test_draft_kept(c):
    b, api, home = c["b"], c["api"], c["home"]
    b.click("save-draft")
    # "Saving…" shows before the draft is written: wait for the saved state itself.
    b.until("the draft saved",
            lambda: b.t("draft-status").get_attribute("data-state") == "saved")
    drafts = api.get("/api/drafts")["drafts"]
    expect_eq(len(drafts), 1, "drafts after saving")
    d = api.get("/api/drafts/" + drafts[0]["id"])
    got = {a["item"]: a["answer"] for a in d["answers"] if a.get("answer")}
    expect_eq(got, ANSWERS, "the saved draft's answers")
    ddir = os.path.join(home.path, "drafts")
    expect_eq(stat.S_IMODE(os.stat(ddir).st_mode), 0o700, "drafts/ mode")
    files = os.listdir(ddir)
    expect(files, "no draft file in the home")
    for f in files:
        expect_eq(stat.S_IMODE(os.stat(os.path.join(ddir, f)).st_mode), 0o600, f + " mode")
    b.d.refresh()
    b.click("nav-selfcheck")

    def kept():
        for item, code in ANSWERS.items():
            r = b.css('input[name="a-%s"][value="%s"]' % (item, code))
            if not r or not r[0].is_selected():
                return False
        return True
    b.until("the answers kept after a reload", kept)
    com = b.css('[data-t="item"][data-item="A1-02"] [data-t="comment"]')
    expect(com and com[0].get_attribute("value") == "ISMS規程は改訂中",
           "the comment was not kept")


def test_stops_cleanly(c):
    ui = c["ui"]
    ui.stop()
    expect_eq(ui.proc.returncode, 0, "ticsx ui's exit status after SIGTERM")
    st = c["b"].d.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch('/api/session').then(function (r) { done('status ' + r.status); })"
        ".catch(function () { done('refused'); });")
    expect_eq(st, "refused", "the page's call after ticsx ui stopped")


if __name__ == "__main__":
    sys.exit(main(setup, [test_no_hub, test_live_score, test_draft_kept, test_stops_cleanly]))
