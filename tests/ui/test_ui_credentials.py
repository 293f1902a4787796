#!/usr/bin/python3
"""Credentials, evidence files, the acceptance policy and item topics in ticsx ui, in a real
browser: the supplier page shows the declared ISMS certificate with its own badge (never the
words or the green of a valid one), its reason and fields; its scan opens from the page through
GET /api/evidence (the file's media type, a download, nosniff); the policy's verdict with its
version; the dashboard and the tree show the credentials' badges and the verdict; item cards
show their topics; the same in Japanese; axe-core finds nothing serious on the page."""

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uitest import (Failure, demo_world, expect, expect_eq, login, main,  # noqa: E402
                    open_supplier, soft_expect)

OK_GREEN = "rgb(227, 244, 232)"  # --ok-bg, the background of a valid status


def setup(w):
    c = demo_world(w)
    c["bui"], c["bb"], c["bapi"] = login(w, c["buyer"])
    return c


def supplier_page(c):
    b = c["bb"]
    b.click("nav-dashboard")
    row = b.until("Mikawa's row", lambda: [r for r in b.all("supplier-row")
                                           if "Mikawa" in r.text])[0]
    open_supplier(b, row)
    return b.until("the credentials section", lambda: b.all("credential"))


def test_dashboard_badges(c):
    b = c["bb"]
    b.click("nav-dashboard")
    row = b.until("Mikawa's row", lambda: [r for r in b.all("supplier-row")
                                           if "Mikawa" in r.text])[0]
    creds = b.css('[data-t="creds"] [data-t="cred"]', row)
    expect(creds, "the dashboard row of Mikawa shows no credential badge")
    expect(any("ISMS" in e.text for e in creds), "no ISMS badge: %r" % [e.text for e in creds])
    pol = b.css('[data-t="policy"] [data-t="policy"]', row)
    expect(pol and "Pass" in pol[0].text, "no policy verdict in the row: %r" %
           [e.text for e in pol])
    nagoya = [r for r in b.all("supplier-row") if "Nagoya" in r.text][0]
    pol = b.css('[data-t="policy"] [data-t="policy"]', nagoya)
    expect(pol and "Fail" in pol[0].text, "Nagoya should fail the policy: %r" %
           [e.text for e in pol])


def test_declared_badge_is_not_valid(c):
    b = c["bb"]
    cards = supplier_page(c)
    isms = [k for k in cards if k.get_attribute("data-scheme") == "isms"]
    expect(isms, "no ISMS credential card: %r" % [k.text for k in cards])
    k = isms[0]
    expect_eq(k.get_attribute("data-source"), "declared", "the ISMS card's source")
    badge = b.css('[data-t="cred-status"]', k)[0]
    cls = badge.get_attribute("class")
    expect("cred-declared" in cls, "a declared credential's badge lacks its style: %s" % cls)
    expect("Declared by the supplier" in badge.text, "badge text: %r" % badge.text)
    expect("Valid" not in badge.text, "a declared credential reads as valid: %r" % badge.text)
    bg = b.d.execute_script("return getComputedStyle(arguments[0]).backgroundColor", badge)
    expect(bg != OK_GREEN, "a declared credential is painted like a valid one (%s)" % bg)
    reason = b.css('[data-t="cred-reason"]', k)
    expect(reason and reason[0].text.strip(), "no reason on the declared credential")
    expect("IS-UI-0001" in k.text and "Head office" in k.text,
           "the card lacks its fields: %r" % k.text)


def test_evidence_opens(c):
    b = c["bb"]
    cards = supplier_page(c)
    links = [e for k in cards for e in b.css('[data-t="evidence-open"]', k)]
    expect(links, "no link to open the ISMS scan")
    href = links[0].get_attribute("href")
    expect("/api/evidence?assessment=" in href, "evidence link: %s" % href)
    res = b.d.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then(function (r) { return r.arrayBuffer().then(function (a) {"
        " done([r.status, r.headers.get('content-type'), r.headers.get('content-disposition'),"
        " r.headers.get('x-content-type-options'), a.byteLength]); }); })"
        ".catch(function (e) { done(['error', String(e)]); });", href)
    expect_eq(res[0], 200, "GET %s" % href)
    expect_eq(res[1], "application/pdf", "the scan's media type")
    expect(res[2] and res[2].startswith("attachment;"), "Content-Disposition: %r" % res[2])
    expect_eq(res[3], "nosniff", "X-Content-Type-Options")
    with open(c["isms_pdf"], "rb") as f:
        expect_eq(res[4], len(f.read()), "the scan's size")
    # Without the session cookie the file is not served.
    st, _, _ = c["bui"].raw("GET", href[href.index("/api/"):])
    expect(st in (401, 403), "GET /api/evidence without a session: %d" % st)


def test_policy_and_topics(c):
    b = c["bb"]
    supplier_page(c)
    v = b.t("policy-verdict")
    expect("Pass" in v.text and "v1" in v.text, "policy verdict: %r" % v.text)
    items = b.all("item")
    expect(items, "no item cards")
    soft_expect(b.all("topics"), "no item shows its topics")


def test_tree_badges(c):
    b = c["bb"]
    b.click("nav-tree")
    nodes = b.until("the tree's nodes", lambda: b.all("node"))
    mikawa = [n for n in nodes if "Mikawa" in n.text]
    expect(mikawa and b.css('[data-t="cred"]', mikawa[0]), "the tree shows no credential badge")
    expect(b.css('[data-t="policy"]', mikawa[0]), "the tree shows no policy verdict")


def test_supplier_sees_its_declared_credentials(c):
    """The supplier's Assessments page lists what it declared (read-only), in its own style."""
    c["sui"], c["sb"], c["sapi"] = login(c["w"], c["sup"])
    b = c["sb"]
    b.click("nav-assessments")
    cards = b.until("the declared credentials", lambda: b.all("declared-credential"))
    isms = [k for k in cards if k.get_attribute("data-scheme") == "isms"]
    expect(isms and "IS-UI-0001" in isms[0].text, "no declared ISMS certificate: %r" %
           [k.text for k in cards])
    expect(b.css(".cred-declared", isms[0]), "the declared credential lacks its style")
    expect_eq(len(c["sapi"].get("/api/credentials")["credentials"]), 1, "declared credentials")
    b.axe("en supplier's assessments with declared credentials")


def test_japanese(c):
    b = c["bb"]
    b.click("lang-ja")
    b.until("<html lang=ja>", lambda: b.html_lang() == "ja")
    cards = supplier_page(c)
    k = [k for k in cards if k.get_attribute("data-scheme") == "isms"][0]
    badge = b.css('[data-t="cred-status"]', k)[0]
    expect("取引先の自己申告" in badge.text, "Japanese badge: %r" % badge.text)
    expect("有効" not in badge.text, "a declared credential reads as valid: %r" % badge.text)
    expect("適合" in b.t("policy-verdict").text, "Japanese verdict: %r" %
           b.t("policy-verdict").text)
    b.axe("ja supplier page with credentials")
    b.click("lang-en")
    b.until("<html lang=en>", lambda: b.html_lang() == "en")
    supplier_page(c)
    b.axe("en supplier page with credentials")


if __name__ == "__main__":
    sys.exit(main(setup, [test_dashboard_badges, test_declared_badge_is_not_valid,
                          test_evidence_opens, test_policy_and_topics, test_tree_badges,
                          test_supplier_sees_its_declared_credentials, test_japanese], axe=True))
