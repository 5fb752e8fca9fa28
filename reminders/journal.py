"""The sender's journal: delivery records written in batches, in order, as fast as they come.

Every message the sender hands to a chat service is recorded twice: a write-ahead mark
(`delivery.state = 'sending'`) committed *before* the request leaves, and the confirmation after
it. Committing each record in its own transaction falls behind when thirty answers arrive within
a tenth of a second; the journal instead commits whatever queued up while the previous commit ran,
in one transaction (group commit).

Most records are `Batched`: a kind and the parameters of one or many records. A commit runs all
records of one kind as one statement executed for many parameter sets, kinds in the order their
executors were registered (the order of a delivery's life: marks, progress and confirmations, then
settlements), so a record is never applied before the ones that precede it in that life; a plain
`Write` (a function of the session) runs in queue order, after the batched records queued before it.
A commit of batched records alone runs on a plain connection, without an ORM session: the sender's
hot path costs one short transaction per group of messages.

A commit that fails because the database is away for a moment (a restart, a lock held too long)
loses nothing that was posted: posted records go back to the head of the queue, in their order, and
are committed again with the next write, or RETRY_FIRST later (doubling up to RETRY_MOST) while the
database stays away; a caller waiting on a write learns the error. Only a record the database
rejects as such (a constraint, a bad value) is dropped, alone, and logged: it would fail forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, NotSupportedError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from models.database import Database

log = logging.getLogger(__name__)
Write = Callable[[AsyncSession], Awaitable[None]]
Executor = Callable[[AsyncConnection, list[dict[str, Any]]], Awaitable[None]]


@dataclass(frozen=True)
class Batched:
    """Records the journal writes together with others of their kind: one statement, many rows."""

    kind: str
    rows: list[dict[str, Any]]
    mine: bool = False
    """A copy the journal made of a posted record, to which it adds the next ones of the kind."""


RETRY_FIRST = 0.5
"""Seconds before posted records whose commit failed for a passing reason are tried again."""
RETRY_MOST = 10.0
"""The longest wait between such tries (the wait doubles from RETRY_FIRST)."""
POST_DELAY = 0.02
"""Seconds a posted record may wait for a write to ride with: the sender's marks follow its
confirmations closely, and one commit for both halves the commits of a burst."""
Op = Write | Batched
Entry = tuple[Op, asyncio.Future[None] | None]
"""An op and, when its caller waits for it, the future told once it is committed."""


class Journal:
    """Queue database writes; one transaction per batch; callers may wait until theirs is durable."""

    def __init__(self, db: Database, executors: Mapping[str, Executor] | None = None) -> None:
        self.db = db
        self.executors = dict(executors or {})
        """How each kind of `Batched` record is written, in the order kinds are applied."""
        self._queue: list[Entry] = []
        self._runner: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._held: AsyncConnection | None = None
        self._lock = asyncio.Lock()
        """Held by a commit: the held connection is closed only between commits."""
        self.commits = 0
        """How many transactions the journal committed (for tests and benchmarks)."""
        self._retry = RETRY_FIRST
        """The wait before posted records are tried again, should the next commit fail too."""

    async def write(self, op: Op) -> None:
        """Queue `op` and wait until it is committed (with everything queued before it); raises what
        the transaction raised."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((op, future))
        self._start()
        await future

    async def drain(self) -> None:
        """Wait until everything queued so far is committed (a rejected record was logged); raises
        if the database is away, the records staying queued."""
        if self._queue or (self._runner is not None and not self._runner.done()):
            await self.write(_nothing)

    def post(self, op: Op) -> None:
        """Queue `op` without waiting (a confirmation: the write-ahead mark already covers it); it is
        committed with the next write, or POST_DELAY later at the latest. A failure is logged."""
        last = self._queue[-1][0] if self._queue else None
        if isinstance(op, Batched) and isinstance(last, Batched) and last.kind == op.kind and last.mine:
            last.rows.extend(op.rows)  # one record more of the kind just posted: no entry of its own
        else:
            self._queue.append((Batched(op.kind, list(op.rows), True) if isinstance(op, Batched) else op, None))
        if self._runner is None or self._runner.done():
            self._later()

    def _later(self, delay: float = POST_DELAY) -> None:
        """Commit what is queued `delay` from now, unless a write comes first."""
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(delay, self._flush)

    def _flush(self) -> None:
        """POST_DELAY has passed: commit the posts, whether or not a write came."""
        self._timer = None
        if self._queue and (self._runner is None or self._runner.done()):
            self._runner = asyncio.create_task(self._run(posts=True))

    @asynccontextmanager
    async def holding(self) -> AsyncIterator[None]:
        """While the block runs, commit batched records on one connection of their own instead of
        taking one from the pool each time: a burst makes hundreds of commits in a row. A commit that
        fails gives it up (the next ones use the pool)."""
        connection = await self.db.engine.connect()
        self._held = connection
        try:
            yield
        finally:
            async with self._lock:
                self._held = None
                await connection.close()

    def _start(self) -> None:
        """Commit what is queued now, unless a commit is running (it takes the queue next)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._queue and (self._runner is None or self._runner.done()):
            self._runner = asyncio.create_task(self._run())

    async def _run(self, *, posts: bool = False) -> None:
        while self._queue:
            if not posts and all(future is None for _, future in self._queue):
                self._later()  # only posts came in meanwhile: they wait for a write, or POST_DELAY
                return
            batch, self._queue = self._queue, []
            posts = False
            try:
                await self._commit(batch)
            except Exception as error:
                if passing(error):
                    self._keep(batch, error)
                    return
                if len(batch) == 1:
                    _fail(batch[0], error)
                    continue
                # One bad write must not sink the others: apply them one by one, each learning its fate.
                for at, entry in enumerate(batch):
                    away = await self._commit_alone(entry)
                    if away is not None:
                        self._keep(batch[at:], away)
                        return
            self._retry = RETRY_FIRST

    def _keep(self, batch: list[Entry], error: Exception) -> None:
        """The database is away: the batch's posted records go back to the head of the queue, in their
        order, to be tried again later; its waiting writers learn the error."""
        kept = [entry for entry in batch if entry[1] is None]
        log.warning("the database is away; %d delivery records wait to be written", len(kept), exc_info=error)
        for _, future in batch:
            if future is not None and not future.done():
                future.set_exception(error)
        self._queue[0:0] = kept
        if self._queue:
            self._later(self._retry)
            self._retry = min(self._retry * 2, RETRY_MOST)

    async def _commit(self, batch: list[Entry]) -> None:
        async with self._lock:
            if not all(isinstance(op, Batched) for op, _ in batch):
                async with self.db.session() as session:
                    await self._in_session(session, batch)
            elif self._held is None:
                async with self.db.engine.begin() as connection:
                    await self._apply(connection, _grouped(op for op, _ in batch))
            else:
                held = self._held
                try:
                    async with held.begin():
                        await self._apply(held, _grouped(op for op, _ in batch))
                except Exception:
                    self._held = None  # whatever became of it, the pool's connections are tested ones
                    raise
        self.commits += 1
        for _, future in batch:
            if future is not None and not future.done():
                future.set_result(None)

    async def _in_session(self, session: AsyncSession, batch: list[Entry]) -> None:
        """Batched records and plain writes in queue order, in one transaction."""
        connection = await session.connection()
        run: list[Batched] = []
        for op, _ in batch:
            if isinstance(op, Batched):
                run.append(op)
                continue
            await self._apply(connection, _grouped(run))
            run = []
            await op(session)
        await self._apply(connection, _grouped(run))

    async def _apply(self, connection: AsyncConnection, grouped: dict[str, list[dict[str, Any]]]) -> None:
        """The batched records gathered so far, kind by kind in the executors' order."""
        unknown = set(grouped) - set(self.executors)
        if unknown:
            raise KeyError(f"no executor for {sorted(unknown)}")
        for kind, execute in self.executors.items():
            if grouped.get(kind):
                await execute(connection, grouped[kind])

    async def _commit_alone(self, entry: Entry) -> Exception | None:
        """Commit one entry; what it met if the database went away meanwhile (the entry is not done).
        Posted records of a kind share an entry: if the database rejects it, each is tried on its own,
        so that only the bad one is dropped."""
        try:
            await self._commit([entry])
        except Exception as error:
            if passing(error):
                return error
            op, future = entry
            if future is None and isinstance(op, Batched) and len(op.rows) > 1:
                for at, row in enumerate(op.rows):
                    away = await self._commit_alone((Batched(op.kind, [row]), None))
                    if away is not None:
                        del op.rows[:at]  # the journal's own copy (see `post`): the rest is kept
                        return away
                return None
            _fail(entry, error)
        return None


def passing(error: BaseException) -> bool:
    """Whether `error` says the database is away for a moment (the connection lost or refused, a lock
    held too long), not that it rejects what was written: then the same write may succeed later."""
    if isinstance(error, OSError | TimeoutError):
        return True
    if isinstance(error, DBAPIError):
        return not isinstance(error, IntegrityError | DataError | ProgrammingError | NotSupportedError)
    return False


def _grouped(ops: Any) -> dict[str, list[dict[str, Any]]]:
    """Batched records by kind, each kind's records in queue order."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for op in ops:
        grouped.setdefault(op.kind, []).extend(op.rows)
    return grouped


async def _nothing(session: AsyncSession) -> None:
    """A write that writes nothing: its commit tells that everything before it is committed."""


def _fail(entry: Entry, error: Exception) -> None:
    op, future = entry
    if future is None:
        what = op.kind if isinstance(op, Batched) else getattr(op, "__qualname__", "write")
        log.error("a delivery record (%s) could not be written", what, exc_info=error)
    elif not future.done():
        future.set_exception(error)
