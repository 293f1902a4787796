#!/usr/bin/python3
"""Screenshots of the main pages of ticsx ui, in Japanese and English, 1280 pixels wide, into
OUT/{ja,en}-PAGE.png (script/screenshots writes docs/ui/): a fresh hub with a buyer, three
suppliers (one listing a sub-supplier that shares with the buyer) and an open request, all set
up with the CLI; the pages drawn by headless Chromium from a real ticsx ui. Then the supplier's
people (uitest.member): a responder's approval requests (one approved, one waiting), the
organisation asking for two officers and an officer's grant to a new buyer waiting; the
approvals, one approval request and the grants to approve, drawn in the other officer's home
(its name and role in the header)."""

import argparse
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uitest import (World, answers_file, check_tools, demo_world, expect,  # noqa: E402
                    fill_answers, login, member, open_supplier, save_shot)


def rest_pointer(b):
    """Moves the pointer onto the page's heading, so no link the last click left it on is drawn
    highlighted (the navigation's hover style)."""
    from selenium.webdriver.common.action_chains import ActionChains
    h1 = b.css("main h1")
    if h1:
        ActionChains(b.d).move_to_element(h1[0]).perform()


def open_home(w, home, lang, before=None):
    """ticsx ui --lang LANG for home in a browser showing that language (the reasons of the
    credentials and the policy's checks are in the language the UI was started in); stops the
    one of the language before. Returns (ui, browser)."""
    if before:
        before[0].stop()
        before[1].quit()
    hub_args = w.hub_args
    w.hub_args = lambda: hub_args() + ["--lang", lang]
    try:
        u, b, _ = login(w, home, lang=lang)
    finally:
        del w.hub_args
    b.click("lang-" + lang)
    b.until("<html lang=%s>" % lang, lambda: b.html_lang() == lang)
    return u, b


def organisation_pages(c, bb, sb, lang, shot):
    """The buyer's and the supplier's pages of the organisations' own homes."""
    bb.click("nav-dashboard")
    bb.until("the dashboard's rows", lambda: len(bb.all("supplier-row")) >= 3)
    shot(bb, "dashboard")
    bb.click("nav-tree")
    bb.until("the tree's nodes", lambda: bb.all("node"))
    shot(bb, "tree")
    bb.click("nav-dashboard")
    row = bb.until("Mikawa Precision's row", lambda: [
        r for r in bb.all("supplier-row") if "Mikawa" in r.text])[0]
    open_supplier(bb, row)
    shot(bb, "supplier")
    bb.click("nav-requests")
    bb.until("the requests", lambda: bb.all("request"))
    shot(bb, "requests")
    sb.click("nav-inbox")
    el = sb.until("the open request", lambda: sb.css(
        '[data-t="inbox-request"][data-id="%s"]' % c["req2"]))[0]
    shot(sb, "inbox")
    sb.click("answer", el)
    fill_answers(sb, {"A1-01": "yes", "A1-02": "partly", "A1-03": "yes"},
                 {"A1-02": "規程は2026年度中に改訂予定" if lang == "ja"
                  else "The rules are being revised this year"})
    shot(sb, "answer")
    sb.click("nav-assessments")
    sb.until("an assessment", lambda: sb.all("assessment"))
    shot(sb, "assessments")
    sb.click("nav-selfcheck")
    sb.until("the self-check", lambda: sb.all("item"))
    shot(sb, "selfcheck")


def people(w, c):
    """The supplier's people: Sato Hanako and Kato Ken (officers), Tanaka Jiro (responder).
    Tanaka's two approval requests for the open request (answer in its home makes a draft):
    Kato approves the first (sent to the buyer); the second waits. The organisation asks for
    two officers; Kato's grant of the assessment it sent to a new buyer (Chita Auto Body) waits
    for a second officer."""
    c["newbuyer"] = w.party("buyer2", "Chita Auto Body")
    c["officer"] = member(w, c["sup"], "sato", "Sato Hanako", "officer")
    c["officer2"] = member(w, c["sup"], "kato", "Kato Ken", "officer")
    c["responder"] = member(w, c["sup"], "tanaka", "Tanaka Jiro", "responder")
    r, req = c["responder"], c["req2"]
    first = w.cli(r, "answer", req, "--file", answers_file(w, r, req, "weak"), json_out=True)
    sent = w.cli(c["officer2"], "drafts", "approve", first["draft"], json_out=True)
    path = answers_file(w, r, req, "strong", "ISMS certified since 2024")
    c["draft"] = w.cli(r, "answer", req, "--file", path, json_out=True)["draft"]
    w.cli(c["sup"], "grants", "settings", "--two-officers", "on")
    w.cli(c["officer2"], "grant", sent["assessment"], "--to", c["newbuyer"].fingerprint)
    waiting = w.cli(c["officer"], "grants", json_out=True)["waiting"]
    expect(len(waiting) == 1, "Kato Ken's grant to a new buyer does not wait: %r" % waiting)


def member_pages(c, ob, lang, shot):
    """The officer's approvals, the waiting approval request opened, the grants to approve."""
    ob.click("nav-approvals")
    ob.until("both approval requests", lambda: len(ob.all("approval")) == 2)
    shot(ob, "approvals")
    ob.click("approval-open", ob.css('[data-t="approval"][data-id="%s"]' % c["draft"])[0])
    ob.until("the answers of the request", lambda: ob.all("approval-items"))
    ob.t("approve")
    shot(ob, "approval")
    ob.click("nav-grants")
    ob.until("the grant waiting", lambda: len(ob.all("waiting-grant")) == 1)
    ob.t("grant-approve")
    shot(ob, "grants")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True, help="directory for the PNG files")
    ap.add_argument("--lang", choices=("ja", "en"), action="append",
                    help="only this language (repeatable; default both)")
    args = ap.parse_args()
    check_tools()
    out = os.path.abspath(args.out)
    w = World("screenshots")
    written = []

    def shooter(lang):
        def shot(b, page):
            rest_pointer(b)
            written.append(save_shot(b, os.path.join(out, "%s-%s.png" % (lang, page))))
        return shot

    try:
        c = demo_world(w)
        buyer = supplier = None
        for lang in args.lang or ["ja", "en"]:
            buyer = open_home(w, c["buyer"], lang, buyer)
            supplier = open_home(w, c["sup"], lang, supplier)
            organisation_pages(c, buyer[1], supplier[1], lang, shooter(lang))
        people(w, c)
        officer = None
        for lang in args.lang or ["ja", "en"]:
            officer = open_home(w, c["officer"], lang, officer)
            member_pages(c, officer[1], lang, shooter(lang))
    except Exception:
        w.dump()
        raise
    finally:
        w.close()
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
