"""Several `duban run` on one PostgreSQL database: each due reminder is sent by exactly one of them,
and the rows of an instance that dies are taken over once its lease runs out."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlmodel import col, func, select

from bot.cli_voice import CliError
from bot.console import bind_console_recipients
from bot.single_run import hold_sqlite_lock
from config.i18n import translate
from handlers.context import Services
from models.database import open_database
from models.people import bind_member
from models.tables import Delivery, Member, ReminderRow, UnitRow
from reminders.claims import LEASE, Lease, claim
from reminders.outbound import Outgoing
from reminders.sender import Sender
from tests.conftest import FakeClock, start_duban_run

pytestmark = pytest.mark.both_databases  # see tests/backends.py

PLAN = "dingtao-2022"
TRANSPORT = "null"


class Recorder:
    """A chat service shared by every instance: it answers at once and counts what reached it."""

    name = TRANSPORT

    def __init__(self, counts: Counter[int], hang_after: int | None = None) -> None:
        self.counts = counts
        self.hang_after = hang_after
        self.sent = 0
        self.hanging = asyncio.Event()

    async def send(self, message: Outgoing) -> str:
        self.sent += 1
        if self.hang_after is not None and self.sent > self.hang_after:
            self.hanging.set()
            await asyncio.Event().wait()  # this instance is about to be killed: its request never returns
        self.counts[message.reminder_id or 0] += 1
        await asyncio.sleep(0)
        return f"m{self.sent}"


async def fill(services: Services, rows: int, now: dt.datetime) -> list[int]:
    """One liaison per unit on the null transport, and `rows` task reminders due now."""
    async with services.db.session() as session:
        units = (
            await session.exec(
                select(UnitRow.id)
                .where(UnitRow.plan_id == PLAN, col(UnitRow.is_group).is_(False))
                .order_by(col(UnitRow.id))
            )
        ).all()
        for unit_id in units:
            await bind_member(
                session,
                plan_id=PLAN,
                transport=TRANSPORT,
                user_id=f"liaison-{unit_id}",
                display_name=f"liaison-{unit_id}",
                chat_id=f"chat-{unit_id}",
                role="liaison",
                unit_id=unit_id,
                now=now,
                via="test",
            )
        detail = json.dumps({"title": "提升统一社会信用代码质量", "deadline": "2022-06-30", "workdays_left": 3})
        values = [
            {
                "plan_id": PLAN,
                "key": f"burst:{i}",
                "kind": "before_deadline",
                "due_at": now - dt.timedelta(seconds=1),
                "unit_id": units[i % len(units)],
                "subject": "5",
                "detail": detail,
                "status": "pending",
                "created_at": now,
                "attempts": 0,
                "last_error": "",
            }
            for i in range(rows)
        ]
        await session.exec(insert(ReminderRow), params=values)
        ids = (await session.exec(select(ReminderRow.id).where(col(ReminderRow.key).startswith("burst:")))).all()
    return [i or 0 for i in ids]


async def sent_rows(services: Services) -> int:
    async with services.db.session() as session:
        return int(
            (
                await session.exec(select(func.count()).select_from(ReminderRow).where(ReminderRow.status == "sent"))
            ).one()
        )


def postgres_only(services: Services) -> None:
    if services.db.engine.dialect.name != "postgresql":
        pytest.skip("several instances share a PostgreSQL database; SQLite allows one `duban run`")


@pytest.mark.parametrize("instances", [2, 3])
async def test_several_instances_send_each_reminder_exactly_once(
    dingtao: Services, clock: FakeClock, instances: int
) -> None:
    postgres_only(dingtao)
    ids = await fill(dingtao, 10_000, clock())
    counts: Counter[int] = Counter()
    senders = [Sender(dingtao.db, clock, [Recorder(counts)], instance=f"i{n}") for n in range(instances)]
    await asyncio.gather(*(s.send_due() for s in senders))
    for sender in senders:
        await sender.journal.drain()
    assert set(counts) == set(ids)
    assert max(counts.values()) == 1
    assert await sent_rows(dingtao) == len(ids)
    shares = [s.journal.commits for s in senders]
    assert all(shares), f"every instance took part: {shares}"


async def test_the_rows_of_a_killed_instance_are_taken_over_after_its_lease(
    dingtao: Services, clock: FakeClock
) -> None:
    postgres_only(dingtao)
    ids = await fill(dingtao, 2_000, clock())
    counts: Counter[int] = Counter()
    hung = Recorder(counts, hang_after=300)
    doomed = Sender(dingtao.db, clock, [hung], instance="doomed")
    survivor = Sender(dingtao.db, clock, [Recorder(counts)], instance="survivor")
    killed = asyncio.create_task(doomed.send_due())
    await hung.hanging.wait()
    await asyncio.sleep(0.2)  # its requests in flight hang; the rest of its batch waits behind them
    killed.cancel()  # as kill -9: nothing after this point is written by it
    with pytest.raises(asyncio.CancelledError):
        await killed
    await survivor.send_due()
    await survivor.journal.drain()
    assert await sent_rows(dingtao) < len(ids)  # its leased rows are still held: nobody takes them yet
    clock.set(clock() + LEASE + dt.timedelta(seconds=1))
    await survivor.send_due()
    await survivor.journal.drain()
    assert set(counts) == set(ids)
    async with dingtao.db.session() as session:
        in_doubt = (
            await session.exec(select(func.count()).select_from(Delivery).where(Delivery.state == "sending"))
        ).one()
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= 16  # at most what the killed instance had in flight (CONCURRENCY)
    assert in_doubt == 0
    assert await sent_rows(dingtao) == len(ids)


async def test_a_claimed_row_is_not_claimed_again_until_its_lease_runs_out(dingtao: Services, clock: FakeClock) -> None:
    ids = await fill(dingtao, 10, clock())
    due = col(ReminderRow.status) == "pending"
    async with dingtao.db.session() as session:
        first = await claim(session, due, "a", clock(), 6)
    async with dingtao.db.session() as session:
        second = await claim(session, due, "b", clock(), 100)
    assert {r.id for r in first} | {r.id for r in second} == set(ids)
    assert not {r.id for r in first} & {r.id for r in second}
    assert await Lease(dingtao.db, clock, "a", [r.id or 0 for r in first]).renew() == 6
    clock.set(clock() + LEASE + dt.timedelta(seconds=1))
    async with dingtao.db.session() as session:
        again = await claim(session, due, "c", clock(), 100)
    assert {r.id for r in again} == set(ids)


@pytest.mark.sqlite_only
async def test_a_second_duban_run_on_one_sqlite_database_refuses_to_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/run.db"
    db = await open_database(url)
    try:
        held = hold_sqlite_lock(db)
        assert held is not None
        with pytest.raises(CliError) as refused:
            hold_sqlite_lock(db)  # a second descriptor: as another process would open it
        assert refused.value.key == "cli_run_sqlite_busy"
        env = {**os.environ, "DATABASE_URL": url, "DUBAN_LANG": "zh"}
        process = await start_duban_run(env)
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
        assert process.returncode == 1
        assert err.decode().strip() == translate("zh", "cli_run_sqlite_busy", path=f"{tmp_path}/run.db")
        os.close(held)
    finally:
        await db.close()


async def test_instances_starting_together_bind_the_console_recipients_once(dingtao: Services) -> None:
    await asyncio.gather(*(bind_console_recipients(dingtao, "dingtao-2022") for _ in range(3)))
    async with dingtao.db.session() as session:
        users = (await session.exec(select(Member.user_id).where(Member.transport == "console"))).all()
        units = (
            await session.exec(
                select(func.count())
                .select_from(UnitRow)
                .where(UnitRow.plan_id == "dingtao-2022", col(UnitRow.is_group).is_(False))
            )
        ).one()
    assert len(users) == len(set(users)) == units + 1  # every unit's liaison and the leaders, once
