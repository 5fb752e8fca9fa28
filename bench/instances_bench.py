"""Several `duban run` on one PostgreSQL database sending one burst: throughput, the exactly-once
count, and what kill -9 of one of them, or the database away for 3 s, costs.

Every instance is the real `duban run`, in its own process, on one PostgreSQL database holding a
shipped plan and N notices (one per row, each with a unique number in its text). Once every
instance has started, the notices are made due at once (`release`); the instances, idle, wake for
them together at the next tick (a notice due every 0.5 s keeps them waking until then). The
transport is the console: with no chat service configured, `duban run` prints every message on its
stdout, flushed per message, and that stdout is a file. It is the cheapest real
transport (no flood limit: through Telegram, 25 reminders a second per bot, 10,000 would take
minutes), so what is measured is what the instances share: the database, the claims and leases.
What arrived is judged from the outside: the numbers found in the instances' output files.

Scenarios, for 1, 2 and 3 instances:
- run: the burst as it is.
- kill (2 and 3 instances): SIGKILL of one instance once it has printed about half of its share, in
  the middle of a batch (`kill_point`). The others finish their own rows and, once its lease runs out
  (DUBAN_CLAIM_LEASE_SECONDS, 5 s here instead of 60), the rows it held.
- outage: at about 30 % of the burst the database cuts every connection and refuses new ones for
  3 s (what a PostgreSQL restart looks like to its clients); the same processes must carry on. A
  row whose failed attempt was recorded meanwhile is sent by the outbox's retry, 5 minutes later
  (reminders.sender.RETRY_AFTER): such a run takes 5 minutes, hence `--limit` 420 s.
Figures: lost, duplicated, (b) the deliveries marked `sending` at the kill (the killed instance's)
or when the database went away (everyone's): what may be sent twice, printed but not yet recorded;
the rows the killed instance held; seconds from the release to the first notice printed, to the
last, and to every row settled; seconds from the database's return to the next notice printed;
notices printed more than a minute late; rows per second from the first notice printed to the last
(after a kill or an outage that includes the wait).

Invariants (exit status 1 when one breaks): nothing lost; every row `sent` with one `sent`
delivery; every process still running at the end stops cleanly; without a fault no duplicate, and
every instance took part; after a fault, duplicates <= (b); after a kill, the rows it held were
taken over.

Run from the repository root:
`.venv/bin/python -m bench.instances_bench [--postgres URL] [--notices 10000] [--instances 1,2,3]`.
The URL names a server and a database to connect to; each run gets its own database, dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, update
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from bot.console import bind_console_recipients
from config.plan_loader import load_plan_file, shipped_plan_paths
from handlers.context import Services
from models.database import Database, open_database
from models.plans import get_plan, load_plan
from models.tables import Delivery, ReminderRow, UnitRow, utcnow
from reminders.sender import BATCH
from reminders.state import set_policy

ROOT = Path(__file__).resolve().parent.parent
PLAN_ID = "dingtao-2022"
KEY = "notice:burst:"
"""Key prefix of the burst's rows."""
TICKS = "notice:tick:"
"""Key prefix of the ticks: notices that keep idle instances waking until the burst is released."""
TICK = 0.5
"""Seconds between ticks."""
NUMBER = re.compile(r"第(\d+)号批量通知")
READY_LIMIT = 60.0
"""Seconds the instances may take to start (2-8 s each on a loaded machine with 2 CPUs, three
starting together taking longest) before the burst is released anyway."""
LEASE_SECONDS = 5.0
"""DUBAN_CLAIM_LEASE_SECONDS of the instances: a killed one's rows are taken over this soon."""
AWAY = 3.0
"""Seconds the database refuses connections in the outage scenario."""
LATE = 60.0
"""A notice first printed more than this after the release counts as late."""
POLL = 0.05
READY = "督办已启动"
"""What `duban run` prints (in Chinese) once its engine has started and it waits for work."""


def notice_text(number: int) -> str:
    """The unique text of notice `number` (counted from 1)."""
    return f"第{number:05d}号批量通知：请于本周五前报送本单位材料。"


# ---------------------------------------------------------------------------------------- the burst


async def prepare(db: Database, notices: int, ticks: int) -> None:
    """The plan (unless loaded), a console chat per unit, a policy without quiet hours or a digest in
    reach; `notices` notices spread over the units, due tomorrow (until `release`); and a tick every
    TICK seconds from now on, `ticks` of them (see `release`)."""
    now = utcnow()
    plan = load_plan_file(shipped_plan_paths()[PLAN_ID])
    async with db.session() as session:
        if await get_plan(session, PLAN_ID) is None:
            await load_plan(session, plan, now=now, source=PLAN_ID, actor="instances-bench")
    await bind_console_recipients(Services(db=db, clock=utcnow), PLAN_ID)
    async with db.session() as session:
        # Quiet hours empty (the bench may run at night) and the weekly digest on a day out of reach.
        weekday = (now.astimezone(dt.timezone(dt.timedelta(hours=8))).weekday() + 3) % 7
        quiet = {"quiet_start": dt.time(0, 0), "quiet_end": dt.time(0, 0), "digest_weekday": weekday}
        await set_policy(session, plan, quiet, member_id=None, actor="instances-bench", now=now)
        units = (
            await session.exec(
                select(UnitRow.id)
                .where(UnitRow.plan_id == PLAN_ID, col(UnitRow.is_group).is_(False))
                .order_by(col(UnitRow.id))
            )
        ).all()
        task = plan.tasks[0]

        def notice(key: str, unit: int | None, text: str, due_at: dt.datetime) -> dict[str, Any]:
            params = {"code": task.code, "title": task.title, "text": text}
            detail = {"audience": [f"unit:{unit}"], "key": "notice_answer", "params": params, "actions": []}
            return {
                "plan_id": PLAN_ID,
                "key": key,
                "kind": "notice",
                "due_at": due_at,
                "subject": task.code,
                "detail": json.dumps(detail, ensure_ascii=False),
                "status": "pending",
                "created_at": now,
                "attempts": 0,
                "last_error": "",
            }

        tomorrow = now + dt.timedelta(days=1)
        rows = [notice(f"{KEY}{n}", units[n % len(units)], notice_text(n), tomorrow) for n in range(1, notices + 1)]
        rows += [
            notice(f"{TICKS}{k}", units[0], f"节拍{k}", now + dt.timedelta(seconds=TICK * k))
            for k in range(1, ticks + 1)
        ]
        for start in range(0, len(rows), 2000):
            await session.exec(insert(ReminderRow), params=rows[start : start + 2000])


async def release(db: Database) -> None:
    """The burst due now. The instances, idle, wake at the next tick (every one of them: a `duban run`
    with nothing due sleeps until the earliest pending row), within TICK seconds and together; the
    ticks after the next two are cancelled, so the instances no longer wake for them."""
    now = utcnow()
    async with db.session() as session:
        await session.exec(update(ReminderRow).where(col(ReminderRow.key).startswith(KEY)).values(due_at=now))
        later = col(ReminderRow.due_at) > now + dt.timedelta(seconds=2 * TICK)
        await session.exec(
            update(ReminderRow)
            .where(col(ReminderRow.key).startswith(TICKS), col(ReminderRow.status) == "pending", later)
            .values(status="cancelled")
        )


async def pending_rows(db: Database) -> int:
    """Burst rows not yet settled."""
    async with db.session() as session:
        found = (
            select(func.count())
            .select_from(ReminderRow)
            .where(col(ReminderRow.key).startswith(KEY), ReminderRow.status == "pending")
        )
        return int((await session.exec(found)).one())


async def held_by(db: Database, pid: int) -> tuple[int, int]:
    """(rows pending and claimed by the process `pid`, its deliveries marked `sending` on them): what
    it held, and what it may have printed without recording it, when it died."""
    holder = col(ReminderRow.claimed_by).like(f"%:{pid}:%")
    async with db.session() as session:
        held = select(func.count()).select_from(ReminderRow).where(holder, ReminderRow.status == "pending")
        sending = (
            select(func.count())
            .select_from(Delivery)
            .join(ReminderRow, col(ReminderRow.id) == col(Delivery.reminder_id))
            .where(holder, Delivery.state == "sending")
        )
        return int((await session.exec(held)).one()), int((await session.exec(sending)).one())


async def final_state(db: Database) -> tuple[dict[str, int], dict[str, int]]:
    """The burst rows by status, and their deliveries by state."""
    burst = col(ReminderRow.key).startswith(KEY)
    async with db.session() as session:
        rows = await session.exec(select(ReminderRow.status, func.count()).where(burst).group_by(ReminderRow.status))
        statuses = {status: int(n) for status, n in rows.all()}
        deliveries = await session.exec(
            select(Delivery.state, func.count())
            .join(ReminderRow, col(ReminderRow.id) == col(Delivery.reminder_id))
            .where(burst)
            .group_by(Delivery.state)
        )
        states = {state: int(n) for state, n in deliveries.all()}
    return statuses, states


# ---------------------------------------------------------------------------------------- duban run


def child_env(url: str, lease: float) -> dict[str, str]:
    """A child's environment: none of this shell's Duban settings, the database, Chinese, the lease."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_") and k != "DATABASE_URL"}
    env.update(
        DATABASE_URL=url,
        DUBAN_LANG="zh",
        DUBAN_CLAIM_LEASE_SECONDS=str(lease),
        DUBAN_WEB_LISTEN="127.0.0.1:0",  # each instance's live page on a port of its own
        PYTHONPATH=str(ROOT),
        PYTHONIOENCODING="utf-8",
    )
    return env


class Instance:
    """One `duban run` (console transport, stdin not a terminal) with its output in files, read as it grows."""

    def __init__(self, name: str, url: str, folder: Path, lease: float) -> None:
        self.name = name
        home = folder / name
        home.mkdir(parents=True, exist_ok=True)
        self.out_path, self.err_path = home / "stdout.txt", home / "stderr.txt"
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "run"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=child_env(url, lease),
                cwd=home,  # its data/ folder (evidence) and no .env of the developer's
            )
        self.counts: Counter[int] = Counter()
        """Notice number -> times it appeared in this instance's output."""
        self.seen_at: dict[int, float] = {}
        """Notice number -> when it was first read in this output (monotonic)."""
        self.ready_at: float | None = None
        self._offset = 0
        self._rest = b""

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def read(self) -> None:
        """Take in what the instance printed since the last read (whole lines only)."""
        with self.out_path.open("rb") as out:
            out.seek(self._offset)
            data = out.read()
        self._offset += len(data)
        lines = (self._rest + data).split(b"\n")
        self._rest = lines.pop()
        for line in lines:
            text = line.decode("utf-8", errors="replace")
            if self.ready_at is None and READY in text:
                self.ready_at = time.monotonic()
            for number in map(int, NUMBER.findall(text)):
                self.counts[number] += 1
                self.seen_at.setdefault(number, time.monotonic())

    def kill(self) -> None:
        """kill -9, and wait until it is gone."""
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> int:
        """SIGTERM (a service stop) and wait; SIGKILL if it does not end within 30 s."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.process.wait()

    def tail(self, lines: int = 8) -> str:
        return "\n".join(self.err_path.read_text(errors="replace").splitlines()[-lines:])


# ---------------------------------------------------------------------------------------- one run


@dataclass
class Run:
    """One burst through `instances` instances: its figures and broken invariants."""

    instances: int
    notices: int
    scenario: str
    """'run', 'kill' or 'outage'."""
    figures: dict[str, Any] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.broken.append(what)


async def run_burst(
    url: str,
    folder: Path,
    *,
    instances: int,
    notices: int,
    scenario: str = "run",
    lease: float = LEASE_SECONDS,
    limit: float = 120.0,
    progress: Callable[[str], None] = lambda _: None,
) -> Run:
    """Prepare the burst in the (empty or freshly seeded) database at `url`, start the instances,
    release the burst once they all run, bring the scenario's fault, wait until every notice is
    printed and every row settled (or `limit` seconds past the release), stop the rest; the figures
    and invariants."""
    run = Run(instances, notices, scenario)
    db = await open_database(url)
    started: list[Instance] = []
    try:
        await prepare(db, notices, ticks=round(READY_LIMIT / TICK) + 2)
        started = [Instance(f"i{n + 1}", url, folder, lease) for n in range(instances)]
        ready = await _ready(started, READY_LIMIT)
        await release(db)
        due = time.monotonic()
        progress(f"{instances} instance(s), {scenario}: {notices} notices due now, {ready:.1f} s after the start")
        watch = _Watch(db, run, started, due, progress)
        await watch.until_settled(Outage(url) if scenario == "outage" else None, limit)
        codes = [i.stop() for i in started if i is not watch.killed]
        for instance in started:
            instance.read()
        statuses, states = await final_state(db)
    finally:
        for instance in started:
            if instance.alive():
                instance.kill()
        await db.close()
    _judge(run, started, codes, statuses, states)
    return run


async def _ready(started: list[Instance], limit: float) -> float:
    """Wait until every instance has started (its engine running), `limit` seconds at most; how long it took."""
    began = time.monotonic()
    while time.monotonic() < began + limit and not all(i.ready_at for i in started) and all(i.alive() for i in started):
        await asyncio.sleep(POLL)
        for instance in started:
            instance.read()
    return time.monotonic() - began


class _Watch:
    """Reads the instances' outputs until every notice was printed and every row settled, bringing the
    run's fault on the way; records the timings and what the fault left in doubt."""

    def __init__(
        self, db: Database, run: Run, started: list[Instance], due: float, progress: Callable[[str], None]
    ) -> None:
        self.db, self.run, self.started, self.due, self.progress = db, run, started, due, progress
        self.killed: Instance | None = None
        self.first_at: float | None = None
        self.printed_at: float | None = None
        self.back_at: float | None = None

    def printed(self) -> int:
        return sum(sum(i.counts.values()) for i in self.started)

    async def until_settled(self, outage: Outage | None, limit: float) -> None:
        everything = set(range(1, self.run.notices + 1))
        doomed = self.started[-1] if self.run.scenario == "kill" else None
        threshold = kill_point(self.run.notices // len(self.started))
        try:
            while time.monotonic() < self.due + limit:
                await asyncio.sleep(POLL)
                for instance in self.started:
                    if instance.alive():
                        instance.read()
                if doomed is not None and self.killed is None and sum(doomed.counts.values()) >= threshold:
                    await self._kill(doomed)
                if outage is not None:
                    await self._outage(outage)
                if any(not i.alive() for i in self.started if i is not self.killed):
                    break  # one died on its own: judged below
                seen: set[int] = set().union(*(i.counts for i in self.started))
                if self.first_at is None and seen:
                    self.first_at = time.monotonic()
                if self.printed_at is None and seen >= everything:
                    self.printed_at = time.monotonic()
                away = outage is not None and outage.away
                if self.printed_at is not None and not away and await pending_rows(self.db) == 0:
                    break
        finally:
            if outage is not None:
                await outage.end()
        self._timings()

    async def _kill(self, doomed: Instance) -> None:
        doomed.kill()
        self.killed = doomed
        killed_at = time.monotonic()
        held, in_doubt = await held_by(self.db, doomed.pid)
        doomed.read()
        self.run.figures.update(killed_after=round(killed_at - self.due, 2), held=held, in_doubt=in_doubt)
        self.progress(f"  SIGKILL {doomed.name}: it held {held} rows, {in_doubt} deliveries in doubt")

    async def _outage(self, outage: Outage) -> None:
        """Away at about 30 % of the burst (in the middle of a batch, so that messages are in flight),
        back AWAY seconds later; then note when printing resumed."""
        figures, printed = self.run.figures, self.printed()
        if outage.began is None and printed >= self.run.notices * 3 // 10 + BATCH // 2:
            figures["in_doubt"] = await outage.begin()
            figures["away_after"] = round(time.monotonic() - self.due, 2)
            self.progress(f"  database away: {figures['in_doubt']} deliveries in doubt")
        elif outage.away and time.monotonic() >= (outage.began or 0) + AWAY:
            await outage.end()
            self.back_at, figures["printed_when_back"] = time.monotonic(), printed
        elif self.back_at is not None and "resumed_after" not in figures and printed > figures["printed_when_back"]:
            figures["resumed_after"] = round(time.monotonic() - self.back_at, 2)

    def _timings(self) -> None:
        def since_due(moment: float | None) -> float | None:
            return None if moment is None else round(moment - self.due, 2)

        first_seen: dict[int, float] = {}
        for instance in self.started:
            for number, at in instance.seen_at.items():
                first_seen[number] = min(at, first_seen.get(number, at))
        self.run.figures.update(
            late_notices=sum(1 for at in first_seen.values() if at > self.due + LATE),
            late_starts=sum(1 for i in self.started if i.ready_at is None or i.ready_at > self.due),
            seconds_to_first=since_due(self.first_at),
            seconds_to_printed=since_due(self.printed_at),
            seconds_to_settled=since_due(time.monotonic()),
        )


def kill_point(share: int) -> int:
    """After how many printed notices an instance with `share` of the burst is killed: about half of
    its share, and in the middle of a batch, so that it holds about half a batch of claimed rows
    (at a batch's end it holds only the few whose settlement was not yet committed)."""
    return max(1, (share // 2) // BATCH * BATCH + BATCH // 2)


def _judge(
    run: Run, started: list[Instance], codes: list[int], statuses: dict[str, int], states: dict[str, int]
) -> None:
    counts: Counter[int] = Counter()
    for instance in started:
        counts.update(instance.counts)
    lost = sum(1 for n in range(1, run.notices + 1) if counts[n] == 0)
    duplicates = sum(c - 1 for c in counts.values() if c > 1)
    first, last = run.figures["seconds_to_first"], run.figures["seconds_to_printed"]
    seconds = None if first is None or last is None else last - first
    run.figures.update(
        printed_per_instance=[sum(i.counts.values()) for i in started],
        lost=lost,
        duplicates=duplicates,
        rows=statuses,
        deliveries=states,
        exit_codes=codes,
        rows_per_second=None if not seconds or seconds <= 0 else round(run.notices / seconds),
    )
    run.check(lost == 0, f"{lost} notices never printed; the instances' last words: {[i.tail(3) for i in started]}")
    run.check(statuses == {"sent": run.notices}, f"rows not all sent: {statuses}")
    run.check(states == {"sent": run.notices}, f"deliveries not one sent each: {states}")
    run.check(all(code == 0 for code in codes), f"exit codes {codes}: {[i.tail() for i in started]}")
    run.check(set(counts) <= set(range(1, run.notices + 1)), "numbers outside the burst were printed")
    if run.scenario == "run":
        run.check(duplicates == 0, f"{duplicates} duplicates without any fault")
        shares = run.figures["printed_per_instance"]
        run.check(all(shares), f"an instance sent nothing: {shares}")
        return
    bound = run.figures.get("in_doubt")
    run.check(bound is not None, f"the {run.scenario} never happened: the burst ended before its point")
    run.check(bound is None or duplicates <= bound, f"duplicates {duplicates} > (b) in doubt {bound}")
    if run.scenario == "kill":
        run.check(run.figures.get("held", 0) > 0, "the killed instance held no rows: nothing was taken over")


# ---------------------------------------------------------------------------------------- databases


@contextlib.asynccontextmanager
async def scratch_database(server: str) -> AsyncIterator[str]:
    """A new empty database on the server of `server` (a URL of any database there); its URL. Dropped after."""
    import asyncpg  # type: ignore[import-untyped]

    url = make_url(server)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"duban_bench_instances_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        try:
            yield url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
        finally:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


class Outage:
    """The database at `url` as a PostgreSQL restart leaves it for its clients: every connection cut,
    new ones refused, until `end`. A monitoring connection opened before stays, to read what was
    frozen at that moment. `admin` names a database on the same server to run the commands from
    (default: postgres)."""

    def __init__(self, url: str, admin: str | None = None) -> None:
        target = make_url(url).set(drivername="postgresql")
        self.name = str(target.database)
        self.target = target.render_as_string(hide_password=False)
        where = make_url(admin).set(drivername="postgresql") if admin else target.set(database="postgres")
        self.admin_url = where.render_as_string(hide_password=False)
        self.began: float | None = None
        self.away = False
        self._admin: Any = None
        self._monitor: Any = None

    async def begin(self) -> int:
        """Cut and refuse; returns the deliveries marked `sending` at that moment (in doubt)."""
        import asyncpg

        self._monitor = await asyncpg.connect(self.target)
        self._admin = await asyncpg.connect(self.admin_url)
        await self._admin.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
        self.began, self.away = time.monotonic(), True
        others = "FROM pg_stat_activity WHERE datname = $1 AND pid <> $2"
        me = self._monitor.get_server_pid()
        await self._admin.execute(f"SELECT pg_terminate_backend(pid) {others}", self.name, me)
        for _ in range(1000):  # until every cut connection is gone: nobody but the monitor is left
            if not await self._admin.fetchval(f"SELECT count(*) {others}", self.name, me):
                break
            await asyncio.sleep(0.01)
        return int(await self._monitor.fetchval("SELECT count(*) FROM delivery WHERE state = 'sending'"))

    async def end(self) -> None:
        """Connections allowed again (nothing happens if it never began or already ended)."""
        if self._admin is not None:
            await self._admin.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')
            await self._admin.close()
            self._admin = None
        if self._monitor is not None:
            await self._monitor.close()
            self._monitor = None
        self.away = False


# ---------------------------------------------------------------------------------------- the report


def table(runs: list[Run]) -> str:
    """The figures as plain text, one line per run."""
    head = ("inst", "scenario", "rows/s", "first s", "last s", "settled s", "per instance", "lost", "dup", "(b)")
    lines = ["  ".join(f"{h:>12}" for h in head) + "  notes"]
    for r in runs:
        f = r.figures
        cells = (
            r.instances,
            r.scenario,
            f["rows_per_second"],
            f["seconds_to_first"],
            f["seconds_to_printed"],
            f["seconds_to_settled"],
            "/".join(str(n) for n in f["printed_per_instance"]),
            f["lost"],
            f["duplicates"],
            f.get("in_doubt", "-"),
        )
        notes = []
        if r.scenario == "kill":
            notes.append(f"killed at {f.get('killed_after')} s holding {f.get('held')} rows")
        if r.scenario == "outage":
            notes.append(
                f"away at {f.get('away_after')} s for {AWAY:g} s, printing again {f.get('resumed_after')} s after"
            )
        if f["late_notices"]:
            notes.append(f"{f['late_notices']} notices printed more than {LATE:g} s late")
        if f["late_starts"]:
            notes.append(f"{f['late_starts']} not started at the release")
        if r.broken:
            notes.append("BROKEN")
        lines.append("  ".join(f"{'n/a' if c is None else c!s:>12}" for c in cells) + "  " + "; ".join(notes))
    broken = [f"{r.instances} instances, {r.scenario}: {b}" for r in runs for b in r.broken]
    lines.append("invariants: " + ("all hold" if not broken else "BROKEN: " + "; ".join(broken)))
    return "\n".join(lines)


async def run_all(
    server: str, folder: Path, counts: list[int], scenarios: list[str], notices: int, lease: float, limit: float
) -> list[Run]:
    """Each instance count in each scenario (no kill of a single instance: nobody would take over,
    that is the restart of bench.fault_bench)."""
    runs = []
    for instances in counts:
        for scenario in [s for s in scenarios if instances > 1 or s != "kill"]:
            async with scratch_database(server) as url:
                run = await run_burst(
                    url,
                    folder / f"{instances}-{scenario}",
                    instances=instances,
                    notices=notices,
                    scenario=scenario,
                    lease=lease,
                    limit=limit,
                    progress=lambda text: print(text, file=sys.stderr, flush=True),
                )
            runs.append(run)
    return runs


def main(argv: list[str] | None = None) -> int:
    """Run the bursts, print the table and one JSON line; 1 when an invariant is broken."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--instances", default="1,2,3", help="instance counts, comma-separated")
    parser.add_argument("--scenarios", default="run,kill,outage", help="comma-separated: run, kill, outage")
    parser.add_argument("--lease", type=float, default=LEASE_SECONDS, help="DUBAN_CLAIM_LEASE_SECONDS")
    parser.add_argument("--limit", type=float, default=420.0, help="seconds past the release a run may take")
    args = parser.parse_args(argv)
    started = time.monotonic()
    counts = [int(n) for n in args.instances.split(",")]
    with tempfile.TemporaryDirectory(prefix="duban-instances-") as folder:
        scenarios = args.scenarios.split(",")
        runs = asyncio.run(
            run_all(args.postgres, Path(folder), counts, scenarios, args.notices, args.lease, args.limit)
        )
    print(f"{args.notices} notices due at once, console transport, lease {args.lease:g} s, PostgreSQL")
    print(table(runs))
    summary = {
        "runs": [{"instances": r.instances, "scenario": r.scenario, **r.figures, "broken": r.broken} for r in runs],
        "seconds": round(time.monotonic() - started, 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count() or 0,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if any(r.broken for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
