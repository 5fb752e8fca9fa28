"""One `duban run` per SQLite database: a second one would send every reminder a second time.

SQLite has one writer at a time and no row locks to share the outbox between instances, so `duban
run` takes an exclusive lock on a file beside the database (`<database>.run-lock`) for as long as it
runs; the operating system releases it when the process ends, however it ends (kill -9 included).
Several instances need PostgreSQL, where rows are claimed (`reminders.claims`).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bot.cli_voice import CliError
from models.database import Database


def hold_sqlite_lock(db: Database) -> int | None:
    """Take the run lock of a SQLite database (the open descriptor holds it); None for other
    databases. Raises CliError when another `duban run` holds it."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(f"{url.database}.run-lock")
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise CliError("cli_run_sqlite_busy", 1, path=url.database) from None
    return descriptor
