"""One Telegram poller among several `duban run` on one PostgreSQL database.

Telegram gives each update to a getUpdates call and ends the older of two concurrent calls with 409
Conflict, so two instances polling one bot fight over every poll, and an update fetched by one and
not yet confirmed is fetched again by the other (handled twice). On PostgreSQL, polling is therefore
guarded by a session-level advisory lock (`pg_try_advisory_lock`) held on a connection of its own
for as long as the instance polls; the key is derived from the bot's id, so two bots sharing a
database do not block each other, and a new token for the same bot keeps the same lock. An
instance without the lock does not poll: it sends the reminders it claims and serves WeCom and
webhooks as usual, and tries for the lock every `RETRY_EVERY` seconds (`PollingGuard`).

What is guaranteed, with the defaults (every 2 s, queries given 3 s), while the event loop runs:
- The holder dies (kill -9, crash, stop) or its lock connection is closed: the server frees the
  lock at once and another instance polls after at most one tick (2 s) plus its first getUpdates.
- The holder's machine vanishes (power, network): the server ends its session when TCP keepalive
  gives up (set on the lock session: 5 s idle, 3 probes 2 s apart, about 11 s after its last
  check); another instance polls at most one tick later. The holder itself stops polling within
  2 s + 3 s of its last good check, before the server frees the lock.
- The holder's session is lost while it runs (database restart, connection killed): it stops
  polling at its next tick, within 2 s + 3 s (plus the time to end its poll), and polls again once
  it holds the lock again. Only here may two instances poll at once, and only for that long: the
  server freed the lock at once, so another instance may have taken it in the meantime.
Pollers must reach PostgreSQL directly or through session pooling: a transaction pooler
(PgBouncer's transaction mode) does not keep a session's locks.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

from config.settings import Settings
from models.database import Database

log = logging.getLogger(__name__)
RETRY_EVERY = 2.0
"""Seconds between two looks at the lock: the standby tries to take it, the holder checks it still has it."""
QUERY_TIMEOUT = 3.0
"""Seconds one connection attempt or query on the lock connection may take before it counts as lost."""
KEEPALIVE = {"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "2", "tcp_keepalives_count": "3"}
"""On the lock session only: the server notices a vanished holder in about 11 s, not in 2 hours."""
SQLALCHEMY_ONLY = ("async_creator_fn", "prepared_statement_cache_size", "prepared_statement_name_func")
"""Connection arguments SQLAlchemy's asyncpg dialect understands and asyncpg.connect does not."""
HOLDS = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
    " AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1 AND granted)"
)
"""Whether this session holds the lock (a bigint key is kept as its high and low 32 bits)."""


class Hold(Enum):
    """What an attempt to take the lock found."""

    HELD = "held"
    TAKEN = "taken"  # another session holds it
    UNREACHABLE = "unreachable"  # no answer from the database


def lock_key(token: str) -> int:
    """The advisory lock key of the bot whose token this is: a hash of its id (the part before ':'),
    so each bot on a database has its own lock, and the secret part is never used."""
    bot = token.split(":", 1)[0]
    digest = hashlib.blake2b(f"duban telegram polling {bot}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def polling_lock(settings: Settings, db: Database) -> PollLock | None:
    """The lock guarding long polling on this database; None with a webhook (every instance takes
    the updates posted to it) or on SQLite (one `duban run` per database, `bot.single_run`)."""
    if settings.telegram_token is None or settings.telegram_webhook_url:
        return None
    if db.engine.dialect.name != "postgresql":
        return None
    return PollLock.for_database(db, lock_key(settings.telegram_token.get_secret_value()))


class PollLock:
    """The advisory lock on a dedicated connection: taken, checked and released by `PollingGuard`
    every `every` seconds; each connection attempt or query is given `timeout` seconds.

    Any failure or timeout on the connection ends it (the session, and with it the lock, is gone
    for the server too), so "held" always means "verified on a live session".
    """

    def __init__(
        self, connect: dict[str, Any], key: int, *, every: float = RETRY_EVERY, timeout: float = QUERY_TIMEOUT
    ) -> None:
        self.connect, self.key, self.every, self.timeout = connect, key, every, timeout
        unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
        self.high, self.low = unsigned >> 32, unsigned & 0xFFFF_FFFF
        self.error: Exception | None = None
        """Why the last attempt failed (for the log), or None."""
        self._connection: Any = None

    @classmethod
    def for_database(
        cls, db: Database, key: int, *, every: float = RETRY_EVERY, timeout: float = QUERY_TIMEOUT
    ) -> PollLock:
        """A lock connecting where `db`'s engine connects (host, user, password, ssl, …)."""
        _, arguments = db.engine.dialect.create_connect_args(db.engine.url)
        connect = dict(arguments)
        for name in SQLALCHEMY_ONLY:
            connect.pop(name, None)
        name = f"duban poll lock {socket.gethostname()[:30]} pid {os.getpid()}"
        connect["server_settings"] = {**connect.get("server_settings", {}), "application_name": name, **KEEPALIVE}
        return cls(connect, key, every=every, timeout=timeout)

    async def acquire(self) -> Hold:
        """Try to take the lock now, connecting first if need be; never waits for its holder."""
        try:
            async with asyncio.timeout(self.timeout):
                if self._connection is None or self._connection.is_closed():
                    self._drop()
                    self._connection = await _connect(self.connect)
                got = await self._connection.fetchval("SELECT pg_try_advisory_lock($1)", self.key)
        except Exception as error:  # refused, reset, timed out, restarting: all mean "not now"
            self._lost(error)
            return Hold.UNREACHABLE
        self.error = None
        return Hold.HELD if got else Hold.TAKEN

    async def still_held(self) -> bool:
        """Whether this session is alive and holds the lock; if not, the connection is ended."""
        if self._connection is None or self._connection.is_closed():
            self._lost(ConnectionError("the lock connection was closed"))
            return False
        try:
            async with asyncio.timeout(self.timeout):
                held = bool(await self._connection.fetchval(HOLDS, self.high, self.low))
        except Exception as error:
            self._lost(error)
            return False
        if not held:
            self._lost(RuntimeError("the lock connection no longer holds the lock"))
        return held

    async def release(self) -> None:
        """Let the lock go by ending its session (closing the connection frees every lock it holds)."""
        connection, self._connection = self._connection, None
        if connection is None or connection.is_closed():
            return
        try:
            async with asyncio.timeout(self.timeout):
                await connection.close()
        except Exception:  # ended on our side anyway: the server frees the lock when it notices
            connection.terminate()

    def _lost(self, error: Exception) -> None:
        self.error = error
        self._drop()

    def _drop(self) -> None:
        """End the connection at once, without waiting for the server."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            connection.terminate()


async def _connect(arguments: dict[str, Any]) -> Any:
    """An asyncpg connection (imported here: a SQLite-only installation never loads the driver)."""
    import asyncpg  # type: ignore[import-untyped]

    return await asyncpg.connect(**arguments)


class PollingGuard:
    """Long polling runs only while this instance holds the lock: `tick` takes or checks it and
    starts or stops polling to match; `run` ticks every `lock.every` seconds until cancelled."""

    def __init__(
        self,
        lock: PollLock,
        start: Callable[[], Awaitable[None]],
        stop: Callable[[], Awaitable[None]],
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.lock, self.start, self.stop = lock, start, stop
        self.every, self.sleep = lock.every, sleep
        self.polling = False
        self._said: str | None = None
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> None:
        """One look: a holder that lost its session stops polling first; then, not polling, it
        tries to take the lock and, holding it, starts polling."""
        if self.polling:
            if await self.lock.still_held():
                return
            await self._stop()
            log.warning("polling: lost the polling lock (%s); stopped polling", _why(self.lock.error))
            self._said = None
        hold = await self.lock.acquire()
        if hold is Hold.HELD:
            await self._start()
        elif hold is Hold.TAKEN:
            self._say("standby", logging.INFO, "polling: another instance polls; standing by")
        else:
            why = _why(self.lock.error)
            line = f"polling: the database cannot be reached for the polling lock ({why}); not polling"
            self._say("unreachable", logging.WARNING, f"{line}, trying again every {self.every:g} s")

    async def run(self) -> None:
        """Tick every `every` seconds, for ever (a failed tick is logged, never the end of it)."""
        while True:
            await self.sleep(self.every)
            try:
                await self.tick()
            except Exception:
                log.exception("polling: the polling guard failed; trying again in %g s", self.every)

    def begin(self) -> None:
        """Run `run` in the background."""
        self._task = asyncio.create_task(self.run(), name="duban-polling-guard")

    async def close(self) -> None:
        """Stop ticking, stop polling, let the lock go."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await self._stop()
        finally:
            await self.lock.release()

    async def _start(self) -> None:
        try:
            await self.start()
        except Exception as error:  # Telegram unreachable just now: let another instance try too
            await self._stop()
            await self.lock.release()
            self._say("failed", logging.WARNING, f"polling: could not start polling ({_why(error)}); trying again")
            return
        self.polling = True
        self._say("polling", logging.INFO, "polling: this instance polls")

    async def _stop(self) -> None:
        self.polling = False
        await self.stop()

    def _say(self, state: str, level: int, line: str) -> None:
        """Log a line when the state changes, not on every tick."""
        if state != self._said:
            log.log(level, "%s", line)
            self._said = state


def _why(error: BaseException | None) -> str:
    return "unknown" if error is None else f"{type(error).__name__}: {error}"[:200]
