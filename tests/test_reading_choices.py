"""Every question the reader asks comes with buttons, and every button is a whole command that works:
a tap records the report (period and item included), never answers with a usage error. Checked on
every ambiguous message of all five corpora."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from handlers.context import Services
from models.reader import read
from tests.conftest import SHANGHAI, Chat, FakeClock, member
from tests.reader_corpus import CORPUS, HELD_OUT, context_of, day_of, entries, plan_of

FOLDERS = (CORPUS, *HELD_OUT)


def _asked(name: str) -> list[dict[str, Any]]:
    """The ambiguous messages of one plan that stand alone (no reminder they answer)."""
    found = [e for folder in FOLDERS for n, e in entries(folder) if n == name and e.get("ambiguous")]
    return [e for e in found if not e.get("reply_to")]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_every_question_of_the_reader_has_a_choice_to_tap(folder: Any) -> None:
    for name, entry in entries(folder):
        plan = plan_of(name)
        for ambiguity in read(plan, entry["text"], context_of(plan, entry)).ambiguities:
            assert ambiguity.choices or ambiguity.items or ambiguity.values, (entry["text"], ambiguity)


async def _liaison(services: Services, plan: str, liaisons: dict[str, Chat], unit: str) -> Chat:
    """The unit's liaison, bound the first time the unit speaks."""
    if unit not in liaisons:
        liaisons[unit] = await member(services, plan, f"u{len(liaisons)}", "liaison", unit)
    return liaisons[unit]


async def _tap_every_choice(services: Services, clock: FakeClock, name: str) -> int:
    """Each ambiguous message said by its unit's liaison on its day; each button pressed by the office
    (which may report anything), which must record it. Returns the number of buttons pressed."""
    plan = plan_of(name).id
    office = await member(services, plan, "office", "admin")
    liaisons: dict[str, Chat] = {}
    pressed = 0
    for entry in _asked(name):
        clock.set(dt.datetime.combine(day_of(entry), dt.time(10), tzinfo=SHANGHAI))
        read_back = await (await _liaison(services, plan, liaisons, entry["unit"])).say(entry["text"])
        for button in (b for row in read_back.buttons for b in row if b.command.startswith("/report")):
            tapped = await office.say(button.command)
            if tapped.buttons:  # a button per indicator with many items: its /report line asks which item
                follow = [await office.say(b.command) for row in tapped.buttons for b in row]
                tapped = next((f for f in follow if f.ok), follow[0])
            recorded = "已记录" in tapped.text or "未作改动" in tapped.text  # or the same figure was recorded before
            assert tapped.ok, (entry["text"], button.command, tapped.text)
            assert recorded, (entry["text"], button.command, tapped.text)
            pressed += 1
    return pressed


async def test_every_button_of_a_dingtao_question_records_its_report(dingtao: Services, clock: FakeClock) -> None:
    assert await _tap_every_choice(dingtao, clock, "dingtao") >= 20


async def test_every_button_of_a_puyang_question_records_its_report(puyang: Services, clock: FakeClock) -> None:
    assert await _tap_every_choice(puyang, clock, "puyang") >= 20


async def _confirm_every_proposal(services: Services, clock: FakeClock, name: str) -> int:
    """Each corpus message that yields reports, said by its unit's liaison on its day (as a plain
    message), confirmed: 确认 must record, never answer with an error. Returns the number confirmed."""
    plan = plan_of(name).id
    liaisons: dict[str, Chat] = {}
    confirmed = 0
    for entry in (e for folder in FOLDERS for n, e in entries(folder) if n == name and e.get("reports")):
        clock.set(dt.datetime.combine(day_of(entry), dt.time(10), tzinfo=SHANGHAI))
        liaison = await _liaison(services, plan, liaisons, entry["unit"])
        proposal = await liaison.say(entry["text"])
        confirm = [b for row in proposal.buttons for b in row if b.label == "确认"]
        for button in confirm:
            tapped = await liaison.say(button.command)
            assert tapped.ok, (entry["text"], button.command, tapped.text)
            confirmed += 1
    return confirmed


async def test_every_confirm_of_a_dingtao_proposal_records(dingtao: Services, clock: FakeClock) -> None:
    assert await _confirm_every_proposal(dingtao, clock, "dingtao") >= 300


async def test_every_confirm_of_a_puyang_proposal_records(puyang: Services, clock: FakeClock) -> None:
    assert await _confirm_every_proposal(puyang, clock, "puyang") >= 300
