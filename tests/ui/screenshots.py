#!/usr/bin/python3
"""Screenshots of the main pages of ticsx ui, in Japanese and English, 1280 pixels wide, into
OUT/{ja,en}-PAGE.png (script/screenshots writes docs/ui/): a fresh hub with a buyer, three
suppliers (one listing a sub-supplier that shares with the buyer) and an open request, all set
up with the CLI; the pages drawn by headless Chromium from a real ticsx ui."""

import argparse
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uitest import (World, check_tools, demo_world, fill_answers, login,  # noqa: E402
                    open_supplier, save_shot)


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
    try:
        c = demo_world(w)
        _, bb, _ = login(w, c["buyer"])
        _, sb, _ = login(w, c["sup"])
        for lang in args.lang or ["ja", "en"]:
            def shot(b, page):
                written.append(save_shot(b, os.path.join(out, "%s-%s.png" % (lang, page))))

            for b in (bb, sb):
                b.click("lang-" + lang)
                b.until("<html lang=%s>" % lang, lambda: b.html_lang() == lang)
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
