"""Live updates for open pages: a plan's pages are told when something in the plan changed.

A change is a new audit row of the plan (every report, progress note, evidence file, review, plan
load writes one) other than the page's own sign-ins. Two ways in: a command answered by this
process notifies `Services.changes`, which wakes the watcher at once; changes made by another
process on the same database (another `duban run`, `duban plan load`) are seen by polling the audit
table's newest id every POLL_SECONDS, one indexed read for all plans, and only while a page is open.
So an open page hears of a report within POLL_SECONDS (and at once from this process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from sqlmodel import col, func, select

from handlers.context import Services
from models.tables import AuditEntry

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
"""How often the audit table is looked at while pages are open (changes from other processes)."""


class LivePlans:
    """Tells each open page's stream when its plan changed."""

    def __init__(self, services: Services, poll: float = POLL_SECONDS) -> None:
        self.services = services
        self.poll = poll
        self._listeners: dict[str, set[asyncio.Queue[None]]] = {}
        self._seen: dict[str, int] = {}
        self._newest = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        services.changes.subscribe(self._wake.set)

    @contextlib.asynccontextmanager
    async def listen(self, plan_id: str) -> AsyncIterator[asyncio.Queue[None]]:
        """A queue that gets an item whenever the plan changes, while the block runs."""
        queue: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        if plan_id not in self._seen:
            self._seen[plan_id] = await self._latest(plan_id, 0)
        self._listeners.setdefault(plan_id, set()).add(queue)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._watch())
        try:
            yield queue
        finally:
            self._listeners[plan_id].discard(queue)
            if not self._listeners[plan_id]:
                del self._listeners[plan_id]

    async def close(self) -> None:
        """Stop watching (the server is stopping)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        """Until no page is open: look for changes every `poll` seconds, or at once when woken."""
        while self._listeners:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll)
            self._wake.clear()
            try:
                await self._look()
            except Exception:  # the database away for a moment: the pages wait, the next look tries again
                log.warning("live page: could not look for changes", exc_info=True)

    async def _look(self) -> None:
        async with self.services.db.session() as session:
            newest = int((await session.exec(select(func.max(AuditEntry.id)))).one() or 0)
        if newest == self._newest:
            return
        since, self._newest = self._newest, newest
        for plan_id in list(self._listeners):
            latest = await self._latest(plan_id, min(since, self._seen.get(plan_id, 0)))
            if latest > self._seen.get(plan_id, 0):
                self._seen[plan_id] = latest
                for queue in list(self._listeners.get(plan_id, ())):
                    with contextlib.suppress(asyncio.QueueFull):  # one pending change is enough
                        queue.put_nowait(None)

    async def _latest(self, plan_id: str, after: int) -> int:
        """The plan's newest audit row after `after` that is not a page sign-in (0 if none)."""
        statement = select(func.max(AuditEntry.id)).where(
            AuditEntry.plan_id == plan_id, col(AuditEntry.id) > after, col(AuditEntry.action).not_like("web.%")
        )
        async with self.services.db.session() as session:
            return int((await session.exec(statement)).one() or after)
