"""The reminder engine as an office relies on it: it never stops, follows every change at once, and
sends the weekly digest through the outbox (issue 9, points 1, 6, 7 and 8).

Most tests drive a real APScheduler started paused on the test's loop: the test runs the armed
`duban-send` job itself, at the job's time on the injected clock, exactly as the scheduler would
(the job is taken off the scheduler first, as APScheduler does with a date job it runs). A test that
finds no armed job has found an engine that stopped for good.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import event, func, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import col, select
from telegram.error import ChatMigrated, TelegramError

from bot.cli_run import engine_errors
from bot.telegram_app import start_telegram, stop_telegram
from config.settings import Settings
from handlers.context import Services
from models.database import Database
from models.people import find_unit
from models.plans import get_plan, set_archived
from models.tables import DigestRow, ReminderRow, utcnow
from reminders import digest_due
from reminders.chart import render_chart
from reminders.engine import JOB_DEFAULTS, SEND_JOB, ReminderEngine
from reminders.guard import log_error
from reminders.outbound import Outgoing
from reminders.policy import DIGEST_DUE
from reminders.weekly import collect_digest
from tests.conftest import FakeClock, load_shipped, member
from tests.fake_telegram import FakeTelegram

pytestmark = pytest.mark.both_databases  # see tests/backends.py

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLAN = "dingtao-2022"
DIGEST = "督办周报"


def local(month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2022, month, day, hour, minute, second, tzinfo=SHANGHAI)


def shown(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%m-%d %H:%M:%S")


class Chats:
    """A transport that keeps what it was handed, by chat, with the time on the test's clock; a chat
    can be told to fail once with any exception (what a chat service or a driver may raise)."""

    name = "test"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.sent: list[tuple[dt.datetime, Outgoing]] = []
        self.fail_once: dict[str, BaseException] = {}

    async def send(self, message: Outgoing) -> str:
        failure = self.fail_once.pop(message.chat_id, None)
        if failure is not None:
            raise failure
        self.sent.append((self.clock(), message))
        return f"m{len(self.sent)}"

    def to(self, chat: str, containing: str = "") -> list[str]:
        """When `chat` received messages containing `containing`, as 'MM-DD HH:MM:SS'."""
        return [shown(at) for at, m in self.sent if m.chat_id == chat and containing in m.text]


class Errors:
    """The engine's error callback, collecting what it is handed."""

    def __init__(self) -> None:
        self.seen: list[Exception] = []

    async def __call__(self, error: Exception) -> None:
        self.seen.append(error)


@pytest.fixture
async def scheduler() -> AsyncIterator[AsyncIOScheduler]:
    """A real AsyncIOScheduler on the test's loop, started paused: the test runs its jobs."""
    found = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
    found.start(paused=True)
    yield found
    if found.running:
        found.shutdown(wait=False)


async def fire(scheduler: AsyncIOScheduler, clock: FakeClock) -> dt.datetime:
    """Run the armed send job as APScheduler would: at its time (the clock moves there), once."""
    job = scheduler.get_job(SEND_JOB)
    assert job is not None, "the send job is not armed: nothing would ever be sent again"
    when: dt.datetime = job.next_run_time
    clock.set(max(when, clock()))
    job.remove()
    await job.func()
    return when


async def run_until(scheduler: AsyncIOScheduler, clock: FakeClock, until: dt.datetime) -> int:
    """Run every wake-up up to `until`; returns how many passes ran."""
    passes = 0
    while (job := scheduler.get_job(SEND_JOB)) is not None and job.next_run_time <= until:
        await fire(scheduler, clock)
        passes += 1
        assert passes < 2000, "the engine keeps waking up without end"
    assert scheduler.get_job(SEND_JOB) is not None, "the send job is not armed after the last pass"
    clock.set(until)
    return passes


def engine_for(
    services: Services, clock: FakeClock, chats: Chats, scheduler: AsyncIOScheduler | None, errors: Errors | None = None
) -> ReminderEngine:
    engine = ReminderEngine(services.db, clock, [chats], scheduler=scheduler, on_error=errors or log_error)
    services.changes.subscribe(engine.wake)  # as `duban run` wires it
    return engine


async def unit_id(services: Services, unit: str) -> int:
    async with services.db.session() as session:
        found = await find_unit(session, PLAN, unit)
        assert found is not None
        assert found.id is not None
        return found.id


async def queue(services: Services, unit: str, key: str, due: dt.datetime) -> None:
    """A reminder for a unit, written straight into the outbox."""
    target = await unit_id(services, unit)
    async with services.db.session() as session:
        session.add(
            ReminderRow(
                plan_id=PLAN,
                key=key,
                kind="deadline_day",
                due_at=due,
                unit_id=target,
                subject="5",
                detail=json.dumps({"title": key, "deadline": "2022-06-30"}),
                created_at=due,
            )
        )


async def raw_sql(db: Database, statement: str) -> None:
    """A change behind the engine's back: the database as an operator or a fault leaves it."""
    async with db.engine.begin() as conn:
        await conn.execute(text(statement))


# --- point 1: the wake-up job is always re-armed --------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(RuntimeError("a transport bug"), id="runtime-error"),
        pytest.param(TelegramError("Bad Request: something new"), id="telegram-error"),
        pytest.param(ChatMigrated(-100123), id="chat-migrated"),
        pytest.param(OperationalError("INSERT INTO delivery", {}, Exception("database is locked")), id="database"),
    ],
)
async def test_an_exception_while_sending_never_stops_the_next_reminder(
    dingtao: Services, clock: FakeClock, scheduler: AsyncIOScheduler, failure: Exception
) -> None:
    for unit in ("区民政局", "区司法局"):
        await member(dingtao, PLAN, unit, "liaison", unit)
    chats = Chats(clock)
    engine = engine_for(dingtao, clock, chats, scheduler)
    clock.set(local(6, 22, 10))
    await engine.start()
    await queue(dingtao, "区民政局", "first", local(6, 22, 10, 30))
    await queue(dingtao, "区司法局", "next", local(6, 22, 10, 40))
    chats.fail_once["区民政局"] = failure
    await run_until(scheduler, clock, local(6, 22, 11))
    assert chats.to("区司法局", "next") == ["06-22 10:40:00"]  # on time, though sending at 10:30 raised
    assert chats.to("区民政局", "first")  # and the one that failed is tried again


async def test_a_failing_sync_does_not_keep_written_reminders_from_leaving(
    dingtao: Services, clock: FakeClock, scheduler: AsyncIOScheduler
) -> None:
    admin = await member(dingtao, PLAN, "office", "admin")
    for unit in ("区民政局", "区司法局"):
        await member(dingtao, PLAN, unit, "liaison", unit)
    chats, errors = Chats(clock), Errors()
    engine = engine_for(dingtao, clock, chats, scheduler, errors)
    clock.set(local(6, 21, 8))
    await engine.start()  # 06-21 09:00: task 5 is reminded 7 working days ahead
    clock.set(local(6, 21, 8, 50))
    assert (await admin.say("/remind nudges 3,5")).ok  # a change: the next pass syncs again
    await raw_sql(dingtao.db, "ALTER TABLE calendar_day RENAME TO calendar_day_away")
    await run_until(scheduler, clock, local(6, 21, 9, 30))
    assert chats.to("区民政局", "任务 5 ") == ["06-21 09:00:00"]
    assert chats.to("区司法局", "任务 5 ") == ["06-21 09:00:00"]
    failures = [e for e in errors.seen if isinstance(e, DBAPIError)]  # SQLite's OperationalError, PG's ProgrammingError
    assert len(failures) == 1  # the sync failed on every pass, and was reported once
    assert "calendar_day" in str(failures[0])
    await raw_sql(dingtao.db, "ALTER TABLE calendar_day_away RENAME TO calendar_day")
    assert (await admin.say("/remind before 6,3,1")).ok  # synced again once the table is back
    await fire(scheduler, clock)
    clock.set(local(6, 22, 8, 55))  # the idle wake-ups of the night change nothing: skip them
    await run_until(scheduler, clock, local(6, 22, 9, 30))
    assert chats.to("区民政局", "任务 5 ") == ["06-21 09:00:00", "06-22 09:00:00"]  # 6 working days ahead


async def test_a_pass_that_cannot_even_read_the_outbox_still_wakes_again(
    dingtao: Services, clock: FakeClock, scheduler: AsyncIOScheduler
) -> None:
    for unit in ("区民政局", "区司法局"):
        await member(dingtao, PLAN, unit, "liaison", unit)
    chats, errors = Chats(clock), Errors()
    engine = engine_for(dingtao, clock, chats, scheduler, errors)
    clock.set(local(6, 22, 10))
    await engine.start()
    await queue(dingtao, "区民政局", "first", local(6, 22, 10, 30))
    await queue(dingtao, "区司法局", "next", local(6, 22, 10, 40))
    await run_until(scheduler, clock, local(6, 22, 10, 29))
    await raw_sql(dingtao.db, "ALTER TABLE reminder RENAME TO reminder_away")  # the database goes wrong
    assert await fire(scheduler, clock) == local(6, 22, 10, 30)  # digests, send and re-arming all fail
    assert len(errors.seen) == 1  # one failure, one report (not one per step)
    missing = ("no such table: reminder", 'relation "reminder" does not exist')  # SQLite's words, PostgreSQL's
    assert any(words in str(errors.seen[0]) for words in missing)
    await raw_sql(dingtao.db, "ALTER TABLE reminder_away RENAME TO reminder")  # and recovers
    await run_until(scheduler, clock, local(6, 22, 11))
    assert chats.to("区民政局", "first") == ["06-22 10:30:10"]  # looked at again RETRY_WAKE (10 s) later
    assert chats.to("区司法局", "next") == ["06-22 10:40:00"]  # on time


async def test_an_error_handler_that_fails_stops_nothing_either(
    dingtao: Services, clock: FakeClock, scheduler: AsyncIOScheduler
) -> None:
    await member(dingtao, PLAN, "区司法局", "liaison", "区司法局")
    chats = Chats(clock)

    async def broken(error: Exception) -> None:
        raise RuntimeError("the error handler is broken too")

    engine = ReminderEngine(dingtao.db, clock, [chats], scheduler=scheduler, on_error=broken)
    clock.set(local(6, 22, 10))
    await engine.start()
    await raw_sql(dingtao.db, "ALTER TABLE reminder RENAME TO reminder_away")
    await fire(scheduler, clock)
    await raw_sql(dingtao.db, "ALTER TABLE reminder_away RENAME TO reminder")
    await queue(dingtao, "区司法局", "next", local(6, 22, 10, 40))
    await run_until(scheduler, clock, local(6, 22, 11))
    assert chats.to("区司法局", "next") == ["06-22 10:40:00"]


async def test_scheduler_job_errors_reach_the_one_error_callback(dingtao: Services) -> None:
    errors = Errors()
    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
    engine = ReminderEngine(dingtao.db, utcnow, [], scheduler=scheduler, on_error=errors)
    await engine.start()  # the real scheduler, running

    async def breaks() -> None:
        raise ValueError("a job that breaks")

    scheduler.add_job(breaks, DateTrigger(run_date=utcnow()), id="breaks")
    try:
        for _ in range(40):
            if errors.seen:
                break
            await asyncio.sleep(0.025)
    finally:
        await engine.shutdown()
    assert [str(e) for e in errors.seen] == ["a job that breaks"]


async def test_duban_run_hands_engine_errors_to_the_bots_error_handler(
    dingtao: Services, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        _env_file=None,
        telegram_token=fake.token,
        telegram_base_url=f"http://127.0.0.1:{fake.port}",
        telegram_poll_timeout=1,
    )
    app, _ = await start_telegram(settings, dingtao)
    try:
        await engine_errors(app)(RuntimeError("the outbox is unreadable"))
    finally:
        await stop_telegram(app)
    handled = [r for r in caplog.records if r.name == "bot.telegram" and r.exc_info]
    assert [str(r.exc_info[1]) for r in handled if r.exc_info] == ["the outbox is unreadable"]
    assert engine_errors(None) is log_error  # without Telegram: the log


# --- point 7: changes move queued reminders at once -----------------------------------------------


async def test_a_new_send_time_moves_the_queued_reminders_at_once(
    dingtao: Services, clock: FakeClock, scheduler: AsyncIOScheduler
) -> None:
    admin = await member(dingtao, PLAN, "office", "admin")
    await member(dingtao, PLAN, "区民政局", "liaison", "区民政局")
    chats = Chats(clock)
    engine = engine_for(dingtao, clock, chats, scheduler)
    clock.set(local(6, 20, 10))
    await engine.start()
    assert (await admin.say("/remind time 10:30")).ok
    async with dingtao.db.session() as session:
        due = (await session.exec(select(ReminderRow.due_at).where(col(ReminderRow.key).like("%:5:%2022-06-21")))).all()
    await fire(scheduler, clock)  # the change woke the engine
    async with dingtao.db.session() as session:
        moved = (
            await session.exec(select(ReminderRow.due_at).where(col(ReminderRow.key).like("%:5:%2022-06-21")))
        ).all()
    assert {shown(d) for d in due} == {"06-21 09:00:00"}
    assert {shown(d) for d in moved} == {"06-21 10:30:00"}
    clock.set(local(6, 21, 8, 55))  # the idle wake-ups of the night change nothing: skip them
    await run_until(scheduler, clock, local(6, 21, 12))
    assert chats.to("区民政局", "任务 5 ") == ["06-21 10:30:00"]


async def test_a_change_or_a_notice_wakes_the_engine_within_a_second(
    dingtao: Services, clock: FakeClock, scheduler: AsyncIOScheduler
) -> None:
    admin = await member(dingtao, PLAN, "office", "admin")
    minzheng = await member(dingtao, PLAN, "区民政局", "liaison", "区民政局")
    chats = Chats(clock)
    engine = engine_for(dingtao, clock, chats, scheduler)
    clock.set(local(6, 22, 21, 30))
    await engine.start()
    assert (await minzheng.say("/progress 5 需要帮助 缺接口")).ok  # a notice to the office, in the quiet hours
    await fire(scheduler, clock)
    assert chats.to("office") == []  # it waits for the morning
    idle = scheduler.get_job(SEND_JOB)
    assert idle is not None
    assert idle.next_run_time > clock() + dt.timedelta(minutes=4)
    assert (await admin.say("/status")).ok  # reading changes nothing and wakes nobody
    assert scheduler.get_job(SEND_JOB).next_run_time == idle.next_run_time
    assert (await admin.say("/remind quiet 00:00-00:00")).ok  # the office turns the quiet hours off
    woken = scheduler.get_job(SEND_JOB)
    assert woken is not None
    assert woken.next_run_time <= clock() + dt.timedelta(seconds=1)
    await fire(scheduler, clock)
    assert len(chats.to("office", "区民政局")) == 1  # the notice left at once
    assert (await minzheng.say("/progress 5 需要帮助 还缺数据")).ok
    await fire(scheduler, clock)
    assert len(chats.to("office", "区民政局")) == 2


async def test_a_notice_leaves_at_once_with_the_real_scheduler(dingtao: Services) -> None:
    """Woken by the change (0.2 s), not by the idle wake-up five minutes later; the bound is loose
    because the machines are shared."""
    services = Services(db=dingtao.db, clock=utcnow)
    admin = await member(services, PLAN, "office", "admin")
    minzheng = await member(services, PLAN, "区民政局", "liaison", "区民政局")
    assert (await admin.say("/remind quiet 00:00-00:00")).ok  # the test may run at night
    received: list[float] = []

    class Office:
        name = "test"

        async def send(self, message: Outgoing) -> str:
            if message.chat_id == "office":
                received.append(time.monotonic())
            return str(len(received))

    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
    engine = ReminderEngine(dingtao.db, utcnow, [Office()], scheduler=scheduler)
    services.changes.subscribe(engine.wake)
    await engine.start()  # next idle wake-up: in five minutes
    said = time.monotonic()
    try:
        assert (await minzheng.say("/progress 5 需要帮助 缺接口")).ok
        for _ in range(400):
            if received:
                break
            await asyncio.sleep(0.025)
    finally:
        await engine.shutdown()
    assert received
    assert received[0] - said < 10.0  # the idle wake-up would be 300 s away


async def test_a_holiday_moves_the_weeks_digest(
    dingtao: Services, clock: FakeClock, scheduler: AsyncIOScheduler
) -> None:
    admin = await member(dingtao, PLAN, "office", "admin")
    leader = await member(dingtao, PLAN, "boss", "leader")
    chats = Chats(clock)
    engine = engine_for(dingtao, clock, chats, scheduler)
    clock.set(local(6, 25, 10))  # a Saturday: Monday 06-27 is within the two days written ahead
    await engine.start()
    assert await digest_times(dingtao) == {"2022-W26": "06-27 09:00:00"}
    assert (await admin.say("/holiday add 2022-06-27 区里停电")).ok
    await fire(scheduler, clock)
    assert await digest_times(dingtao) == {"2022-W26": "06-28 09:00:00"}
    clock.set(local(6, 28, 8, 55))  # the idle wake-ups of the weekend change nothing: skip them
    await run_until(scheduler, clock, local(6, 28, 10))
    assert chats.to(leader.user_id, DIGEST) == ["06-28 09:00:00"]


async def digest_times(services: Services) -> dict[str, str]:
    """Each week's pending digest row and its time."""
    async with services.db.session() as session:
        rows = (
            await session.exec(
                select(ReminderRow.subject, ReminderRow.due_at).where(
                    ReminderRow.kind == DIGEST_DUE, ReminderRow.status == "pending"
                )
            )
        ).all()
    return {week: shown(due) for week, due in rows}


# --- point 6: the weekly digest is an outbox row ---------------------------------------------------


async def test_a_new_digest_day_works_without_a_restart(
    dingtao: Services, clock: FakeClock, scheduler: AsyncIOScheduler
) -> None:
    admin = await member(dingtao, PLAN, "office", "admin")
    leader = await member(dingtao, PLAN, "boss", "leader")
    chats = Chats(clock)
    engine = engine_for(dingtao, clock, chats, scheduler)
    clock.set(local(6, 22, 9, 30))  # a Wednesday: Monday's digest time was before Duban started
    await engine.start()
    assert (await admin.say("/remind digest 3 10:00")).ok
    await run_until(scheduler, clock, local(6, 22, 10, 30))
    assert chats.to(leader.user_id, DIGEST) == ["06-22 10:00:00"]
    assert chats.to("区民政局", DIGEST) == []  # nobody bound for the unit: nothing sent there
    async with dingtao.db.session() as session:
        assert (await session.exec(select(func.count()).select_from(DigestRow))).one() == 1


async def test_a_plan_loaded_while_running_gets_its_digest_and_an_archived_one_none(
    dingtao: Services, clock: FakeClock, scheduler: AsyncIOScheduler
) -> None:
    await member(dingtao, PLAN, "boss", "leader")
    chats = Chats(clock)
    engine = engine_for(dingtao, clock, chats, scheduler)
    clock.set(local(6, 26, 20))  # Sunday evening
    await engine.start()
    await load_shipped(dingtao.db, "puyang-2021", clock)  # `duban plan load` from another process
    await member(dingtao, "puyang-2021", "puyang-boss", "leader")
    async with dingtao.db.session() as session:
        await set_archived(session, PLAN, archived=True, now=clock(), actor="test")
    await run_until(scheduler, clock, local(6, 27, 10))
    assert chats.to("puyang-boss", DIGEST) == ["06-27 09:00:00"]
    assert chats.to("boss", DIGEST) == []
    async with dingtao.db.session() as session:
        plans = (await session.exec(select(DigestRow.plan_id))).all()
    assert plans == ["puyang-2021"]


async def test_a_digest_missed_while_down_is_sent_on_start(dingtao: Services, clock: FakeClock) -> None:
    await member(dingtao, PLAN, "boss", "leader")
    chats = Chats(clock)
    clock.set(local(6, 24, 17))  # Friday: Duban runs, then stops for the weekend
    await engine_for(dingtao, clock, chats, None).start()
    clock.set(local(6, 27, 11))  # Monday, two hours after the digest's time
    await engine_for(dingtao, clock, chats, None).start()
    assert chats.to("boss", DIGEST) == ["06-27 11:00:00"]


async def test_after_weeks_down_only_the_newest_weeks_digest_is_composed(dingtao: Services, clock: FakeClock) -> None:
    await member(dingtao, PLAN, "boss", "leader")
    chats = Chats(clock)
    clock.set(local(6, 24, 17))
    await engine_for(dingtao, clock, chats, None).start()
    clock.set(local(7, 20, 10))  # back three and a half weeks later, on a Wednesday
    await engine_for(dingtao, clock, chats, None).start()
    assert chats.to("boss", DIGEST) == ["07-20 10:00:00"]
    async with dingtao.db.session() as session:
        weeks = (
            await session.exec(
                select(ReminderRow.subject, ReminderRow.status, ReminderRow.folded_into, ReminderRow.id)
                .where(ReminderRow.kind == DIGEST_DUE)
                .order_by(col(ReminderRow.subject))
            )
        ).all()
        digests = (await session.exec(select(DigestRow.id))).all()
    newest = weeks[-1]
    assert [(week, status) for week, status, _, _ in weeks] == [
        ("2022-W26", "folded"),
        ("2022-W27", "folded"),
        ("2022-W28", "folded"),
        ("2022-W29", "done"),
    ]
    assert {folded_into for _, status, folded_into, _ in weeks if status == "folded"} == {newest[3]}
    assert len(digests) == 1


async def test_a_weeks_digest_is_never_composed_twice(dingtao: Services, clock: FakeClock) -> None:
    admin = await member(dingtao, PLAN, "office", "admin")
    await member(dingtao, PLAN, "boss", "leader")
    chats = Chats(clock)
    clock.set(local(6, 27, 8))
    first = engine_for(dingtao, clock, chats, None)
    second = engine_for(dingtao, clock, chats, None)  # another pass, another process
    await first.start()
    clock.set(local(6, 27, 9))
    await asyncio.gather(first.run_once(), second.run_once())
    assert chats.to("boss", DIGEST) == ["06-27 09:00:00"]
    assert (await admin.say("/remind digest 5 10:00")).ok  # this week's digest went out already
    clock.set(local(7, 1, 10, 5))
    await first.run_once()
    await first.digest(PLAN)  # on demand, the same week
    await engine_for(dingtao, clock, chats, None).start()  # a restart
    assert chats.to("boss", DIGEST) == ["06-27 09:00:00"]
    async with dingtao.db.session() as session:
        assert (await session.exec(select(func.count()).select_from(DigestRow))).one() == 1


# --- point 8: the chart never freezes the bot ------------------------------------------------------


async def test_composing_the_digest_never_freezes_the_event_loop(
    dingtao: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chart (about half a second of matplotlib) is drawn in a worker thread, never on the event
    loop's thread: checked by where it runs, not by timing (the machines are shared and noisy)."""
    await member(dingtao, PLAN, "boss", "leader")
    chats = Chats(clock)
    engine = engine_for(dingtao, clock, chats, None)
    clock.set(local(7, 4, 9))
    loop_thread = threading.get_ident()
    drawn_on: list[int] = []
    real = render_chart

    def drawing(*args: Any, **kwargs: Any) -> bytes:
        drawn_on.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(digest_due, "render_chart", drawing)
    await engine.digest(PLAN)
    assert chats.to("boss", DIGEST) == ["07-04 09:00:00"]
    assert len(drawn_on) == 1
    assert drawn_on[0] != loop_thread


async def test_the_digest_command_reuses_the_stored_chart_until_something_changes(
    dingtao: Services, clock: FakeClock
) -> None:
    admin = await member(dingtao, PLAN, "office", "admin")
    leader = await member(dingtao, PLAN, "boss", "leader")
    chats = Chats(clock)
    clock.set(local(7, 4, 9))
    await engine_for(dingtao, clock, chats, None).digest(PLAN)
    ((_, sent),) = [(at, m) for at, m in chats.sent if m.chat_id == "boss" and m.text.startswith(DIGEST)]
    async with dingtao.db.session() as session:
        stored = (await session.exec(select(DigestRow))).one()
    clock.set(local(7, 4, 11))
    again = await leader.say("/digest")
    assert again.image == stored.chart  # nothing changed since: the stored chart, not a new drawing
    assert again.text == sent.text  # and the digest as it was sent
    assert (await admin.say("/report 11 8亿")).ok
    changed = await leader.say("/digest")
    assert changed.image is not None
    assert changed.image.startswith(b"\x89PNG")
    assert changed.image != stored.chart
    assert "较上周 +4.29" in changed.text


async def test_composing_a_digest_never_reads_past_charts(dingtao: Services, clock: FakeClock) -> None:
    await member(dingtao, PLAN, "boss", "leader")
    engine = engine_for(dingtao, clock, Chats(clock), None)
    for day in (4, 11, 18):
        clock.set(local(7, day, 9))
        await engine.digest(PLAN)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(dingtao.db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with dingtao.db.session() as session:
            found = await get_plan(session, PLAN)
            assert found is not None
            data = await collect_digest(session, found[1], local(7, 25, 9))
    finally:
        event.remove(dingtao.db.engine.sync_engine, "before_cursor_execute", seen)
    assert len(data.trend) == 4  # three stored weeks and this one
    reads = [s for s in statements if "FROM digest" in s]
    assert reads
    assert not [s for s in reads if "chart" in s]
