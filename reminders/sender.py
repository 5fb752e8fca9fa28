"""The sender: hands due outbox rows to the transports and records what they confirmed.

Delivery is per recipient: a reminder to a unit with two liaisons is delivered twice, and a retry
after a failure skips whoever already has it, so nothing is doubled. Nothing is sent in the quiet
hours. After downtime, `catch_up` folds reminders that are too old to send one by one into a single
catch-up message per recipient.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.i18n import translate
from config.plan_schema import ReminderSettings, in_quiet_hours
from models.database import Database
from models.notices import ADMINS, LEADERS, NOTICE
from models.people import block_chat, blocked_chats
from models.plans import get_plan
from models.tables import Delivery, DigestRow, Identity, Member, ReminderRow, UnitRow
from reminders.chart import render_chart
from reminders.outbound import DeliveryFailed, Outgoing, Transport
from reminders.state import effective_policy
from reminders.texts import reminder_actions, render_reminder
from reminders.weekly import digest_data, render_digest

log = logging.getLogger(__name__)
BATCH = 500
CONCURRENCY = 16
"""Messages in flight at once: different chats go in parallel, the transport's limiter paces them."""
RETRY_AFTER = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 12
TO_ADMINS = ("calendar_warning", "chat_blocked")


@dataclass(frozen=True)
class Recipient:
    """A member who should receive a reminder, and how to reach them."""

    member_id: int
    transport: str
    chat_id: str
    lang: str


@dataclass
class SendStats:
    """What one pass of the sender did."""

    sent: int = 0
    deliveries: int = 0
    failed: int = 0
    undeliverable: int = 0
    deferred: int = 0
    handed: list[tuple[int, dt.datetime]] = field(default_factory=list)
    """(reminder id, when it was handed to the transport), for lateness measurements."""

    def merge(self, other: SendStats) -> None:
        """Add another pass's figures to these."""
        self.sent += other.sent
        self.deliveries += other.deliveries
        self.failed += other.failed
        self.undeliverable += other.undeliverable
        self.deferred += other.deferred
        self.handed += other.handed


@dataclass
class _Batch:
    """What the rows of one batch share while they are sent in parallel."""

    now: dt.datetime
    stats: SendStats
    nobody: list[int]
    done: set[tuple[int, int]]
    digests: dict[int, DigestRow]


@dataclass
class _PlanView:
    """Per plan, for one pass: policy, zone, unit names and who receives what."""

    policy: ReminderSettings
    zone: ZoneInfo
    units: dict[int, str]
    by_unit: dict[int, list[Recipient]]
    leaders: list[Recipient]
    admins: list[Recipient]
    by_member: dict[int, Recipient] = field(default_factory=dict)

    def recipients(self, row: ReminderRow) -> list[Recipient]:
        if row.kind == NOTICE:
            return self._audience(json.loads(row.detail).get("audience", []))
        if row.kind in TO_ADMINS:
            return self.admins
        if row.unit_id is None:
            return self.leaders + [a for a in self.admins if a not in self.leaders]
        return self.by_unit.get(row.unit_id, [])

    def _audience(self, audience: list[str]) -> list[Recipient]:
        """A notice's recipients: admins, leaders, a unit's liaisons, single members; each once."""
        found: list[Recipient] = []
        for entry in audience:
            kind, _, ident = entry.partition(":")
            if kind == ADMINS:
                found += self.admins
            elif kind == LEADERS:
                found += self.leaders
            elif kind == "unit" and ident.isdigit():
                found += self.by_unit.get(int(ident), [])
            elif kind == "member" and ident.isdigit() and int(ident) in self.by_member:
                found.append(self.by_member[int(ident)])
        return list(dict.fromkeys(found))


class Sender:
    """Delivers due reminders through the running transports."""

    def __init__(self, db: Database, clock: Callable[[], dt.datetime], transports: Sequence[Transport]) -> None:
        self.db = db
        self.clock = clock
        self.transports = {t.name: t for t in transports}
        self._views: dict[str, _PlanView] = {}
        self._charts: dict[tuple[int, str], bytes] = {}
        self._blocked: set[tuple[str, str]] = set()
        self._writes = asyncio.Lock()
        """One writer at a time: SQLite would otherwise make concurrent sends wait in its busy loop."""
        self.stopping = False
        """Set on shutdown: messages in flight finish and are recorded, the rest stay pending."""
        """Chats found unreachable during this pass (the database knows them from the next pass on)."""

    async def _view(self, session: AsyncSession, plan_id: str) -> _PlanView:
        if plan_id in self._views:
            return self._views[plan_id]
        found = await get_plan(session, plan_id)
        assert found is not None
        plan = found[1]
        units = {
            u.id or 0: u.name for u in (await session.exec(select(UnitRow).where(UnitRow.plan_id == plan_id))).all()
        }
        running = select(Identity).where(col(Identity.transport).in_(list(self.transports)))
        langs = {(i.transport, i.user_id): i.lang for i in (await session.exec(running)).all()}
        view = _PlanView(
            await effective_policy(session, plan), ZoneInfo(plan.timezone), units, defaultdict(list), [], []
        )
        blocked = await blocked_chats(session)
        for m in (await session.exec(select(Member).where(Member.plan_id == plan_id))).all():
            if m.transport not in self.transports or not m.chat_id or (m.transport, m.chat_id) in blocked:
                continue
            who = Recipient(m.id or 0, m.transport, m.chat_id, langs.get((m.transport, m.user_id), "zh"))
            view.by_member[who.member_id] = who
            if m.role == "liaison" and m.unit_id is not None:
                view.by_unit[m.unit_id].append(who)
            elif m.role == "leader":
                view.leaders.append(who)
            elif m.role == "admin":
                view.admins.append(who)
        self._views[plan_id] = view
        return view

    async def send_due(self) -> SendStats:
        """Send every pending reminder whose time has come (outside quiet hours).

        No database transaction stays open while a transport talks to its chat service: rows are read
        in one short transaction, each confirmed delivery is committed on its own, so stopping in
        the middle of a burst loses no record of what was sent.
        """
        stats = SendStats()
        self._views.clear()
        self._charts.clear()
        stats.undeliverable += await self._mark_unreachable(self.clock())
        while True:
            now = self.clock()
            async with self.db.session() as session:
                due = (col(ReminderRow.status) == "pending") & (col(ReminderRow.due_at) <= now)
                plans = (await session.exec(select(ReminderRow.plan_id).where(due).distinct())).all()
                awake = [p for p in plans if not self._quiet(await self._view(session, p), now)]
                if len(awake) < len(plans):
                    asleep = (
                        select(func.count()).select_from(ReminderRow).where(due, col(ReminderRow.plan_id).not_in(awake))
                    )
                    stats.deferred += (await session.exec(asleep)).one()
                rows = (
                    await session.exec(
                        select(ReminderRow)
                        .where(due, col(ReminderRow.plan_id).in_(awake))
                        .order_by(col(ReminderRow.due_at), col(ReminderRow.id))
                        .limit(BATCH)
                    )
                ).all()
                ids = [row.id or 0 for row in rows]
                done = set(
                    (
                        await session.exec(
                            select(Delivery.reminder_id, Delivery.member_id).where(col(Delivery.reminder_id).in_(ids))
                        )
                    ).all()
                )
                digest_ids = {row.digest_id for row in rows if row.digest_id is not None}
                digests = {
                    d.id or 0: d
                    for d in (await session.exec(select(DigestRow).where(col(DigestRow.id).in_(digest_ids)))).all()
                }
            nobody: list[int] = []
            gate = asyncio.Semaphore(CONCURRENCY)
            batch = _Batch(now, stats, nobody, done, digests)
            progressed = sum(await asyncio.gather(*(self._gated(gate, row, batch) for row in rows)))
            if nobody:
                async with self.db.session() as session:
                    await session.exec(
                        update(ReminderRow)
                        .where(col(ReminderRow.id).in_(nobody))
                        .values(status="undeliverable", last_error="no member bound to receive it")
                    )
            if len(rows) < BATCH or progressed == 0 or self.stopping:
                return stats

    @staticmethod
    def _quiet(view: _PlanView, now: dt.datetime) -> bool:
        """Whether it is night for this plan: its reminders wait, other plans' do not."""
        return in_quiet_hours(now.astimezone(view.zone).time(), view.policy.quiet_start, view.policy.quiet_end)

    async def _mark_unreachable(self, now: dt.datetime) -> int:
        """Due reminders to units that nobody can receive for (no liaison bound on a running
        transport), marked in one statement: on a big deadline most units may not be bound yet."""
        reachable = select(Member.unit_id).where(
            Member.role == "liaison",
            col(Member.unit_id).is_not(None),
            col(Member.transport).in_(list(self.transports)),
            Member.chat_id != "",
        )
        statement = (
            update(ReminderRow)
            .where(
                col(ReminderRow.status) == "pending",
                col(ReminderRow.due_at) <= now,
                col(ReminderRow.unit_id).is_not(None),
                col(ReminderRow.unit_id).not_in(reachable),
            )
            .values(status="undeliverable", last_error="no member bound to receive it")
        )
        async with self.db.session() as session:
            result = await session.exec(statement)
        return int(result.rowcount or 0)

    async def _gated(self, gate: asyncio.Semaphore, row: ReminderRow, batch: _Batch) -> int:
        async with gate:
            if self.stopping:
                return 0
            return await self._send_row(row, batch.now, batch.stats, batch.nobody, batch.done, batch.digests)

    async def _send_row(
        self,
        row: ReminderRow,
        now: dt.datetime,
        stats: SendStats,
        nobody: list[int],
        done: set[tuple[int, int]],
        digests: dict[int, DigestRow],
    ) -> int:
        view = self._views[row.plan_id]
        recipients = [w for w in view.recipients(row) if (w.transport, w.chat_id) not in self._blocked]
        if not recipients:
            nobody.append(row.id or 0)  # marked in one statement for the whole batch
            stats.undeliverable += 1
            return 1
        errors: list[str] = []
        permanent = 0
        for who in recipients:
            if (row.id or 0, who.member_id) in done:
                continue
            try:
                message = self._message(row, view, who, digests)
                if message.image is not None and who.lang != "zh":
                    message = replace(message, image=await self._chart(digests[row.digest_id or 0], who.lang))
                message_id = await self.transports[who.transport].send(message)
            except DeliveryFailed as failure:
                errors.append(f"{who.transport}:{who.chat_id}: {failure}")
                permanent += failure.permanent
                if failure.permanent:
                    async with self.db.session() as session:
                        await self._unreachable(session, row, who, str(failure), now)
                continue
            stats.handed.append((row.id or 0, self.clock()))
            async with self._writes, self.db.session() as session:
                session.add(
                    Delivery(
                        reminder_id=row.id or 0,
                        member_id=who.member_id,
                        transport=who.transport,
                        chat_id=who.chat_id,
                        message_id=message_id,
                        at=self.clock(),
                    )
                )
            stats.deliveries += 1
        await self._settle(row, now, errors, permanent, stats)
        return 1

    async def _settle(
        self, row: ReminderRow, now: dt.datetime, errors: list[str], permanent: int, stats: SendStats
    ) -> None:
        """Sent when every reachable recipient has it; otherwise retried later, or given up on."""
        attempts = row.attempts + 1
        error = "; ".join(errors)
        values: dict[str, object] = {"attempts": attempts, "last_error": error}
        if not errors or permanent == len(errors):
            values.update(status="sent", sent_at=now)
            stats.sent += 1
        elif attempts >= MAX_ATTEMPTS:
            values.update(status="undeliverable")
            stats.undeliverable += 1
        else:
            values.update(due_at=now + RETRY_AFTER * attempts)
            stats.failed += 1
        async with self._writes, self.db.session() as session:
            await session.exec(update(ReminderRow).where(col(ReminderRow.id) == row.id).values(**values))

    async def _chart(self, digest: DigestRow, lang: str) -> bytes:
        """The digest's chart in another language than the stored (Chinese) one, drawn once per pass
        in a worker thread: rendering takes a few hundred milliseconds."""
        key = (digest.id or 0, lang)
        if key not in self._charts:
            self._charts[key] = await asyncio.to_thread(render_chart, digest_data(digest), lang)
        return self._charts[key]

    def _message(self, row: ReminderRow, view: _PlanView, who: Recipient, digests: dict[int, DigestRow]) -> Outgoing:
        detail = json.loads(row.detail)
        unit = view.units.get(row.unit_id or 0, "") if row.unit_id is not None else ""
        image = None
        if row.kind == "digest":
            digest = digests[row.digest_id or 0]
            text = render_digest(digest, unit or None, who.lang)
            image = digest.chart if row.unit_id is None else None
        else:
            text = render_reminder(row.kind, row.subject, unit, detail, who.lang)
        return Outgoing(
            chat_id=who.chat_id,
            text=text,
            actions=reminder_actions(row.kind, row.subject, who.lang, detail),
            image=image,
            reminder_id=row.id,
            recipient=unit or translate(who.lang, "rem_unit_leaders"),
        )

    async def _unreachable(
        self, session: AsyncSession, row: ReminderRow, who: Recipient, reason: str, now: dt.datetime
    ) -> None:
        """Stop sending to a chat that blocked the bot or is gone, and tell the admins once."""
        self._blocked.add((who.transport, who.chat_id))
        if not await block_chat(session, who.transport, who.chat_id, reason, now):
            return
        member = await session.get(Member, who.member_id)
        unit = await session.get(UnitRow, member.unit_id) if member and member.unit_id else None
        detail = {
            "transport": who.transport,
            "chat": who.chat_id,
            "reason": reason[:200],
            "who": unit.name if unit else (member.role if member else ""),
            "name": member.display_name if member else "",
        }
        session.add(
            ReminderRow(
                plan_id=row.plan_id,
                key=f"chat_blocked:{who.transport}:{who.chat_id}:{now.isoformat()}",
                kind="chat_blocked",
                due_at=now,
                subject=who.chat_id,
                detail=json.dumps(detail, ensure_ascii=False),
                created_at=now,
            )
        )

    async def next_due(self) -> dt.datetime | None:
        """When the sender should wake next: the earliest pending reminder."""
        async with self.db.session() as session:
            found: dt.datetime | None = (
                await session.exec(select(func.min(ReminderRow.due_at)).where(ReminderRow.status == "pending"))
            ).one()
        return found

    async def catch_up(self, grace: dt.timedelta) -> int:
        """Fold reminders missed during downtime: recent ones stay to be sent, older ones become one
        catch-up message per recipient (unit or leaders). Returns how many were folded."""
        now = self.clock()
        folded = 0
        async with self.db.session() as session:
            rows = (
                await session.exec(
                    select(ReminderRow)
                    .where(
                        ReminderRow.status == "pending",
                        col(ReminderRow.due_at) < now,
                        col(ReminderRow.kind) != "digest",
                    )
                    .order_by(col(ReminderRow.due_at))
                )
            ).all()
            groups: dict[tuple[str, int | None], list[ReminderRow]] = defaultdict(list)
            for row in rows:
                view = await self._view(session, row.plan_id)
                same_day = row.due_at.astimezone(view.zone).date() == now.astimezone(view.zone).date()
                if not same_day and now - row.due_at > grace:
                    groups[(row.plan_id, row.unit_id)].append(row)
            for (plan_id, unit_id), old in groups.items():
                folded += await self._fold(session, plan_id, unit_id, old, now)
        self._views.clear()
        return folded

    async def _fold(
        self, session: AsyncSession, plan_id: str, unit_id: int | None, old: list[ReminderRow], now: dt.datetime
    ) -> int:
        view = await self._view(session, plan_id)
        items = [
            {"day": r.due_at.astimezone(view.zone).date().isoformat(), "kind": r.kind, "subject": r.subject}
            for r in old
        ]
        catch_up = ReminderRow(
            plan_id=plan_id,
            key=f"catch_up:{unit_id}:{now.isoformat()}",
            kind="catch_up",
            due_at=now,
            unit_id=unit_id,
            subject="catch_up",
            detail=json.dumps({"items": items}, ensure_ascii=False),
            created_at=now,
        )
        session.add(catch_up)
        await session.flush()
        for row in old:
            row.status, row.folded_into = "folded", catch_up.id
            session.add(row)
        return len(old)
