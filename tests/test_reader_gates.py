"""Puyang's pass/fail basic indicators (gates) read from plain replies: an explicit verdict for the one
gate the clause names, proposed and recorded by /gate on 确认."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from config.plan_schema import Plan
from handlers.context import Services
from models.plans import expand_units
from models.reader import Context, read
from models.tables import IndicatorRow, Report
from tests.conftest import member
from tests.reader_corpus import plan_of

PUYANG = "puyang-2021"


def gates_of(plan: Plan, unit: str) -> frozenset[str]:
    return frozenset(g.code for g in plan.gates if unit in expand_units(plan, g.units + g.lead))


@pytest.mark.parametrize(
    ("unit", "text", "expected"),
    [
        ("市发展改革委", "G4已达标", [("G4", True)]),
        ("市发展改革委", "双公示上报率、合规率、及时率三率均已达标，材料已上传", [("G4", True)]),
        ("濮阳银保监分局", "今年信用贷款增速未达标，低于全国平均水平", [("G6", False)]),
        ("市金融工作局", "g5 符合要求", [("G5", True)]),
        ("市发展改革委", "G5已达标", []),  # not the speaker's gate
        ("市发展改革委", "G4和G7都达标了", []),  # two gates in one clause: not read
        ("市发展改革委", "双公示合规率100%", []),  # a figure is no verdict: the office judges the gate
        ("市中级人民法院", "政府机构失信被执行人整改到位率还未达标，正在督促", [("G3", False)]),
    ],
)
def test_a_gate_is_read_only_from_an_explicit_verdict(unit: str, text: str, expected: list[tuple[str, bool]]) -> None:
    plan = plan_of("puyang")
    reading = read(plan, text, Context(today=dt.date(2021, 6, 10), gates=gates_of(plan, unit)))
    assert [(v.code, v.met) for v in reading.verdicts] == expected


async def test_a_gate_verdict_is_proposed_and_recorded_by_gate_on_confirm(puyang: Services) -> None:
    liaison = await member(puyang, PUYANG, "fg", "liaison", "市发展改革委")
    proposed = await liaison.say("G4已达标，佐证材料稍后上传")
    assert "基础指标 G4 “双公示”信息上报率、合规率、及时率均达到100% = 达标" in proposed.text, proposed.text
    confirm, amend, _ = proposed.buttons[0]
    assert confirm.command == "/reports G4 达标"
    assert (await liaison.say(amend.command)).text.split("\n")[1:] == ["/gate G4 达标"]
    async with puyang.db.session() as session:
        assert not (await session.exec(select(Report))).all()
    assert (await liaison.say(confirm.command)).ok
    async with puyang.db.session() as session:
        row = (await session.exec(select(IndicatorRow).where(IndicatorRow.code == "G4"))).one()
        reports = (await session.exec(select(Report).where(Report.indicator_id == row.id))).all()
    assert [r.value for r in reports] == ["1"]
