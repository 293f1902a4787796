#!/usr/bin/python3
"""The UI in a member's home: three people of one supplier (an officer, a responder, a viewer,
each with its own keys and home, named by `ticsx member add`) each open ticsx ui. The page shows
the organisation as "you" and the person with its role; a viewer is offered no answer, request
or sharing action and the API refuses them with 403 (called anyway); the responder answers the
buyer's request in the browser, which makes an approval request, not an answer (the buyer
receives nothing); the officer lists the approval requests, rejects one with a note and approves
the other, which the buyer then verifies as the organisation's assessment; the responder sees
both decisions and the note; a viewer of the buyer (an auditor) reads in its own UI what was
granted to the buyer. The approvals pages in English and Japanese, with axe."""

import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uitest import (CORP, HEX64, answers_file, expect, expect_eq, fill_answers,  # noqa
                    login, main, member, profile_answers, report_row, row_of, visible)


def org_key_of(w, home, org):
    """The 64-hex signing key of `org` as `home`'s directory lists it."""
    for o in w.cli(home, "orgs", json_out=True)["organisations"]:
        if o["fingerprint"] == org.fingerprint:
            return o["key"]
    raise AssertionError("ticsx orgs of %s lacks %s" % (home.name, org.name))

NOTE = "A1-01: 証跡が不足しています <b>not bold</b>"


def setup(w):
    c = {"w": w}
    c["buyer"] = w.party("buyer", "Tokai Motors", CORP["buyer"])
    c["sup"] = w.party("supplier", "Mikawa Precision", CORP["supplier"])
    w.start_hub()
    c["officer"] = member(w, c["sup"], "sato", "Sato Hanako", "officer")
    c["responder"] = member(w, c["sup"], "tanaka", "Tanaka Jiro", "responder")
    c["viewer"] = member(w, c["sup"], "ito", "Ito Ken", "viewer")
    c["auditor"] = member(w, c["buyer"], "kato", "Kato Yui", "viewer")
    req = w.cli(c["buyer"], "request", "--questionnaire", "tics-selfcheck", "--to",
                c["sup"].fingerprint, json_out=True)
    c["rid"] = req.get("request") or req.get("id")
    expect(c["rid"], "request --json gave no id: %r" % req)
    return c


def refused(api, path, body, role):
    st, _, raw = api.call("POST", path, body)
    text = raw.decode("utf-8", "replace")
    expect(st == 403 and role in text,
           "POST %s as a %s: want 403 naming the role, got %d %s" % (path, role, st, text[:300]))


def test_viewer_sees_no_action(c):
    w, rid = c["w"], c["rid"]
    _, b, api = login(w, c["viewer"])
    c["vb"], c["vapi"] = b, api
    s = api.session
    expect_eq((s["org"]["name"], s["org"]["fingerprint"]),
              ("Mikawa Precision", c["sup"].fingerprint), "the organisation the session names")
    expect_eq((s["member"]["name"], s["member"]["role"], s["member"]["acts"]),
              ("Ito Ken", "viewer", True), "the person the session names")
    expect_eq((s["may"]["answer"], s["may"]["sign"]), (False, False), "what a viewer may do")
    person = b.until("the person in the header",
                     lambda: [e for e in b.css("#person-name") if e.is_displayed()
                              and "Ito Ken" in e.text])[0]
    expect("viewer" in person.text, "the header reads %r" % person.text)
    # The organisation's request is in its inbox, without any action.
    b.click("nav-inbox")
    el = b.until("the organisation's request in the viewer's inbox",
                 lambda: b.css('[data-t="inbox-request"][data-id="%s"]' % rid))[0]
    for name in ("answer", "reuse", "forward", "use-selfcheck"):
        expect(not b.all(name, el), "the viewer is offered %r" % name)
    b.click("nav-requests")
    b.until("the requests page", lambda: b.css("main h1"))
    expect(not visible(b, "new-request"), "the viewer is offered a new request")
    b.open(b.d.current_url.split("#")[0] + "#/answer/" + rid)
    b.t("role-refused")
    expect(not b.all("item"), "the answer form is drawn for a viewer")
    # Called anyway: refused before anything is signed.
    refused(api, "/api/answer", {"draft": "0" * 16, "request": rid}, "viewer")
    refused(api, "/api/drafts", {"questionnaire": "tics-selfcheck", "answers": []}, "viewer")
    refused(api, "/api/requests", {"questionnaire": "tics-selfcheck",
                                   "to": [c["buyer"].fingerprint]}, "viewer")
    refused(api, "/api/grant", {"assessment": "0" * 64, "to": [c["buyer"].fingerprint]},
            "viewer")
    refused(api, "/api/approvals/approve", {"draft": "0" * 64}, "viewer")
    # A viewer reads the approvals (the organisation's people can), without deciding.
    expect_eq(api.get("/api/approvals")["may_decide"], False, "may_decide for a viewer")
    b.click("nav-approvals")
    b.t("approvals-empty")


def test_responder_sends_for_approval(c):
    w, rid = c["w"], c["rid"]
    _, b, api = login(w, c["responder"])
    c["rb"], c["rapi"] = b, api
    expect_eq((api.session["member"]["role"], api.session["may"]["answer"],
               api.session["may"]["sign"]), ("responder", True, False), "a responder's session")
    b.click("nav-inbox")
    el = b.until("the request in the responder's inbox",
                 lambda: b.css('[data-t="inbox-request"][data-id="%s"]' % rid))[0]
    expect(not b.all("forward", el) and not b.all("reuse", el),
           "the responder is offered sharing actions")
    b.click("answer", el)
    fill_answers(b, profile_answers(w, c["sup"], "strong"))
    b.click("review")
    callout = b.t("for-approval")
    expect("approval" in callout.text.lower(), "the review page reads %r" % callout.text)
    b.click("sign-send")
    if b.until("sent or a confirm dialog",
               lambda: visible(b, "confirm-ok") or visible(b, "approval-id")) and \
            visible(b, "confirm-ok"):
        b.confirm()
    aid = b.until("the approval request's id", lambda: HEX64.search(b.t("approval-id").text))
    c["draft"] = aid.group(0)
    box = b.t("sent-for-approval")
    expect("officers for approval" in box.text, "the sent page reads %r" % box.text)
    b.click("nav-inbox")
    el = b.until("the request in the inbox again",
                 lambda: b.css('[data-t="inbox-request"][data-id="%s"]' % rid))[0]
    note = b.t("inbox-approval", el)
    expect_eq(note.get_attribute("data-state"), "pending", "the inbox card's approval state")
    # Nothing reached the buyer.
    w.cli(c["buyer"], "fetch")
    v = w.cli(c["buyer"], "verify", "--json", json_out=True, ok=(0, 1, 2))
    expect("Mikawa Precision" not in json.dumps(v), "the buyer received the responder's answer")
    lst = api.get("/api/approvals")
    mine = [d for d in lst["drafts"] if d["draft"] == c["draft"]]
    expect(mine and mine[0]["state"] == "pending" and mine[0]["prepared_by"]["name"] ==
           "Tanaka Jiro", "/api/approvals for the responder: %r" % lst)
    expect_eq(lst["may_decide"], False, "may_decide for a responder")
    refused(api, "/api/approvals/approve", {"draft": c["draft"]}, "responder")
    refused(api, "/api/grant", {"assessment": "0" * 64, "to": [c["buyer"].fingerprint]},
            "responder")
    # A second one, from the command line, for the officer to reject.
    path = answers_file(w, c["responder"], rid, "weak")
    out = w.cli(c["responder"], "answer", rid, "--file", path, json_out=True)
    c["second"] = out["draft"]


def test_officer_rejects_and_approves(c):
    w = c["w"]
    _, b, api = login(w, c["officer"])
    c["ob"] = b
    expect_eq((api.session["member"]["role"], api.session["may"]["sign"]), ("officer", True),
              "an officer's session")
    b.click("nav-approvals")
    rows = b.until("both approval requests listed", lambda: len(b.all("approval")) == 2 and
                   b.all("approval"))
    expect(all(r.get_attribute("data-state") == "pending" for r in rows),
           "the approval requests are not all pending")
    expect(all("Tanaka Jiro" in r.text for r in rows), "a row does not name the responder")
    b.axe("the approvals list (en)")
    # Reject the second with a note.
    row = b.css('[data-t="approval"][data-id="%s"]' % c["second"])[0]
    b.click("approval-open", row)
    b.t("approval-decide")
    b.type(b.t("reject-note"), NOTE)
    b.click("reject")
    b.confirm()
    b.until("the rejection shown", lambda: b.t("approval-decision").text and
            NOTE in b.t("approval-note").text)
    expect(not b.all("approval-decide"), "a rejected request still offers a decision")
    # Approve the one made in the browser.
    b.open(b.d.current_url.split("#")[0] + "#/approvals/" + c["draft"])
    b.until("the answers of the request", lambda: len(b.all("approval-items")) == 1)
    b.axe("an approval request (en)")
    b.click("approve")
    b.confirm()
    aid = b.until("the assessment sent",
                  lambda: HEX64.search(b.t("approval-assessment").text))
    c["aid"] = aid.group(0)
    st, _, _ = api.call("POST", "/api/approvals/approve", {"draft": c["draft"]})
    expect(st == 409, "approving it twice: %d" % st)


def test_buyer_verifies_and_responder_sees_decisions(c):
    w, b, api = c["w"], c["rb"], c["rapi"]
    w.cli(c["buyer"], "fetch")
    v = w.cli(c["buyer"], "verify", "--json", json_out=True, ok=(0, 1, 2))
    text = json.dumps(v)
    expect(c["aid"] in text and "Mikawa Precision" in text,
           "the buyer's verify --json lacks the approved assessment %s" % c["aid"][:12])
    found = [x for x in (v.get("assessments") or v.get("verdicts") or [])
             if c["aid"] in json.dumps(x)]
    expect(found and "verified" in json.dumps(found[0]),
           "the approved assessment is not verified by the buyer: %r" % found[:1])
    b.click("nav-approvals")
    b.d.refresh()
    b.until("both decisions", lambda: {r.get_attribute("data-state") for r in b.all("approval")}
            == {"approved", "rejected"})
    rej = b.css('[data-t="approval"][data-id="%s"]' % c["second"])[0]
    expect(NOTE in rej.text and "Sato Hanako" in rej.text,
           "the responder's list does not show the officer's note: %r" % rej.text)
    expect(not b.css("main b"), "the note's markup became an element")


def test_buyer_auditor_reads_the_organisations_data(c):
    """A viewer of the buyer reads, in its own home's UI, what was granted to the buyer: the
    supplier verified with the overall the buyer's report computes."""
    w = c["w"]
    row = report_row(w, c["buyer"], org_key_of(w, c["buyer"], c["sup"]))
    _, b, api = login(w, c["auditor"])
    expect_eq((api.session["org"]["name"], api.session["member"]["role"]),
              ("Tokai Motors", "viewer"), "the auditor's session")
    api.post("/api/fetch", {})
    rows = [r for r in api.get("/api/dashboard")["rows"]
            if r["fingerprint"] == c["sup"].fingerprint]
    expect(rows and rows[0]["status"] == "verified" and rows[0]["overall"] == row["overall"],
           "the auditor's dashboard row for the supplier: %r (the buyer's report: %s, %r)"
           % (rows[:1], row["status"], row["overall"]))
    b.click("nav-dashboard")
    b.until("the supplier on the auditor's dashboard", lambda: row_of(b, rows[0]["key"]))
    refused(api, "/api/requests", {"questionnaire": "tics-selfcheck",
                                   "to": [c["sup"].fingerprint]}, "viewer")


def test_removed_person_is_offered_nothing(c):
    """Once removed, a person's open UI has no role any more: no action, every one refused."""
    w, b, api = c["w"], c["rb"], c["rapi"]
    w.cli(c["sup"], "member", "remove", "Tanaka Jiro")
    s = api.get("/api/session")
    expect(s["member"]["role"] is None or not s["member"]["acts"],
           "a removed responder's session still has a role: %r" % s["member"])
    expect_eq((s["may"]["answer"], s["may"]["sign"]), (False, False),
              "what a removed responder may do")
    st, _, raw = api.call("POST", "/api/answer", {"draft": "0" * 16, "request": c["rid"]})
    expect(st in (403, 409, 503) and b"no such draft" not in raw,
           "a removed responder's answer: %d %s" % (st, raw[:300]))
    b.d.refresh()
    b.click("nav-inbox")
    b.until("the inbox page", lambda: b.css("main h1"))
    expect(not visible(b, "answer"), "a removed responder is offered an answer")


def test_japanese(c):
    w = c["w"]
    _, b, api = login(w, c["officer"], lang="ja")
    b.click("nav-approvals")
    b.until("the Japanese approvals page", lambda: "承認待ち" in b.css("main h1")[0].text)
    # The heading is drawn before the list arrives: wait for the rows, then read them.
    def states():
        got = {r.get_attribute("data-state"): r.text for r in b.all("approval")}
        return got if "approved" in got and "rejected" in got else None
    st = b.until("the approved and the rejected draft listed", states)
    expect("承認済み" in st["approved"] and "差戻し" in st["rejected"],
           "the states in Japanese: %r" % st)
    expect("責任者" in b.css("#person-name")[0].text, "the header's role in Japanese")
    by = [a.text for a in b.all("approval-open")]
    expect(by and all("（回答者）" in x and " (" not in x for x in by),
           "who prepared, with full-width brackets as in the header: %r" % by)
    b.axe("the approvals list (ja)")
    b.click("approval-open", b.css('[data-t="approval"][data-id="%s"]' % c["draft"])[0])
    b.until("the Japanese approval page", lambda: "承認依頼の回答" in b.css("main h1")[0].text)
    b.axe("an approval request (ja)")


if __name__ == "__main__":
    sys.exit(main(setup, [test_viewer_sees_no_action, test_responder_sends_for_approval,
                          test_officer_rejects_and_approves,
                          test_buyer_verifies_and_responder_sees_decisions,
                          test_buyer_auditor_reads_the_organisations_data,
                          test_removed_person_is_offered_nothing, test_japanese],
                  axe=True))
