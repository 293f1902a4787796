#!/usr/bin/python3
"""Remediation plans in the browser: a supplier answers a request in its own browser and enters
a plan for an item answered `partly` (the plan fields show only for such an item, never for
one answered `yes`); the plan is signed inside the assessment (`ticsx plan list` and GET
/api/plans list it); a draft carrying a plan on a `yes` item is refused. The buyer's supplier
page shows the plan with its state, and the plan's text (markup in it) stays text."""

import datetime
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uitest import (CORP, Failure, builtin_ref, expect, expect_eq, fill_answers, login,  # noqa
                    main, open_supplier, org_key, profile_answers, review_and_send, row_of,
                    fetch_until, report_doc)

ACTION = "鍵付きキャビネットを導入 <img src=x onerror=alert(3)>"


def setup(w):
    c = {"w": w}
    c["buyer"] = w.party("buyer", "Tokai Motors", CORP["buyer"])
    c["sup"] = w.party("supplier", "Mikawa Precision", CORP["supplier"])
    w.start_hub()
    req = w.cli(c["buyer"], "request", "--questionnaire", "tics-selfcheck", "--to",
                c["sup"].fingerprint, json_out=True)
    c["rid"] = req.get("request") or req.get("id")
    expect(c["rid"], "request --json gave no id: %r" % req)
    c["sui"], c["sb"], c["sapi"] = login(w, c["sup"])
    return c


def test_supplier_enters_a_plan(c):
    w, b, api, rid = c["w"], c["sb"], c["sapi"], c["rid"]
    answers = profile_answers(w, c["sup"], "strong")
    partly = [k for k, v in answers.items() if v == "partly"][0]
    yes = [k for k, v in answers.items() if v == "yes"][0]
    c["item"] = partly
    today = datetime.date.fromisoformat(api.session["today"])
    c["due"] = (today + datetime.timedelta(days=60)).isoformat()

    # A plan on an item answered yes: refused when the draft is saved.
    ref = builtin_ref(api)
    st, _, body = api.call("POST", "/api/drafts", {
        "questionnaire": ref, "request": rid,
        "answers": [{"item": yes, "answer": "yes",
                     "plan": {"action": "nothing", "due": c["due"]}}]})
    body = body.decode("utf-8", "replace")
    expect(st == 400 and "belongs only to an item short of full credit" in body,
           "a draft with a plan on a yes item: %d %s" % (st, body[:300]))

    b.click("nav-inbox")
    el = b.until("the request in the inbox",
                 lambda: b.css('[data-t="inbox-request"][data-id="%s"]' % rid))[0]
    b.click("answer", el)
    fill_answers(b, answers)
    fs_yes = b.css('[data-t="item"][data-item="%s"]' % yes)[0]
    expect(not [p for p in b.all("plan", fs_yes) if p.is_displayed()],
           "the plan fields show for item %s answered yes" % yes)
    fs = b.css('[data-t="item"][data-item="%s"]' % partly)[0]
    b.d.execute_script("arguments[0].scrollIntoView({block: 'center'})", fs)
    action = b.until("the plan fields of an item answered partly",
                     lambda: [e for e in b.all("plan-action", fs) if e.is_displayed()])[0]
    b.type(action, ACTION)
    b.set_value(b.all("plan-due", fs)[0], c["due"])
    b.axe("the answer form with a plan")
    c["aid"] = review_and_send(b)

    plans = w.cli(c["sup"], "plan", "list", json_out=True)["plans"]
    expect_eq([(p["item"], p["action"], p["due"], p["state"], p["assessment"]) for p in plans],
              [(partly, ACTION, c["due"], "open", c["aid"])], "plan list --json")
    got = api.get("/api/plans")["plans"]
    expect_eq([(p["item"], p["action"]) for p in got], [(partly, ACTION)], "GET /api/plans")
    b.click("nav-assessments")
    mine = b.until("the plan on the assessments page",
                   lambda: b.css('[data-t="own-plan"][data-item="%s"]' % partly))[0]
    expect_eq(mine.get_attribute("data-state"), "open", "the own plan's state")
    expect(ACTION in mine.text and not b.css('img[src="x"]'),
           "the own plan row reads %r" % mine.text)
    b.axe("the assessments page with a plan")


def test_buyer_sees_the_plan(c):
    w = c["w"]
    w.cli(c["buyer"], "fetch")
    ui, b, api = login(w, c["buyer"])
    key = org_key(api, c["sup"].fingerprint)
    fetch_until(b, "the supplier on the dashboard", lambda: row_of(b, key))
    open_supplier(b, key)
    sec = b.t("plans")
    row = b.until("the plan on the supplier page",
                  lambda: b.css('[data-t="plan"][data-item="%s"]' % c["item"], sec))[0]
    expect_eq(row.get_attribute("data-state"), "open", "the plan's state")
    expect(ACTION in row.text, "the plan row reads %r" % row.text)
    expect(c["due"] in row.text, "the plan row lacks the due date: %r" % row.text)
    expect(not b.css('img[src="x"]') and b.alert_text() is None,
           "the plan's text became markup on the buyer's page")
    b.axe("the supplier page with a plan")
    doc = api.get("/api/supplier/" + key)
    plans = (doc.get("row") or doc).get("plans") or {}
    expect_eq(plans.get("open"), 1, "the supplier's open plans in /api/supplier")


def test_supplier_marks_it_done(c):
    w, b = c["w"], c["sb"]
    b.click("nav-assessments")
    row = b.until("the plan on the assessments page",
                  lambda: b.css('[data-t="own-plan"][data-item="%s"]' % c["item"]))[0]
    b.click("plan-done", row)
    b.confirm()
    b.until("the plan gone from the open plans",
            lambda: not b.css('[data-t="own-plan"][data-item="%s"]' % c["item"]))
    plans = w.cli(c["sup"], "plan", "list", "--all", json_out=True)["plans"]
    expect_eq([(p["item"], p["state"]) for p in plans], [(c["item"], "done")],
              "plan list --all --json after marking it done")
    expect(plans[0]["assessment"] != c["aid"], "marking it done made no new version")
    # The buyer holds the new version (granted again) and sees the plan done.
    w.cli(c["buyer"], "fetch")
    rows = [r for r in report_doc(w, c["buyer"])["suppliers"]
            if r["fingerprint"] == c["sup"].fingerprint]
    expect_eq((rows[0]["assessment"], rows[0]["plans"]["done"]), (plans[0]["assessment"], 1),
              "the buyer's row after the plan was marked done")


if __name__ == "__main__":
    sys.exit(main(setup, [test_supplier_enters_a_plan, test_buyer_sees_the_plan,
                          test_supplier_marks_it_done], axe=True))
