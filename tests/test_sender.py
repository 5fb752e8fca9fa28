"""The sender under faults: one bad row never stops the others, marks are written before a message
leaves, doubtful sends are retried once and later, pieces are never sent twice, moved chats are
followed, and a reminder nobody can receive is undeliverable, not "sent"."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select
from telegram.error import TelegramError

from handlers.context import Services
from models.people import find_unit
from models.tables import Delivery, Member, ReminderRow
from reminders.outbound import DeliveryFailed, Outgoing
from reminders.sender import CONCURRENCY, DOUBT_RETRY, RETRY_AFTER, Sender
from tests.conftest import Chat, FakeClock, member

pytestmark = pytest.mark.both_databases  # see tests/backends.py

PLAN = "dingtao-2022"
UNITS = ["区委编办", "区民政局", "区司法局", "区审批局", "区市场监管局"]


class FaultyTransport:
    """Records what it was handed; `faults[chat]` decides, per call, what happens instead."""

    name = "test"

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.calls: list[str] = []
        self.faults: dict[str, list[BaseException | None]] = {}
        self.pieces: dict[str, int] = {}
        """chat → how many pieces its messages have (each call delivers pieces from `skip`)."""
        self.delivered: list[tuple[str, int]] = []
        self.on_call: Callable[[Outgoing], object] | None = None

    async def send(self, message: Outgoing) -> str:
        self.calls.append(message.chat_id)
        if self.on_call is not None:
            await self.on_call(message)  # type: ignore[misc]
        planned = self.faults.get(message.chat_id, [])
        fault = planned.pop(0) if planned else None
        total = self.pieces.get(message.chat_id, 1)
        for index in range(message.skip, total):
            if fault is not None and isinstance(fault, DeliveryFailed) and fault.confirmed == index:
                raise fault
            self.delivered.append((message.chat_id, index))
            if message.on_piece is not None:
                message.on_piece(index + 1, f"{message.chat_id}-{index}")
        if fault is not None:
            raise fault
        self.sent.append(message)
        return f"{message.chat_id}-{len(self.sent)}"


@pytest.fixture
async def liaisons(dingtao: Services) -> dict[str, Chat]:
    return {unit: await member(dingtao, PLAN, unit, "liaison", unit) for unit in UNITS}


async def due_reminders(services: Services, units: list[str], *, kind: str = "deadline_day") -> list[int]:
    """One due reminder per unit, as the outbox would hold them."""
    now = services.clock()
    ids = []
    async with services.db.session() as session:
        for unit in units:
            found = await find_unit(session, PLAN, unit)
            assert found is not None
            row = ReminderRow(
                plan_id=PLAN,
                key=f"t:{unit}:{kind}",
                kind=kind,
                due_at=now,
                unit_id=found.id,
                subject="5",
                detail=json.dumps({"title": "提升统一社会信用代码质量", "deadline": "2022-06-30"}),
                created_at=now,
            )
            session.add(row)
            await session.flush()
            ids.append(row.id or 0)
    return ids


async def rows(services: Services) -> dict[str, ReminderRow]:
    async with services.db.session() as session:
        found = (await session.exec(select(ReminderRow).where(col(ReminderRow.key).startswith("t:")))).all()
    return {r.key.split(":")[1]: r for r in found}


async def deliveries(services: Services) -> list[Delivery]:
    async with services.db.session() as session:
        return list((await session.exec(select(Delivery))).all())


@pytest.mark.parametrize(
    "fault",
    [
        RuntimeError("boom"),
        TelegramError("unexpected"),
        OperationalError("INSERT", {}, Exception("database is locked")),
        KeyError("missing"),
    ],
    ids=["runtime", "telegram", "database", "key"],
)
async def test_an_exception_in_one_row_is_a_retryable_failure_of_that_row_only(
    dingtao: Services,
    liaisons: dict[str, Chat],
    clock: FakeClock,
    fault: BaseException,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await due_reminders(dingtao, UNITS)
    transport = FaultyTransport()
    transport.faults["区民政局"] = [fault]
    sender = Sender(dingtao.db, clock, [transport])
    with caplog.at_level(logging.ERROR, "reminders.sender"):
        stats = await sender.send_due()
    assert stats.sent == 4
    assert stats.failed == 1
    by_unit = await rows(dingtao)
    failed = by_unit["区民政局"]
    assert failed.status == "pending"
    assert failed.due_at > clock()
    assert repr(fault)[:20] in failed.last_error
    logged = [r for r in caplog.records if "区民政局" in r.getMessage() or str(failed.id) in r.getMessage()]
    assert len(logged) == 1
    clock.set(clock() + RETRY_AFTER)
    await sender.send_due()
    assert sorted(m.chat_id for m in transport.sent) == sorted(UNITS)
    assert (await rows(dingtao))["区民政局"].status == "sent"


async def test_the_mark_is_durable_before_the_message_leaves(
    dingtao: Services, liaisons: dict[str, Chat], clock: FakeClock
) -> None:
    """What a crash can double is exactly what is marked `sending`: the mark precedes every request."""
    await due_reminders(dingtao, UNITS)
    transport = FaultyTransport()
    seen: list[tuple[str, str]] = []

    async def check(message: Outgoing) -> None:
        async with dingtao.db.session() as session:  # another connection: only committed data
            found = (await session.exec(select(Delivery).where(Delivery.reminder_id == message.reminder_id))).all()
        seen.extend((message.chat_id, d.state) for d in found)

    transport.on_call = check
    await Sender(dingtao.db, clock, [transport]).send_due()
    assert sorted(seen) == sorted((unit, "sending") for unit in UNITS)
    assert {d.state for d in await deliveries(dingtao)} == {"sent"}


async def test_after_a_crash_only_what_was_in_flight_is_sent_again(
    dingtao: Services, liaisons: dict[str, Chat], clock: FakeClock
) -> None:
    """A crash leaves `sending` marks (in flight) and nothing else unrecorded: the restart re-sends
    those and the never-started ones, never a confirmed one."""
    ids = await due_reminders(dingtao, UNITS)
    async with dingtao.db.session() as session:
        members = {m.chat_id: m.id or 0 for m in (await session.exec(select(Member))).all()}
        # As a killed process leaves them: one confirmed, one in flight, the rest never started.
        session.add(
            Delivery(
                reminder_id=ids[0],
                member_id=members[UNITS[0]],
                transport="test",
                chat_id=UNITS[0],
                message_id="m1",
                at=clock(),
                state="sent",
            )
        )
        session.add(
            Delivery(
                reminder_id=ids[1],
                member_id=members[UNITS[1]],
                transport="test",
                chat_id=UNITS[1],
                message_id="",
                at=clock(),
                state="sending",
            )
        )
    transport = FaultyTransport()
    await Sender(dingtao.db, clock, [transport]).send_due()
    assert sorted(transport.calls) == sorted(UNITS[1:])
    assert all(r.status == "sent" for r in (await rows(dingtao)).values())


async def test_a_doubtful_send_is_retried_once_later_never_at_once(
    dingtao: Services, liaisons: dict[str, Chat], clock: FakeClock
) -> None:
    await due_reminders(dingtao, UNITS[:2])
    transport = FaultyTransport()
    doubt = DeliveryFailed("read timeout", in_doubt=True)
    transport.faults["区委编办"] = [doubt, DeliveryFailed("read timeout", in_doubt=True)]
    transport.faults["区民政局"] = [DeliveryFailed("read timeout", in_doubt=True)]
    sender = Sender(dingtao.db, clock, [transport])
    await sender.send_due()
    assert transport.calls.count("区委编办") == 1  # not retried at once
    await sender.send_due()
    assert transport.calls.count("区委编办") == 1  # nor in the next pass before its time
    clock.set(clock() + DOUBT_RETRY)
    await sender.send_due()
    assert transport.calls.count("区委编办") == 2  # once more, DOUBT_RETRY later
    # The retry of 区民政局 succeeded; 区委编办 was in doubt twice: it is not sent a third time.
    clock.set(clock() + RETRY_AFTER * 3)
    await sender.send_due()
    assert transport.calls.count("区委编办") == 2
    assert transport.calls.count("区民政局") == 2
    states = {d.chat_id: d.state for d in await deliveries(dingtao)}
    assert states == {"区委编办": "unconfirmed", "区民政局": "sent"}
    assert {r.status for r in (await rows(dingtao)).values()} == {"sent"}


async def test_confirmed_pieces_are_never_sent_again(
    dingtao: Services, liaisons: dict[str, Chat], clock: FakeClock
) -> None:
    await due_reminders(dingtao, UNITS[:1])
    transport = FaultyTransport()
    transport.pieces["区委编办"] = 3
    transport.faults["区委编办"] = [DeliveryFailed("server error", confirmed=2)]
    sender = Sender(dingtao.db, clock, [transport])
    await sender.send_due()
    clock.set(clock() + RETRY_AFTER)
    await sender.send_due()
    assert transport.delivered == [("区委编办", 0), ("区委编办", 1), ("区委编办", 2)]
    assert (await deliveries(dingtao))[0].pieces == 3


async def test_a_moved_chat_is_followed_and_its_binding_moves(
    dingtao: Services, liaisons: dict[str, Chat], clock: FakeClock
) -> None:
    await due_reminders(dingtao, UNITS[:2])
    transport = FaultyTransport()
    transport.faults["区委编办"] = [DeliveryFailed("migrated", migrated_to="-1009")]
    await Sender(dingtao.db, clock, [transport]).send_due()
    assert sorted(m.chat_id for m in transport.sent) == ["-1009", "区民政局"]
    async with dingtao.db.session() as session:
        moved = (await session.exec(select(Member).where(Member.user_id == "区委编办"))).one()
    assert moved.chat_id == "-1009"
    assert {r.status for r in (await rows(dingtao)).values()} == {"sent"}


async def test_a_reminder_nobody_could_receive_is_undeliverable_not_sent(
    dingtao: Services, liaisons: dict[str, Chat], clock: FakeClock
) -> None:
    await due_reminders(dingtao, UNITS[:2])
    transport = FaultyTransport()
    transport.faults["区委编办"] = [DeliveryFailed("forbidden: bot was blocked", permanent=True)]
    stats = await Sender(dingtao.db, clock, [transport]).send_due()
    by_unit = await rows(dingtao)
    assert by_unit["区委编办"].status == "undeliverable"
    assert "blocked" in by_unit["区委编办"].last_error
    assert by_unit["区民政局"].status == "sent"
    assert stats.undeliverable == 1
    assert stats.sent == 1


async def test_confirmations_are_committed_in_batches(dingtao: Services, clock: FakeClock) -> None:
    """Thirty answers at once cost a handful of commits, not thirty in a row behind one lock."""
    for i in range(40):
        await member(dingtao, PLAN, f"u{i}", "liaison", UNITS[i % len(UNITS)])
    await due_reminders(dingtao, UNITS)
    transport = FaultyTransport()
    sender = Sender(dingtao.db, clock, [transport])
    await sender.send_due()
    assert len(transport.sent) == 40
    # Marks, confirmations and settlements of 40 messages and 5 rows: far fewer commits than writes.
    assert sender.journal.commits < 40 + 40 + 5
    assert {d.state for d in await deliveries(dingtao)} == {"sent"}
    assert CONCURRENCY >= 2


async def test_admins_see_in_status_what_reached_nobody(
    dingtao: Services, liaisons: dict[str, Chat], clock: FakeClock
) -> None:
    admin = await member(dingtao, PLAN, "admin", "admin")
    await due_reminders(dingtao, UNITS[:1])
    transport = FaultyTransport()
    transport.faults["区委编办"] = [DeliveryFailed("forbidden: bot was blocked", permanent=True)]
    await Sender(dingtao.db, clock, [transport]).send_due()
    status = (await admin.say("/status")).text
    assert "1 条提醒未能送达：区委编办（1）" in status
    leader = await member(dingtao, PLAN, "leader", "leader")
    assert "未能送达" not in (await leader.say("/status")).text


async def hold(services: Services, reminder_id: int, instance: str, until: dt.datetime) -> None:
    """As another instance's claim leaves a row: its name and lease deadline."""
    async with services.db.session() as session:
        await session.exec(
            update(ReminderRow)
            .where(col(ReminderRow.id) == reminder_id)
            .values(claimed_by=instance, claimed_until=until)
        )


async def test_catch_up_leaves_alone_what_another_live_instance_holds(
    dingtao: Services, liaisons: dict[str, Chat], clock: FakeClock
) -> None:
    """Folding a row another instance is sending would send it twice (its own way, and in the
    catch-up message): a held row is folded only once its lease has run out."""
    ids = await due_reminders(dingtao, UNITS[:2])
    clock.set(clock() + dt.timedelta(days=2))  # both missed, far beyond the grace period
    await hold(dingtao, ids[0], "other", clock() + dt.timedelta(seconds=60))
    sender = Sender(dingtao.db, clock, [FaultyTransport()], instance="me")
    assert await sender.catch_up(dt.timedelta(hours=4)) == 1
    by_unit = await rows(dingtao)
    assert (by_unit[UNITS[0]].status, by_unit[UNITS[0]].claimed_by) == ("pending", "other")
    assert by_unit[UNITS[1]].status == "folded"
    clock.set(clock() + dt.timedelta(seconds=61))  # the other instance died: its lease ran out
    assert await sender.catch_up(dt.timedelta(hours=4)) == 1
    assert (await rows(dingtao))[UNITS[0]].status == "folded"


async def test_the_next_wake_is_the_first_free_row_or_the_lease_before_it(
    dingtao: Services, liaisons: dict[str, Chat], clock: FakeClock
) -> None:
    """A row another instance holds counts from its lease's end; this instance's own claims and
    free rows from their due time: whichever comes first."""
    ids = await due_reminders(dingtao, UNITS[:3])
    start = clock()
    async with dingtao.db.session() as session:
        for reminder_id, late in zip(ids, (0, 100, 200), strict=True):
            await session.exec(
                update(ReminderRow)
                .where(col(ReminderRow.id) == reminder_id)
                .values(due_at=start + dt.timedelta(seconds=late))
            )
    sender = Sender(dingtao.db, clock, [FaultyTransport()], instance="me")
    assert await sender.next_due() == start
    await hold(dingtao, ids[0], "other", start + dt.timedelta(seconds=60))
    assert await sender.next_due() == start + dt.timedelta(seconds=60)  # before the next free row (100 s)
    await hold(dingtao, ids[0], "other", start + dt.timedelta(seconds=150))
    assert await sender.next_due() == start + dt.timedelta(seconds=100)  # the free row comes first
    await hold(dingtao, ids[1], "me", start + dt.timedelta(seconds=160))
    assert await sender.next_due() == start + dt.timedelta(seconds=100)  # its own claim: due as ever
    await hold(dingtao, ids[1], "other", start + dt.timedelta(seconds=160))
    await hold(dingtao, ids[2], "other", start + dt.timedelta(seconds=300))
    assert await sender.next_due() == start + dt.timedelta(seconds=150)  # nothing free: the first lease
