"""The reminder engine: APScheduler wakes one sender job at the next due time, plus the digests.

The database holds every reminder; the scheduler holds only two kinds of job: `duban-send`, a
single date job re-armed after each pass at the earliest pending due time, and one cron job per
plan for its weekly digest. Misfire grace and coalescing are set explicitly: APScheduler's default
grace of one second would silently drop a late wake-up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from models.database import Database
from models.plans import last_audit_id, list_plans, parse_spec
from models.tables import PlanRow
from reminders.outbound import Transport
from reminders.outbox import sync_outbox
from reminders.sender import Sender, SendStats
from reminders.state import effective_policy
from reminders.weekly import enqueue_digest

log = logging.getLogger(__name__)
SEND_JOB = "duban-send"
IDLE_WAKE = dt.timedelta(minutes=5)
"""Even with nothing pending, wake now and then: new days bring new reminders."""
JOB_DEFAULTS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


class ReminderEngine:
    """Keeps the outbox in sync and the sender awake at the right moments."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], dt.datetime],
        transports: Sequence[Transport],
        *,
        scheduler: AsyncIOScheduler | None = None,
        grace: dt.timedelta = dt.timedelta(hours=4),
    ) -> None:
        self.db = db
        self.clock = clock
        self.sender = Sender(db, clock, transports)
        self.scheduler = scheduler
        self.grace = grace
        self._synced: dict[str, tuple[dt.date, int]] = {}
        self._pass = asyncio.Lock()

    async def sync(self) -> None:
        """Write the coming days' reminders of every plan to the outbox, when anything changed.

        Every change that matters (progress, a report, a calendar or policy edit, a plan load) writes
        an audit row; with the same last audit row on the same day the outbox is already right.
        """
        now = self.clock()
        async with self.db.session() as session:
            for row in await list_plans(session):
                if row.archived_at is not None:
                    continue  # an archived plan sends nothing; archiving cancelled what was pending
                plan = parse_spec(row.spec_json)
                stamp = (now.astimezone(ZoneInfo(plan.timezone)).date(), await last_audit_id(session, plan.id))
                before = self._synced.get(plan.id)
                if before == stamp:
                    continue
                await sync_outbox(session, plan, now, only_new=before is not None and before[1] == stamp[1])
                self._synced[plan.id] = stamp

    async def start(self) -> SendStats:
        """On start: bring the outbox up to date, fold what is too old, send what is due, arm."""
        await self.sync()
        folded = await self.sender.catch_up(self.grace)
        if folded:
            log.info("folded %d reminders missed while stopped", folded)
        stats = await self.run_once()
        if self.scheduler is not None:
            await self._schedule_digests()
            if not self.scheduler.running:
                self.scheduler.start()
        return stats

    async def run_once(self) -> SendStats:
        """One pass: sync, send everything due (also what fell due meanwhile), re-arm the wake-up.

        Passes never overlap (the digest job and the send job may fire together): a second one
        waits for the first, then finds nothing left to send twice.
        """
        async with self._pass:
            total = SendStats()
            while True:
                await self.sync()
                stats = await self.sender.send_due()
                total.merge(stats)
                due = await self.sender.next_due()
                if stats.deferred or stats.sent + stats.undeliverable == 0 or due is None or due > self.clock():
                    break
            await self.arm(deferred=stats.deferred > 0)
            return total

    async def next_wake(self, *, deferred: bool = False) -> dt.datetime:
        """The earliest pending due time, never later than IDLE_WAKE from now.

        `deferred`: due reminders are waiting for the quiet hours to end, so look again later
        instead of immediately.
        """
        now = self.clock()
        latest = now + IDLE_WAKE
        due = None if deferred else await self.sender.next_due()
        if due is None or due > latest:
            return latest
        return max(due, now)

    async def arm(self, *, deferred: bool = False) -> None:
        """Replace the single send job with one at the next wake-up time.

        The job is added while the current pass still runs; `max_instances=2` keeps APScheduler from
        dropping it as "already running" if it is due at once (the pass lock serialises them).
        """
        if self.scheduler is None:
            return
        self.scheduler.add_job(
            self.run_once,
            DateTrigger(run_date=await self.next_wake(deferred=deferred)),
            id=SEND_JOB,
            replace_existing=True,
            **{**JOB_DEFAULTS, "max_instances": 2},
        )

    async def _schedule_digests(self) -> None:
        assert self.scheduler is not None
        async with self.db.session() as session:
            for row in await list_plans(session):
                if row.archived_at is not None:
                    continue
                plan = parse_spec(row.spec_json)
                policy = await effective_policy(session, plan)
                trigger = CronTrigger(
                    day_of_week=policy.digest_weekday,
                    hour=policy.digest_at.hour,
                    minute=policy.digest_at.minute,
                    timezone=plan.timezone,
                )
                self.scheduler.add_job(
                    self.digest,
                    trigger,
                    args=[plan.id],
                    id=f"duban-digest-{plan.id}",
                    replace_existing=True,
                    **JOB_DEFAULTS,
                )

    async def digest(self, plan_id: str) -> None:
        """Compose and store this week's digest of a plan, queue it for everyone, and send
        (nothing for a plan archived since the job was scheduled)."""
        async with self.db.session() as session:
            row = await session.get(PlanRow, plan_id)
            if row is None or row.archived_at is not None:
                return
            await enqueue_digest(session, plan_id, self.clock())
        await self.run_once()

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
