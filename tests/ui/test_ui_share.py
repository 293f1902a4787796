#!/usr/bin/python3
"""Answer once, share with many, in the supplier's browser: an assessment answered in the page
answers a second buyer's request by reuse; it is superseded by a corrected one; a buyer's
grant is revoked (every version at once); each through its button and the confirm dialog, whose text names the
consequence. The buyers see it with the CLI and, for the revocation, on the dashboard."""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uitest import (CORP, expect, expect_eq, fetch_until, fill_answers,  # noqa: E402
                    login, profile_answers, report_row, review_and_send, row_of,
                    visible, main)


def setup(w):
    c = {"w": w}
    c["b1"] = w.party("buyer", "Tokai Motors", CORP["buyer"])
    c["b2"] = w.party("buyer2", "Chita Auto Body", CORP["buyer2"])
    c["sup"] = w.party("supplier", "Mikawa Precision", CORP["supplier"])
    w.start_hub()
    for k in ("b1", "b2"):
        c["r" + k[1]] = w.cli(c[k], "-q", "request", "--questionnaire", "tics-selfcheck",
                              "--to", "Mikawa Precision").stdout.strip()
    c["ui"], c["b"], c["api"] = login(w, c["sup"])
    return c


def assessment_el(b, aid):
    b.click("nav-assessments")
    return b.until("assessment %s" % aid[:8],
                   lambda: b.css('[data-t="assessment"][data-id="%s"]' % aid))[0]


def test_answer_first_request(c):
    b, w = c["b"], c["w"]
    b.click("nav-inbox")
    el = b.until("request 1", lambda: b.css('[data-t="inbox-request"][data-id="%s"]' % c["r1"]))
    b.click("answer", el[0])
    c["answers"] = profile_answers(w, c["sup"], "weak")
    fill_answers(b, c["answers"])
    c["a1"] = review_and_send(b)
    w.cli(c["b1"], "fetch")
    c["key"] = c["api"].session["org"]["key"]
    row = report_row(w, c["b1"], c["key"])
    expect_eq((row["status"], row["assessment"]), ("verified", c["a1"]), "buyer 1's row")


def test_reuse_for_second_buyer(c):
    b, w, api = c["b"], c["w"], c["api"]
    b.click("nav-inbox")
    el = b.until("request 2", lambda: b.css('[data-t="inbox-request"][data-id="%s"]' % c["r2"]))
    inbox = api.get("/api/inbox")
    r2 = [r for r in inbox["requests"] if (r.get("id") or r.get("request")) == c["r2"]][0]
    expect_eq([x["assessment"] for x in r2["reusable"]], [c["a1"]], "reusable assessments")
    b.click("reuse", el[0])
    text = b.confirm()
    expect("Chita Auto Body" in text, "the reuse confirmation does not name the buyer: %r" % text)
    b.until("the reuse done", lambda: [a for a in api.get("/api/assessments")["assessments"]
                                       if a["id"] == c["a1"] and len(a["grantees"]) == 2])
    w.cli(c["b2"], "fetch")
    row = report_row(w, c["b2"], c["key"])
    expect_eq((row["status"], row["assessment"], row["request"]), ("verified", c["a1"], c["r2"]),
              "buyer 2's row after the reuse")


def test_supersede(c):
    b, w, api = c["b"], c["w"], c["api"]
    el = assessment_el(b, c["a1"])
    b.click("supersede", el)
    if visible(b, "confirm-ok"):
        b.confirm()
    fixed = dict(c["answers"])
    first = sorted(k for k, v in fixed.items() if v != "yes")[0]
    fixed[first] = "yes"
    fill_answers(b, {first: "yes"})
    a2 = review_and_send(b)
    expect(a2 != c["a1"], "the superseding assessment has the old id")
    c["a2"] = a2
    own = {a["id"]: a for a in api.get("/api/assessments")["assessments"]}
    expect_eq(own[c["a1"]]["superseded_by"], a2, "the old assessment's superseded_by")
    w.cli(c["b1"], "fetch")
    row = report_row(w, c["b1"], c["key"])
    expect_eq((row["status"], row["assessment"]), ("verified", a2), "buyer 1 after supersede")
    c["grantees"] = [g["fingerprint"] for g in own[a2]["grantees"]]


def revoke_in_page(c, aid, buyer):
    """Revokes buyer's grant of assessment aid with its button and the confirm dialog."""
    b, api = c["b"], c["api"]
    el = assessment_el(b, aid)
    buttons = [x for x in b.all("revoke", el) if x.is_displayed()]
    expect(buttons, "no revoke button on assessment %s" % aid[:8])
    target = None
    for x in buttons:
        holder = b.d.execute_script(
            "var e = arguments[0]; while (e && !/Tokai|Chita/.test(e.innerText || '')) "
            "e = e.parentElement; return e ? e.innerText : '';", x)
        if buyer.name in holder and (len(buttons) == 1 or all(
                o not in holder for o in ("Tokai Motors", "Chita Auto Body") if o != buyer.name)):
            target = x
            break
    expect(target is not None, "no revoke button next to %s" % buyer.name)
    # Cancel first: nothing may change.
    target.click()
    b.click("confirm-cancel")
    b.until("the dialog closed", lambda: not visible(b, "confirm-ok"))
    still = [a for a in api.get("/api/assessments")["assessments"] if a["id"] == aid][0]
    expect(buyer.fingerprint in [g["fingerprint"] for g in still["grantees"]],
           "cancelling the revoke dialog revoked the grant")
    el = assessment_el(b, aid)
    target = [x for x in b.all("revoke", el) if x.is_displayed() and buyer.name in
              (x.get_attribute("aria-label") or "")] or [target]
    target[0].click()
    text = b.confirm()
    expect(buyer.name in text, "the revoke confirmation does not name the buyer: %r" % text)
    b.until("the grant gone", lambda: [a for a in api.get("/api/assessments")["assessments"]
                                       if a["id"] == aid and buyer.fingerprint not in
                                       [g["fingerprint"] for g in a["grantees"]]])


def test_revoke(c):
    w, b1 = c["w"], c["b1"]
    expect(b1.fingerprint in c["grantees"], "buyer 1 is no grantee of the new assessment: %r"
           % c["grantees"])
    # Buyer 1 holds both the superseded assessment and the new one: one revocation withdraws
    # both (the whole version line).
    revoke_in_page(c, c["a2"], b1)
    old = [a for a in c["api"].get("/api/assessments")["assessments"] if a["id"] == c["a1"]][0]
    expect(b1.fingerprint not in [g["fingerprint"] for g in old["grantees"]],
           "revoking the new version left buyer 1 the superseded one")
    # The page lists the revoked share under each version, with its date.
    assessment_el(c["b"], c["a1"])
    c["b"].until("the revoked share listed under the superseded version", lambda: [
        x for x in c["b"].css('[data-t="assessment"][data-id="%s"] [data-t="past-shares"] li'
                              % c["a1"])
        if b1.name in x.text and x.get_attribute("data-state") == "revoked"])
    w.cli(b1, "fetch")
    key = c["key"]
    row = report_row(w, b1, key)
    expect_eq(row["status"], "revoked", "buyer 1's report --json after the revocations")
    # Buyer 1 sees it revoked on its dashboard after fetching.
    bui, bb, bapi = login(w, b1)
    fetch_until(bb, "the supplier revoked on buyer 1's dashboard",
                lambda: row_of(bb, key) and "revok" in bb.all("status", row_of(bb, key))[0]
                .text.lower())
    w.cli(c["b2"], "fetch")
    r2 = report_row(w, c["b2"], key)
    expect_eq((r2["status"], r2["assessment"]), ("verified", c["a2"]),
              "buyer 2's row after buyer 1's grants were revoked")


if __name__ == "__main__":
    sys.exit(main(setup, [test_answer_first_request, test_reuse_for_second_buyer, test_supersede,
                          test_revoke]))
