#!/usr/bin/python3
"""Several questionnaires on the buyer's pages: one supplier answers the built-in self-check
and the buyer's imported check sheet (the sheet listing a sub-supplier, the newer self-check
none). The dashboard's questionnaire selector lists both; each shows the supplier's row with
the scores `ticsx report --questionnaire ID --json` computes, and each tree has the
sub-supplier. `questionnaire main` changes the default; a bad ?questionnaire= is refused; the
selector speaks Japanese."""

import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uitest import (CORP, answers_file, choose, expect, expect_eq, login,  # noqa: E402
                    main, number, report_doc, row_of)

SHEET = "buyer-sheet"
TICS = "tics-selfcheck"


def sheet_answers(w, home, req, subs):
    """Every item of the sheet answered yes, with the sub-suppliers `subs`."""
    path = os.path.join(home.path, "sheet-answers.json")
    w.cli(home, "questionnaire", "template", req, "--format", "json", "--out", path)
    with open(path) as f:
        doc = json.load(f)
    for a in doc["answers"]:
        a["answer"] = "yes"
    doc["suppliers"] = subs
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def setup(w):
    c = {"w": w}
    c["buyer"] = w.party("buyer", "Tokai Motors", CORP["buyer"])
    c["sup"] = w.party("supplier", "Mikawa Precision", CORP["supplier"])
    c["sub"] = w.party("tier2", "Okazaki Plating")
    w.start_hub()
    sheet = os.path.join(c["buyer"].path, "sheet.csv")
    with open(sheet, "w", encoding="utf-8-sig") as f:
        f.write("id,area,level,text ja,text en,weight\r\n"
                "G-1,ガバナンス,1,責任者を置く,A manager is appointed,3\r\n"
                "G-2,ガバナンス,2,年1回見直す,Reviewed yearly,2\r\n")
    w.cli(c["buyer"], "questionnaire", "import", sheet, "--id", SHEET, "--version", "1",
          "--title-en", "Buyer check sheet", "--title-ja", "発注者チェックシート", "--out",
          os.path.join(c["buyer"].path, "sheet.json"), "--publish")
    r_tics = w.cli(c["buyer"], "-q", "request", "--questionnaire", TICS, "--to",
                   c["sup"].fingerprint, "--depth", "2").stdout.strip()
    r_sheet = w.cli(c["buyer"], "-q", "request", "--questionnaire", SHEET, "--to",
                    c["sup"].fingerprint).stdout.strip()
    subs = [{"name": "Okazaki Plating", "supplies": "plating", "key": "Okazaki Plating"}]
    w.cli(c["sup"], "answer", r_sheet, "--file", sheet_answers(w, c["sup"], r_sheet, subs))
    w.cli(c["sup"], "answer", r_tics, "--file", answers_file(w, c["sup"], r_tics, "weak"))
    w.cli(c["buyer"], "fetch")
    c["ui"], c["b"], c["api"] = login(w, c["buyer"])
    c["docs"] = {q: report_doc(w, c["buyer"], "--questionnaire", q)
                 for q in (SHEET, TICS)}
    c["key"] = c["docs"][TICS]["suppliers"][0]["key"]
    return c


def options(b):
    from selenium.webdriver.support.ui import Select
    s = Select(b.t("questionnaire"))
    return [(o.get_attribute("value"), o.text, o.is_selected()) for o in s.options]


def overall_on_page(b, key):
    row = b.until("the supplier's row", lambda: row_of(b, key))
    return number(b.all("overall", row)[0].text)


def test_selector_lists_both(c):
    b = c["b"]
    b.click("nav-dashboard")
    b.until("two questionnaires to choose from", lambda: len(options(b)) == 2)
    opts = options(b)
    expect_eq([o[0] for o in opts], [SHEET, TICS], "the selector's questionnaires, by id")
    expect("Buyer check sheet" in opts[0][1], "the sheet's option %r lacks its title" % (opts[0],))
    expect_eq([o[2] for o in opts], [True, False], "the first questionnaire shown by default")
    want = c["docs"][SHEET]["suppliers"][0]["overall"]
    b.until("the sheet's score", lambda: overall_on_page(b, c["key"]) == want)


def test_switch_questionnaire(c):
    b, api = c["b"], c["api"]
    choose(b, [b.t("questionnaire")], TICS)
    want = c["docs"][TICS]["suppliers"][0]["overall"]
    expect(want != c["docs"][SHEET]["suppliers"][0]["overall"], "the two scores should differ")
    b.until("the self-check's score", lambda: overall_on_page(b, c["key"]) == want)
    # The same through the API, and each tree has the sub-supplier of the sheet's answer.
    for q in (SHEET, TICS):
        d = api.get("/api/dashboard?questionnaire=" + q)
        row = [r for r in d["rows"] if r["key"] == c["key"]][0]
        expect_eq(row["overall"], c["docs"][q]["suppliers"][0]["overall"], "%s overall" % q)
        tree = api.get("/api/tree?questionnaire=" + q)
        subs = [n for n in tree["nodes"] if n["name"] == "Okazaki Plating"]
        expect(subs and subs[0]["tier"] == 2, "the %s tree lacks the sub-supplier" % q)
    # The tree page follows the choice made on the dashboard.
    b.click("nav-tree")
    b.until("the tree's nodes", lambda: b.all("node"))


def test_bad_questionnaire_refused(c):
    api = c["api"]
    for bad in ("..%2Fx", "a%0Ab", "x" * 65):
        st, _, body = api.call("GET", "/api/dashboard?questionnaire=" + bad)
        expect_eq(st, 400, "GET /api/dashboard?questionnaire=%s" % bad[:20])
        expect(b"questionnaire id" in body, "the refusal does not say why: %r" % body[:200])


def test_main_questionnaire_default(c):
    b, w, api = c["b"], c["w"], c["api"]
    w.cli(c["buyer"], "questionnaire", "main", TICS)
    d = api.get("/api/dashboard")
    picked = [q for q in d["questionnaires"] if q["selected"]]
    expect_eq([(q["id"], q["main"]) for q in picked], [(TICS, True)], "the default after main")
    b.click("nav-dashboard")
    b.until("the main one marked", lambda: [o for o in options(b) if o[0] == TICS
                                            and "main" in o[1]])
    w.cli(c["buyer"], "questionnaire", "main", "none")
    d = api.get("/api/dashboard")
    expect_eq([q["id"] for q in d["questionnaires"] if q["selected"]], [SHEET],
              "the default once main is cleared")


def test_japanese(c):
    b = c["b"]
    b.click("lang-ja")
    b.click("nav-dashboard")
    b.until("the selector's label in Japanese", lambda: [
        e for e in b.css('[data-t="questionnaire-pick"] label') if e.text == "質問票"])
    # The options are drawn again in Japanese after the label: wait for them too.
    b.until("the sheet's Japanese title offered",
            lambda: "発注者チェックシート" in " ".join(o[1] for o in options(b)))


if __name__ == "__main__":
    sys.exit(main(setup, [test_selector_lists_both, test_switch_questionnaire,
                          test_bad_questionnaire_refused, test_main_questionnaire_default,
                          test_japanese], stop_on_failure=False))
