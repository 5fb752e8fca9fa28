"""Reminders as units and leaders meet them, on an injected clock: a whole year in seconds."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from handlers.context import Services
from handlers.router import handle
from handlers.types import Request
from models.tables import Delivery, DigestRow, ReminderRow
from reminders.calendar import WorkCalendar
from reminders.engine import ReminderEngine
from reminders.outbound import DeliveryFailed, Outgoing
from reminders.policy import DIGEST_DUE
from reminders.sender import Sender
from tests.conftest import Chat, FakeClock, member
from tests.fake_telegram import tiny_png

SHANGHAI = ZoneInfo("Asia/Shanghai")
TASK5_UNITS = ["区委编办", "区民政局", "区司法局", "区审批局", "区市场监管局"]


class RecordingTransport:
    """A transport that keeps what it was handed; it can be told to fail."""

    name = "test"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.sent: list[tuple[dt.datetime, Outgoing]] = []
        self.fail: DeliveryFailed | None = None

    async def send(self, message: Outgoing) -> str:
        if self.fail is not None:
            raise self.fail
        self.sent.append((self.clock(), message))
        return f"m{len(self.sent)}"

    def to(self, chat_id: str) -> list[tuple[dt.datetime, Outgoing]]:
        return [(at, m) for at, m in self.sent if m.chat_id == chat_id]


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
async def people(dingtao: Services) -> dict[str, Chat]:
    """Liaisons of task 5's units, a leader and the admin, all reachable on the test transport."""
    chats = {unit: await member(dingtao, "dingtao-2022", unit, "liaison", unit) for unit in TASK5_UNITS}
    chats["leader"] = await member(dingtao, "dingtao-2022", "leader", "leader")
    chats["admin"] = await member(dingtao, "dingtao-2022", "admin", "admin")
    return chats


def engine_for(services: Services, clock: FakeClock, transport: RecordingTransport) -> ReminderEngine:
    return ReminderEngine(services.db, clock, [transport])


async def run_days(
    engine: ReminderEngine, clock: FakeClock, first: dt.date, last: dt.date, hours: tuple[int, ...] = (9, 15)
) -> None:
    """Wake the engine at 09:00 and 15:00 of every day, as the scheduler would."""
    day = first
    while day <= last:
        for hour in hours:
            clock.set(local(day.year, day.month, day.day, hour))
            await engine.run_once()
        day += dt.timedelta(days=1)


def task_days(transport: RecordingTransport, chat: str, code: str) -> list[tuple[str, str]]:
    return [
        (at.astimezone(SHANGHAI).strftime("%m-%d %H:%M"), m.text.split("】")[0])
        for at, m in transport.to(chat)
        if f"任务 {code} " in m.text
    ]


async def test_task_5_units_are_reminded_before_on_and_after_the_deadline(
    dingtao: Services, people: dict[str, Chat], clock: FakeClock
) -> None:
    transport = RecordingTransport(clock)
    engine = engine_for(dingtao, clock, transport)
    clock.set(local(2022, 6, 1, 8))
    await engine.start()
    await run_days(engine, clock, dt.date(2022, 6, 1), dt.date(2022, 7, 6))
    for unit in TASK5_UNITS:
        got = task_days(transport, unit, "5")
        assert got == [
            ("06-21 09:00", "【督办提醒"),
            ("06-27 09:00", "【督办提醒"),
            ("06-29 09:00", "【督办提醒"),
            ("06-30 09:00", "【督办提醒"),
            ("07-01 09:00", "【逾期提醒"),
            ("07-04 09:00", "【逾期提醒"),
            ("07-05 09:00", "【逾期提醒"),
            ("07-06 09:00", "【逾期提醒"),
        ], unit
    escalations = [m.text for _, m in transport.to("leader") if "逾期通报" in m.text]
    assert len(escalations) == 1  # 07-05, the 3rd overdue working day
    assert all(unit in escalations[0] for unit in TASK5_UNITS)
    sent_days = {at.astimezone(SHANGHAI).date() for at, _ in transport.sent}
    assert dt.date(2022, 6, 3) not in sent_days  # Dragon Boat Festival
    assert all(d.weekday() < 5 for d in sent_days)


async def test_a_unit_that_is_done_hears_nothing_more(
    dingtao: Services, people: dict[str, Chat], clock: FakeClock
) -> None:
    transport = RecordingTransport(clock)
    engine = engine_for(dingtao, clock, transport)
    clock.set(local(2022, 6, 20, 8))
    await engine.start()
    await run_days(engine, clock, dt.date(2022, 6, 20), dt.date(2022, 6, 22))
    clock.set(local(2022, 6, 22, 16))
    assert (await people["区民政局"].say("/progress 5 完成")).ok
    await run_days(engine, clock, dt.date(2022, 6, 23), dt.date(2022, 7, 8))
    assert task_days(transport, "区民政局", "5") == [("06-21 09:00", "【督办提醒")]
    assert len(task_days(transport, "区司法局", "5")) == 10  # 06-21 … 07-08, every working day once overdue


async def test_replying_to_a_reminder_records_progress(
    dingtao: Services, people: dict[str, Chat], clock: FakeClock
) -> None:
    transport = RecordingTransport(clock)
    engine = engine_for(dingtao, clock, transport)
    clock.set(local(2022, 6, 21, 9))
    await engine.start()
    ((_, reminder),) = [(at, m) for at, m in transport.to("区民政局") if "任务 5 " in m.text]
    assert [label for label, _ in reminder.actions] == ["完成", "进行中", "需要帮助"]
    message_id = f"m{transport.sent.index((clock(), reminder)) + 1}"
    reply = await handle(
        dingtao,
        Request(
            transport="test", user_id="区民政局", chat_id="区民政局", text="已完成重错码核查初稿", reply_to=message_id
        ),
    )
    assert reply.ok
    assert "任务 5" in reply.text
    assert "区民政局: 未开始" in (await people["admin"].say("/task 5")).text  # proposed, not recorded
    confirmed = await handle(
        dingtao,
        Request(transport="test", user_id="区民政局", chat_id="区民政局", text=reply.buttons[0][0].command),
    )
    assert confirmed.ok, confirmed.text
    task = await people["admin"].say("/task 5")
    assert "区民政局: 进行中" in task.text
    assert "已完成重错码核查初稿" in task.text
    stranger = await handle(
        dingtao,
        Request(transport="test", user_id="区司法局", chat_id="区司法局", text="好的", reply_to="no-such-message"),
    )
    assert not stranger.ok
    pressed = await people["区司法局"].say(reminder.actions[0][1])  # the Done button's command
    assert "区司法局：未开始 → 已完成" in pressed.text


async def test_a_restart_loses_nothing_and_doubles_nothing(
    dingtao: Services, people: dict[str, Chat], clock: FakeClock
) -> None:
    transport = RecordingTransport(clock)
    first = engine_for(dingtao, clock, transport)
    clock.set(local(2022, 6, 20, 8))
    await first.start()
    await run_days(first, clock, dt.date(2022, 6, 20), dt.date(2022, 6, 21))
    # Duban stops on 06-21 in the evening and comes back on 06-29 at 10:00.
    clock.set(local(2022, 6, 29, 10))
    second = engine_for(dingtao, clock, transport)
    await second.start()
    await run_days(second, clock, dt.date(2022, 6, 30), dt.date(2022, 6, 30))
    for unit in TASK5_UNITS:
        texts = [(at.astimezone(SHANGHAI).strftime("%m-%d %H:%M"), m.text) for at, m in transport.to(unit)]
        reminders = [(when, text[:6]) for when, text in texts if "任务 5 " in text and "补发" not in text]
        assert reminders == [
            ("06-21 09:00", "【督办提醒】"),
            ("06-29 10:00", "【督办提醒】"),
            ("06-30 09:00", "【督办提醒】"),
        ]
        catch_ups = [text for _, text in texts if text.startswith("【补发】")]
        assert len(catch_ups) == 1
        assert "2022-06-27 任务 5 截止前提醒" in catch_ups[0]
    async with dingtao.db.session() as session:
        deliveries = (await session.exec(select(Delivery.reminder_id, Delivery.member_id))).all()
    assert len(deliveries) == len(set(deliveries))


async def test_nothing_is_sent_in_the_quiet_hours(dingtao: Services, people: dict[str, Chat], clock: FakeClock) -> None:
    transport = RecordingTransport(clock)
    engine = engine_for(dingtao, clock, transport)
    clock.set(local(2022, 6, 21, 5))  # Duban starts before dawn; 06-21 09:00 is not yet due
    await engine.start()
    assert transport.sent == []
    clock.set(local(2022, 6, 20, 23))  # a reminder made due at night waits for the morning
    async with dingtao.db.session() as session:
        row = (await session.exec(select(ReminderRow).where(ReminderRow.status == "pending"))).first()
        assert row is not None
        row.due_at = local(2022, 6, 20, 22)
        session.add(row)
    stats = await engine.sender.send_due()
    assert stats.deferred == 1
    assert transport.sent == []
    clock.set(local(2022, 6, 21, 8, 1))
    assert (await engine.sender.send_due()).sent == 1


async def test_failed_sends_are_retried_and_permanent_failures_are_not(
    dingtao: Services, people: dict[str, Chat], clock: FakeClock
) -> None:
    transport = RecordingTransport(clock)
    engine = engine_for(dingtao, clock, transport)
    clock.set(local(2022, 6, 21, 9))
    transport.fail = DeliveryFailed("timeout")
    await engine.start()
    assert transport.sent == []
    transport.fail = None
    clock.set(local(2022, 6, 21, 9, 10))
    await engine.run_once()
    assert len([m for _, m in transport.sent if "任务 5 " in m.text]) == 5
    await engine.run_once()
    assert len([m for _, m in transport.sent if "任务 5 " in m.text]) == 5
    transport.fail = DeliveryFailed("bot was blocked by the user", permanent=True)
    clock.set(local(2022, 6, 27, 9))
    await engine.run_once()
    async with dingtao.db.session() as session:
        rows = (
            await session.exec(select(ReminderRow).where(col(ReminderRow.key).like("before_deadline:5:%2022-06-27")))
        ).all()
    # Nobody could receive them: undeliverable (the admins see it in /status), not "sent".
    assert {r.status for r in rows} == {"undeliverable"}
    assert all("blocked" in r.last_error for r in rows)


async def test_holidays_and_policy_move_the_schedule(
    dingtao: Services, people: dict[str, Chat], clock: FakeClock
) -> None:
    admin = people["admin"]
    clock.set(local(2022, 6, 1, 10))
    assert (await admin.say("/holiday add 2022-06-29 区里停电")).ok
    refused = await people["区民政局"].say("/holiday add 2022-06-28")
    assert not refused.ok
    assert not (await admin.say("/holiday add 2022-13-01")).ok
    assert "2022-06-29 休息" in (await admin.say("/holiday")).text
    assert (await admin.say("/remind before 5,1")).ok
    assert not (await admin.say("/remind time 23:00")).ok  # in the quiet hours
    assert "截止前 5、1 个工作日" in (await admin.say("/remind")).text
    transport = RecordingTransport(clock)
    engine = engine_for(dingtao, clock, transport)
    await engine.start()
    await run_days(engine, clock, dt.date(2022, 6, 1), dt.date(2022, 6, 30))
    assert [d for d, _ in task_days(transport, "区民政局", "5")] == [
        "06-22 09:00",
        "06-28 09:00",
        "06-30 09:00",
    ]  # 06-29 is off now


async def test_monthly_figures_are_asked_of_their_owners_then_nudged_only_if_missing(
    dingtao: Services, people: dict[str, Chat], clock: FakeClock
) -> None:
    await member(dingtao, "dingtao-2022", "区发改局", "liaison", "区发改局")
    transport = RecordingTransport(clock)
    engine = engine_for(dingtao, clock, transport)
    clock.set(local(2022, 6, 1, 8))
    await engine.start()
    await run_days(engine, clock, dt.date(2022, 6, 1), dt.date(2022, 6, 2))
    clock.set(local(2022, 6, 2, 16))
    assert (await people["admin"].say("/report 4 2022-05 0")).ok
    await run_days(engine, clock, dt.date(2022, 6, 3), dt.date(2022, 6, 10))
    asks: dict[tuple[str, str], list[str]] = defaultdict(list)
    for at, m in transport.sent:
        for code in ("4", "5"):
            if f"指标 {code} " in m.text:
                asks[(m.chat_id, code)].append(at.astimezone(SHANGHAI).strftime("%m-%d"))
    # Both figures are read off platforms, so the office's unit is asked, not the 32 units doing the work.
    assert asks[("区发改局", "4")] == ["06-01"]
    assert asks[("区发改局", "5")] == ["06-01", "06-06", "06-08"]  # 3rd and 5th working days (06-03 is a holiday)
    assert asks[("区民政局", "4")] == []


async def test_weekly_digest_is_stored_and_measures_the_change(
    dingtao: Services, people: dict[str, Chat], clock: FakeClock
) -> None:
    transport = RecordingTransport(clock)
    engine = engine_for(dingtao, clock, transport)
    clock.set(local(2022, 7, 4, 9))
    await engine.digest("dingtao-2022")
    clock.set(local(2022, 7, 8, 10))
    assert (await people["admin"].say("/report 11 8亿")).ok
    clock.set(local(2022, 7, 11, 9))
    await engine.digest("dingtao-2022")
    leader = [m for _, m in transport.to("leader") if m.text.startswith("督办周报")]
    assert len(leader) == 2
    assert "首次" in leader[0].text
    assert "总分 4.29 / 100（较上周 +4.29）" in leader[1].text
    assert leader[1].image is not None
    assert leader[1].image.startswith(b"\x89PNG")
    assert "区委编办" in leader[1].text  # overdue units named
    unit = [m for _, m in transport.to("区民政局") if "周报" in m.text]
    assert len(unit) == 2
    async with dingtao.db.session() as session:
        assert (await session.exec(select(func.count()).select_from(DigestRow))).one() == 2


async def test_a_whole_year_runs_in_seconds_with_every_reminder_on_a_working_day(
    dingtao: Services, people: dict[str, Chat], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 52 charts would take half a minute; their drawing has its own tests.
    monkeypatch.setattr("reminders.digest_due.render_chart", lambda data, lang="zh": tiny_png())
    transport = RecordingTransport(clock)
    engine = engine_for(dingtao, clock, transport)
    clock.set(local(2022, 1, 1, 0))
    await engine.start()
    await run_days(engine, clock, dt.date(2022, 1, 1), dt.date(2022, 12, 31), hours=(9,))
    calendar = WorkCalendar()
    sent_days = Counter(at.astimezone(SHANGHAI).date() for at, _ in transport.sent)
    assert all(calendar.is_workday(day) for day in sent_days)
    assert dt.date(2022, 10, 8) in sent_days  # a make-up Saturday after National Day: overdue task 5 is chased
    assert dt.date(2022, 10, 3) not in sent_days  # National Day holiday
    assert all(at.astimezone(SHANGHAI).time() == dt.time(9) for at, _ in transport.sent)
    by_unit = Counter(m.chat_id for _, m in transport.sent if "任务 5 " in m.text and m.chat_id in TASK5_UNITS)
    overdue_workdays = sum(1 for day in calendar.workdays(dt.date(2022, 7, 1), dt.date(2022, 12, 31)))
    assert by_unit == dict.fromkeys(TASK5_UNITS, 4 + overdue_workdays)
    async with dingtao.db.session() as session:
        deliveries = (await session.exec(select(Delivery.reminder_id, Delivery.member_id))).all()
        statuses = Counter((await session.exec(select(ReminderRow.status))).all())
        weeks = Counter((await session.exec(select(ReminderRow.status).where(ReminderRow.kind == DIGEST_DUE))).all())
        digests = (await session.exec(select(func.count()).select_from(DigestRow))).one()
    assert len(deliveries) == len(set(deliveries)) == len(transport.sent)
    assert statuses["pending"] <= 1500  # only the two days ahead are written
    assert set(statuses) <= {"sent", "undeliverable", "pending", "done", "folded"}  # done, folded: weekly digests
    # Every week one digest, on a working day: a week whose day was a holiday (Spring Festival, National
    # Day) is folded into the next week's, sent on the first working day.
    assert weeks["done"] == digests == len([m for _, m in transport.to("leader") if m.text.startswith("督办周报")])
    assert digests + weeks["folded"] == 52


async def test_an_unknown_year_falls_back_to_weekends_and_warns_the_admins_once(
    dingtao: Services, clock: FakeClock
) -> None:
    from config.plan_loader import load_plan_file, shift_plan_years, shipped_plan_paths
    from models.plans import load_plan

    plan = shift_plan_years(
        load_plan_file(shipped_plan_paths()["dingtao-2022"]), 2031, new_id="dingtao-2031", name_suffix=" 2031"
    )
    async with dingtao.db.session() as session:
        await load_plan(session, plan, now=clock(), source="test", actor="test")
    await member(dingtao, "dingtao-2031", "office-2031", "admin")
    transport = RecordingTransport(clock)
    engine = engine_for(dingtao, clock, transport)
    clock.set(local(2031, 6, 2, 9, 30))
    await engine.start()
    await run_days(engine, clock, dt.date(2031, 6, 3), dt.date(2031, 6, 10))
    warnings = [m.text for _, m in transport.to("office-2031") if m.text.startswith("【日历提醒】")]
    assert len([w for w in warnings if "2031 年" in w]) == 1  # once, though the engine woke 16 times
    assert len(warnings) == len(set(warnings))  # (2032 is warned too: December 2031's figure is asked in 2032)
    assert WorkCalendar().is_workday(dt.date(2031, 6, 2))  # a Monday, by the weekend rule


async def test_during_quiet_hours_the_engine_looks_again_later_not_every_second(
    dingtao: Services, people: dict[str, Chat], clock: FakeClock
) -> None:
    engine = engine_for(dingtao, clock, RecordingTransport(clock))
    clock.set(local(2022, 6, 21, 8))
    await engine.start()
    clock.set(local(2022, 6, 21, 23))
    async with dingtao.db.session() as session:
        row = (await session.exec(select(ReminderRow).where(ReminderRow.status == "pending"))).first()
        assert row is not None
        row.due_at = local(2022, 6, 21, 22)
        session.add(row)
    stats = await engine.sender.send_due()
    assert stats.deferred >= 1
    assert stats.sent == 0
    assert await engine.next_wake(deferred=True) == clock() + dt.timedelta(minutes=5)
    assert await engine.next_wake() == clock()  # without the quiet hours it would run again at once


async def test_overlapping_passes_send_each_reminder_once(
    dingtao: Services, people: dict[str, Chat], clock: FakeClock
) -> None:
    transport = RecordingTransport(clock)
    engine = engine_for(dingtao, clock, transport)
    clock.set(local(2022, 6, 21, 9))
    await asyncio.gather(engine.run_once(), engine.run_once(), engine.digest("dingtao-2022"))
    about_task5 = [m for _, m in transport.to("区民政局") if "任务 5 " in m.text and "周报" not in m.text]
    assert len(about_task5) == 1


async def test_one_plans_night_does_not_hold_up_another_plan(dingtao: Services, clock: FakeClock) -> None:
    from tests.conftest import load_shipped

    await load_shipped(dingtao.db, "puyang-2021", clock)
    dingtao_admin = await member(dingtao, "dingtao-2022", "d-admin", "admin")
    puyang_admin = await member(dingtao, "puyang-2021", "p-admin", "admin")
    assert (await puyang_admin.say("/remind quiet 23:00-07:00")).ok
    night = local(2022, 6, 21, 21, 30)
    async with dingtao.db.session() as session:
        for i in range(600):
            session.add(
                ReminderRow(
                    plan_id="dingtao-2022",
                    key=f"n{i}",
                    kind="calendar_warning",
                    due_at=local(2022, 6, 21, 21, 10),
                    subject="2040",
                    detail=json.dumps({"year": 2040}),
                    created_at=night,
                )
            )
        session.add(
            ReminderRow(
                plan_id="puyang-2021",
                key="p1",
                kind="calendar_warning",
                due_at=local(2022, 6, 21, 21, 20),
                subject="2041",
                detail=json.dumps({"year": 2041}),
                created_at=night,
            )
        )
    clock.set(night)
    transport = RecordingTransport(clock)
    stats = await Sender(dingtao.db, clock, [transport]).send_due()
    assert [m.chat_id for _, m in transport.sent] == ["p-admin"]
    assert stats.deferred == 600
    assert dingtao_admin.user_id == "d-admin"
