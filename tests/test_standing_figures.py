"""The current figures, and the figures as they stood at any moment, read through
`Report.replaced_at` instead of by grouping a plan's whole history: they must be exactly what the
history says (the newest counted report of each place written by then), and the migration that
introduced the column must fill it in the same way for reports written before it."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from sqlalchemy import text, update
from sqlmodel import col, select

from handlers.context import Services
from models.reports import Observations, latest_observations
from models.schema import scripts
from models.tables import Report
from tests.conftest import SHANGHAI, Chat, FakeClock, member

pytestmark = pytest.mark.both_databases  # see tests/backends.py

PLAN = "dingtao-2022"


async def _history(services: Services) -> list[Report]:
    async with services.db.session() as session:
        return list((await session.exec(select(Report).where(Report.plan_id == PLAN).order_by(col(Report.id)))).all())


def _as_of(history: list[Report], until: dt.datetime | None) -> dict[int, Observations]:
    """What the figures were at `until`, from the history alone: the newest counted report of each
    place written by then (the definition the index must agree with)."""
    out: dict[int, Observations] = defaultdict(dict)
    for report in history:  # by id: a later row wins
        if report.status is None and (until is None or report.at <= until):
            out[report.indicator_id][(report.period, report.item)] = Decimal(report.value)
    return dict(out)


async def _reports(admin: Chat, liaison: Chat, clock: FakeClock, count: int, seed: int) -> list[dt.datetime]:
    """`count` reports and corrections by the office and a liaison (some of them proposals), one
    every few hours; the moments they were sent."""
    rng = random.Random(seed)
    moments = []
    lines = [
        "/report 3 {p}%",
        "/report 5 2022-0{m} 合规率 {p}%",
        "/report 5 2022-0{m} 及时率 {p}%",
        "/report 11 {n}亿",
        "/report 4 2022-0{m} {n}",
    ]
    for _ in range(count):
        clock.set(clock() + dt.timedelta(hours=rng.randint(1, 30)))
        moments.append(clock())
        line = rng.choice(lines).format(
            p=rng.choice(["0.25", "0.45", "99", "100"]), m=rng.randint(1, 4), n=rng.randint(1, 9)
        )
        chat = liaison if line.startswith("/report 4") else admin  # the liaison's are proposals
        reply = await chat.say(line)
        assert reply.ok, (line, reply.text)
    return moments


@pytest.fixture
def start(clock: FakeClock) -> FakeClock:
    clock.set(dt.datetime(2022, 5, 5, 9, tzinfo=SHANGHAI))
    return clock


async def test_current_figures_and_figures_at_any_moment_follow_the_history(
    dingtao: Services, start: FakeClock
) -> None:
    admin = await member(dingtao, PLAN, "office", "admin")
    liaison = await member(dingtao, PLAN, "minzheng", "liaison", "区民政局")
    moments = await _reports(admin, liaison, start, 60, seed=7)
    history = await _history(dingtao)
    assert sum(r.status is None for r in history) > 30
    assert any(r.status for r in history)
    async with dingtao.db.session() as session:
        assert await latest_observations(session, PLAN) == _as_of(history, None)
        for until in [moments[0] - dt.timedelta(seconds=1), *moments, moments[-1] + dt.timedelta(days=1)]:
            for probe in (until, until - dt.timedelta(microseconds=1)):
                assert await latest_observations(session, PLAN, until=probe) == _as_of(history, probe), probe


async def test_only_the_newest_counted_figure_of_a_place_is_standing(dingtao: Services, start: FakeClock) -> None:
    admin = await member(dingtao, PLAN, "office", "admin")
    liaison = await member(dingtao, PLAN, "minzheng", "liaison", "区民政局")
    await _reports(admin, liaison, start, 40, seed=11)
    newest: dict[tuple[int, str | None, str | None], int] = {}
    history = await _history(dingtao)
    for report in history:
        if report.status is None:
            newest[(report.indicator_id, report.period, report.item)] = report.id or 0
    standing = {r.id for r in history if r.status is None and r.replaced_at is None}
    assert standing == set(newest.values())
    for report in history:
        if report.status is not None:
            assert report.replaced_at is None  # a proposal never stands, and is never replaced


async def test_the_migration_fills_in_when_each_earlier_report_was_replaced(
    dingtao: Services, start: FakeClock
) -> None:
    admin = await member(dingtao, PLAN, "office", "admin")
    liaison = await member(dingtao, PLAN, "minzheng", "liaison", "区民政局")
    await _reports(admin, liaison, start, 40, seed=5)
    written = {r.id: r.replaced_at for r in await _history(dingtao)}
    assert sum(v is not None for v in written.values()) >= 10
    backfill = scripts().get_revision("0004").module.BACKFILL
    async with dingtao.db.session() as session:
        await session.exec(update(Report).values(replaced_at=None))
        await session.exec(text(backfill))  # type: ignore[call-overload]
    assert {r.id: r.replaced_at for r in await _history(dingtao)} == written
