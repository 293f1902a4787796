#!/usr/bin/python3
"""Two officers for grants to new buyers in the UI: the organisation's own home turns the setting
on from the Grants to approve page (signed with its key; a member's home cannot, and is told
which home does); an officer answers a buyer's request in the browser and the sent page says the
grant waits for a second officer; the same officer shares the assessment with a second new buyer
from the assessments page, and reuses it for a third buyer's request from the inbox, and is told
the same each time; that officer sees the grants as its own, with no approve button, and the API
refuses its approval (called anyway); a viewer sees them and may not decide (403); a second
officer approves one and rejects another, and only the first buyer then receives the assessment;
the third still waits. The page in English and Japanese, with axe."""

import os
import re
import signal
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uitest import (CORP, HEX64, TICSX, choose, expect, expect_eq, fill_answers, login, main,  # noqa
                    member, org_key, profile_answers, visible)


def setup(w):
    c = {"w": w}
    c["buyer"] = w.party("buyer", "Tokai Motors", CORP["buyer"])
    c["buyer2"] = w.party("buyer2", "Chita Auto Body", CORP["buyer2"])
    c["buyer3"] = w.party("buyer3", "Okazaki Seiki")
    c["sup"] = w.party("supplier", "Mikawa Precision", CORP["supplier"])
    w.start_hub()
    c["sato"] = member(w, c["sup"], "sato", "Sato Hanako", "officer")
    c["kato"] = member(w, c["sup"], "kato", "Kato Ken", "officer")
    c["ito"] = member(w, c["sup"], "ito", "Ito Ken", "viewer")
    req = w.cli(c["buyer"], "request", "--questionnaire", "tics-selfcheck", "--to",
                c["sup"].fingerprint, json_out=True)
    c["rid"] = req.get("request") or req.get("id")
    expect(c["rid"], "request --json gave no id: %r" % req)
    req = w.cli(c["buyer3"], "request", "--questionnaire", "tics-selfcheck", "--to",
                c["sup"].fingerprint, json_out=True)
    c["rid3"] = req.get("request") or req.get("id")
    return c


def grants_page(b):
    b.click("nav-grants")
    return b.t("grants-setting")


def waiting_rows(b, n):
    return b.until("%d grants waiting" % n, lambda: len(b.all("waiting-grant")) == n and
                   b.all("waiting-grant") or (n == 0 and b.all("grants-empty")))


def fetched(w, home):
    return len(w.cli(home, "fetch", "--json", json_out=True)["assessments"])


def test_organisation_turns_it_on(c):
    w = c["w"]
    _, b, api = login(w, c["sup"])
    card = grants_page(b)
    expect_eq(b.t("two-officers", card).get_attribute("data-on"), "false", "the setting at first")
    expect_eq(api.get("/api/grants")["may_set"], True, "may_set in the organisation's home")
    b.axe("the grants page, setting off (en)")
    b.click("two-officers-switch", card)
    b.confirm()
    b.until("the setting on", lambda: b.t("two-officers").get_attribute("data-on") == "true")
    out = w.cli(c["sato"], "grants", "settings").stdout
    expect("two officers for grants to new buyers: on" in out,
           "grants settings after the page's switch: %r" % out)


def test_member_home_cannot_switch(c):
    w = c["w"]
    _, b, api = login(w, c["kato"])
    c["kb"], c["kapi"] = b, api
    card = grants_page(b)
    expect_eq(b.t("two-officers", card).get_attribute("data-on"), "true", "the setting (kato)")
    expect("ticsx grants settings" in b.t("two-officers-how", card).text,
           "the member's page does not name the command")
    expect(not visible(b, "two-officers-switch"), "a member's home is offered the switch")
    st, _, raw = api.call("POST", "/api/grants/settings", {"two_officers": False})
    expect(st == 400 and b"organisation" in raw,
           "switching from a member's home: want 400, got %d %s" % (st, raw[:300]))
    b.t("grants-empty")


def test_officer_grants_wait(c):
    w, rid = c["w"], c["rid"]
    _, b, api = login(w, c["sato"])
    c["sb"], c["sapi"] = b, api
    b.click("nav-inbox")
    el = b.until("the request in the officer's inbox",
                 lambda: b.css('[data-t="inbox-request"][data-id="%s"]' % rid))[0]
    b.click("answer", el)
    fill_answers(b, profile_answers(w, c["sup"], "strong"))
    b.click("review")
    b.click("sign-send")
    if b.until("sent or a confirm dialog",
               lambda: visible(b, "confirm-ok") or visible(b, "sent")) and \
            visible(b, "confirm-ok"):
        b.confirm()
    c["aid"] = b.until("the assessment's id",
                       lambda: HEX64.search(b.t("assessment-id").text)).group(0)
    note = b.t("sent-waiting")
    expect("second officer" in note.text and "Tokai Motors" in note.text,
           "the sent page's note reads %r" % note.text)
    expect_eq(fetched(w, c["buyer"]), 0, "assessments the first buyer fetched before approval")
    # Shared with a second new buyer from the assessments page: it waits too.
    b.click("nav-assessments")
    card = b.until("the assessment", lambda: b.css('[data-t="assessment"][data-id="%s"]'
                                                   % c["aid"]))[0]
    choose(b, [b.t("grant-to", card)], c["buyer2"].fingerprint)
    b.click("grant", card)
    b.confirm()
    notice = b.until("the waiting notice", lambda: "second officer" in b.t("notice").text and
                     b.t("notice"))
    expect("Chita Auto Body" in notice.text, "the grant's notice reads %r" % notice.text)
    # Reused for the third buyer's request: it waits too.
    b.click("nav-inbox")
    el = b.until("the third buyer's request", lambda: b.css(
        '[data-t="inbox-request"][data-id="%s"]' % c["rid3"]))[0]
    b.click("reuse", el)
    b.confirm()
    b.until("the reuse's waiting notice", lambda: "Okazaki Seiki" in b.t("notice").text and
            "second officer" in b.t("notice").text)
    # All are its own: listed, no approve button, refused when called anyway.
    grants_page(b)
    rows = waiting_rows(b, 3)
    expect(all(b.all("grant-mine", r) for r in rows), "a row is not marked as the officer's own")
    expect(not b.all("grant-approve"), "the granting officer is offered an approval")
    d = api.get("/api/grants")
    c["waiting"] = {x["grantee"]["fingerprint"]: x["grant"] for x in d["waiting"]}
    expect_eq(sorted(c["waiting"]), sorted([c["buyer"].fingerprint, c["buyer2"].fingerprint,
                                            c["buyer3"].fingerprint]), "the grantees waiting")
    expect(all(x["mine"] and x["granted_by"] == "Sato Hanako" for x in d["waiting"]),
           "/api/grants for the officer who granted: %r" % d["waiting"])
    st, _, raw = api.call("POST", "/api/grants/approve",
                          {"grant": c["waiting"][c["buyer"].fingerprint]})
    expect(st == 409, "approving one's own grant: want 409, got %d %s" % (st, raw[:300]))
    expect_eq(fetched(w, c["buyer"]), 0, "assessments the first buyer fetched after a refusal")


def test_viewer_may_not_decide(c):
    w = c["w"]
    _, b, api = login(w, c["ito"])
    grants_page(b)
    waiting_rows(b, 3)
    expect(not b.all("grant-approve") and not b.all("grant-reject"),
           "a viewer is offered a decision")
    expect_eq(api.get("/api/grants")["may_decide"], False, "may_decide for a viewer")
    for path in ("/api/grants/approve", "/api/grants/reject"):
        st, _, raw = api.call("POST", path, {"grant": c["waiting"][c["buyer"].fingerprint]})
        expect(st == 403 and b"viewer" in raw,
               "POST %s as a viewer: want 403, got %d %s" % (path, st, raw[:300]))


def watch_ja(w, home):
    """`ticsx watch --lang ja` in home, once it watches (its ready line read)."""
    p = subprocess.Popen([TICSX, "--home", home.path, "--lang", "ja"] + w.hub_args() +
                         ["watch", "--for", "300"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=w.env())
    ready = p.stderr.readline()
    expect("ctrl-c" in ready, "watch did not start: %r" % ready)
    return p


def test_second_officer_decides(c):
    w, b = c["w"], c["kb"]
    # Sato's page stays open on the grants: another officer's decisions reach it live.
    sb = c["sb"]
    grants_page(sb)
    waiting_rows(sb, 3)
    sb.d.execute_script("window.txNotReloaded = true")
    watch = watch_ja(w, c["sato"])
    # Another organisation's setting (public, so pushed to Sato's watch too) is not its news.
    w.cli(c["buyer"], "grants", "settings", "--two-officers", "on")
    b.d.refresh()
    grants_page(b)
    rows = waiting_rows(b, 3)
    expect(all("Sato Hanako" in r.text for r in rows), "a row does not name who granted")
    b.axe("the grants waiting (en)")
    first = b.css('[data-t="waiting-grant"][data-id="%s"]' % c["waiting"][c["buyer"].fingerprint])
    b.click("grant-approve", first[0])
    b.confirm()
    waiting_rows(b, 2)
    second = b.css('[data-t="waiting-grant"][data-id="%s"]'
                   % c["waiting"][c["buyer2"].fingerprint])
    b.click("grant-reject", second[0])
    b.confirm()
    rows = waiting_rows(b, 1)
    expect_eq(b.d.find_element("id", "gw-h").text, "1 grant waiting", "the count's heading")
    expect_eq(rows[0].get_attribute("data-id"), c["waiting"][c["buyer3"].fingerprint],
              "the grant still waiting")
    live = waiting_rows(sb, 1)
    expect(sb.d.execute_script("return window.txNotReloaded === true"), "Sato's page reloaded")
    expect_eq(live[0].get_attribute("data-id"), c["waiting"][c["buyer3"].fingerprint],
              "the grant still waiting on Sato's page")
    sb.until("the live notice", lambda: "Kato Ken" in sb.t("notice").text)
    watch.send_signal(signal.SIGTERM)
    out, err = watch.communicate(timeout=60)
    expect(re.search(r"^共有の承認 [0-9a-f]{12} を Kato Ken が行いました$", out, re.M) and
           re.search(r"^共有の取消し [0-9a-f]{12} に Kato Ken が署名しました$", out, re.M),
           "ticsx watch in Sato's home printed %r (stderr %r)" % (out, err))
    expect("設定" not in out, "another organisation's setting shown as news: %r" % out)
    expect_eq(fetched(w, c["buyer"]), 1, "assessments the first buyer fetched after approval")
    expect_eq(fetched(w, c["buyer2"]), 0, "assessments the rejected buyer fetched")
    # The buyer's supplier page tells the approval as `ticsx history` does: who approved; and
    # the answer and grant an officer signed for the supplier.
    _, _, bapi = login(w, c["buyer"])
    story = bapi.get("/api/supplier/" + org_key(bapi, c["sup"].fingerprint))["history"]
    approved = [e for e in story if e["event"] == "approved"]
    expect(len(approved) == 1 and "Kato Ken" in approved[0]["detail"] and
           c["waiting"][c["buyer"].fingerprint][:12] in approved[0]["detail"],
           "the buyer's supplier history: %r" % story)
    events = [e["event"] for e in story]
    expect("answered" in events and "granted" in events,
           "the officer's answer and grant in the buyer's supplier history: %r" % events)
    hist = w.cli(c["kato"], "history", "--fetch", "--json", json_out=True)["events"]
    kinds = {e["kind"]: e for e in hist}
    expect("approved" in kinds and kinds["approved"]["actor"]["member"] == "Kato Ken" and
           "rejected" in kinds, "the history after the page's decisions: %r" % sorted(kinds))


def test_japanese(c):
    w = c["w"]
    _, b, api = login(w, c["kato"], lang="ja")
    card = grants_page(b)
    expect("2 人目の責任者" in b.css("main h1")[0].text, "the Japanese title: %r"
           % b.css("main h1")[0].text)
    expect("必要" in b.t("two-officers", card).text, "the setting in Japanese")
    waiting_rows(b, 1)
    expect_eq(b.d.find_element("id", "gw-h").text, "承認待ちの共有 1 件", "the Japanese count")
    expect(b.all("grant-approve") and "承認" in b.t("grant-approve").text,
           "the approve button in Japanese")
    b.axe("the grants page (ja)")


if __name__ == "__main__":
    sys.exit(main(setup, [test_organisation_turns_it_on, test_member_home_cannot_switch,
                          test_officer_grants_wait, test_viewer_may_not_decide,
                          test_second_officer_decides, test_japanese],
                  axe=True))
