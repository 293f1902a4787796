#!/usr/bin/python3
"""axe-core (build/npm, injected into the page) on every main page of ticsx ui, in English and
Japanese: the dashboard, the supply tree, a supplier page, the requests and the wizard, the
inbox, the answer form, the assessments and the self-check. Fails on any serious or critical
violation and prints every violation found."""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uitest import Failure, demo_world, login, main, open_supplier  # noqa: E402


def setup(w):
    c = demo_world(w)
    c["bui"], c["bb"], c["bapi"] = login(w, c["buyer"])
    c["sui"], c["sb"], c["sapi"] = login(w, c["sup"])
    return c


def check(b, where, bad):
    try:
        b.axe(where)
    except Failure as e:
        bad.append(str(e))


def buyer_pages(c, lang):
    b, bad = c["bb"], []
    b.click("lang-" + lang)
    b.until("<html lang=%s>" % lang, lambda: b.html_lang() == lang)
    b.click("nav-dashboard")
    b.until("the dashboard's rows", lambda: b.all("supplier-row"))
    check(b, lang + " dashboard", bad)
    b.click("nav-tree")
    b.until("the tree's nodes", lambda: b.all("node"))
    check(b, lang + " tree", bad)
    b.click("nav-dashboard")
    row = b.until("a verified row", lambda: [r for r in b.all("supplier-row")
                                             if "Mikawa" in r.text])[0]
    open_supplier(b, row)
    check(b, lang + " supplier page", bad)
    b.click("nav-requests")
    b.t("requests", visible=False)
    check(b, lang + " requests", bad)
    b.click("new-request")
    b.until("the wizard", lambda: [e for e in b.all("wiz-next") + b.all("wiz-send")
                                   if e.is_displayed()])
    check(b, lang + " request wizard", bad)
    return bad


def supplier_pages(c, lang):
    b, bad = c["sb"], []
    b.click("lang-" + lang)
    b.until("<html lang=%s>" % lang, lambda: b.html_lang() == lang)
    b.click("nav-inbox")
    el = b.until("the open request", lambda: b.css('[data-t="inbox-request"][data-id="%s"]'
                                                   % c["req2"]))[0]
    check(b, lang + " inbox", bad)
    b.click("answer", el)
    b.until("the answer form", lambda: b.all("item"))
    check(b, lang + " answer form", bad)
    b.click("nav-assessments")
    b.until("an assessment", lambda: b.all("assessment"))
    check(b, lang + " assessments", bad)
    b.click("nav-selfcheck")
    b.until("the self-check", lambda: b.all("item"))
    check(b, lang + " self-check", bad)
    return bad


def test_buyer_pages_en(c):
    bad = buyer_pages(c, "en")
    if bad:
        raise Failure("\n".join(bad))


def test_supplier_pages_en(c):
    bad = supplier_pages(c, "en")
    if bad:
        raise Failure("\n".join(bad))


def test_pages_ja(c):
    bad = buyer_pages(c, "ja") + supplier_pages(c, "ja")
    if bad:
        raise Failure("\n".join(bad))


if __name__ == "__main__":
    sys.exit(main(setup, [test_buyer_pages_en, test_supplier_pages_en, test_pages_ja],
                  stop_on_failure=False, axe=True))
