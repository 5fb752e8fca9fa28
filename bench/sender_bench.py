"""The sender's throughput: 10,000 due outbox rows to a null transport, against APScheduler.

Duban's sender claims, renders, hands over and records rows from the database outbox; the peer is
APScheduler's MemoryJobStore firing one job per reminder, all due at the same moment, with the same
per-message work (text and quick actions rendered) and no database. Both run in this one process,
one after the other, on the real clock.

    .venv/bin/python -m bench.sender_bench [--rows N] [--db URL]

Prints one line per design (rows, seconds, rows per second) and a JSON line with every figure.
`--db` takes a PostgreSQL URL (a throw-away database: its tables are created and filled).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
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


async def fill(url: str, setup: Setup, n: int) -> None:
    """N pending rows, all due a second ago, spread over the plan's units."""
    from sqlalchemy import insert

    from models.database import open_database
    from models.tables import ReminderRow

    db = await open_database(url)
    now = utc_now()
    unit_ids = sorted(setup.units)
    async with db.engine.begin() as conn:
        for start in range(0, n, CHUNK):
            rows = [
                reminder_row(f"burst:{i}", now - dt.timedelta(seconds=1), unit_ids[i % len(unit_ids)], setup.task, now)
                for i in range(start, min(n, start + CHUNK))
            ]
            await conn.execute(insert(ReminderRow), rows)
    await db.close()


async def duban(url: str, n: int) -> dict[str, Any]:
    """Duban's sender over the filled outbox: passes until nothing is due."""
    from models.database import open_database
    from reminders.sender import Sender

    db = await open_database(url)
    transport = RecordingTransport(expected=n)
    sender = Sender(db, utc_now, [transport])
    began = time.perf_counter()
    passes = 0
    while len(transport.handed) < n:
        passes += 1
        stats = await sender.send_due()
        if stats.deliveries == 0 and stats.sent == 0:
            break
    await sender.journal.drain()  # every queued record committed
    seconds = time.perf_counter() - began
    await db.close()
    return {
        "design": "Duban sender",
        "rows": n,
        "handed": len(transport.handed),
        "duplicates": transport.duplicates,
        "seconds": round(seconds, 2),
        "rows_per_s": round(len(transport.handed) / seconds),
        "passes": passes,
        "commits": sender.journal.commits,
    }


async def apscheduler(setup: Setup, n: int) -> dict[str, Any]:
    """One MemoryJobStore job per reminder, all due at the same moment."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger

    transport = RecordingTransport(expected=n)
    sender = PerJobSender(transport, setup)
    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
    unit_ids = sorted(setup.units)
    due = utc_now() + dt.timedelta(seconds=30)
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
        "seconds": round(seconds, 2),
        "rows_per_s": round(len(transport.handed) / seconds),
        "scheduling_s": round(added_s, 2),
    }


async def run(rows: int, url: str | None) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.db"
        setup = await build_template(template)
        if url is None:
            target = Path(folder) / "burst.db"
            copy_db(template, target)
            url = sqlite_url(target)
        else:
            print("a PostgreSQL URL is not supported yet", file=sys.stderr)
            raise SystemExit(2)
        await fill(url, setup, rows)
        print(f"{rows} rows due; sending…", file=sys.stderr)
        first = await duban(url, rows)
        second = await apscheduler(setup, rows)
    return [first, second]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sender_bench", description=__doc__)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--db")
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.rows, args.db))
    for r in results:
        print(f"{r['design']:<28} {r['handed']:>6}/{r['rows']} handed, {r['duplicates']} twice, "
              f"{r['seconds']:>6.2f} s, {r['rows_per_s']:>6} rows/s")
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
