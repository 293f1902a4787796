#!/usr/bin/python3
"""The Japanese pages: 日本語 switches every page (html lang, the navigation, the
questionnaire's own Japanese texts and scale labels), the choice survives a reload, English
switches back, and a browser that prefers Japanese starts in Japanese."""

import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uitest import CORP, expect, expect_eq, login, main  # noqa: E402

NAV = ("nav-dashboard", "nav-tree", "nav-requests", "nav-inbox", "nav-assessments",
       "nav-selfcheck")
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def setup(w):
    c = {"w": w}
    c["buyer"] = w.party("buyer", "Tokai Motors", CORP["buyer"])
    w.start_hub()
    c["ui"], c["b"], c["api"] = login(w, c["buyer"])
    c["q"] = w.cli(c["buyer"], "questionnaire", "show", "tics-selfcheck", json_out=True,
                   hub=False)
    return c


def nav_texts(b):
    return {n: b.t(n).text.strip() for n in NAV}


def body(b):
    return b.d.find_element("tag name", "body").text


def selfcheck_texts(b, c, lang):
    """The self-check page shows the questionnaire's texts and scale labels in `lang`."""
    b.click("nav-selfcheck")
    first = c["q"]["items"][0]["text"][lang]
    b.until("the first item's %s text" % lang, lambda: first[:20] in body(b))
    text = body(b)
    for s in c["q"]["scale"]:
        expect(s["label"][lang] in text, "the scale label %r is missing" % s["label"][lang])
    expect(c["q"]["areas"][0]["name"][lang] in text,
           "the first area's %s name is missing" % lang)


def test_english_first(c):
    b = c["b"]
    expect_eq(b.html_lang(), "en", "<html lang> for an English browser")
    for n, t in nav_texts(b).items():
        expect(t and not CJK.search(t), "%s reads %r in English" % (n, t))
    selfcheck_texts(b, c, "en")


def test_switch_to_japanese(c):
    b = c["b"]
    b.click("lang-ja")
    b.until("<html lang=ja>", lambda: b.html_lang() == "ja")
    for n, t in b.until("Japanese navigation", lambda: all(
            CJK.search(x) for x in nav_texts(b).values()) and nav_texts(b)).items():
        expect(CJK.search(t), "%s reads %r in Japanese" % (n, t))
    selfcheck_texts(b, c, "ja")
    b.click("nav-dashboard")
    b.shot("ja-dashboard")
    b.d.refresh()
    b.t("nav-dashboard")
    expect_eq(b.html_lang(), "ja", "<html lang> after a reload")
    expect(CJK.search(b.t("nav-dashboard").text), "the reload lost the Japanese navigation")


def test_switch_back(c):
    b = c["b"]
    b.click("lang-en")
    b.until("<html lang=en>", lambda: b.html_lang() == "en")
    b.until("English navigation", lambda: not any(CJK.search(x) for x in nav_texts(b).values()))
    selfcheck_texts(b, c, "en")


def test_japanese_browser(c):
    w = c["w"]
    u = w.ui(c["buyer"])
    b = w.browser("ja")
    b.open(u.url)
    b.t("nav-dashboard")
    b.until("<html lang=ja> from Accept-Language", lambda: b.html_lang() == "ja")
    expect(CJK.search(b.t("nav-dashboard").text), "a Japanese browser got English navigation")


if __name__ == "__main__":
    sys.exit(main(setup, [test_english_first, test_switch_to_japanese, test_switch_back,
                          test_japanese_browser], stop_on_failure=False))
