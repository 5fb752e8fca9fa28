"""Faults in what Duban keeps: the database away under load, locked, and a bad plan file loaded over a good one.

- PostgreSQL restarted (issue 12): while the sender sends a burst through Telegram and the office
  reports through the chat, every connection to the database is cut and new ones are refused for
  3 s (`ALTER DATABASE … ALLOW_CONNECTIONS false` and `pg_terminate_backend`, what a restart looks
  like from the client). The same process carries on afterwards without being restarted.
- SQLite locked: another connection holds the write lock (BEGIN IMMEDIATE), shorter than the busy
  timeout (the writer waits, SQLite retrying, and succeeds) and longer (the request fails as a whole).
- A plan file with errors, or one the database refuses, loaded over a good plan: the good one stays.

What must hold: a report confirmed to its sender is stored; a report that failed got an apology (not
silence) and left nothing behind; every notice arrives, and no more of them twice than the deliveries
the sender had marked `sending` when the database went away (sent, not yet recorded).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert
from sqlmodel import col, select

from bench.instances_bench import Outage
from bot.cli_reports import score
from bot.telegram_transport import TelegramTransport
from config.plan_loader import load_plan_file, shipped_plan_paths
from config.plan_yaml import plan_yaml
from handlers.context import Services
from models.database import Database, open_database
from models.people import bind_member
from models.tables import (
    Assignment,
    AuditEntry,
    Delivery,
    GroupMember,
    IndicatorRow,
    PlanRow,
    ReminderRow,
    Report,
    Responsibility,
    TaskRow,
    UnitRow,
)
from reminders.sender import RETRY_AFTER, Sender
from tests.backends import PostgresServer
from tests.conftest import Chat, FakeClock
from tests.fake_telegram import FakeTelegram
from tests.test_plan_workbook import column, row_of, shipped, workbook
from tests.test_telegram import running

pytestmark = pytest.mark.both_databases  # see tests/backends.py

PLAN = "dingtao-2022"
OFFICE = 1001
"""The office's admin, reporting through Telegram in their private chat."""
CHAT_BASE = 830_000_000
BURST = 120
"""Notices in the burst: about 5 s of Telegram's 25 reminders a second."""
APOLOGY = "抱歉"


def notice_text(number: int) -> str:
    return f"第{number:03d}号答复：请于本周五前报送本单位材料。"


async def queue_burst(services: Services, fake: FakeTelegram, count: int) -> dict[int, str]:
    """`count` members, each in their own Telegram private chat, and one notice to each, due now:
    chat id -> the notice's own text."""
    now = services.clock()
    plan = load_plan_file(shipped_plan_paths()[PLAN])
    task = plan.tasks[0]
    expected: dict[int, str] = {}
    rows: list[dict[str, Any]] = []
    async with services.db.session() as session:
        for number in range(1, count + 1):
            chat = CHAT_BASE + number
            fake.private_chat(chat)
            member = await bind_member(
                session,
                plan_id=PLAN,
                transport="telegram",
                user_id=str(chat),
                display_name=f"领导{number}",
                chat_id=str(chat),
                role="leader",
                unit_id=None,
                now=now,
                via="test",
            )
            expected[chat] = notice_text(number)
            detail = {
                "audience": [f"member:{member.id}"],
                "key": "notice_answer",
                "params": {"code": task.code, "title": task.title, "text": notice_text(number)},
                "actions": [],
            }
            rows.append(
                {
                    "plan_id": PLAN,
                    "key": f"notice:burst:{number}",
                    "kind": "notice",
                    "due_at": now,
                    "subject": task.code,
                    "detail": json.dumps(detail, ensure_ascii=False),
                    "status": "pending",
                    "created_at": now,
                    "attempts": 0,
                    "last_error": "",
                }
            )
        await session.exec(insert(ReminderRow), params=rows)
    return expected


def arrivals(fake: FakeTelegram, expected: dict[int, str]) -> Counter[int]:
    """Per burst chat, how many times its notice is in the chat."""
    return Counter({chat: sum(text in m["plain"] for m in fake.sent_to(chat)) for chat, text in expected.items()})


async def until(condition: Callable[[], bool], within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


class Office:
    """The office's admin in Telegram: sends one message at a time and waits for what Duban answers."""

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self.user, self.chat = fake.user(OFFICE, "Office"), fake.private_chat(OFFICE)

    async def say(self, text: str, within: float = 20.0) -> str:
        """The answer to `text`: Duban's reply to that message, or its apology."""
        before = {m["message_id"] for m in self.fake.sent_to(OFFICE)}
        sent = self.fake.send_text(user=self.user, chat=self.chat, text=text)

        def answer() -> str | None:
            for message in self.fake.sent_to(OFFICE):
                replied = message["reply_to_message_id"] == sent
                if message["message_id"] not in before and (replied or message["plain"].startswith(APOLOGY)):
                    return str(message["plain"])
            return None

        deadline = time.monotonic() + within
        while (found := answer()) is None:
            assert time.monotonic() < deadline, f"no answer to {text!r}"
            await asyncio.sleep(0.02)
        return found


async def stored_reports(db: Database) -> list[str]:
    async with db.session() as session:
        return sorted((await session.exec(select(Report.raw).where(Report.plan_id == PLAN))).all())


async def pending(db: Database) -> int:
    async with db.session() as session:
        found = (
            select(func.count())
            .select_from(ReminderRow)
            .where(col(ReminderRow.key).startswith("notice:burst:"), ReminderRow.status == "pending")
        )
        return int((await session.exec(found)).one())


async def send_until_done(sender: Sender, clock: FakeClock, passes: int = 6) -> None:
    """Sender passes, the clock moved past the retry time between them, until no burst row is pending."""
    for _ in range(passes):
        await sender.send_due()
        await sender.journal.drain()
        if await pending(sender.db) == 0:
            return
        clock.set(clock() + RETRY_AFTER * 3)
    raise AssertionError(f"{await pending(sender.db)} notices still pending after {passes} passes")


async def bind_office(services: Services) -> None:
    async with services.db.session() as session:
        await bind_member(
            session,
            plan_id=PLAN,
            transport="telegram",
            user_id=str(OFFICE),
            display_name="Office",
            chat_id=str(OFFICE),
            role="admin",
            unit_id=None,
            now=services.clock(),
            via="test",
        )


# --------------------------------------------------------------------------- PostgreSQL restarted


def outage_of(server: PostgresServer, db: Database) -> Outage:
    """The test's database cut and refused as a restart does it (see `bench.instances_bench.Outage`)."""
    url = db.engine.url.render_as_string(hide_password=False)
    return Outage(url, admin=server.url.render_as_string(hide_password=False))


def postgres_only(backend: PostgresServer | None) -> PostgresServer:
    if backend is None:
        pytest.skip("a PostgreSQL restart; SQLite is a file (its lock has its own test)")
    return backend


async def test_postgresql_away_for_3_seconds_under_load_loses_nothing_and_the_process_carries_on(
    dingtao: Services, fake: FakeTelegram, clock: FakeClock, backend: PostgresServer | None
) -> None:
    server = postgres_only(backend)
    await bind_office(dingtao)
    expected = await queue_burst(dingtao, fake, BURST)
    office = Office(fake)
    outage = outage_of(server, dingtao.db)
    async with running(dingtao, fake) as (_, bridge):
        assert "0 → 4.29" in await office.say("/report 11 8亿")
        sender = Sender(dingtao.db, clock, [TelegramTransport(bridge)])
        sending = asyncio.create_task(sender.send_due())
        await until(lambda: sum(arrivals(fake, expected).values()) >= 20)
        try:
            away = time.monotonic()
            in_doubt = await outage.begin()
            during = [await office.say(f"/report 11 {n}亿") for n in (9, 10)]
            await asyncio.sleep(max(0.0, away + 3.0 - time.monotonic()))
        finally:
            await outage.end()
        assert all(answer.startswith(APOLOGY) for answer in during), during
        await asyncio.gather(sending, return_exceptions=True)  # the pass that met the outage
        after = await office.say("/report 11 12亿")  # the same process, the same engine: reconnected
        assert "→" in after, after
        await send_until_done(sender, clock)
    assert await stored_reports(dingtao.db) == ["12亿", "8亿"]  # the refused ones left nothing
    counts = arrivals(fake, expected)
    assert [chat for chat, n in counts.items() if n == 0] == []
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= in_doubt, (duplicates, in_doubt)
    async with dingtao.db.session() as session:
        states = (await session.exec(select(Delivery.state, func.count()).group_by(Delivery.state))).all()
    assert dict(states) == {"sent": BURST}


async def test_a_postgresql_restart_while_idle_costs_no_message(
    dingtao: Services, fake: FakeTelegram, backend: PostgresServer | None
) -> None:
    server = postgres_only(backend)
    await bind_office(dingtao)
    office = Office(fake)
    async with running(dingtao, fake):
        assert "0 → 4.29" in await office.say("/report 11 8亿")
        restart = outage_of(server, dingtao.db)
        try:
            await restart.begin()  # every pooled connection cut while nobody used it ...
        finally:
            await restart.end()  # ... and the server back at once
        assert "→" in await office.say("/report 11 9亿")  # a broken connection is replaced before use
    assert await stored_reports(dingtao.db) == ["8亿", "9亿"]


# --------------------------------------------------------------------------- SQLite locked


@contextlib.asynccontextmanager
async def write_lock(path: str) -> AsyncIterator[sqlite3.Connection]:
    """Another connection holding SQLite's write lock (as a `duban plan load` or an sqlite3 shell
    would). Taken in a thread: Duban's transaction in progress needs the event loop to finish."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        await asyncio.to_thread(holder.execute, "BEGIN IMMEDIATE")
        yield holder
        holder.execute("ROLLBACK")
    finally:
        holder.close()


@pytest.fixture
async def short_busy(dingtao: Services, backend: PostgresServer | None) -> AsyncIterator[Services]:
    """The Dingtao database (SQLite) opened again with a busy timeout of 1 s, so that a lock held longer
    is quick to test."""
    if backend is not None:
        pytest.skip("SQLite's write lock")
    path = str(dingtao.db.engine.url.database)
    db = await open_database(f"sqlite:///{path}", busy_timeout=1.0)
    try:
        yield Services(db=db, clock=dingtao.clock, evidence=dingtao.evidence)
    finally:
        await db.close()


async def test_sqlite_locked_shorter_than_the_busy_timeout_delays_a_report_but_keeps_it(
    short_busy: Services, fake: FakeTelegram
) -> None:
    await bind_office(short_busy)
    office = Office(fake)
    path = str(short_busy.db.engine.url.database)
    async with running(short_busy, fake):
        async with write_lock(path):
            answering = asyncio.create_task(office.say("/report 11 8亿"))
            await asyncio.sleep(0.4)
            assert not answering.done()  # waiting for the lock
        assert "0 → 4.29" in await answering
    assert await stored_reports(short_busy.db) == ["8亿"]


async def test_sqlite_locked_longer_than_the_busy_timeout_loses_nothing(
    short_busy: Services, fake: FakeTelegram, clock: FakeClock
) -> None:
    await bind_office(short_busy)
    expected = await queue_burst(short_busy, fake, BURST)
    office = Office(fake)
    path = str(short_busy.db.engine.url.database)
    async with running(short_busy, fake) as (_, bridge):
        assert "0 → 4.29" in await office.say("/report 11 8亿")
        sender = Sender(short_busy.db, clock, [TelegramTransport(bridge)])
        sending = asyncio.create_task(sender.send_due())
        await until(lambda: sum(arrivals(fake, expected).values()) >= 20)
        async with write_lock(path) as holder:
            held = time.monotonic()
            in_doubt = holder.execute("SELECT count(*) FROM delivery WHERE state = 'sending'").fetchone()[0]
            refused = await office.say("/report 11 9亿")
            await asyncio.sleep(max(0.0, held + 2.5 - time.monotonic()))
        assert refused.startswith(APOLOGY), refused
        await asyncio.gather(sending, return_exceptions=True)
        assert "→" in await office.say("/report 11 12亿")
        await send_until_done(sender, clock)
    assert await stored_reports(short_busy.db) == ["12亿", "8亿"]
    counts = arrivals(fake, expected)
    assert [chat for chat, n in counts.items() if n == 0] == []
    assert sum(n - 1 for n in counts.values()) <= in_doubt


# --------------------------------------------------------------------------- a bad plan over a good one


TABLES = (PlanRow, UnitRow, GroupMember, TaskRow, Assignment, IndicatorRow, Responsibility, Report, AuditEntry)


async def snapshot(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of the tables a plan load writes, in a stable order."""
    found: dict[str, list[dict[str, Any]]] = {}
    async with db.session() as session:
        for table in TABLES:
            rows = (await session.exec(select(table))).all()
            found[table.__name__] = sorted((r.model_dump() for r in rows), key=repr)
    return found


async def cli(db: Database, *args: str) -> tuple[int, str, str]:
    """A `duban` command on the test's database, in a subprocess, as an office would type it."""
    url = db.engine.url.render_as_string(hide_password=False)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        "--db",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**_clean_env(), "DUBAN_LANG": "zh"},
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return int(process.returncode or 0), out.decode(), err.decode()


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_") and k != "DATABASE_URL"}


async def scores(db: Database, capsys: pytest.CaptureFixture[str]) -> Any:
    """What `duban score --plan … --json` prints."""
    capsys.readouterr()
    assert await score(db, PLAN, as_json=True) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
async def good_plan(
    dingtao: Services, admin: Chat, capsys: pytest.CaptureFixture[str]
) -> tuple[dict[str, list[dict[str, Any]]], Any]:
    """The Dingtao plan with a few reports scored: its rows and its scores."""
    for text in ("/report 11 8亿", "/report 3 0.4%"):
        assert (await admin.say(text)).ok, text
    return await snapshot(dingtao.db), await scores(dingtao.db, capsys)


async def test_a_plan_file_with_errors_loaded_over_a_good_one_changes_nothing(
    dingtao: Services,
    good_plan: tuple[dict[str, list[dict[str, Any]]], Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = shipped_plan_paths()[PLAN].read_text(encoding="utf-8")
    broken = text.replace("units: [区委宣传部, 区发改局]", "units: [区委宣传部, 区法改局]", 1)
    broken = broken.replace("max_points: 100", "max_points: 一百", 1)
    assert broken.count("区法改局") == 1
    assert "一百" in broken
    path = tmp_path / "dingtao-broken.yaml"
    path.write_text(broken, encoding="utf-8")
    code, out, err = await cli(dingtao.db, "plan", "load", str(path))
    assert (code, out) == (1, "")
    assert "未知的单位或单位组“区法改局”" in err
    assert "max_points" in err
    assert (await snapshot(dingtao.db), await scores(dingtao.db, capsys)) == good_plan


async def test_a_plan_the_database_refuses_half_way_changes_nothing(
    dingtao: Services,
    good_plan: tuple[dict[str, list[dict[str, Any]]], Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plan = shipped(PLAN)
    # A valid file whose load gets far (a new name, a task renamed) before it meets an indicator with
    # reports that the file drops (its points moved to another, so the file itself is valid).
    dropped = next(i for i in plan.indicators if i.code == "11")
    kept = [i for i in plan.indicators if i.code != "11"]
    kept[0] = kept[0].model_copy(update={"max": kept[0].max + dropped.max})
    tasks = [plan.tasks[0].model_copy(update={"title": "改过的标题"}), *plan.tasks[1:]]
    changed = plan.model_copy(update={"name": "改过的方案", "indicators": kept, "tasks": tasks})
    path = tmp_path / "dingtao-refused.yaml"
    path.write_text(plan_yaml(changed), encoding="utf-8")
    load_plan_file(path)  # valid: the refusal comes from what the database holds
    code, out, err = await cli(dingtao.db, "plan", "load", str(path))
    assert (code, out, err) == (1, "", "无法更新方案：指标 11 已有报送记录，不能从方案中删除\n")
    assert (await snapshot(dingtao.db), await scores(dingtao.db, capsys)) == good_plan


async def test_a_workbook_with_errors_imported_over_a_good_plan_changes_nothing(
    dingtao: Services,
    good_plan: tuple[dict[str, list[dict[str, Any]]], Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wb = workbook(shipped(PLAN))
    indicators = wb["评分指标"]
    indicators.cell(row_of(indicators, "11"), column(indicators, "佐证截止")).value = "2022-06-31"
    source = tmp_path / "broken.xlsx"
    wb.save(source)
    code, out, err = await cli(dingtao.db, "plan", "import", str(source))
    assert (code, out) == (1, "")
    assert "“2022-06-31”不是有效的日期" in err
    assert (await snapshot(dingtao.db), await scores(dingtao.db, capsys)) == good_plan
