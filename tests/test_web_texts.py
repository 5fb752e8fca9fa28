"""The live page's texts: every `web_…` key its scripts use exists in both languages with the same
placeholders, none is left unused, and the Chinese ones hold no English words."""

from __future__ import annotations

import re
from pathlib import Path

from config.i18n_web import WEB_MESSAGES
from tests.chinese import latin_words

STATIC = Path(__file__).resolve().parent.parent / "bot" / "web_static"
DYNAMIC = {  # keys the scripts build from a prefix and a value the server sends
    "web_status_": ["done", "doing", "blocked", "overdue", "not_started", "none"],
    "web_ev_": ["accepted", "pending", "rejected", "missing"],
    "web_filter_": ["all", "short", "missing"],
    "web_report_": ["counts", "replaced", "proposal", "rejected"],
}


def used_keys() -> set[str]:
    scripts = "".join(path.read_text(encoding="utf-8") for path in sorted(STATIC.glob("*.js")))
    used = set(re.findall(r'"(web_[a-z0-9_]+)"', scripts))
    return used | {prefix + name for prefix, names in DYNAMIC.items() for name in names}


def test_every_key_the_page_uses_exists_and_none_is_unused() -> None:
    used = used_keys()
    assert sorted(used - WEB_MESSAGES.keys()) == []
    assert sorted(k for k in WEB_MESSAGES.keys() - used if not k.startswith(tuple(DYNAMIC))) == []


def test_both_languages_take_the_same_placeholders_and_chinese_has_no_english() -> None:
    for key, (zh, en) in WEB_MESSAGES.items():
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key
        assert latin_words(re.sub(r"{\w+}", " ", zh)) == [], key


def test_the_page_loads_nothing_from_outside() -> None:
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        outside = [u for u in re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[a-z]{2,}", text) if "w3.org" not in u]
        assert outside == [], path.name
    assert "<script>" not in (STATIC / "index.html").read_text(encoding="utf-8")  # no inline script (CSP)
