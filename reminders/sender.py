"""The sender: hands due outbox rows to the transports and records what they confirmed.

Delivery is per recipient: a reminder to a unit with two liaisons is delivered twice, and a retry
after a failure skips whoever already has it, so nothing is doubled. Nothing is sent in the quiet
hours.

What a crash can double, exactly: before a message leaves, a write-ahead mark (`delivery.state =
'sending'`) is committed; the confirmation follows through the journal (group commits). A restart
sends again only what is still marked `sending`, i.e. what was in flight or confirmed but not yet
recorded at the moment of the crash; at most CONCURRENCY messages. Everything else is sent exactly
once. A read timeout is "in doubt": not retried at once, but once more by the outbox, later.

Any exception while sending one row makes that row a retryable failure (logged once with the row);
it never stops the pass.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import case, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.i18n import translate
from models.database import Database
from models.evidence_store import EvidenceStore
from models.people import block_chat, move_chat
from models.robots import key_tag
from models.tables import Delivery, DigestRow, Member, ReminderRow, UnitRow
from reminders import delivery_log
from reminders.catch_up import fold_missed
from reminders.chart import render_chart
from reminders.claims import Lease, claim, free_for, instance_name
from reminders.journal import Journal, Write
from reminders.outbound import DeliveryFailed, Document, Outgoing, Transport
from reminders.policy import DIGEST_DUE
from reminders.recipients import PlanView, PlanViews, Recipient
from reminders.texts import reminder_actions, render_reminder
from reminders.weekly import digest_data, render_digest

log = logging.getLogger(__name__)
BATCH = 500
CONCURRENCY = 16
"""Messages in flight at once: different chats go in parallel, the transport's limiter paces them.
Also the bound on what a crash can send twice."""
RETRY_AFTER = dt.timedelta(minutes=5)
DOUBT_RETRY = dt.timedelta(seconds=30)
"""A send in doubt (no answer came) is retried once, this much later: not at once (it may have
arrived), but soon, because the rest of a long message waits for it."""
MAX_ATTEMPTS = 12
DONE = ("sent", "unconfirmed")
"""Delivery states that are never sent again."""
NOBODY = "no member bound to receive it"
ROBOTS = "wecom-robot"


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
    known: dict[tuple[int, int], tuple[str, int]]
    """(reminder, member) → (delivery state, pieces confirmed) as stored before this batch."""
    digests: dict[int, DigestRow]


@dataclass
class _Outcome:
    """What became of one recipient: delivered (now or before), or why not."""

    delivered: bool
    error: str = ""
    permanent: bool = False
    doubt: bool = False


class Sender:
    """Delivers due reminders through the running transports."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], dt.datetime],
        transports: Sequence[Transport],
        files: EvidenceStore | None = None,
        instance: str | None = None,
    ) -> None:
        self.db = db
        self.instance = instance or instance_name()
        """Who claims rows: several instances may send from one database, each row by one of them."""
        self.files = files
        """Where the evidence files forwarded with review notices are read from."""
        self.clock = clock
        self.transports = {t.name: t for t in transports}
        self.views = PlanViews(self.transports)
        self.journal = Journal(db, delivery_log.EXECUTORS)
        self._charts: dict[tuple[int, str], bytes] = {}
        self._blocked: set[tuple[str, str]] = set()
        """Chats found unreachable during this pass (the database knows them from the next pass on)."""
        self._moved: dict[tuple[str, str], str] = {}
        """Chats that moved to a new id during this pass (a group upgraded to a supergroup)."""
        self.stopping = False
        """Set on shutdown: messages in flight finish and are recorded, the rest stay pending."""

    async def send_due(self) -> SendStats:
        """Send every pending reminder whose time has come (outside quiet hours).

        No database transaction stays open while a transport talks to its chat service: rows are read
        in one short transaction, marks and confirmations go through the journal.
        """
        stats = SendStats()
        self.views.clear()
        self._charts.clear()
        stats.undeliverable += await self._mark_unreachable(self.clock())
        while True:
            now = self.clock()
            async with self.db.session() as session:
                rows, batch = await self._load_batch(session, now, stats)
            gate = asyncio.Semaphore(CONCURRENCY)
            async with Lease(self.db, self.clock, self.instance, [row.id or 0 for row in rows]):
                progressed = sum(await asyncio.gather(*(self._gated(gate, row, batch) for row in rows)))
                if batch.nobody:
                    self.journal.post(_undeliverable(batch.nobody, NOBODY))
                # Settlements are posted, not awaited: the claim is released and the next batch read
                # only once they are committed, so no row is taken as due while its outcome waits.
                await self.journal.drain()
            if len(rows) < BATCH or progressed == 0 or self.stopping:
                return stats

    async def _load_batch(
        self, session: AsyncSession, now: dt.datetime, stats: SendStats
    ) -> tuple[list[ReminderRow], _Batch]:
        """The next due rows of plans that are awake, with what is known of their deliveries."""
        due = (
            (col(ReminderRow.status) == "pending")
            & (col(ReminderRow.due_at) <= now)
            & (col(ReminderRow.kind) != DIGEST_DUE)  # composed by the engine, never sent as such
        )
        plans = (await session.exec(select(ReminderRow.plan_id).where(due).distinct())).all()
        awake = [p for p in plans if not (await self.views.get(session, p)).quiet(now)]
        if len(awake) < len(plans):
            asleep = select(func.count()).select_from(ReminderRow).where(due, col(ReminderRow.plan_id).not_in(awake))
            stats.deferred += (await session.exec(asleep)).one()
        rows = await claim(session, due & col(ReminderRow.plan_id).in_(awake), self.instance, now, BATCH)
        ids = [row.id or 0 for row in rows]
        known = select(Delivery.reminder_id, Delivery.member_id, Delivery.state, Delivery.pieces).where(
            col(Delivery.reminder_id).in_(ids)
        )
        deliveries = {(r, m): (state, pieces) for r, m, state, pieces in (await session.exec(known)).all()}
        digest_ids = {row.digest_id for row in rows if row.digest_id is not None}
        digests = {
            d.id or 0: d for d in (await session.exec(select(DigestRow).where(col(DigestRow.id).in_(digest_ids)))).all()
        }
        return rows, _Batch(now, stats, [], deliveries, digests)

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
                col(ReminderRow.kind) != DIGEST_DUE,
                col(ReminderRow.unit_id).not_in(reachable),
                free_for(self.instance, now),
            )
            .values(status="undeliverable", last_error=NOBODY)
        )
        async with self.db.session() as session:
            result = await session.exec(statement)
        return int(result.rowcount or 0)

    async def _gated(self, gate: asyncio.Semaphore, row: ReminderRow, batch: _Batch) -> int:
        """One row, within the concurrency bound; whatever goes wrong stays with this row."""
        async with gate:
            if self.stopping:
                return 0
            try:
                return await self._send_row(row, batch)
            except Exception as error:
                log.exception("reminder %s (%s, plan %s) failed; it will be retried", row.id, row.kind, row.plan_id)
                await self._settle_quietly(row, batch, [_Outcome(False, f"error: {error!r}")])
                return 1

    async def _send_row(self, row: ReminderRow, batch: _Batch) -> int:
        view = self.views.cached(row.plan_id)
        recipients = [w for w in view.recipients(row) if (w.transport, w.chat_id) not in self._blocked]
        if not recipients:
            batch.nobody.append(row.id or 0)  # marked in one statement for the whole batch
            batch.stats.undeliverable += 1
            return 1
        outcomes = [await self._deliver_safely(row, view, who, batch) for who in recipients]
        await self._settle_quietly(row, batch, outcomes)
        return 1

    async def _deliver_safely(self, row: ReminderRow, view: PlanView, who: Recipient, batch: _Batch) -> _Outcome:
        """One recipient; an unexpected exception is a retryable failure of this recipient only."""
        try:
            return await self._deliver(row, view, who, batch)
        except Exception as error:
            log.exception("reminder %s to %s:%s failed; it will be retried", row.id, who.transport, who.chat_id)
            return _Outcome(False, f"{who.transport}:{who.chat_id}: {error!r}")

    async def _deliver(
        self, row: ReminderRow, view: PlanView, who: Recipient, batch: _Batch, *, moved: bool = False
    ) -> _Outcome:
        key = (row.id or 0, who.member_id)
        state, pieces = batch.known.get(key, ("", 0))
        if state in DONE:
            return _Outcome(True)
        who = replace(who, chat_id=self._moved.get((who.transport, who.chat_id), who.chat_id))
        message = await self._message(row, view, who, batch.digests)
        written = delivery_log.mark(key, who, self.clock(), exists=key in batch.known or moved)
        await self.journal.write(written)  # durable before the request leaves
        journal = self.journal
        message = replace(message, skip=pieces, on_piece=lambda n, _id: journal.post(delivery_log.progress(key, n)))
        try:
            message_id = await self.transports[who.transport].send(message)
        except DeliveryFailed as failure:
            if failure.migrated_to and not moved:
                return await self._follow(row, view, who, batch, failure.migrated_to)
            return await self._failed(row, who, state, failure, batch.now)
        batch.stats.handed.append((row.id or 0, self.clock()))
        batch.stats.deliveries += 1
        self.journal.post(delivery_log.outcome(key, "sent", message_id, self.clock()))
        return _Outcome(True)

    async def _follow(self, row: ReminderRow, view: PlanView, who: Recipient, batch: _Batch, new: str) -> _Outcome:
        """The chat became another (a Telegram group upgraded): move the binding, send there once."""
        self._moved[(who.transport, who.chat_id)] = new
        await self.journal.write(_move(who, new, self.clock()))
        return await self._deliver(row, view, replace(who, chat_id=new), batch, moved=True)

    async def _failed(
        self, row: ReminderRow, who: Recipient, state: str, failure: DeliveryFailed, now: dt.datetime
    ) -> _Outcome:
        key = (row.id or 0, who.member_id)
        if failure.in_doubt:
            # The answer never came: retry once, later. A second doubt is not sent a third time.
            final = state == "doubt"
            recorded = "unconfirmed" if final else "doubt"
            self.journal.post(delivery_log.outcome(key, recorded, "", self.clock(), failure.confirmed))
            if final:
                log.warning(
                    "reminder %s to %s:%s unconfirmed twice; not sent again", row.id, who.transport, who.chat_id
                )
                return _Outcome(True)
            return _Outcome(False, f"{who.transport}:{who.chat_id}: in doubt: {failure}", doubt=True)
        self.journal.post(delivery_log.outcome(key, "failed", "", self.clock(), failure.confirmed))
        if failure.permanent:
            await self._unreachable(row, who, str(failure), now)
        return _Outcome(False, f"{who.transport}:{who.chat_id}: {failure}", permanent=failure.permanent)

    async def _settle_quietly(self, row: ReminderRow, batch: _Batch, outcomes: list[_Outcome]) -> None:
        """Settle, logging (not raising) when even that fails: the row stays pending and is retried (a
        settlement the journal cannot commit is logged by it; the row's deliveries tell the retry what
        was delivered)."""
        try:
            await self._settle(row, batch.now, outcomes, batch.stats)
        except Exception:
            log.exception("reminder %s could not be settled; it stays pending", row.id)

    async def _settle(self, row: ReminderRow, now: dt.datetime, outcomes: list[_Outcome], stats: SendStats) -> None:
        """Sent when every reachable recipient has it; undeliverable when nobody can ever get it;
        otherwise retried later, or given up on after MAX_ATTEMPTS."""
        attempts = row.attempts + 1
        errors = [o for o in outcomes if o.error]
        values: dict[str, object] = {"attempts": attempts, "last_error": "; ".join(o.error for o in errors)}
        values.update(claimed_by=None, claimed_until=None)  # settled: the next attempt may be anyone's
        if not errors:
            values.update(status="sent", sent_at=now)
            stats.sent += 1
        elif all(o.permanent for o in errors):
            reached = any(o.delivered for o in outcomes)
            values.update(status="sent" if reached else "undeliverable", sent_at=now if reached else None)
            stats.sent += reached
            stats.undeliverable += not reached
        elif attempts >= MAX_ATTEMPTS:
            values.update(status="undeliverable")
            stats.undeliverable += 1
        else:
            later = DOUBT_RETRY if all(o.doubt for o in errors) else RETRY_AFTER * attempts
            values.update(due_at=now + later)
            stats.failed += 1
        self.journal.post(delivery_log.settle(row.id or 0, values))

    async def _chart(self, digest: DigestRow, lang: str) -> bytes:
        """The digest's chart in another language than the stored (Chinese) one, drawn once per pass
        in a worker thread: rendering takes a few hundred milliseconds."""
        key = (digest.id or 0, lang)
        if key not in self._charts:
            self._charts[key] = await asyncio.to_thread(render_chart, digest_data(digest), lang)
        return self._charts[key]

    async def _message(
        self, row: ReminderRow, view: PlanView, who: Recipient, digests: dict[int, DigestRow]
    ) -> Outgoing:
        detail = json.loads(row.detail)
        unit = view.units.get(row.unit_id or 0, "") if row.unit_id is not None else ""
        image = None
        if row.kind == "digest":
            digest = digests[row.digest_id or 0]
            text = render_digest(digest, unit or None, who.lang)
            if row.unit_id is None:
                image = (
                    digest.chart if who.lang == "zh" or digest.chart is None else await self._chart(digest, who.lang)
                )
        else:
            text = render_reminder(row.kind, row.subject, unit, detail, who.lang)
        return Outgoing(
            chat_id=who.chat_id,
            text=text,
            actions=reminder_actions(row.kind, row.subject, who.lang, detail),
            image=image,
            document=await self._document(detail.get("document")),
            reminder_id=row.id,
            recipient=unit or translate(who.lang, "rem_unit_leaders"),
            mentions=tuple(view.wecom_ids.get(row.unit_id, [])) if row.unit_id is not None else (),
        )

    async def _document(self, named: dict[str, str] | None) -> Document | None:
        """The evidence file a notice forwards, read from the store; a file gone from the disk is
        logged and the notice goes without it (the office can still open it with /review)."""
        if named is None or self.files is None:
            return None
        try:
            data = await asyncio.to_thread(self.files.read, named["sha256"], named["ext"])
        except (OSError, KeyError, ValueError):
            log.warning("evidence file %s is missing from the store", named.get("sha256"))
            return None
        return Document(named.get("name") or f"{named['sha256'][:12]}.{named['ext']}", data)

    async def _unreachable(self, row: ReminderRow, who: Recipient, reason: str, now: dt.datetime) -> None:
        """Stop sending to a chat that blocked the bot or is gone, and tell the admins once."""
        self._blocked.add((who.transport, who.chat_id))
        await self.journal.write(lambda session: _tell_admins(session, row.plan_id, who, reason, now))

    async def next_due(self) -> dt.datetime | None:
        """When the sender should wake next: the earliest pending reminder, or, for a row another
        instance holds, when its lease runs out (should that instance have died)."""
        other = col(ReminderRow.claimed_by) != self.instance
        held = other & (col(ReminderRow.claimed_until) > col(ReminderRow.due_at))
        wake = case((held, col(ReminderRow.claimed_until)), else_=col(ReminderRow.due_at))
        async with self.db.session() as session:
            found: dt.datetime | None = (
                await session.exec(select(func.min(wake)).where(ReminderRow.status == "pending"))
            ).one()
        return found

    async def catch_up(self, grace: dt.timedelta) -> int:
        """Fold reminders missed during downtime (see `reminders.catch_up`); returns how many."""
        async with self.db.session() as session:
            folded = await fold_missed(session, self.views, self.clock(), grace)
        self.views.clear()
        return folded


def _undeliverable(ids: list[int], reason: str) -> Write:
    async def write(session: AsyncSession) -> None:
        await session.exec(
            update(ReminderRow).where(col(ReminderRow.id).in_(ids)).values(status="undeliverable", last_error=reason)
        )

    return write


def _move(who: Recipient, new: str, now: dt.datetime) -> Write:
    async def write(session: AsyncSession) -> None:
        await move_chat(session, who.transport, who.chat_id, new, now)

    return write


async def _tell_admins(session: AsyncSession, plan_id: str, who: Recipient, reason: str, now: dt.datetime) -> None:
    """Record the blocked chat; the first time, queue a notice to the plan's admins."""
    if not await block_chat(session, who.transport, who.chat_id, reason, now):
        return
    member = await session.get(Member, who.member_id)
    unit = await session.get(UnitRow, member.unit_id) if member and member.unit_id else None
    detail = {
        "transport": who.transport,
        "chat": key_tag(who.chat_id) if who.transport == ROBOTS else who.chat_id,  # a robot's key is a secret
        "reason": reason[:200],
        "who": unit.name if unit else (member.role if member else ""),
        "name": member.display_name if member else "",
    }
    session.add(
        ReminderRow(
            plan_id=plan_id,
            key=f"chat_blocked:{who.transport}:{who.chat_id}:{now.isoformat()}",
            kind="chat_blocked",
            due_at=now,
            subject=who.chat_id,
            detail=json.dumps(detail, ensure_ascii=False),
            created_at=now,
        )
    )
