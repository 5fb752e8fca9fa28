"""The corpus of liaison replies (tests/corpus/*.yaml) is right by Duban's own rules.

The held-out corpora (tests/corpus/holdout/*.yaml, tests/corpus/fresh/*.yaml,
tests/corpus/third/*.yaml and tests/corpus/fourth/*.yaml: messages written independently of the
reader and of the main corpus, to measure it on messages it was not tuned on) are checked the same
way.

The corpus is the specification the reader of plain-Chinese replies is measured against, so an
expectation Duban itself would refuse would make the reader "wrong" for doing the right thing. Two
layers of checks:
- the format, and the plan's facts: a real unit, an indicator the unit is responsible for, the item
  spelt as the plan spells it, a period exactly when the indicator is monthly, a value the
  indicator's own parser accepts, notes quoted from the text, the period rule of the README;
- every expected report sent as `/report <code> [<period>] [<item>] <value>` (and every progress as
  `/progress <task> <status> <unit>`) through the real router, as the plan's office, on the day the
  message was written: each must be accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import cache
from typing import Any

import pytest
import yaml

from config.plan_schema import Indicator, Plan
from handlers.context import Services
from models.plans import expand_units
from models.scoring import value_spec
from tests.conftest import SHANGHAI, FakeClock, member
from tests.reader_corpus import CORPUS, PLANS, plan_of

FOLDERS = {"main": CORPUS} | {d.name: d for d in sorted(CORPUS.iterdir()) if d.is_dir() and any(d.glob("*.yaml"))}
"""The main corpus (the reader's specification) and the held-out corpora (its honest measure):
every folder of the corpus is checked, also one not yet measured (`tests.reader_corpus.HELD_OUT`)."""
HELD = [name for name in FOLDERS if name != "main"]
MINIMUM = {"main": {"dingtao": 160, "puyang": 120}} | {name: {"dingtao": 90, "puyang": 60} for name in HELD}
TOTAL = {"main": 300} | dict.fromkeys(HELD, 150)
SENT = {"main": {"dingtao": 250, "puyang": 100}} | {name: {"dingtao": 140, "puyang": 60} for name in HELD}
"""The fewest expected reports and progress each plan's file must send through the router."""
ENTRY_KEYS = {"text", "unit", "today", "reply_to", "reports", "progress", "notes", "ambiguous", "candidates", "tags"}
REQUIRED = {"text", "unit", "today", "reports", "ambiguous", "tags"}
REPORT_KEYS = {"code", "period", "item", "value"}
ASKING = ("nudge", "period_figure")
"""Reminders that ask for a monthly indicator's figures: `code` is the indicator, `period` the month."""
TASK_KINDS = ("deadline_day", "before_deadline", "overdue")
"""Task reminders: `code` is the task."""
STATUS_WORDS = {"done": "完成", "doing": "进行中", "blocked": "受阻"}
MONTH_WORD = re.compile(r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月|本月|上月|上个月|这个月|当月")
"""A month named in the text; without one, a monthly figure's month comes from the README's rule."""
Entry = dict[str, Any]


@cache
def corpus(name: str, folder: str = "main") -> list[Entry]:
    data = yaml.safe_load((FOLDERS[folder] / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, list), (folder, name)
    return data


def day_of(entry: Entry) -> dt.date:
    today = entry["today"]
    assert isinstance(today, dt.date), f"today must be a date (YYYY-MM-DD): {entry['text']}"
    return today


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def last_closed_month(day: dt.date) -> str:
    return month_of(day.replace(day=1) - dt.timedelta(days=1))


def responsible(plan: Plan, unit: str) -> dict[str, Indicator]:
    """The indicators a unit is responsible for (its units or lead, groups expanded), by code."""
    return {i.code: i for i in plan.indicators if unit in expand_units(plan, i.units + i.lead)}


def report_line(report: dict[str, Any]) -> str:
    parts = [report["code"], report.get("period"), report.get("item"), report["value"]]
    return "/report " + " ".join(str(p) for p in parts if p)


# --- format and the plan's facts ------------------------------------------------------------------


def check_reply_to(plan: Plan, entry: Entry, own: dict[str, Indicator]) -> None:
    reply_to, today = entry["reply_to"], day_of(entry)
    assert isinstance(reply_to, dict)
    kind, code = reply_to.get("kind"), reply_to.get("code")
    assert isinstance(code, str), reply_to
    if kind in ASKING:
        assert set(reply_to) == {"kind", "code", "period"}, reply_to
        indicator = own.get(code)
        assert indicator is not None, f"{entry['unit']} is not asked for {code}"
        assert indicator.periods, f"{code} is not monthly"
        assert reply_to["period"] in indicator.periods.months(), reply_to
        assert reply_to["period"] < month_of(today), "a month is asked for once it is over"
        return
    assert kind in TASK_KINDS, reply_to
    assert set(reply_to) == {"kind", "code"}, reply_to
    task = next((t for t in plan.tasks if t.code == code), None)
    assert task is not None, reply_to
    assert entry["unit"] in expand_units(plan, task.units + task.lead), f"{entry['unit']} is not on task {code}"
    assert task.deadline is not None
    if kind == "before_deadline":
        assert task.deadline - dt.timedelta(days=31) <= today <= task.deadline, entry["text"]
    elif kind == "deadline_day":
        assert task.deadline <= today <= task.deadline + dt.timedelta(days=3), entry["text"]
    else:
        assert today > task.deadline, entry["text"]


def check_report(entry: Entry, report: Any, own: dict[str, Indicator]) -> None:
    assert isinstance(report, dict), report
    assert set(report) <= REPORT_KEYS, report
    assert all(isinstance(v, str) for v in report.values()), f"write codes, periods and values as strings: {report}"
    indicator = own.get(report["code"])
    assert indicator is not None, f"{entry['unit']} is not responsible for indicator {report['code']}"
    if indicator.periods:
        assert report.get("period") in indicator.periods.months(), report
    else:
        assert "period" not in report, report
    names = [i.name for i in indicator.items()]
    if names:
        assert report.get("item") in names, f"item must be one of {names}: {report}"
    else:
        assert "item" not in report, report
    item = next((i for i in indicator.items() if i.name == report.get("item")), None)
    value_spec(indicator, item).read(report["value"])  # raises when /report would refuse the value


def check_period_rule(entry: Entry) -> None:
    """Without a month in the text: the month the reminder asked about, else the last closed month."""
    if MONTH_WORD.search(entry["text"]):
        return
    reply_to = entry.get("reply_to") or {}
    expected = reply_to["period"] if reply_to.get("kind") in ASKING else last_closed_month(day_of(entry))
    for report in entry["reports"]:
        if "period" in report:
            assert report["period"] == expected, f"{entry['text']}: the period rule gives {expected}"


def check_entry(plan: Plan, entry: Any) -> None:
    assert isinstance(entry, dict), entry
    assert REQUIRED <= set(entry) <= ENTRY_KEYS, sorted(set(entry) ^ REQUIRED)
    text = entry["text"]
    assert isinstance(text, str), entry
    assert text.strip(), entry
    assert entry["unit"] in {u.name for u in plan.units}, f"not a unit of {plan.id}: {entry['unit']}"
    today = day_of(entry)
    assert plan.start <= today <= plan.end + dt.timedelta(days=62), text
    own = responsible(plan, entry["unit"])
    if "reply_to" in entry:
        check_reply_to(plan, entry, own)
    assert isinstance(entry["reports"], list), text
    for report in entry["reports"]:
        check_report(entry, report, own)
    places = [(r["code"], r.get("period"), r.get("item")) for r in entry["reports"]]
    assert len(places) == len(set(places)), f"two reports for one place: {text}"
    check_period_rule(entry)
    if "progress" in entry:
        progress = entry["progress"]
        assert set(progress) == {"task", "status"}, progress
        assert progress["status"] in STATUS_WORDS, progress
        task = next((t for t in plan.tasks if t.code == progress["task"]), None)
        assert task is not None, progress
        assert entry["unit"] in expand_units(plan, task.units + task.lead), f"{entry['unit']} is not on {progress}"
    for note in entry.get("notes", []):
        assert isinstance(note, str), note
        assert note in text, f"a note quotes the text: {note!r} in {text!r}"
    assert isinstance(entry["ambiguous"], bool), text
    if entry["ambiguous"]:
        assert entry["reports"] == [], f"an ambiguous message yields no report: {text}"
        candidates = entry.get("candidates")
        assert isinstance(candidates, list), text
        assert candidates, text
        assert all(c in own for c in candidates), f"candidates are the unit's own indicators: {candidates}"
    else:
        assert not entry.get("candidates"), text
    tags = entry["tags"]
    assert isinstance(tags, list), text
    assert tags, text
    assert all(isinstance(t, str) for t in tags), text


@pytest.mark.parametrize("folder", sorted(FOLDERS))
@pytest.mark.parametrize("name", sorted(PLANS))
def test_every_entry_is_well_formed_and_right_by_the_plan(name: str, folder: str) -> None:
    plan = plan_of(name)
    for entry in corpus(name, folder):
        check_entry(plan, entry)


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_the_corpus_is_large_varied_and_about_one_tenth_ambiguous(folder: str) -> None:
    total = 0
    for name, minimum in MINIMUM[folder].items():
        entries = corpus(name, folder)
        total += len(entries)
        assert len(entries) >= minimum, name
        keys = [(e["text"], e["unit"], str(e["today"]), str(e.get("reply_to"))) for e in entries]
        assert [k for k, n in Counter(keys).items() if n > 1] == [], f"repeated entries in {name}"
        ambiguous = sum(e["ambiguous"] for e in entries) / len(entries)
        assert 0.05 <= ambiguous <= 0.15, (name, ambiguous)
        no_figure = sum(not e["reports"] and not e["ambiguous"] for e in entries) / len(entries)
        assert 0.15 <= no_figure <= 0.35, (name, no_figure)
        reported = {r["code"] for e in entries for r in e["reports"]}
        scored = {i.code for i in plan_of(name).indicators if i.rule.kind != "assessed"}
        assert len(reported) >= 0.8 * len(scored), f"{name}: most indicators are reported somewhere"
        assert len({e["unit"] for e in entries}) >= 30, f"{name}: many units speak"
    assert total >= TOTAL[folder]


# --- through the real router ---------------------------------------------------------------------


async def send_all(services: Services, clock: FakeClock, name: str, folder: str) -> int:
    """Every expected report and progress of one plan's corpus, as the office, on the entry's day."""
    office = await member(services, PLANS[name], "office", "admin")
    sent = 0
    for entry in corpus(name, folder):
        today = day_of(entry)
        clock.set(dt.datetime(today.year, today.month, today.day, 10, 0, tzinfo=SHANGHAI))
        lines = [report_line(r) for r in entry["reports"]]
        if "progress" in entry:
            progress = entry["progress"]
            lines.append(f"/progress {progress['task']} {STATUS_WORDS[progress['status']]} {entry['unit']}")
        for line in lines:
            reply = await office.say(line)
            assert reply.ok, f"{entry['text']!r} → {line} refused: {reply.text}"
            sent += 1
    return sent


@pytest.mark.parametrize("folder", sorted(FOLDERS))
async def test_dingtao_expectations_are_accepted_by_report(dingtao: Services, clock: FakeClock, folder: str) -> None:
    assert await send_all(dingtao, clock, "dingtao", folder) >= SENT[folder]["dingtao"]


@pytest.mark.parametrize("folder", sorted(FOLDERS))
async def test_puyang_expectations_are_accepted_by_report(puyang: Services, clock: FakeClock, folder: str) -> None:
    assert await send_all(puyang, clock, "puyang", folder) >= SENT[folder]["puyang"]
