"""Phrases built from model data in a reader's language, shared by chat replies and the exported ledger.

`/score` and the 指标得分 sheet must say "what would earn the rest" and "who answered" in the same
words; both take them from here (handlers.render delegates), so the chat and the workbook never drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from config.i18n import translate
from config.plan_schema import Indicator
from config.values import format_value
from models.scoring import Hint, Key, find_item, value_spec

OPS = ("at_least", "above", "at_most", "below", "equals")


def hint_words(lang: str, hint: Hint) -> str:
    """One hint ('达到10亿元可得满分6分…') in `lang`."""
    params = dict(hint.params)
    if "op" in params:
        params["op"] = translate(lang, "op_" + params["op"])
    if "answer" in params:
        params["answer"] = translate(lang, "answer_" + params["answer"])
    if "target" in params and isinstance(params["target"], str):
        for op in OPS:
            params["target"] = params["target"].replace(op + " ", translate(lang, "op_" + op))
    return translate(lang, hint.key, **params)


def person_words(lang: str, role: str, unit: str | None, display_name: str, transport: str) -> str:
    """Who did something, as people read it: the unit for a liaison, else the role; with the
    person's name when the chat service gave one (console identities are not names)."""
    label = unit if unit else translate(lang, f"role_{role}") if role else ""
    if display_name and transport != "console" and display_name != label:
        return f"{label} {display_name}".strip()
    return label


def figure_lines(lang: str, indicator: Indicator, obs: Mapping[Key, Decimal]) -> list[str]:
    """The current figures of an indicator, one per (period, item), as people wrote them:
    '2022-03 合规率 = 100%', '当前数值 = 8亿元'."""
    lines = []
    for (period, item_name), value in sorted(obs.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "")):
        spec = value_spec(indicator, find_item(indicator, item_name) if item_name else None)
        place = " ".join(p for p in (period, item_name) if p) or translate(lang, "figure_word")
        lines.append(f"{place} = {format_value(value, spec.type, unit=spec.unit, lang=lang)}")
    return lines
