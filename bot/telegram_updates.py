"""Telegram updates handled concurrently, each chat's in the order they arrived.

python-telegram-bot handles one update at a time by default, so a slow command (a database write, a
reply waiting for its chat's flood window) keeps everyone else waiting. Its `concurrent_updates`
runs them all at once instead, and then two messages of one person may be answered out of order
(`/report` then `/score` could show the score before the report). This processor does both: updates
of one chat run one after the other in arrival order, different chats run in parallel.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

ADMITTED = 256
"""Updates taken from the queue at once: running, or waiting for an earlier update of their chat."""
RUNNING = 16
"""Handlers running at once (each holds a database session for a moment, like the sender's 16)."""


def chat_key(update: object) -> int | None:
    """The conversation an update belongs to: its chat, else its user (a private chat's id is the user's)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class ChatOrderedUpdates(BaseUpdateProcessor):
    """Per-chat order, parallel chats, bounded totals (`ADMITTED` taken in, `RUNNING` running).

    python-telegram-bot starts one task per update in arrival order and lets at most
    `max_concurrent_updates` of them into `do_process_update`, first come first served, so each
    update finds the previous one of its chat already registered here. An update waiting for its
    chat's previous one does not count as running, so one chatty chat cannot occupy every handler.
    """

    def __init__(self, max_concurrent_updates: int = ADMITTED, *, running: int = RUNNING) -> None:
        super().__init__(max_concurrent_updates)
        self._running = asyncio.Semaphore(running)
        self._last: dict[int, asyncio.Event] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's previous update to finish, then for a free handler, then run."""
        key = chat_key(update)
        previous = self._last.get(key) if key is not None else None
        finished = asyncio.Event()
        if key is not None:
            self._last[key] = finished
        started = False
        try:
            if previous is not None:
                await previous.wait()
            async with self._running:
                started = True
                await coroutine
        finally:
            if not started:
                _discard(coroutine)
            finished.set()
            if key is not None and self._last.get(key) is finished:
                del self._last[key]

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close: python-telegram-bot awaits the running updates before this."""
        self._last.clear()


def _discard(coroutine: Awaitable[Any]) -> None:
    """Close a coroutine that will never run (cancelled while waiting), without a 'never awaited' warning."""
    if inspect.iscoroutine(coroutine):
        coroutine.close()
