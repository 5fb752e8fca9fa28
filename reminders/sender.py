"""The sender: hands due outbox rows to the transports and records what they confirmed.

Delivery is per recipient: a reminder to a unit with two liaisons is delivered twice, and a retry
after a failure skips whoever already has it, so nothing is doubled. Nothing is sent in the quiet
hours.

A pass claims due rows in batches (BATCH) and sends their deliveries with at most CONCURRENCY
requests in flight. Before a request leaves, its write-ahead mark (`delivery.state = 'sending'`) is
committed; marks are written for up to WINDOW deliveries at a time, in one transaction that also
carries every confirmation and settlement that came in since the last one (`reminders.journal`), and
the deliveries so marked then leave as slots free up.

What a crash can double, exactly: a restart sends again only what is still marked `sending`. At any
moment at most WINDOW deliveries are marked and not yet recorded, because the next marks are written
only together with the outcomes of everything before them; so a crash sends at most WINDOW (128)
messages twice. Of those, at most CONCURRENCY (16) were in flight; the others had either not left
yet (sent once, after the restart: no duplicate) or had been confirmed since the last commit (the
journal commits a confirmation within POST_DELAY, 20 ms, if no marks come sooner). With a chat
service that answers in tens of milliseconds at 25 messages a second, that is the requests in flight
and perhaps one more. Everything else is sent exactly once. A read timeout is "in doubt": not
retried at once, but once more by the outbox, later.

Any exception while sending one row makes that row a retryable failure (logged once with the row);
it never stops the pass.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

from sqlalchemy import update
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
from reminders.claims import LEASE, Claimed, Lease, claim, free_for, instance_name
from reminders.delivery_log import Key
from reminders.journal import Journal, Write
from reminders.outbound import DeliveryFailed, Document, Outgoing, Transport
from reminders.policy import DIGEST_DUE
from reminders.recipients import PlanViews, Recipient
from reminders.texts import reminder_actions, render_reminder
from reminders.weekly import digest_data, render_digest

log = logging.getLogger(__name__)
BATCH = 1000
"""Rows claimed at a time (one statement), and sent before the next are claimed."""
CONCURRENCY = 16
"""Requests in flight at once: different chats go in parallel, the transport's limiter paces them."""
WINDOW = 128
"""Deliveries marked `sending` and not yet recorded, at most: the bound on what a crash can send
twice. Marks are committed for up to this many deliveries at a time, so that a burst to a fast chat
service costs one commit per WINDOW messages, not one per CONCURRENCY (see the module's docstring)."""
RETRY_AFTER = dt.timedelta(minutes=5)
DOUBT_RETRY = dt.timedelta(seconds=30)
"""A send in doubt (no answer came) is retried once, this much later: not at once (it may have
arrived), but soon, because the rest of a long message waits for it."""
MAX_ATTEMPTS = 12
SETTLE_EVERY = 100
"""Settled rows are posted to the journal this many at a time (and at the end of a batch): one
statement for a hundred rows. A row's deliveries, not its status, say what a crash may send again,
so a settlement waiting here never makes a duplicate: after a crash the row is claimed again and its
recorded deliveries are skipped."""
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

    def merge(self, other: SendStats) -> None:
        """Add another pass's figures to these."""
        self.sent += other.sent
        self.deliveries += other.deliveries
        self.failed += other.failed
        self.undeliverable += other.undeliverable
        self.deferred += other.deferred


@dataclass
class _Batch:
    """What the rows of one batch share while they are sent in parallel."""

    now: dt.datetime
    stats: SendStats
    nobody: list[int]
    known: dict[Key, tuple[str, int]]
    """(reminder, member) → (delivery state, pieces confirmed) as stored before this batch."""
    digests: dict[int, DigestRow]
    finished: int = 0
    """Rows settled (or found to have nobody to receive them) in this batch."""
    settled: list[dict[str, Any]] = field(default_factory=list)
    """Settlements not yet posted (see SETTLE_EVERY), other than plain "sent"."""
    sent: list[int] = field(default_factory=list)
    """Rows every recipient has, not yet posted: settled alike, in one record."""


@dataclass
class _Outcome:
    """What became of one recipient: delivered (now or before), or why not."""

    delivered: bool
    error: str = ""
    permanent: bool = False
    doubt: bool = False
    unsent: bool = False
    """Never left: its mark could not be written (the database away for a moment)."""


DELIVERED = _Outcome(True)


@dataclass(slots=True)
class _Row:
    """A row on its way: its recipients' outcomes as they come; settled once the last is in."""

    row: Claimed
    left: int
    outcomes: list[_Outcome] = field(default_factory=list)


@dataclass(slots=True)
class _Job:
    """One delivery: a row to one recipient, with what was stored of it before this batch."""

    tally: _Row
    who: Recipient
    key: Key
    state: str
    pieces: int


_Ready = tuple[_Job, Recipient, Outgoing]
"""A delivery marked durably and rendered: free to leave."""


class _Jobs:
    """The batch's deliveries in order, worked out from its rows as they are needed: a row's
    bookkeeping lives only while it is being sent (the collector need not keep a thousand alive)."""

    def __init__(self, rows: list[Claimed], expand: Callable[[Claimed], list[_Job]]) -> None:
        self.rows = deque(rows)
        self.expand = expand
        self.jobs: deque[_Job] = deque()

    def __bool__(self) -> bool:
        return bool(self.jobs or self.rows)

    def next(self) -> _Job | None:
        """The next delivery to make, or None when the batch has no more."""
        while not self.jobs:
            if not self.rows:
                return None
            self.jobs.extend(self.expand(self.rows.popleft()))
        return self.jobs.popleft()


class _Flight:
    """CONCURRENCY lanes sending the deliveries that are ready, in order, and the marks being written.

    Each lane takes the next ready delivery and sends it; a delivery that lands (with its outcome) and
    marks that become durable (with the deliveries now ready) wake the sender. Lanes rather than a
    task per message: a chat service that answers at once costs no scheduling per message.
    """

    def __init__(self, send: Callable[[_Ready], Awaitable[_Outcome]]) -> None:
        self.send = send
        self.ready: deque[_Ready] = deque()
        self.count = 0
        """Deliveries taken by a lane and not yet landed."""
        self.marking: asyncio.Task[list[_Ready]] | None = None
        self.closed = False
        self._landed: list[tuple[_Job, _Outcome]] = []
        self._wake = asyncio.Event()
        self._idle: deque[asyncio.Future[None]] = deque()
        """Lanes waiting for work, each on its own future: new deliveries wake as many as they need."""
        self._lanes = [asyncio.create_task(self._lane()) for _ in range(CONCURRENCY)]

    def mark(self, marking: Coroutine[None, None, list[_Ready]]) -> None:
        """Write the next marks meanwhile: the deliveries ready and in flight go on."""
        self.marking = asyncio.create_task(marking)
        self.marking.add_done_callback(lambda _: self._wake.set())

    async def _lane(self) -> None:
        while not self.closed:
            if not self.ready:
                waiter = asyncio.get_running_loop().create_future()
                self._idle.append(waiter)
                await waiter
                continue
            item = self.ready.popleft()
            self.count += 1
            try:
                outcome = await self.send(item)
                self._landed.append((item[0], outcome))  # the list as it is now: the sender swaps it
            finally:  # a cancelled send lands without an outcome: its row is not settled, only released
                self.count -= 1
                self._wake.set()

    async def news(self) -> None:
        """Wait until something landed or the marks are written, unless either happened already."""
        if not self._landed and (self.marking is None or not self.marking.done()):
            await self._wake.wait()
        self._wake.clear()
        if self.marking is not None and self.marking.done():
            marked, self.marking = self.marking.result(), None
            self.ready += marked
            self._rouse(len(marked))

    def _rouse(self, lanes: int) -> None:
        """Wake up to `lanes` idle lanes."""
        while lanes > 0 and self._idle:
            waiter = self._idle.popleft()
            if not waiter.done():
                waiter.set_result(None)
                lanes -= 1

    def landed(self) -> list[tuple[_Job, _Outcome]]:
        """What landed since last asked."""
        landed, self._landed = self._landed, []
        return landed

    async def close(self) -> None:
        """Stop the lanes once idle; after a cancellation, stop what is in flight too."""
        self.closed = True
        self._rouse(CONCURRENCY)
        for lane in self._lanes:
            if self.count:
                lane.cancel()
        if self.marking is not None:
            self.marking.cancel()
        await asyncio.gather(*self._lanes, return_exceptions=True)


class Sender:
    """Delivers due reminders through the running transports."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], dt.datetime],
        transports: Sequence[Transport],
        files: EvidenceStore | None = None,
        instance: str | None = None,
        lease: dt.timedelta = LEASE,
        window: int = WINDOW,
    ) -> None:
        self.db = db
        self.window = max(window, CONCURRENCY)
        """Deliveries marked and not yet recorded, at most (WINDOW; CONCURRENCY at the least)."""
        self.instance = instance or instance_name()
        """Who claims rows: several instances may send from one database, each row by one of them."""
        self.lease = lease
        """How long its claims hold unrenewed (see `reminders.claims`)."""
        self.files = files
        """Where the evidence files forwarded with review notices are read from."""
        self.clock = clock
        self.transports = {t.name: t for t in transports}
        self.views = PlanViews(self.transports)
        self.journal = Journal(db, delivery_log.EXECUTORS)
        self._charts: dict[tuple[int, str], bytes] = {}
        self._buttons: dict[tuple[str, str, str, str], tuple[tuple[str, str], ...]] = {}
        self._details: dict[str, dict[str, Any]] = {}
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
        await self.journal.drain()  # records an outage kept back are written before anything is read
        self.views.clear()
        self._charts.clear()
        self._buttons.clear()
        self._details.clear()
        stats.undeliverable += await self._mark_unreachable(self.clock())
        while True:
            now = self.clock()
            async with self.db.session() as session:
                rows, batch = await self._load_batch(session, now, stats)
            async with Lease(self.db, self.clock, self.instance, [row.id for row in rows], self.lease):
                async with self.journal.holding():
                    await self._send_batch(rows, batch)
                self._post_settled(batch)
                if batch.nobody:
                    self.journal.post(_undeliverable(batch.nobody, NOBODY))
                # Settlements are posted, not awaited: the claim is released and the next batch read
                # only once they are committed, so no row is taken as due while its outcome waits.
                await self.journal.drain()
            if len(rows) < BATCH or batch.finished == 0 or self.stopping:
                return stats

    async def _load_batch(
        self, session: AsyncSession, now: dt.datetime, stats: SendStats
    ) -> tuple[list[Claimed], _Batch]:
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
        rows = await claim(session, due & col(ReminderRow.plan_id).in_(awake), self.instance, now, BATCH, self.lease)
        known = select(Delivery.reminder_id, Delivery.member_id, Delivery.state, Delivery.pieces).where(
            col(Delivery.reminder_id).in_([row.id for row in rows])
        )
        deliveries = {(r, m): (state, pieces) for r, m, state, pieces in (await session.exec(known)).all()}
        digest_ids = {row.digest_id for row in rows if row.digest_id is not None}
        digests: dict[int, DigestRow] = {}
        if digest_ids:
            chosen = select(DigestRow).where(col(DigestRow.id).in_(digest_ids))
            digests = {d.id or 0: d for d in (await session.exec(chosen)).all()}
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

    async def _send_batch(self, rows: list[Claimed], batch: _Batch) -> None:
        """Every delivery of the batch, at most CONCURRENCY in flight and `window` marked and not yet
        recorded. When fewer than CONCURRENCY are marked and waiting or in flight, the next ones are
        marked together (one commit, which also records every outcome that came in before it), while
        those go on."""
        jobs = _Jobs(rows, lambda row: self._jobs(row, batch))
        flight = _Flight(lambda item: self._send(*item, batch))
        try:
            while True:
                going = not self.stopping
                waiting = len(flight.ready) + flight.count
                if going and jobs and flight.marking is None and waiting <= self.window // 2:
                    flight.mark(self._launch(jobs, self.window - waiting, batch))
                if not going:
                    flight.ready.clear()  # marked, never sent: sent once, by the next pass
                if not (flight.count or flight.marking or flight.ready or (going and jobs)):
                    return
                await flight.news()
                for job, outcome in flight.landed():
                    self._finish(job.tally, outcome, batch)
        finally:
            await flight.close()

    def _jobs(self, row: Claimed, batch: _Batch) -> list[_Job]:
        """The row's deliveries still to make; a row nobody can receive is set aside at once."""
        try:
            recipients = self.views.cached(row.plan_id).recipients(
                cast(ReminderRow, row)
            )  # reads kind, detail, unit_id
        except Exception as error:
            log.exception("reminder %s (%s, plan %s) failed; it will be retried", row.id, row.kind, row.plan_id)
            self._settle_quietly(row, batch, [_Outcome(False, f"error: {error!r}")])
            batch.finished += 1
            return []
        tally = _Row(row, len(recipients))
        jobs: list[_Job] = []
        for who in recipients:
            key = (row.id, who.member_id)
            state, pieces = batch.known.get(key, ("", 0))
            if state in DONE:
                self._finish(tally, DELIVERED, batch)
            else:
                jobs.append(_Job(tally, who, key, state, pieces))
        if not recipients:
            self._finish(tally, None, batch)
        return jobs

    async def _launch(self, jobs: _Jobs, free: int, batch: _Batch) -> list[_Ready]:
        """Mark up to `free` deliveries in one commit and render their messages meanwhile; the
        rendered ones are ready to leave once the marks are durable."""
        chosen: list[tuple[_Job, Recipient]] = []
        while len(chosen) < free and (job := jobs.next()) is not None:
            who = job.who
            if (who.transport, who.chat_id) in self._blocked:
                self._finish(job.tally, None, batch)  # found unreachable in this pass: not a recipient now
                continue
            if self._moved and (who.transport, who.chat_id) in self._moved:
                who = replace(who, chat_id=self._moved[(who.transport, who.chat_id)])
            chosen.append((job, who))
        if not chosen:
            return []
        now = self.clock()
        marking = asyncio.ensure_future(
            self.journal.write(delivery_log.marks([delivery_log.mark(j.key, w, now) for j, w in chosen]))
        )
        wave: list[_Ready] = []
        for job, who in chosen:
            try:
                wave.append((job, who, await self._message(job, who, batch.digests)))
            except Exception as error:  # marked, never sent: in doubt until the row's retry sends it
                log.exception("reminder %s to %s:%s failed; it will be retried", job.key[0], who.transport, who.chat_id)
                self.journal.post(delivery_log.outcome(job.key, "failed", "", self.clock()))
                self._finish(job.tally, _Outcome(False, f"{who.transport}:{who.chat_id}: {error!r}"), batch)
        try:
            await marking
        except Exception as error:  # nothing leaves unmarked: the rows are retried soon (a moment's
            # outage is not a failed attempt to send)
            log.exception("%d deliveries could not be marked; their reminders will be retried", len(chosen))
            for job, who, _ in wave:
                failed = _Outcome(False, f"{who.transport}:{who.chat_id}: {error!r}", unsent=True)
                self._finish(job.tally, failed, batch)
            return []
        return wave

    async def _send(self, job: _Job, who: Recipient, message: Outgoing, batch: _Batch) -> _Outcome:
        """One marked delivery; an unexpected exception is a retryable failure of this recipient only."""
        try:
            return await self._hand_over(job, who, message, batch)
        except Exception as error:
            log.exception("reminder %s to %s:%s failed; it will be retried", job.key[0], who.transport, who.chat_id)
            return _Outcome(False, f"{who.transport}:{who.chat_id}: {error!r}")

    async def _hand_over(
        self, job: _Job, who: Recipient, message: Outgoing, batch: _Batch, *, moved: bool = False
    ) -> _Outcome:
        try:
            message_id = await self.transports[who.transport].send(message)
        except DeliveryFailed as failure:
            if failure.migrated_to and not moved:
                return await self._follow(job, who, batch, failure.migrated_to)
            return await self._failed(job, who, failure, batch.now)
        batch.stats.deliveries += 1
        self.journal.post(delivery_log.outcome(job.key, "sent", message_id, self.clock()))
        return DELIVERED

    async def _follow(self, job: _Job, who: Recipient, batch: _Batch, new: str) -> _Outcome:
        """The chat became another (a Telegram group upgraded): move the binding, send there once."""
        self._moved[(who.transport, who.chat_id)] = new
        await self.journal.write(_move(who, new, self.clock()))
        who = replace(who, chat_id=new)
        message = await self._message(job, who, batch.digests)
        await self.journal.write(delivery_log.marks([delivery_log.mark(job.key, who, self.clock())]))
        return await self._hand_over(job, who, message, batch, moved=True)

    async def _failed(self, job: _Job, who: Recipient, failure: DeliveryFailed, now: dt.datetime) -> _Outcome:
        if failure.in_doubt:
            # The answer never came: retry once, later. A second doubt is not sent a third time.
            final = job.state == "doubt"
            recorded = "unconfirmed" if final else "doubt"
            self.journal.post(delivery_log.outcome(job.key, recorded, "", self.clock(), failure.confirmed))
            if final:
                log.warning(
                    "reminder %s to %s:%s unconfirmed twice; not sent again", job.key[0], who.transport, who.chat_id
                )
                return _Outcome(True)
            return _Outcome(False, f"{who.transport}:{who.chat_id}: in doubt: {failure}", doubt=True)
        self.journal.post(delivery_log.outcome(job.key, "failed", "", self.clock(), failure.confirmed))
        if failure.permanent:
            await self._unreachable(job.tally.row, who, str(failure), now)
        return _Outcome(False, f"{who.transport}:{who.chat_id}: {failure}", permanent=failure.permanent)

    def _finish(self, tally: _Row, outcome: _Outcome | None, batch: _Batch) -> None:
        """One recipient of a row is done (`None`: no longer a recipient); the last one settles the row."""
        if outcome is not None:
            tally.outcomes.append(outcome)
        tally.left -= 1
        if tally.left > 0:
            return
        batch.finished += 1
        if tally.outcomes:
            self._settle_quietly(tally.row, batch, tally.outcomes)
        else:
            batch.nobody.append(tally.row.id)  # marked in one statement for the whole batch
            batch.stats.undeliverable += 1

    def _settle_quietly(self, row: Claimed, batch: _Batch, outcomes: list[_Outcome]) -> None:
        """Settle, logging (not raising) when even that fails: the row stays pending and is retried (a
        settlement the journal cannot commit is logged by it; the row's deliveries tell the retry what
        was delivered)."""
        try:
            self._settle(row, batch, outcomes)
        except Exception:
            log.exception("reminder %s could not be settled; it stays pending", row.id)

    def _settle(self, row: Claimed, batch: _Batch, outcomes: list[_Outcome]) -> None:
        """Sent when every reachable recipient has it; undeliverable when nobody can ever get it;
        otherwise retried later, or given up on after MAX_ATTEMPTS. The journal counts the attempt."""
        now, stats = batch.now, batch.stats
        errors = [o for o in outcomes if o.error]
        if not errors:
            stats.sent += 1
            batch.sent.append(row.id)
            if len(batch.sent) >= SETTLE_EVERY:
                self._post_settled(batch)
            return
        attempts = row.attempts + 1
        values: dict[str, object] = {"last_error": "; ".join(o.error for o in errors)}
        values.update(claimed_by=None, claimed_until=None)  # settled: the next attempt may be anyone's
        if all(o.permanent for o in errors):
            reached = any(o.delivered for o in outcomes)
            values.update(status="sent" if reached else "undeliverable", sent_at=now if reached else None)
            stats.sent += reached
            stats.undeliverable += not reached
        elif attempts >= MAX_ATTEMPTS:
            values.update(status="undeliverable")
            stats.undeliverable += 1
        else:
            later = DOUBT_RETRY if all(o.doubt or o.unsent for o in errors) else RETRY_AFTER * attempts
            values.update(due_at=now + later)
            stats.failed += 1
        batch.settled.append(delivery_log.settle([row.id], values))

    def _post_settled(self, batch: _Batch) -> None:
        """Hand the batch's waiting settlements to the journal, as one record."""
        if batch.sent:
            sent = {"status": "sent", "sent_at": batch.now, "last_error": "", "claimed_by": None, "claimed_until": None}
            batch.settled.append(delivery_log.settle(batch.sent, sent))
            batch.sent = []
        if batch.settled:
            self.journal.post(delivery_log.settlements(batch.settled))
            batch.settled = []

    async def _chart(self, digest: DigestRow, lang: str) -> bytes:
        """The digest's chart in another language than the stored (Chinese) one, drawn once per pass
        in a worker thread: rendering takes a few hundred milliseconds."""
        key = (digest.id or 0, lang)
        if key not in self._charts:
            self._charts[key] = await asyncio.to_thread(render_chart, digest_data(digest), lang)
        return self._charts[key]

    async def _message(self, job: _Job, who: Recipient, digests: dict[int, DigestRow]) -> Outgoing:
        """The message for one delivery, starting after the pieces an earlier attempt delivered;
        each piece confirmed is recorded at once (`on_piece`)."""
        row = job.tally.row
        view = self.views.cached(row.plan_id)
        detail = self._detail(row.detail)
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
        named = detail.get("document")
        key, journal, clock = job.key, self.journal, self.clock
        return Outgoing(
            chat_id=who.chat_id,
            text=text,
            actions=self._actions(row, who.lang, detail),
            image=image,
            document=await self._document(named) if named is not None else None,
            reminder_id=row.id,
            recipient=unit or translate(who.lang, "rem_unit_leaders"),
            mentions=tuple(view.wecom_ids.get(row.unit_id, [])) if row.unit_id is not None else (),
            skip=job.pieces,
            on_piece=lambda n, _id: journal.post(delivery_log.progress(key, n, clock())),
        )

    def _detail(self, text: str) -> dict[str, Any]:
        """A row's detail, parsed once per pass for all rows alike (read only)."""
        if text not in self._details:
            if len(self._details) >= 1000:
                self._details.clear()
            self._details[text] = json.loads(text)
        return self._details[text]

    def _actions(self, row: Claimed, lang: str, detail: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        """A reminder's quick actions, worked out once per pass for all rows alike (a deadline's
        reminders to every unit share them)."""
        key = (row.kind, row.subject, lang, row.detail if row.kind == "notice" else "")
        if key not in self._buttons:
            self._buttons[key] = reminder_actions(row.kind, row.subject, lang, detail)
        return self._buttons[key]

    async def _document(self, named: dict[str, str]) -> Document | None:
        """The evidence file a notice forwards, read from the store; a file gone from the disk is
        logged and the notice goes without it (the office can still open it with /review)."""
        if self.files is None:
            return None
        try:
            data = await asyncio.to_thread(self.files.read, named["sha256"], named["ext"])
        except (OSError, KeyError, ValueError):
            log.warning("evidence file %s is missing from the store", named.get("sha256"))
            return None
        return Document(named.get("name") or f"{named['sha256'][:12]}.{named['ext']}", data)

    async def _unreachable(self, row: Claimed, who: Recipient, reason: str, now: dt.datetime) -> None:
        """Stop sending to a chat that blocked the bot or is gone, and tell the admins once."""
        self._blocked.add((who.transport, who.chat_id))
        await self.journal.write(lambda session: _tell_admins(session, row.plan_id, who, reason, now))

    async def next_due(self) -> dt.datetime | None:
        """When the sender should wake next: the earliest pending reminder, or, for a row another
        instance holds, when its lease runs out (should that instance have died).

        Two lookups along the pending index, not one expression over every pending row (a million
        rows ahead would make each wake-up a full scan): the first row nobody else holds, then the
        leases of the held rows due before it (at most what the other instances have claimed)."""
        pending = col(ReminderRow.status) == "pending"
        held = (
            col(ReminderRow.claimed_by).is_not(None)
            & (col(ReminderRow.claimed_by) != self.instance)
            & col(ReminderRow.claimed_until).is_not(None)
            & (col(ReminderRow.claimed_until) > col(ReminderRow.due_at))
        )
        async with self.db.session() as session:
            first = select(ReminderRow.due_at).where(pending, ~held).order_by(col(ReminderRow.due_at)).limit(1)
            free: dt.datetime | None = (await session.exec(first)).first()
            leases = select(func.min(ReminderRow.claimed_until)).where(pending, held)
            if free is not None:
                leases = leases.where(col(ReminderRow.due_at) <= free)
            lease: dt.datetime | None = (await session.exec(leases)).one()
        return min((t for t in (free, lease) if t is not None), default=None)

    async def catch_up(self, grace: dt.timedelta) -> int:
        """Fold reminders missed during downtime (see `reminders.catch_up`); returns how many. Rows
        another live instance holds are its to send, not to fold."""
        async with self.db.session() as session:
            folded = await fold_missed(session, self.views, self.clock(), grace, self.instance)
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
