"""The reminder engine: APScheduler wakes one sender job at the next due time; the outbox holds the rest.

The database holds every reminder and every week's digest (a `digest_due` row); the scheduler holds
one date job, `duban-send`, re-armed after every pass at the earliest pending due time, whatever the
pass raised. A pass syncs the outbox, composes the digests that fell due, and sends what is due;
each of these steps is guarded on its own, so a failing sync never keeps written reminders from
leaving, and a failure is reported once to the error callback (the bot's error handler when Telegram
runs). Misfire grace and coalescing are set explicitly: APScheduler's default grace of one second
would silently drop a late wake-up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from functools import partial
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from sqlmodel import col, func, select

from models.database import Database
from models.evidence_store import EvidenceStore
from models.plans import get_plan, last_audit_id, list_plans
from models.tables import ReminderRow
from reminders.claims import LEASE, release_after_restart
from reminders.digest_due import bring_forward, compose_due, due_weeks
from reminders.guard import ErrorHandler, Guard, log_error
from reminders.outbound import Transport
from reminders.outbox import sync_outbox
from reminders.sender import Sender, SendStats

log = logging.getLogger(__name__)
SEND_JOB = "duban-send"
IDLE_WAKE = dt.timedelta(minutes=5)
"""Even with nothing pending, wake now and then: new days bring new reminders."""
RETRY_WAKE = dt.timedelta(seconds=10)
"""After a failed pass, what is due already is tried again this much later (never in a tight loop);
anything due later is still woken for on time."""
WAKE_DELAY = dt.timedelta(milliseconds=200)
"""A change wakes the engine this soon: a burst of changes makes one pass, not one each."""
JOB_DEFAULTS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
SEND_JOB_OPTIONS = {**JOB_DEFAULTS, "max_instances": 2}
"""The send job is added while the current pass still runs; `max_instances=2` keeps APScheduler from
dropping it as "already running" if it is due at once (the pass lock serialises them)."""


class ReminderEngine:
    """Keeps the outbox in sync, composes the weekly digests, and keeps the sender awake at the right moments."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], dt.datetime],
        transports: Sequence[Transport],
        *,
        scheduler: AsyncIOScheduler | None = None,
        grace: dt.timedelta = dt.timedelta(hours=4),
        on_error: ErrorHandler = log_error,
        files: EvidenceStore | None = None,
        lease: dt.timedelta = LEASE,
    ) -> None:
        self.db = db
        self.clock = clock
        self.sender = Sender(db, clock, transports, files, lease=lease)
        self.scheduler = scheduler
        self.grace = grace
        self.guard = Guard(on_error)
        """Every step of a pass runs through it: a failure is reported once and stops nothing."""
        self._synced: dict[str, tuple[dt.date, int]] = {}
        self._pass = asyncio.Lock()

    async def sync(self) -> None:
        """Write the coming days' reminders and digests of every plan to the outbox, when anything
        changed.

        Every change that matters (progress, a report, a calendar or policy edit, a plan load) writes
        an audit row; with the same last audit row on the same day the outbox is already right. Each
        plan has its own transaction: one plan that cannot be synced does not hold up the others.
        """
        async with self.db.session() as session:
            plans = [row.id for row in await list_plans(session) if row.archived_at is None]
        for plan_id in plans:
            await self.guard.attempt(f"sync {plan_id}", partial(self._sync_plan, plan_id))

    async def _sync_plan(self, plan_id: str) -> None:
        now = self.clock()
        async with self.db.session() as session:
            found = await get_plan(session, plan_id)
            if found is None or found[0].archived_at is not None:
                return  # an archived plan sends nothing; archiving cancelled what was pending
            plan = found[1]
            stamp = (now.astimezone(ZoneInfo(plan.timezone)).date(), await last_audit_id(session, plan.id))
            before = self._synced.get(plan.id)
            if before == stamp:
                return
            await sync_outbox(session, plan, now, only_new=before is not None and before[1] == stamp[1])
        self._synced[plan_id] = stamp  # only once committed

    async def start(self) -> SendStats:
        """On start: bring the outbox up to date, fold what is too old, send what is due, arm."""
        await self.guard.attempt("claims", partial(release_after_restart, self.db))
        await self.guard.attempt("sync", self.sync)
        folded = await self.guard.attempt("catch-up", partial(self.sender.catch_up, self.grace))
        if folded:
            log.info("folded %d reminders missed while stopped", folded)
        stats = await self.run_once()
        if self.scheduler is not None:
            self.scheduler.add_listener(self._job_failed, EVENT_JOB_ERROR)
            if not self.scheduler.running:
                self.scheduler.start()
        return stats

    async def run_once(self) -> SendStats:
        """One pass: sync, compose the digests that fell due, send everything due (also what fell due
        meanwhile), and re-arm the wake-up, always: whatever a step raised, the loop goes on.

        Passes never overlap (a wake-up after a change and the send job may fire together): a second
        one waits for the first, then finds nothing left to send twice.
        """
        async with self._pass:
            total = SendStats()
            deferred = stuck = False
            self.guard.failed = False
            try:
                while True:
                    await self.guard.attempt("sync", self.sync)
                    await self.guard.attempt("digests", self.compose_digests)
                    stats = await self.guard.attempt("send", self.sender.send_due)
                    if stats is None:
                        break
                    total.merge(stats)
                    deferred = stats.deferred > 0
                    due = await self.sender.next_due()
                    if due is None or due > self.clock() or deferred:
                        break
                    if stats.sent + stats.undeliverable == 0:
                        stuck = True  # due, yet nothing went: waking at once would only spin
                        break
            except Exception as error:  # anything the steps did not catch themselves: still re-armed
                await self.guard.report("pass", error)
            finally:
                await self._rearm(deferred=deferred, failed=self.guard.failed or stuck)
            return total

    async def compose_digests(self) -> int:
        """Compose every weekly digest that fell due, before the sender runs, so that it goes out in
        this pass; returns how many were composed. Per plan only the newest due week is composed:
        older weeks' rows (missed while Duban was down) are folded into it."""
        now = self.clock()
        composed = 0
        for plan_id, ids in (await due_weeks(self.db, now)).items():
            done = await self.guard.attempt(f"digest {plan_id}", partial(compose_due, self.db, plan_id, ids, now))
            composed += bool(done)
            if done and len(ids) > 1:
                log.info("plan %s: %d missed weekly digests folded into this week's", plan_id, len(ids) - 1)
        return composed

    async def digest(self, plan_id: str) -> None:
        """Compose this week's digest of a plan now rather than at its time, and send it.

        The week's `digest_due` row is moved to now (or written, due now), so the week still gets one
        digest only: if it was composed already, nothing happens. Nothing for an archived plan.
        """
        async with self._pass:
            await self.guard.attempt("sync", self.sync)  # first: the pass must not plan the row back
            await bring_forward(self.db, plan_id, self.clock())
        await self.run_once()

    async def next_wake(self, *, deferred: bool = False, failed: bool = False) -> dt.datetime:
        """The earliest pending due time, never later than IDLE_WAKE from now.

        `deferred`: due reminders are waiting for the quiet hours to end; `failed`: the pass failed, or
        left due rows it could not move: those are looked at again later (after IDLE_WAKE, RETRY_WAKE),
        not at once; a reminder due after now is still woken for at its time.
        """
        now = self.clock()
        if deferred or failed:
            latest = now + (RETRY_WAKE if failed else IDLE_WAKE)
            due = await self._next_due_after(now)
        else:
            latest = now + IDLE_WAKE
            due = await self.sender.next_due()
        if due is None or due > latest:
            return latest
        return max(due, now)

    async def _next_due_after(self, now: dt.datetime) -> dt.datetime | None:
        async with self.db.session() as session:
            found: dt.datetime | None = (
                await session.exec(
                    select(func.min(ReminderRow.due_at)).where(
                        ReminderRow.status == "pending", col(ReminderRow.due_at) > now
                    )
                )
            ).one()
        return found

    async def arm(self, *, deferred: bool = False, failed: bool = False) -> None:
        """Replace the single send job with one at the next wake-up time."""
        if self.scheduler is not None:
            self._add_send_job(await self.next_wake(deferred=deferred, failed=failed))

    async def _rearm(self, *, deferred: bool, failed: bool) -> None:
        """Arm, whatever happens: if even the next due time cannot be read (the database is down),
        look again after RETRY_WAKE."""
        when = await self.guard.attempt("arm", partial(self.next_wake, deferred=deferred, failed=failed))
        self._add_send_job(when or self.clock() + RETRY_WAKE)

    def _add_send_job(self, when: dt.datetime) -> None:
        """Arm the send job at `when`, unless a change asked for an earlier pass while this one ran."""
        if self.scheduler is None or self.sender.stopping:
            return
        if (armed := self._armed_at()) is not None and armed <= when:
            return
        self.scheduler.add_job(
            self.run_once, DateTrigger(run_date=when), id=SEND_JOB, replace_existing=True, **SEND_JOB_OPTIONS
        )

    def _armed_at(self) -> dt.datetime | None:
        """When the send job will run next (None: not armed, or not yet scheduled)."""
        job = self.scheduler.get_job(SEND_JOB) if self.scheduler is not None else None
        when: dt.datetime | None = getattr(job, "next_run_time", None)
        return when

    def wake(self) -> None:
        """Something changed (a policy, the calendar, a plan, a notice queued): run a pass within
        WAKE_DELAY instead of at the next idle wake-up, so pending rows move and notices leave at once."""
        if self.scheduler is None or self.sender.stopping:
            return
        soon = self.clock() + WAKE_DELAY
        armed = self._armed_at()
        if armed is None or armed > soon:
            self.scheduler.add_job(
                self.run_once, DateTrigger(run_date=soon), id=SEND_JOB, replace_existing=True, **SEND_JOB_OPTIONS
            )

    def _job_failed(self, event: JobExecutionEvent) -> None:
        """APScheduler's report of a job that raised: to the error callback, and the send job re-armed
        (a pass catches its own failures, so this is the last line, for what escaped even that)."""
        if not isinstance(event.exception, Exception):
            return
        self.guard.report_soon(f"job {event.job_id}", event.exception)
        if event.job_id == SEND_JOB and self._armed_at() is None:
            self._add_send_job(self.clock() + RETRY_WAKE)

    async def shutdown(self, patience: float = 30.0) -> None:
        """Stop: no new pass starts, the running one finishes the messages in flight (recording them),
        and everything else stays pending in the outbox for the next start."""
        self.sender.stopping = True
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        try:
            async with asyncio.timeout(patience):
                async with self._pass:
                    pass
        except TimeoutError:
            log.warning("a send pass was still running after %.0f s at shutdown", patience)
