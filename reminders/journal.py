"""The sender's journal: delivery records written in batches, in order, as fast as they come.

Every message the sender hands to a chat service is recorded twice: a write-ahead mark
(`delivery.state = 'sending'`) committed *before* the request leaves, and the confirmation after
it. Committing each record in its own transaction falls behind when thirty answers arrive within
a tenth of a second; the journal instead commits whatever queued up while the previous commit ran,
in one transaction (group commit). Records are applied in the order they were queued, so a row's
settlement is never written before the confirmations that precede it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from models.database import Database

log = logging.getLogger(__name__)
Write = Callable[[AsyncSession], Awaitable[None]]


class Journal:
    """Queue database writes; one transaction per batch; callers may wait until theirs is durable."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._queue: list[tuple[Write, asyncio.Future[None]]] = []
        self._runner: asyncio.Task[None] | None = None
        self.commits = 0
        """How many transactions the journal committed (for tests and benchmarks)."""

    async def write(self, op: Write) -> None:
        """Queue `op` and wait until it is committed; raises what the transaction raised."""
        await self._enqueue(op)

    def post(self, op: Write) -> None:
        """Queue `op` without waiting (a confirmation: the write-ahead mark already covers it)."""
        future = self._enqueue(op)
        future.add_done_callback(_log_failure)

    def _enqueue(self, op: Write) -> asyncio.Future[None]:
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

    async def _commit(self, batch: list[tuple[Write, asyncio.Future[None]]]) -> None:
        async with self.db.session() as session:
            for op, _ in batch:
                await op(session)
        self.commits += 1
        for _, future in batch:
            if not future.done():
                future.set_result(None)

    async def _commit_alone(self, entry: tuple[Write, asyncio.Future[None]]) -> None:
        try:
            await self._commit([entry])
        except Exception as error:
            _fail(entry[1], error)


def _fail(future: asyncio.Future[None], error: Exception) -> None:
    if not future.done():
        future.set_exception(error)


def _log_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("a delivery record could not be written", exc_info=future.exception())
