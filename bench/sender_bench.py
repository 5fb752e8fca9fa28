"""The sender's throughput: 10,000 due outbox rows to a null transport, against APScheduler.

Duban's sender claims, renders, hands over and records rows from the database outbox; the peer is
APScheduler's MemoryJobStore firing one job per reminder, all due at the same moment, with the same
per-message work (text and quick actions rendered) and no database. All run in this one process, one
after the other, on the real clock, each after a full garbage collection so that none pays for the
garbage of the one before, and after a small run of each (200 reminders, not counted) so that both
start with their code imported and their caches warm.

    .venv/bin/python -m bench.sender_bench [--rows N]

What is compared: for APScheduler, adding the N jobs plus firing them (from their due time until
the last one handed its message over); for Duban, from the rows being due until every row is settled
and every record committed. Duban's rows were written beforehand (as `sync_outbox` writes them, a
day or two ahead); the time that took is printed too, but not counted. Duban runs twice, on two
copies of the same outbox: with the shipped window (at most WINDOW = 64 deliveries marked `sending`
and not yet recorded, the bound on what a crash can send twice) and with the window at its strictest
(CONCURRENCY = 16, only what is in flight).

Prints one line per design and a JSON line with every figure. Exit code 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.reminders_bench import (
    JOB_DEFAULTS,
    PerJobSender,
    RecordingTransport,
    Setup,
    build_template,
    copy_db,
    reminder_row,
    sqlite_url,
    utc_now,
)

ROWS = 10_000
CHUNK = 5_000
WARM_UP = 200


async def fill(url: str, setup: Setup, n: int) -> float:
    """N pending rows, all due a second ago, spread over the plan's units; seconds it took."""
    from sqlalchemy import insert

    from models.database import open_database
    from models.tables import ReminderRow

    db = await open_database(url)
    now = utc_now()
    unit_ids = sorted(setup.units)
    began = time.perf_counter()
    async with db.engine.begin() as conn:
        for start in range(0, n, CHUNK):
            rows = [
                reminder_row(f"burst:{i}", now - dt.timedelta(seconds=1), unit_ids[i % len(unit_ids)], setup.task, now)
                for i in range(start, min(n, start + CHUNK))
            ]
            await conn.execute(insert(ReminderRow), rows)
    filled = time.perf_counter() - began
    await db.close()
    return filled


async def duban(url: str, n: int, window: int) -> dict[str, Any]:
    """Duban's sender over the filled outbox: passes until nothing is due."""
    from sqlmodel import func, select

    from models.database import open_database
    from models.tables import ReminderRow
    from reminders.sender import Sender

    db = await open_database(url)
    transport = RecordingTransport(expected=n)
    sender = Sender(db, utc_now, [transport], window=window)
    gc.collect()
    began = time.perf_counter()
    passes = 0
    while len(transport.handed) < n:
        passes += 1
        stats = await sender.send_due()
        if stats.deliveries == 0 and stats.sent == 0:
            break
    await sender.journal.drain()  # every queued record committed
    seconds = time.perf_counter() - began
    async with db.session() as session:
        settled = (await session.exec(select(func.count()).where(ReminderRow.status == "sent"))).one()
    await db.close()
    return {
        "design": f"Duban sender, window {sender.window}",
        "window": sender.window,
        "rows": n,
        "handed": len(transport.handed),
        "settled": settled,
        "duplicates": transport.duplicates,
        "seconds": round(seconds, 3),
        "rows_per_s": round(len(transport.handed) / seconds),
        "passes": passes,
        "commits": sender.journal.commits,
    }


async def apscheduler(setup: Setup, n: int, lead: float = 30.0) -> dict[str, Any]:
    """One MemoryJobStore job per reminder, all due at the same moment."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger

    transport = RecordingTransport(expected=n)
    sender = PerJobSender(transport, setup)
    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
    unit_ids = sorted(setup.units)
    due = utc_now() + dt.timedelta(seconds=lead)
    gc.collect()
    added = time.perf_counter()
    scheduler.start()
    for i in range(n):
        scheduler.add_job(sender.send, DateTrigger(run_date=due), args=[i, unit_ids[i % len(unit_ids)]], **JOB_DEFAULTS)
    added_s = time.perf_counter() - added
    await asyncio.sleep(max(0.0, (due - utc_now()).total_seconds()))
    began = time.perf_counter()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(transport.all_handed.wait(), 600)
    seconds = time.perf_counter() - began
    scheduler.shutdown(wait=False)
    return {
        "design": "APScheduler MemoryJobStore",
        "rows": n,
        "handed": len(transport.handed),
        "duplicates": transport.duplicates,
        "seconds": round(seconds, 3),
        "rows_per_s": round(len(transport.handed) / seconds),
        "scheduling_s": round(added_s, 3),
        "add_and_fire_s": round(added_s + seconds, 3),
    }


async def run(rows: int) -> dict[str, Any]:
    from reminders.sender import CONCURRENCY, WINDOW

    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.db"
        setup = await build_template(template)
        filled = Path(folder) / "filled.db"
        copy_db(template, filled)
        fill_s = await fill(sqlite_url(filled), setup, rows)
        warm = Path(folder) / "warm.db"  # a first small run of each design, not counted: imports,
        copy_db(template, warm)  # compiled statements and caches are then warm for both alike
        await fill(sqlite_url(warm), setup, WARM_UP)
        await duban(sqlite_url(warm), WARM_UP, WINDOW)
        await apscheduler(setup, WARM_UP, lead=1.0)
        results = []
        for window in (WINDOW, CONCURRENCY):
            target = Path(folder) / f"burst-{window}.db"
            copy_db(filled, target)
            print(f"{rows} rows due; Duban sends (window {window})…", file=sys.stderr)
            results.append(await duban(sqlite_url(target), rows, window))
        print(f"APScheduler: {rows} jobs…", file=sys.stderr)
        peer = await apscheduler(setup, rows)
    return {"rows": rows, "fill_s": round(fill_s, 3), "duban": results, "apscheduler": peer}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sender_bench", description=__doc__)
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args(argv)
    report = asyncio.run(run(args.rows))
    peer = report["apscheduler"]
    print(f"{args.rows:,} reminders due at once, null transport, one process, SQLite")
    print(f"  {'design':<34} {'handed':>8} {'twice':>6} {'seconds':>9} {'rows/s':>8} {'commits':>8}")
    for r in report["duban"]:
        print(
            f"  {r['design']:<34} {r['handed']:>8,} {r['duplicates']:>6} {r['seconds']:>9.3f} "
            f"{r['rows_per_s']:>8,} {r['commits']:>8,}"
        )
    print(
        f"  {'APScheduler: add the jobs':<34} {'':>8} {'':>6} {peer['scheduling_s']:>9.3f}\n"
        f"  {'APScheduler: fire them':<34} {peer['handed']:>8,} {peer['duplicates']:>6} {peer['seconds']:>9.3f} "
        f"{peer['rows_per_s']:>8,}\n"
        f"  {'APScheduler: add + fire':<34} {'':>8} {'':>6} {peer['add_and_fire_s']:>9.3f}"
    )
    print(f"  Duban's outbox rows were written beforehand in {report['fill_s']:.3f} s (one multi-row insert per 5,000)")
    for r in report["duban"]:
        ratio = peer["add_and_fire_s"] / r["seconds"]
        verdict = "ahead of" if ratio > 1 else "behind"
        print(f"  {r['design']}: {verdict} APScheduler's add + fire ({ratio:.2f}x)")
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
