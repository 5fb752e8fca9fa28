"""Planning and claiming with 1,000,000 pending reminders, on SQLite and on PostgreSQL, against
APScheduler one-job-per-reminder with its MemoryJobStore and its SQLAlchemyJobStore.

    .venv/bin/python -m bench.claims_bench [--n 1000000] [--store-jobs 100000] [--pg URL | --no-pg]

For each database kind (a temporary SQLite file; a PostgreSQL database created for the run and
dropped after it, on `--pg`, by default postgresql://postgres@127.0.0.1:5432), N pending reminders
due over the next 30 days (the first an hour ahead) are bulk-inserted into Duban's outbox. Then,
each in a fresh process so that its memory figures are its own:

- Duban: open the database, `engine.start()` (the shipped engine with `sync()` a no-op, as in
  `bench.reminders_bench`: catch-up, a send pass that finds nothing due, arming the wake-up), the
  next-due lookup (`Sender.next_due()`), then a claim: BATCH rows are made due (not timed) and
  `reminders.claims.claim` takes them (one statement), and a claim that finds nothing due.
- APScheduler, SQLAlchemyJobStore on the same database: its table is filled by `add_job`, one job
  per reminder (each add is its own transaction: that is how the store writes), then in a fresh
  process the scheduler starts on the filled table, and the store's next-run-time lookup and its
  `get_due_jobs` with BATCH jobs due (APScheduler 3 has no claiming: two schedulers on one job
  store would both run a due job) are timed. Adding a million jobs one transaction at a time takes
  far too long here; the store is measured with `--store-jobs` (100,000) jobs, and the figures are
  printed as measured at that size, never extrapolated.
- APScheduler, MemoryJobStore (no database, so measured once): `add_job` N times, start, and the
  store's next-run-time lookup. A restart has to add every job again.

PostgreSQL needs psycopg for the SQLAlchemyJobStore (APScheduler's store is synchronous):
`.venv/bin/pip install 'psycopg[binary]'`; without it that column says so.

Prints a table per database kind, then one JSON line with every figure. Exit code 0.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.reminders_bench import (
    INSERT_CHUNK,
    JOB_DEFAULTS,
    REPO,
    RESTART_DAYS,
    RESTART_LEAD,
    Setup,
    build_plan,
    machine_note,
    peak_rss_mb,
    progress,
    reminder_row,
    sqlite_url,
    utc_now,
)

N = 1_000_000
STORE_JOBS = 100_000
PG = "postgresql://postgres@127.0.0.1:5432"
CLAIM_BATCH = 1000
"""Rows a sender claims at a time (reminders.sender.BATCH), and jobs made due for APScheduler's lookup."""
TABLE = "apscheduler_jobs"


def noop_send(reminder_id: int) -> None:
    """A job body that never runs here (every job is due later)."""


def sync_url(url: str) -> str:
    """The URL APScheduler's synchronous SQLAlchemyJobStore opens: sqlite3, or psycopg."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def fill(url: str, setup: Setup, n: int) -> float:
    """N pending rows due evenly over 30 days from an hour ahead, bulk-inserted; seconds."""
    from sqlalchemy import insert

    from models.database import open_database
    from models.tables import ReminderRow

    db = await open_database(url)
    unit_ids = sorted(setup.units)
    now = utc_now()
    first, step = now + RESTART_LEAD, dt.timedelta(days=RESTART_DAYS) / n
    began = time.perf_counter()
    async with db.engine.begin() as conn:
        for start in range(0, n, INSERT_CHUNK):
            chunk = [
                reminder_row(f"claims:{i}", first + step * i, unit_ids[i % len(unit_ids)], setup.task, now)
                for i in range(start, min(n, start + INSERT_CHUNK))
            ]
            await conn.execute(insert(ReminderRow), chunk)
    seconds = time.perf_counter() - began
    if db.engine.dialect.name == "postgresql":
        async with db.engine.connect() as conn:
            await conn.exec_driver_sql("ANALYZE reminder")
    await db.close()
    return seconds


async def child_duban(url: str) -> dict[str, Any]:
    """Fresh process: open, engine.start(), next-due lookup, claim a batch, claim when nothing is due."""
    began = time.perf_counter()
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from sqlalchemy import update
    from sqlmodel import col, select

    from bench.reminders_bench import PassLog, RecordingTransport, sender_only_engine
    from models.database import open_database
    from models.tables import ReminderRow
    from reminders.claims import claim
    from reminders.policy import DIGEST_DUE

    import_s = time.perf_counter() - began
    rss_import = peak_rss_mb()
    t = time.perf_counter()
    db = await open_database(url)
    open_s = time.perf_counter() - t
    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
    engine = sender_only_engine(db, RecordingTransport(), scheduler, PassLog())
    t = time.perf_counter()
    await engine.start()
    start_s = time.perf_counter() - t
    lookups = []
    for _ in range(5):
        t = time.perf_counter()
        await engine.sender.next_due()
        lookups.append(time.perf_counter() - t)
    await engine.shutdown()
    await asyncio.sleep(0.05)
    now = utc_now()
    async with db.session() as session:  # not timed: the first BATCH rows fall due
        first = select(ReminderRow.id).order_by(col(ReminderRow.due_at)).limit(CLAIM_BATCH)
        ids = list((await session.exec(first)).all())
        await session.exec(
            update(ReminderRow).where(col(ReminderRow.id).in_(ids)).values(due_at=now - dt.timedelta(seconds=1))
        )
    due = (
        (col(ReminderRow.status) == "pending")
        & (col(ReminderRow.due_at) <= now)
        & (col(ReminderRow.kind) != DIGEST_DUE)
    )
    t = time.perf_counter()
    async with db.session() as session:
        claimed = await claim(session, due, "bench", now, CLAIM_BATCH)
    claim_s = time.perf_counter() - t
    t = time.perf_counter()
    async with db.session() as session:
        again = await claim(session, due, "other", now, CLAIM_BATCH)
    empty_s = time.perf_counter() - t
    peak = peak_rss_mb()
    await db.close()
    return {
        "import_s": import_s,
        "rss_after_import_mb": rss_import,
        "open_s": open_s,
        "start_s": start_s,
        "ready_s": open_s + start_s,
        "next_due_ms": median_ms(lookups),
        "claim_ms": claim_s * 1000,
        "claimed": len(claimed),
        "claim_nothing_ms": empty_s * 1000,
        "claimed_again": len(again),
        "peak_rss_mb": peak,
    }


def store_add(url: str, n: int) -> dict[str, Any]:
    """Fresh process: n jobs added to a SQLAlchemyJobStore (paused scheduler: nothing runs)."""
    began = time.perf_counter()
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.date import DateTrigger

    import_s = time.perf_counter() - began
    rss_import = peak_rss_mb()
    store = SQLAlchemyJobStore(url=sync_url(url), tablename=TABLE)
    scheduler = BackgroundScheduler(timezone=dt.UTC, jobstores={"default": store}, job_defaults=JOB_DEFAULTS)
    scheduler.start(paused=True)
    first, step = utc_now() + RESTART_LEAD, dt.timedelta(days=RESTART_DAYS) / n
    t = time.perf_counter()
    for i in range(n):
        scheduler.add_job(noop_send, DateTrigger(run_date=first + step * i), args=[i], id=f"r{i}", **JOB_DEFAULTS)
    add_s = time.perf_counter() - t
    peak = peak_rss_mb()
    scheduler.shutdown(wait=False)
    store.engine.dispose()
    return {"import_s": import_s, "rss_after_import_mb": rss_import, "add_s": add_s, "jobs": n, "add_peak_rss_mb": peak}


def store_restart(url: str) -> dict[str, Any]:
    """Fresh process: the scheduler starts on the filled table; next-run-time lookup; due jobs read."""
    began = time.perf_counter()
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from sqlalchemy import text

    import_s = time.perf_counter() - began
    rss_import = peak_rss_mb()
    store = SQLAlchemyJobStore(url=sync_url(url), tablename=TABLE)
    scheduler = BackgroundScheduler(timezone=dt.UTC, jobstores={"default": store}, job_defaults=JOB_DEFAULTS)
    t = time.perf_counter()
    scheduler.start()
    start_s = time.perf_counter() - t
    lookups = []
    for _ in range(5):
        t = time.perf_counter()
        store.get_next_run_time()
        lookups.append(time.perf_counter() - t)
    scheduler.shutdown(wait=False)
    now = utc_now()
    with store.engine.begin() as conn:  # not timed: the first BATCH jobs fall due
        conn.execute(
            text(
                f"UPDATE {TABLE} SET next_run_time = :due WHERE id IN "
                f"(SELECT id FROM {TABLE} ORDER BY next_run_time LIMIT {CLAIM_BATCH})"
            ),
            {"due": (now - dt.timedelta(seconds=1)).timestamp()},
        )
    t = time.perf_counter()
    due = store.get_due_jobs(now)
    due_s = time.perf_counter() - t
    peak = peak_rss_mb()
    store.engine.dispose()
    return {
        "import_s": import_s,
        "rss_after_import_mb": rss_import,
        "start_s": start_s,
        "ready_s": start_s,
        "next_due_ms": median_ms(lookups),
        "due_jobs_ms": due_s * 1000,
        "due_jobs": len(due),
        "peak_rss_mb": peak,
    }


async def memory_store(n: int) -> dict[str, Any]:
    """Fresh process: n jobs added to a MemoryJobStore, the scheduler started, next-run-time lookup."""
    began = time.perf_counter()
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger

    import_s = time.perf_counter() - began
    rss_import = peak_rss_mb()
    store = MemoryJobStore()
    scheduler = AsyncIOScheduler(timezone=dt.UTC, jobstores={"default": store}, job_defaults=JOB_DEFAULTS)
    first, step = utc_now() + RESTART_LEAD, dt.timedelta(days=RESTART_DAYS) / n
    t = time.perf_counter()
    for i in range(n):
        scheduler.add_job(noop_send, DateTrigger(run_date=first + step * i), args=[i], **JOB_DEFAULTS)
    add_s = time.perf_counter() - t
    t = time.perf_counter()
    scheduler.start()
    await asyncio.sleep(0)  # the first _process_jobs
    start_s = time.perf_counter() - t
    lookups = []
    for _ in range(5):
        t = time.perf_counter()
        store.get_next_run_time()
        lookups.append(time.perf_counter() - t)
    peak = peak_rss_mb()
    jobs = len(store.get_all_jobs())
    scheduler.shutdown(wait=False)
    await asyncio.sleep(0.05)
    return {
        "import_s": import_s,
        "rss_after_import_mb": rss_import,
        "add_s": add_s,
        "start_s": start_s,
        "ready_s": add_s + start_s,
        "next_due_ms": median_ms(lookups),
        "peak_rss_mb": peak,
        "jobs": jobs,
    }


def run_child(kind: str, url: str = "", n: int = 0) -> dict[str, Any]:
    """One measurement in a fresh interpreter; its JSON line (or why it failed)."""
    command = [sys.executable, "-m", "bench.claims_bench", "--child", kind, "--url", url, "--n", str(n)]
    began = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
        progress(f"{kind} failed: {reason}")
        return {"error": reason}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - began
    return result


def child_main(kind: str, url: str, n: int) -> int:
    if kind == "duban":
        result = asyncio.run(child_duban(url))
    elif kind == "store-add":
        result = store_add(url, n)
    elif kind == "store-restart":
        result = store_restart(url)
    else:
        result = asyncio.run(memory_store(n))
    print(json.dumps(result))
    return 0


async def create_pg(base: str) -> str:
    import asyncpg  # type: ignore[import-untyped]

    name = f"duban_claims_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(f"{base}/postgres")
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return f"{base}/{name}"


async def drop_pg(url: str) -> None:
    import asyncpg

    base, name = url.rsplit("/", 1)
    connection = await asyncpg.connect(f"{base}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def measure(kind: str, url: str, n: int, store_jobs: int) -> dict[str, Any]:
    progress(f"{kind}: the plan, liaisons and policy")
    setup = asyncio.run(build_plan(url))
    progress(f"{kind}: filling the outbox with {n:,} pending reminders")
    fill_s = asyncio.run(fill(url, setup, n))
    progress(f"{kind}: Duban in a fresh process")
    duban = run_child("duban", url)
    progress(f"{kind}: APScheduler SQLAlchemyJobStore, adding {store_jobs:,} jobs (one transaction each)")
    added = run_child("store-add", url, store_jobs)
    restarted = run_child("store-restart", url) if "error" not in added else {"error": added["error"]}
    return {"kind": kind, "n": n, "fill_s": fill_s, "duban": duban, "store": {"add": added, "restart": restarted}}


def cell(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def render(machine: dict[str, Any], memory: dict[str, Any], results: list[dict[str, Any]], store_jobs: int) -> str:
    lines = [
        "Duban claims benchmark: planning and claiming with a big outbox, against one APScheduler job per reminder",
        f"  {machine['date']}  commit {machine['commit']}",
        f"  Python {machine['python']}, {machine['cpus']} CPUs, {machine['platform']}",
        f"  SQLite {machine['sqlite']}, APScheduler {machine['apscheduler']}, SQLAlchemy {machine['sqlalchemy']}",
    ]
    for r in results:
        d, add, rs = r["duban"], r["store"]["add"], r["store"]["restart"]
        m = memory
        lines += [
            "",
            f"{r['kind']}: {r['n']:,} pending reminders due over {RESTART_DAYS} days "
            f"(outbox filled in {r['fill_s']:.1f} s, {INSERT_CHUNK:,} rows a statement)",
            _row("", "Duban outbox", "APS memory", "APS SQLAlchemy"),
            _row("reminders / jobs", f"{r['n']:,}", f"{m.get('jobs', 0):,}", f"{store_jobs:,}"),
            _row("add the jobs (s)", "(outbox)", cell(m.get("add_s"), ".2f"), cell(add.get("add_s"), ".1f")),
            _row(
                "restart: open + start, ready (s)",
                cell(d.get("ready_s"), ".3f"),
                cell(m.get("ready_s"), ".2f"),
                cell(rs.get("ready_s"), ".3f"),
            ),
            _row(
                "next-due lookup (ms, median of 5)",
                cell(d.get("next_due_ms"), ".2f"),
                cell(m.get("next_due_ms"), ".3f"),
                cell(rs.get("next_due_ms"), ".2f"),
            ),
            _row(
                f"claim {CLAIM_BATCH:,} due rows / get_due_jobs (ms)",
                cell(d.get("claim_ms"), ".1f"),
                "-",
                cell(rs.get("due_jobs_ms"), ".1f"),
            ),
            _row("claim when nothing is free (ms)", cell(d.get("claim_nothing_ms"), ".1f"), "-", "-"),
            _row(
                "peak RSS (MB)",
                cell(d.get("peak_rss_mb"), ".0f"),
                cell(m.get("peak_rss_mb"), ".0f"),
                cell(rs.get("peak_rss_mb"), ".0f"),
            ),
            _row(
                "peak RSS above imports (MB)", cell(_above(d), ".0f"), cell(_above(m), ".0f"), cell(_above(rs), ".0f")
            ),
        ]
        store_note = add.get("error") or rs.get("error")
        if store_note:
            lines.append(f"  APScheduler SQLAlchemyJobStore: {store_note}")
        else:
            lines.append(
                f"  APScheduler SQLAlchemyJobStore measured with {store_jobs:,} jobs (adding them took "
                f"{add['add_s']:.0f} s, one transaction each); its due-jobs read returned {rs['due_jobs']:,} jobs"
            )
        claimed, again = d.get("claimed", 0), d.get("claimed_again", 0)
        lines.append(f"  Duban: claimed {claimed:,} rows in one statement; a second claim found {again}")
    lines.append("  APScheduler MemoryJobStore needs no database: measured once, shown for both")
    return "\n".join(lines)


def _row(label: str, duban: str, memory: str, store: str) -> str:
    return f"  {label:<48} {duban:>14} {memory:>14} {store:>15}"


def _above(figures: dict[str, Any]) -> float | None:
    if "peak_rss_mb" not in figures:
        return None
    return float(figures["peak_rss_mb"]) - float(figures["rss_after_import_mb"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.claims_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=N)
    parser.add_argument("--store-jobs", type=int, default=STORE_JOBS)
    parser.add_argument("--pg", default=PG, help="PostgreSQL server URL (no database name)")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args.child, args.url, args.n)
    began = time.perf_counter()
    machine = machine_note()
    results = []
    with tempfile.TemporaryDirectory(prefix="duban-claims-") as tmp:
        results.append(measure("SQLite", sqlite_url(Path(tmp) / "claims.db"), args.n, args.store_jobs))
    if not args.no_pg:
        url = asyncio.run(create_pg(args.pg))
        try:
            results.append(measure("PostgreSQL", url, args.n, args.store_jobs))
        finally:
            asyncio.run(drop_pg(url))
    progress(f"APScheduler MemoryJobStore with {args.n:,} jobs in a fresh process")
    memory = run_child("memory", n=args.n)
    runtime = time.perf_counter() - began
    print(render(machine, memory, results, args.store_jobs))
    print(f"\ntotal runtime {runtime:.0f} s")
    report = {
        "bench": "claims",
        "machine": machine,
        "claim_batch": CLAIM_BATCH,
        "memory_store": memory,
        "databases": results,
        "runtime_s": runtime,
    }
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
