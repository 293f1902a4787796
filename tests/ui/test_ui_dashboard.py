#!/usr/bin/python3
"""The buyer's dashboard, supply tree and exports against `ticsx report` on the same home: a
buyer with three answered suppliers (one a tier-2 listed by a tier-1 and sharing with the
buyer) and one that has not answered. Sorting and filtering change the rows as the report's
numbers say; the tree's tier roll-ups carry the report's counts and coverage, a node folds and
unfolds; the CSV download is the report rendered by `ticsx --lang en report --format csv`."""

import glob
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uitest import (TICSX, demo_world, expect, expect_eq, login, main, number,  # noqa: E402
                    report_doc, row_of)


def setup(w):
    c = demo_world(w)
    c["ui"], c["b"], c["api"] = login(w, c["buyer"])
    c["report"] = report_doc(w, c["buyer"])
    return c


def shown_rows(b):
    return [r for r in b.all("supplier-row") if r.is_displayed()]


def test_rows_and_scores(c):
    b, rep = c["b"], c["report"]
    b.click("nav-dashboard")
    b.until("four rows", lambda: len(shown_rows(b)) == 4)
    for r in rep["suppliers"]:
        row = row_of(b, r["key"])
        expect(row is not None, "no row for %s" % r["name"])
        expect_eq(number(b.all("overall", row)[0].text), r["overall"],
                  "%s's overall on the dashboard" % r["name"])
        expect(r["name"] in row.text, "the row of %s does not name it" % r["name"])


def test_sort_and_filter(c):
    b, rep = c["b"], c["report"]
    want = sorted(r["overall"] for r in rep["suppliers"])

    def scores():
        v = [number(b.all("overall", r)[0].text) for r in shown_rows(b)]
        return [x for x in v if x is not None]

    def direction():
        v = scores()
        if sorted(v) != want or v == v[::-1]:
            return None
        return "up" if v == sorted(v) else "down" if v == sorted(v, reverse=True) else None
    b.click("sort-overall")
    first = b.until("rows sorted by overall", direction)
    b.click("sort-overall")
    b.until("rows sorted by overall the other way", lambda: direction() not in (None, first))
    filt = b.t("filter")
    filt.clear()
    filt.send_keys("nagoya")
    b.until("only Nagoya Electronics", lambda: len(shown_rows(b)) == 1
            and "Nagoya Electronics" in shown_rows(b)[0].text)
    filt.clear()
    filt.send_keys("no such supplier")
    b.until("no rows", lambda: len(shown_rows(b)) == 0)
    filt.clear()
    filt.send_keys(" ")
    filt.clear()
    b.d.execute_script("arguments[0].dispatchEvent(new Event('input', {bubbles: true}))", filt)
    b.until("four rows again", lambda: len(shown_rows(b)) == 4)


def test_tree(c):
    b, rep = c["b"], c["report"]
    b.click("nav-tree")
    b.until("the tree's nodes", lambda: b.all("node"))
    for _ in range(5):  # unfold every level
        closed = [t for t in b.all("toggle") if t.is_displayed()
                  and t.get_attribute("aria-expanded") == "false"]
        if not closed:
            break
        for t in closed:
            t.click()
    keys = {n.get_attribute("data-key") for n in b.all("node")}
    want = {n["key"] for n in rep["nodes"] if n["key"]}
    expect_eq(keys & want, want, "the tree's nodes (keys) against report --json")
    roll = b.all("tier-rollup")
    expect_eq(len(roll), len(rep["tiers"]) + 1, "roll-ups: one per tier and the total")
    for card, tier in zip(roll, rep["tiers"] + [rep["total"]]):
        text = card.text
        expect(str(tier["nodes"]) in text and str(tier["verified"]) in text,
               "the roll-up %r lacks the report's counts %r" % (text, tier))
        cov = "%.1f" % tier["coverage"]["verified"]
        expect(cov in text or cov.rstrip("0").rstrip(".") in text,
               "the roll-up %r lacks the coverage %s%%" % (text, cov))
    toggles = [t for t in b.all("toggle") if t.is_displayed()]
    expect(toggles, "no node can be folded (Mikawa Precision lists a sub-supplier)")
    t = toggles[0]
    before = t.get_attribute("aria-expanded")
    t.click()
    b.until("the node toggled", lambda: t.get_attribute("aria-expanded") != before)
    t.click()
    b.until("the node toggled back", lambda: t.get_attribute("aria-expanded") == before)


def test_csv_export(c):
    b, w = c["b"], c["w"]
    dl = os.path.join(w.root, "downloads")
    os.makedirs(dl)
    b.d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": dl})
    b.click("lang-en")
    b.click("nav-dashboard")
    b.click("export-csv")
    files = b.until("the CSV download", lambda: [
        f for f in glob.glob(os.path.join(dl, "*")) if not f.endswith(".crdownload")])
    expect(len(files) == 1 and files[0].endswith(".csv"), "downloaded %r" % files)
    with open(files[0], "rb") as f:
        got = f.read()
    want = w.run([TICSX, "--home", c["buyer"].path, "--lang", "en", "report", "--format",
                  "csv"], ok=(0, 1)).stdout
    expect_eq(got.decode("utf-8-sig").replace("\r\n", "\n"),
              want.lstrip("\ufeff").replace("\r\n", "\n"),
              "the CSV export against report --format csv")


if __name__ == "__main__":
    sys.exit(main(setup, [test_rows_and_scores, test_sort_and_filter, test_tree,
                          test_csv_export], stop_on_failure=False))
