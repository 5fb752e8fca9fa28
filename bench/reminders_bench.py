"""Reminder engine benchmark: lateness under a burst, and what a restart with a big outbox costs.

Duban keeps every reminder as a row in a database outbox and has APScheduler wake ONE sender job at
the next due time. Most bots instead give APScheduler one job per reminder. This compares the two on
the real clock, in one run, on a temporary SQLite file:

1. lateness (due time -> handed to the transport) of 10,000 reminders falling due within one minute,
   the shipped `ReminderEngine` driven by a real `AsyncIOScheduler`;
2. the same 10,000 reminders as one APScheduler `DateTrigger` job each;
3. a restart with N pending reminders (1,000,000; 100,000 with --quick): the time until the scheduler
   is armed again, and the peak RSS, each design measured in a fresh subprocess.

Run from the repository root: `.venv/bin/python -m bench.reminders_bench [--quick] [--busy]
[--lateness-only]`: `--busy` keeps another process spinning on one core during parts 1-2, and
`--lateness-only` skips part 3. The figures are printed as a table, then as one JSON line. See
bench/README.md for what each figure means.

Only the standard library is imported at module level: the restart measurements run this module in a
fresh process, and each design must pay for (and only for) the imports it needs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import logging
import math
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from models.database import Database
    from reminders.engine import ReminderEngine
    from reminders.outbound import Outgoing

REPO = Path(__file__).resolve().parent.parent
PLAN_ID = "dingtao-2022"
TRANSPORT = "bench"
LIAISONS = 100
"""At most this many units get a liaison (the Dingtao plan has fewer units: each gets one)."""
BURST = 10_000
BURST_FIRST = 5.0
BURST_SPAN = 60.0
"""The burst's reminders fall due uniformly over [t0 + 5 s, t0 + 65 s]."""
BURST_TIMEOUT = 30.0
"""How long after the last due time we keep waiting for stragglers."""
STALL_AFTER = 3.0
"""Seconds with undelivered reminders, no wake-up job and no pass running before we call the engine stalled."""
RESTART_N = 1_000_000
RESTART_N_QUICK = 100_000
RESTART_DAYS = 30
RESTART_LEAD = dt.timedelta(hours=1)
"""The restart outbox starts an hour ahead, so nothing is due (or folded) while a restart is measured."""
INSERT_CHUNK = 50_000
SEED = 2022
JOB_DEFAULTS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
"""A copy of reminders.engine.JOB_DEFAULTS (checked equal at run time), so that the APScheduler-only
subprocess need not import Duban, SQLAlchemy and the rest to get it."""


def utc_now() -> dt.datetime:
    """The real clock, aware UTC, as the engine uses it in production."""
    return dt.datetime.now(dt.UTC)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    On Linux this is VmHWM from /proc/self/status: ru_maxrss survives exec(), so a subprocess started
    by a 200 MB parent would report the parent's peak. Elsewhere ru_maxrss (KB on Linux, bytes on macOS).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def sqlite_url(path: Path) -> str:
    """The plain URL a user would write; open_database picks the async driver."""
    return f"sqlite:///{path}"


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an ascending sequence (p100 is the max), so every figure is a real sample."""
    if not ordered:
        return float("nan")
    rank = math.ceil(round(q * len(ordered), 9))  # round: 0.99 * 10000 is 9900.000000000002
    return ordered[max(1, min(len(ordered), rank)) - 1]


def progress(text: str) -> None:
    """Progress goes to stderr: stdout carries only the figures."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def spinning(busy: bool) -> Iterator[None]:
    """With `busy`, another process spins on one core while the block runs (a neighbour hogging a
    CPU), and is stopped after it."""
    if not busy:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


@dataclass
class TaskInfo:
    """A real task of the plan, so the reminder text renders exactly as the policy's would."""

    code: str
    title: str
    deadline: str

    def detail(self) -> dict[str, Any]:
        """The detail JSON the policy writes for a `before_deadline` reminder."""
        return {"title": self.title, "deadline": self.deadline, "workdays_left": 3}


@dataclass
class Setup:
    """What the template database holds, for the parts that follow."""

    units: dict[int, str]
    """Unit id -> name, each with one liaison bound on the bench transport."""
    task: TaskInfo
    policy: dict[str, str | int]


@dataclass
class Lateness:
    """One design's burst result: lateness in milliseconds and what else was seen."""

    design: str
    reminders: int
    handed: int
    duplicates: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    wakeups: int
    """Duban: sender passes; per-job design: jobs run."""
    elapsed_s: float
    """From the first due time until the last hand-over (or until we stopped waiting)."""
    stalled: bool = False
    notes: list[str] = field(default_factory=list)


class RecordingTransport:
    """A chat service that answers at once and notes when each reminder reached it.

    The hand-over moment is what we measure; a real network send adds its own latency, to both designs alike.
    """

    name = TRANSPORT

    def __init__(self, expected: int = 0) -> None:
        self.handed: dict[int, dt.datetime] = {}
        self.sends = 0
        self.duplicates = 0
        self.expected = expected
        self.all_handed = asyncio.Event()

    async def send(self, message: Outgoing) -> str:
        """Record the hand-over time (first one per reminder) and confirm."""
        at = utc_now()
        self.sends += 1
        if message.reminder_id is not None:
            if message.reminder_id in self.handed:
                self.duplicates += 1
            else:
                self.handed[message.reminder_id] = at
                if len(self.handed) == self.expected:
                    self.all_handed.set()
        return f"bench-{self.sends}"


class LogCounter(logging.Handler):
    """Counts APScheduler's warnings and errors (a skipped or dropped job is only ever logged)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def summary(self) -> list[str]:
        """Distinct messages with their counts, job reprs cut short."""
        counts: dict[str, int] = {}
        for message in self.messages:
            counts[message[:160]] = counts.get(message[:160], 0) + 1
        return [f"APScheduler logged {n}x: {m}" for m, n in counts.items()]


def watch_apscheduler() -> LogCounter:
    """Route APScheduler's log to a counter instead of stderr, so it can be reported."""
    counter = LogCounter()
    logger = logging.getLogger("apscheduler")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.addHandler(counter)
    logger.propagate = False
    return counter


@dataclass
class PassLog:
    """Instrumentation of the engine's passes (counted around the shipped run_once, which is not changed)."""

    passes: int = 0
    running: bool = False
    sent: int = 0
    deferred: int = 0
    durations: list[float] = field(default_factory=list)
    """Seconds each pass took, from run_once() entry to return (sync, send_due, arm)."""


def sender_only_engine(db: Database, transport: RecordingTransport, scheduler: Any, log: PassLog) -> ReminderEngine:
    """The shipped ReminderEngine with `sync()` a no-op, and its passes counted.

    Why a no-op sync: the benchmark's rows are not ones the plan's policy would write for today, so a
    sync would cancel them as no longer relevant. Everything else is the shipped code: start() with
    catch-up, run_once() with the digest step and Sender.send_due(), arm() / next_wake(), the scheduler.
    """
    from reminders.engine import ReminderEngine
    from reminders.sender import SendStats

    class SenderOnlyEngine(ReminderEngine):
        async def sync(self) -> None:
            return None

        async def run_once(self) -> SendStats:
            log.passes += 1
            log.running = True
            began = time.perf_counter()
            try:
                stats = await super().run_once()
            finally:
                log.running = False
                log.durations.append(time.perf_counter() - began)
            log.sent += stats.sent
            log.deferred += stats.deferred
            return stats

    return SenderOnlyEngine(db, utc_now, [transport], scheduler=scheduler)


def policy_override(zone: str, now: dt.datetime) -> dict[str, Any]:
    """Empty quiet hours, and the weekly digest on a weekday the run cannot reach.

    The benchmark may run at any hour; the plan's quiet hours (21:00-08:00) would make the sender defer
    everything. quiet_start == quiet_end is an empty window (in_quiet_hours: start <= t < end) and the
    ReminderSettings validator accepts it (send_at and digest_at are not inside it). The digest weekday
    is moved three days ahead so that no week's digest (an outbox row, composed in a pass) falls due
    during the run.
    """
    weekday = (now.astimezone(ZoneInfo(zone)).weekday() + 3) % 7
    return {"quiet_start": dt.time(0, 0), "quiet_end": dt.time(0, 0), "digest_weekday": weekday}


async def build_template(path: Path) -> Setup:
    """A database with the Dingtao plan, one liaison per unit on the bench transport, and the policy override."""
    return await build_plan(sqlite_url(path))


async def build_plan(url: str) -> Setup:
    """The template's contents, in the (empty) database at `url`: SQLite or PostgreSQL."""
    from sqlmodel import col, select

    from config.plan_loader import load_plan_file, shipped_plan_paths
    from models.database import open_database
    from models.people import bind_member
    from models.plans import load_plan
    from models.tables import UnitRow
    from reminders.state import set_policy

    now = utc_now()
    plan = load_plan_file(shipped_plan_paths()[PLAN_ID])
    task = next(t for t in plan.tasks if t.deadline is not None)
    assert task.deadline is not None
    db = await open_database(url)
    try:
        async with db.session() as session:
            await load_plan(session, plan, now=now, source=PLAN_ID, actor="bench")
        async with db.session() as session:
            rows = (
                await session.exec(
                    select(UnitRow)
                    .where(UnitRow.plan_id == PLAN_ID, col(UnitRow.is_group).is_(False))
                    .order_by(col(UnitRow.id))
                )
            ).all()
            units = {row.id or 0: row.name for row in rows[:LIAISONS]}
            for unit_id, name in units.items():
                await bind_member(
                    session,
                    plan_id=PLAN_ID,
                    transport=TRANSPORT,
                    user_id=f"liaison-{unit_id}",
                    display_name=name,
                    chat_id=f"chat-{unit_id}",
                    role="liaison",
                    unit_id=unit_id,
                    now=now,
                    via="bench",
                )
            override = policy_override(plan.timezone, now)
            # The admin's own path (/remind): validated as a whole, stored in OutboxState.policy_json.
            await set_policy(session, plan, override, member_id=None, actor="bench", now=now)
    finally:
        await db.close()
    info = TaskInfo(task.code, task.title, task.deadline.isoformat())
    return Setup(units, info, {k: str(v) if isinstance(v, dt.time) else v for k, v in override.items()})


def copy_db(source: Path, target: Path) -> None:
    """Copy a closed SQLite database (and its WAL, should one be left)."""
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def reminder_row(key: str, due: dt.datetime, unit_id: int, task: TaskInfo, now: dt.datetime) -> dict[str, Any]:
    """A pending `before_deadline` outbox row, shaped like reminders.outbox._row writes it."""
    return {
        "plan_id": PLAN_ID,
        "key": key,
        "kind": "before_deadline",
        "due_at": due,
        "unit_id": unit_id,
        "subject": task.code,
        "assignment_id": None,
        "digest_id": None,
        "detail": json.dumps(task.detail(), ensure_ascii=False),
        "status": "pending",
        "created_at": now,
        "sent_at": None,
        "folded_into": None,
        "attempts": 0,
        "last_error": "",
    }


def burst_offsets() -> list[float]:
    """10,000 seconds-after-t0, uniform over the minute, seeded: both designs get the same pattern."""
    rng = random.Random(SEED)
    return [BURST_FIRST + rng.uniform(0.0, BURST_SPAN) for _ in range(BURST)]


def lateness_of(
    design: str, due: dict[int, dt.datetime], transport: RecordingTransport, wakeups: int, first_due: dt.datetime
) -> Lateness:
    """Lateness in ms of every reminder handed over, with nearest-rank percentiles."""
    late = sorted((transport.handed[k] - due[k]).total_seconds() * 1000 for k in due if k in transport.handed)
    last = max(transport.handed.values(), default=first_due)
    return Lateness(
        design=design,
        reminders=len(due),
        handed=len(late),
        duplicates=transport.duplicates,
        p50_ms=percentile(late, 0.50),
        p99_ms=percentile(late, 0.99),
        max_ms=late[-1] if late else float("nan"),
        wakeups=wakeups,
        elapsed_s=(last - first_due).total_seconds(),
    )


async def engine_burst(path: Path, setup: Setup, offsets: list[float]) -> Lateness:
    """Part 1: the shipped engine, real clock, real AsyncIOScheduler, 10,000 rows due within a minute."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from sqlalchemy import insert
    from sqlmodel import col, select

    from models.database import open_database
    from models.tables import ReminderRow
    from reminders.engine import JOB_DEFAULTS as ENGINE_JOB_DEFAULTS
    from reminders.engine import SEND_JOB

    counter = watch_apscheduler()
    db = await open_database(sqlite_url(path))
    transport = RecordingTransport()
    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=ENGINE_JOB_DEFAULTS)  # as bot/cli.py run_cmd
    log = PassLog()
    engine = sender_only_engine(db, transport, scheduler, log)
    unit_ids = sorted(setup.units)
    t0 = utc_now()
    rows = [
        reminder_row(f"burst:{i}", t0 + dt.timedelta(seconds=s), unit_ids[i % len(unit_ids)], setup.task, t0)
        for i, s in enumerate(offsets)
    ]
    async with db.engine.begin() as conn:
        await conn.execute(insert(ReminderRow), rows)  # one statement, as sync_outbox writes a day's rows
    async with db.session() as session:
        found = (
            await session.exec(
                select(ReminderRow.id, ReminderRow.due_at).where(col(ReminderRow.key).startswith("burst:"))
            )
        ).all()
    due = {row_id or 0: at for row_id, at in found}
    inserted_s = (utc_now() - t0).total_seconds()
    first_due = min(due.values())
    await engine.start()
    give_up = t0 + dt.timedelta(seconds=BURST_FIRST + BURST_SPAN + BURST_TIMEOUT)
    idle_since: float | None = None
    stalled = False
    while len(transport.handed) < len(due) and utc_now() < give_up:
        await asyncio.sleep(0.05)
        idle = not log.running and scheduler.get_job(SEND_JOB) is None
        if not idle:
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since > STALL_AFTER:
            stalled = True
            break
    result = lateness_of("Duban: one wake-up job + outbox", due, transport, log.passes, first_due)
    result.stalled = stalled
    result.notes.append(f"rows inserted in one statement in {inserted_s:.2f} s (before engine.start())")
    busy = log.durations[1:]  # the first pass is start()'s, before anything is due
    if busy:
        result.notes.append(
            f"{len(busy)} scheduled passes, each {statistics.mean(busy) * 1000:.0f} ms on average "
            f"(max {max(busy) * 1000:.0f} ms); a pass keeps sending while rows fall due, then arms the "
            "next wake-up at the next due time"
        )
    if stalled:
        result.notes.append(
            f"STALLED: {len(due) - len(transport.handed)} reminders pending, no '{SEND_JOB}' job in the scheduler "
            f"and no pass running for {STALL_AFTER:.0f} s: the engine will not wake again by itself"
        )
    if log.deferred:
        result.notes.append(f"sender deferred {log.deferred} rows (quiet hours)")
    result.notes += counter.summary()
    await engine.shutdown()
    await asyncio.sleep(0.1)  # AsyncIOScheduler shuts down in a loop callback
    await db.close()
    return result


class PerJobSender:
    """The job body of the one-job-per-reminder design: render the reminder and hand it to the transport.

    It does the same per-message work as Duban's sender (text, quick actions) but no database write:
    a lower bound on what such a job costs.
    """

    def __init__(self, transport: RecordingTransport, setup: Setup) -> None:
        self.transport = transport
        self.setup = setup

    async def send(self, reminder_id: int, unit_id: int) -> None:
        from reminders.outbound import Outgoing
        from reminders.texts import reminder_actions, render_reminder

        task = self.setup.task
        unit = self.setup.units[unit_id]
        await self.transport.send(
            Outgoing(
                chat_id=f"chat-{unit_id}",
                text=render_reminder("before_deadline", task.code, unit, task.detail(), "zh"),
                actions=reminder_actions("before_deadline", task.code, "zh"),
                reminder_id=reminder_id,
                recipient=unit,
            )
        )


async def per_job_burst(setup: Setup, offsets: list[float]) -> Lateness:
    """Part 2: the same burst as one APScheduler DateTrigger job per reminder (MemoryJobStore)."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger

    counter = watch_apscheduler()
    transport = RecordingTransport(expected=len(offsets))
    sender = PerJobSender(transport, setup)
    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
    unit_ids = sorted(setup.units)
    t0 = utc_now()
    due: dict[int, dt.datetime] = {}
    for i, s in enumerate(offsets):
        due[i] = t0 + dt.timedelta(seconds=s)
        scheduler.add_job(
            sender.send, DateTrigger(run_date=due[i]), args=[i, unit_ids[i % len(unit_ids)]], **JOB_DEFAULTS
        )
    scheduler.start()
    added_s = (utc_now() - t0).total_seconds()
    give_up = t0 + dt.timedelta(seconds=BURST_FIRST + BURST_SPAN + BURST_TIMEOUT)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(transport.all_handed.wait(), (give_up - utc_now()).total_seconds())
    result = lateness_of("APScheduler: one job per reminder", due, transport, transport.sends, min(due.values()))
    result.notes.append(f"{len(due)} jobs added and scheduler started in {added_s:.2f} s")
    result.notes += counter.summary()
    scheduler.shutdown(wait=False)
    await asyncio.sleep(0.1)
    return result


async def fill_outbox(path: Path, setup: Setup, n: int) -> float:
    """Part 3 set-up: N pending rows due evenly over the next 30 days, bulk-inserted in chunks."""
    from sqlalchemy import insert

    from models.database import open_database
    from models.tables import ReminderRow

    db = await open_database(sqlite_url(path))
    unit_ids = sorted(setup.units)
    now = utc_now()
    first = now + RESTART_LEAD
    step = dt.timedelta(days=RESTART_DAYS) / n
    began = time.perf_counter()
    async with db.engine.begin() as conn:
        for start in range(0, n, INSERT_CHUNK):
            chunk = [
                reminder_row(f"restart:{i}", first + step * i, unit_ids[i % len(unit_ids)], setup.task, now)
                for i in range(start, min(n, start + INSERT_CHUNK))
            ]
            await conn.execute(insert(ReminderRow), chunk)
    inserted_s = time.perf_counter() - began
    await db.close()
    return inserted_s


async def child_duban(path: Path) -> dict[str, Any]:
    """In a fresh process: what a restart of Duban's engine costs with the big outbox.

    Measured: importing the engine's stack; open_database (as the bot opens it, schema check included);
    engine.start() with sync() a no-op (catch-up query, a send pass that finds no digest and nothing due,
    next_wake() + arm(), scheduler.start()); then the next-due lookup alone. Not measured: the
    real sync(), which would run the plan's policy and cancel these synthetic rows (see README).
    """
    began = time.perf_counter()
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from models.database import open_database
    from reminders.engine import SEND_JOB

    import_s = time.perf_counter() - began
    rss_import = peak_rss_mb()
    t = time.perf_counter()
    db = await open_database(sqlite_url(path))
    open_s = time.perf_counter() - t
    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
    engine = sender_only_engine(db, RecordingTransport(), scheduler, PassLog())
    t = time.perf_counter()
    stats = await engine.start()
    start_s = time.perf_counter() - t
    job = scheduler.get_job(SEND_JOB)
    armed_at = job.next_run_time.astimezone(dt.UTC) if job is not None else None
    lookups = []
    for _ in range(5):
        t = time.perf_counter()
        await engine.sender.next_due()
        lookups.append(time.perf_counter() - t)
    first_due = await engine.sender.next_due()
    peak = peak_rss_mb()
    await engine.shutdown()
    await asyncio.sleep(0.05)
    await db.close()
    return {
        "import_s": import_s,
        "rss_after_import_mb": rss_import,
        "open_s": open_s,
        "start_s": start_s,
        "ready_s": open_s + start_s,
        "next_due_lookup_ms": statistics.median(lookups) * 1000,
        "sent_at_start": stats.sent,
        "armed_in_s": (armed_at - utc_now()).total_seconds() if armed_at else None,
        "first_due_in_s": (first_due - utc_now()).total_seconds() if first_due else None,
        "peak_rss_mb": peak,
    }


async def noop_send(reminder_id: int) -> None:
    """The job body for the restart measurement: it never runs (everything is due later)."""


async def child_apscheduler(n: int) -> dict[str, Any]:
    """In a fresh process: the one-job-per-reminder design's restart: add N DateTrigger jobs and start.

    The jobs are added in due order before start(): the MemoryJobStore keeps a list sorted by run
    time and inserts by binary search, so due order (appending) is its best case.
    """
    began = time.perf_counter()
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger

    import_s = time.perf_counter() - began
    rss_import = peak_rss_mb()
    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
    first = utc_now() + RESTART_LEAD
    step = dt.timedelta(days=RESTART_DAYS) / n
    t = time.perf_counter()
    for i in range(n):
        scheduler.add_job(noop_send, DateTrigger(run_date=first + step * i), args=[i], **JOB_DEFAULTS)
    add_s = time.perf_counter() - t
    t = time.perf_counter()
    scheduler.start()
    await asyncio.sleep(0)  # let the first wakeup (_process_jobs) run
    start_s = time.perf_counter() - t
    peak = peak_rss_mb()
    jobs = len(scheduler.get_jobs())
    scheduler.shutdown(wait=False)
    await asyncio.sleep(0.05)
    return {
        "import_s": import_s,
        "rss_after_import_mb": rss_import,
        "add_s": add_s,
        "start_s": start_s,
        "ready_s": add_s + start_s,
        "jobs": jobs,
        "peak_rss_mb": peak,
    }


def run_child(kind: str, *, db: Path | None = None, n: int = 0) -> dict[str, Any]:
    """Run one restart measurement in a fresh interpreter and read its JSON line."""
    command = [sys.executable, "-m", "bench.reminders_bench", "--child", kind, "--n", str(n)]
    if db is not None:
        command += ["--db", str(db)]
    began = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child {kind} failed ({done.returncode}):\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - began
    return result


def child_main(args: argparse.Namespace) -> int:
    """Entry point of a measurement subprocess: print one JSON line."""
    if args.child == "duban":
        result = asyncio.run(child_duban(Path(args.db)))
    else:
        result = asyncio.run(child_apscheduler(args.n))
    print(json.dumps(result))
    return 0


def source_version() -> str:
    """The commit measured, and whether the engine's code differed from it (figures follow the code)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "reminders", "models", "config"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' + uncommitted changes' if dirty else ''}"


def machine_note() -> dict[str, Any]:
    """What the figures were measured on."""
    from importlib.metadata import version

    return {
        "date": utc_now().isoformat(timespec="seconds"),
        "commit": source_version(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
        "apscheduler": version("apscheduler"),
        "sqlalchemy": version("sqlalchemy"),
        "aiosqlite": version("aiosqlite"),
    }


def render(
    machine: dict[str, Any], setup: Setup, burst: list[Lateness], restart: dict[str, Any] | None, *, busy: bool = False
) -> str:
    """The plain-text report."""
    lines = [
        "Duban reminder engine benchmark",
        f"  {machine['date']}  commit {machine['commit']}",
        f"  Python {machine['python']} ({machine['implementation']}), {machine['cpus']} CPUs, {machine['platform']}",
        f"  SQLite {machine['sqlite']}, APScheduler {machine['apscheduler']}, SQLAlchemy {machine['sqlalchemy']}, "
        f"aiosqlite {machine['aiosqlite']}",
        f"  plan {PLAN_ID}: {len(setup.units)} units, one liaison each on an in-memory transport",
        f"  policy override (OutboxState.policy_json, via set_policy): {json.dumps(setup.policy)}"
        " (empty quiet hours; digest day out of reach)",
        "  Duban parts use the shipped ReminderEngine with sync() a no-op (subclass): synthetic rows stay pending",
        "",
        f"1-2. Lateness, {BURST:,} reminders due uniformly within one minute (due -> handed to transport), real clock"
        + (", another process spinning on one core (--busy)" if busy else ""),
        f"  {'design':<36} {'handed':>9} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9} {'wake-ups':>9} {'span s':>7}",
    ]
    for r in burst:
        lines.append(
            f"  {r.design:<36} {r.handed:>9,} {r.p50_ms:>9.1f} {r.p99_ms:>9.1f} {r.max_ms:>9.1f} "
            f"{r.wakeups:>9,} {r.elapsed_s:>7.1f}"
        )
    for r in burst:
        for note in r.notes:
            lines.append(f"    {r.design.split(':')[0]}: {note}")
        if r.duplicates:
            lines.append(f"    {r.design.split(':')[0]}: {r.duplicates} reminders handed over more than once")
    if restart is None:
        return "\n".join(lines)
    n = restart["n"]
    duban, aps = restart["duban"], restart["apscheduler"]
    lines += [
        "",
        f"3. Restart with {n:,} pending reminders due over the next {RESTART_DAYS} days (each in a fresh process)",
        f"  outbox filled in {restart['fill']['insert_s']:.1f} s (bulk insert, {INSERT_CHUNK:,} rows a statement);"
        f" SQLite file {restart['fill']['db_mb']:.0f} MB",
        f"  {'':<40} {'Duban':>14} {'APScheduler':>14}",
        f"  {'import of the stack (s)':<40} {duban['import_s']:>14.2f} {aps['import_s']:>14.2f}",
        f"  {'RSS after imports (MB)':<40} {duban['rss_after_import_mb']:>14.0f} {aps['rss_after_import_mb']:>14.0f}",
        f"  {'open_database (s)':<40} {duban['open_s']:>14.3f} {'-':>14}",
        f"  {'engine.start() / add N jobs (s)':<40} {duban['start_s']:>14.3f} {aps['add_s']:>14.2f}",
        f"  {'scheduler.start() (s)':<40} {'(in start)':>14} {aps['start_s']:>14.2f}",
        f"  {'ready: armed, after imports (s)':<40} {duban['ready_s']:>14.3f} {aps['ready_s']:>14.2f}",
        f"  {'whole subprocess, wall (s)':<40} {duban['process_s']:>14.2f} {aps['process_s']:>14.2f}",
        f"  {'peak RSS (MB)':<40} {duban['peak_rss_mb']:>14.0f} {aps['peak_rss_mb']:>14.0f}",
        f"  {'peak RSS above imports (MB)':<40} {duban['peak_rss_mb'] - duban['rss_after_import_mb']:>14.0f} "
        f"{aps['peak_rss_mb'] - aps['rss_after_import_mb']:>14.0f}",
        f"  Duban: next-due lookup alone {duban['next_due_lookup_ms']:.2f} ms (median of 5); first due in "
        f"{duban['first_due_in_s']:.0f} s, wake-up armed in {duban['armed_in_s']:.0f} s (IDLE_WAKE caps it at 300 s)",
        f"  APScheduler: {aps['jobs']:,} jobs in the MemoryJobStore, added in due order (its best case)",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run all three parts in one go, print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help=f"part 3 with {RESTART_N_QUICK:,} reminders")
    parser.add_argument(
        "--busy", action="store_true", help="parts 1-2 with another process spinning on one core all along"
    )
    parser.add_argument("--lateness-only", action="store_true", help="parts 1-2 only (no restart measurement)")
    parser.add_argument("--child", choices=["duban", "apscheduler"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args)

    from reminders.engine import JOB_DEFAULTS as ENGINE_JOB_DEFAULTS

    assert JOB_DEFAULTS == ENGINE_JOB_DEFAULTS, "bench JOB_DEFAULTS drifted from reminders.engine"
    began = time.perf_counter()
    n = RESTART_N_QUICK if args.quick else RESTART_N
    machine = machine_note()
    with tempfile.TemporaryDirectory(prefix="duban-bench-") as tmp:
        folder = Path(tmp)
        template = folder / "template.db"
        progress("building the template database (Dingtao plan, liaisons, policy override)")
        setup = asyncio.run(build_template(template))
        offsets = burst_offsets()
        copy_db(template, folder / "burst.db")
        with spinning(args.busy):
            progress(f"part 1: Duban engine, {BURST:,} reminders due over the next ~{BURST_FIRST + BURST_SPAN:.0f} s")
            duban_burst = asyncio.run(engine_burst(folder / "burst.db", setup, offsets))
            progress(f"part 2: APScheduler one job per reminder, {BURST:,} jobs")
            aps_burst = asyncio.run(per_job_burst(setup, offsets))
        restart: dict[str, Any] | None = None
        if not args.lateness_only:
            copy_db(template, folder / "restart.db")
            progress(f"part 3: filling the outbox with {n:,} pending reminders")
            fill = {"insert_s": asyncio.run(fill_outbox(folder / "restart.db", setup, n))}
            fill["db_mb"] = (folder / "restart.db").stat().st_size / 1e6
            progress("part 3: Duban restart in a fresh process")
            duban_restart = run_child("duban", db=folder / "restart.db", n=n)
            progress(f"part 3: APScheduler with {n:,} jobs in a fresh process")
            aps_restart = run_child("apscheduler", n=n)
            restart = {"n": n, "fill": fill, "duban": duban_restart, "apscheduler": aps_restart}
    runtime = time.perf_counter() - began
    print(render(machine, setup, [duban_burst, aps_burst], restart, busy=args.busy))
    print(f"\ntotal runtime {runtime:.0f} s{' (--quick)' if args.quick else ''}")
    report = {
        "bench": "reminders",
        "quick": args.quick,
        "busy": args.busy,
        "machine": machine,
        "policy_override": setup.policy,
        "sync": "no-op (SenderOnlyEngine subclass)",
        "burst": {"reminders": BURST, "window_s": [BURST_FIRST, BURST_FIRST + BURST_SPAN]}
        | {"duban": asdict(duban_burst), "apscheduler": asdict(aps_burst)},
        "restart": restart,
        "runtime_s": runtime,
    }
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
