"""The sender's journal: delivery records written in batches, in order, as fast as they come.

Every message the sender hands to a chat service is recorded twice: a write-ahead mark
(`delivery.state = 'sending'`) committed *before* the request leaves, and the confirmation after
it. Committing each record in its own transaction falls behind when thirty answers arrive within
a tenth of a second; the journal instead commits whatever queued up while the previous commit ran,
in one transaction (group commit).

Most records are `Batched`: a kind and its parameters. A commit runs all records of one kind as one
statement executed for many parameter sets, kinds in the order their executors were registered (the
order of a delivery's life: mark, progress, confirmation, settlement), so a record is never applied
before the ones that precede it in that life; a plain `Write` (a function of the session) runs in
queue order, after the batched records queued before it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from models.database import Database

log = logging.getLogger(__name__)
Write = Callable[[AsyncSession], Awaitable[None]]
Executor = Callable[[AsyncSession, list[dict[str, Any]]], Awaitable[None]]


@dataclass(frozen=True)
class Batched:
    """A record the journal writes together with others of its kind: one statement, many rows."""

    kind: str
    params: dict[str, Any]


Op = Write | Batched


class Journal:
    """Queue database writes; one transaction per batch; callers may wait until theirs is durable."""

    def __init__(self, db: Database, executors: Mapping[str, Executor] | None = None) -> None:
        self.db = db
        self.executors = dict(executors or {})
        """How each kind of `Batched` record is written, in the order kinds are applied."""
        self._queue: list[tuple[Op, asyncio.Future[None]]] = []
        self._runner: asyncio.Task[None] | None = None
        self.commits = 0
        """How many transactions the journal committed (for tests and benchmarks)."""

    async def write(self, op: Op) -> None:
        """Queue `op` and wait until it is committed; raises what the transaction raised."""
        await self._enqueue(op)

    async def drain(self) -> None:
        """Wait until everything queued so far is committed (what failed was logged by `post`)."""
        await self.write(_nothing)

    def post(self, op: Op) -> None:
        """Queue `op` without waiting (a confirmation: the write-ahead mark already covers it)."""
        future = self._enqueue(op)
        future.add_done_callback(_log_failure)

    def _enqueue(self, op: Op) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((op, future))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run())
        return future

    async def _run(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                await self._commit(batch)
            except Exception as error:
                if len(batch) == 1:
                    _fail(batch[0][1], error)
                    continue
                # One bad write must not sink the others: apply them one by one, each learning its fate.
                for entry in batch:
                    await self._commit_alone(entry)

    async def _commit(self, batch: list[tuple[Op, asyncio.Future[None]]]) -> None:
        async with self.db.session() as session:
            grouped: dict[str, list[dict[str, Any]]] = {}
            for op, _ in batch:
                if isinstance(op, Batched):
                    grouped.setdefault(op.kind, []).append(op.params)
                    continue
                await self._apply(session, grouped)
                grouped = {}
                await op(session)
            await self._apply(session, grouped)
        self.commits += 1
        for _, future in batch:
            if not future.done():
                future.set_result(None)

    async def _apply(self, session: AsyncSession, grouped: dict[str, list[dict[str, Any]]]) -> None:
        """The batched records gathered so far, kind by kind in the executors' order."""
        for kind, execute in self.executors.items():
            if grouped.get(kind):
                await execute(session, grouped[kind])
        unknown = set(grouped) - set(self.executors)
        if unknown:
            raise KeyError(f"no executor for {sorted(unknown)}")

    async def _commit_alone(self, entry: tuple[Op, asyncio.Future[None]]) -> None:
        try:
            await self._commit([entry])
        except Exception as error:
            _fail(entry[1], error)


async def _nothing(session: AsyncSession) -> None:
    """A write that writes nothing: its commit tells that everything before it is committed."""


def _fail(future: asyncio.Future[None], error: Exception) -> None:
    if not future.done():
        future.set_exception(error)


def _log_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("a delivery record could not be written", exc_info=future.exception())
