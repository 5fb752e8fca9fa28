"""The corpus of liaison replies (tests/corpus/*.yaml) read by `models.reader`, scored: what the test
asserts and what `bench/reader_bench.py` prints come from here.

A proposed report is right when its code, item, period and value (compared as Decimals, each side
parsed with the indicator's own value spec) equal an expected one. On the unambiguous messages:
precision = right / proposed, recall = right / expected. On the ambiguous ones the reader must ask
(an ambiguity, no report), never guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from config.plan_loader import load_plan_file, shipped_plan_paths
from config.plan_schema import Plan
from models.plans import expand_units
from models.reader import Context, Reading, read, vocabulary
from models.scoring import find_item, value_spec

CORPUS = Path(__file__).resolve().parent / "corpus"
HOLDOUT = CORPUS / "holdout"
FRESH = CORPUS / "fresh"
THIRD = CORPUS / "third"
FOURTH = CORPUS / "fourth"
FIFTH = CORPUS / "fifth"
SIXTH = CORPUS / "sixth"
HELD_OUT = (HOLDOUT, FRESH, THIRD, FOURTH, FIFTH, SIXTH)
"""The held-out corpora, in the order they were written: messages written afterwards by someone who
had not seen the reader (each was an honest measure of it until the reader was tuned on it: the
README gives the figures of both readings)."""
PLANS = {"dingtao": "dingtao-2022", "puyang": "puyang-2021"}
ASKING = ("nudge", "period_figure")
"""Reminders that ask for an indicator's figures."""

Place = tuple[str, str | None, str | None, Decimal]


@dataclass
class Score:
    """Counts over the corpus."""

    messages: int = 0
    right: int = 0
    proposed: int = 0
    expected: int = 0
    ambiguous: int = 0
    asked: int = 0
    guessed: int = 0
    questioned: int = 0
    """Unambiguous messages with no report that were answered with a question all the same."""
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


@cache
def plan_of(name: str) -> Plan:
    return load_plan_file(shipped_plan_paths()[PLANS[name]])


def entries(folder: Path = CORPUS) -> list[tuple[str, dict[str, Any]]]:
    """(plan name, entry) for every message of the corpus in `folder`."""
    found = []
    for name in PLANS:
        path = folder / f"{name}.yaml"
        if path.exists():
            found += [(name, entry) for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []]
    return found


def day_of(entry: dict[str, Any]) -> dt.date:
    """The day the message is said (YAML gives a date, or a string when quoted)."""
    return entry["today"] if isinstance(entry["today"], dt.date) else dt.date.fromisoformat(str(entry["today"]))


def context_of(plan: Plan, entry: dict[str, Any]) -> Context:
    """What the reader knows when the message arrives: the unit's indicators, the reminder, the day."""
    unit = entry["unit"]
    own = frozenset(i.code for i in plan.indicators if unit in expand_units(plan, i.units + i.lead))
    reply_to = entry.get("reply_to") or {}
    asked = str(reply_to["code"]) if reply_to.get("kind") in ASKING else None
    today = day_of(entry)
    gates = frozenset(g.code for g in plan.gates if unit in expand_units(plan, g.units + g.lead))
    period = reply_to.get("period") if asked else None
    return Context(today=today, own=own, asked=asked, asked_period=period, gates=gates, unit=unit)


def expected_places(plan: Plan, entry: dict[str, Any]) -> set[Place]:
    indicators = {i.code: i for i in plan.indicators}
    places = set()
    for report in entry.get("reports") or []:
        indicator = indicators[str(report["code"])]
        item = find_item(indicator, report["item"]) if report.get("item") else None
        value = value_spec(indicator, item).read(str(report["value"]))
        places.add((indicator.code, item.name if item else None, report.get("period"), value))
    return places


def proposed_places(reading: Reading) -> set[Place]:
    return {(f.code, f.item, f.period, f.value) for f in reading.figures}


def evaluate(folder: Path = CORPUS) -> Score:
    """The reader over the whole corpus in `folder`."""
    score = Score()
    words = {name: vocabulary(plan_of(name)) for name in PLANS}
    for name, entry in entries(folder):
        plan = plan_of(name)
        reading = read(plan, entry["text"], context_of(plan, entry), words[name])
        score.messages += 1
        proposed = proposed_places(reading)
        if entry.get("ambiguous"):
            score.ambiguous += 1
            score.asked += bool(reading.ambiguities) and not proposed
            score.guessed += bool(proposed)
            continue
        score.questioned += bool(reading.ambiguities) and not entry.get("reports")
        expected = expected_places(plan, entry)
        score.proposed += len(proposed)
        score.expected += len(expected)
        score.right += len(proposed & expected)
        score.wrong += [f"{entry['text']} → {p}" for p in sorted(proposed - expected, key=str)]
        score.missed += [f"{entry['text']} → {p}" for p in sorted(expected - proposed, key=str)]
    return score
