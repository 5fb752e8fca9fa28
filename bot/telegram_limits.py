"""Sending within Telegram's flood limits, for every request the bot makes (replies and reminders).

Telegram allows about 30 messages a second overall, 20 a minute to one group and about one a
second to one private chat, and answers 429 with `retry_after` beyond that. python-telegram-bot's
`AIORateLimiter` has no per-chat limit and lets a full second's worth through at once, so we keep
sliding windows ourselves: a request first waits for its chat's window, then for the overall one.
Each window hands out slots in order under a lock and the waiting happens outside it, so one slow
chat never holds up the others. Windows are a little longer than Telegram's (5 %) to absorb network
jitter between our send time and Telegram's receive time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
MARGIN = 1.05


class Window:
    """At most `limit` slots in any `period` seconds, handed out in order."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.period, self.clock = limit, period * MARGIN, clock
        self.slots: deque[float] = deque(maxlen=limit)
        self.lock = asyncio.Lock()

    async def reserve(self) -> float:
        """Take the next free slot; returns how long to wait for it."""
        async with self.lock:
            now = self.clock()
            slot = now
            if len(self.slots) == self.limit:
                slot = max(now, self.slots[0] + self.period)
            self.slots.append(slot)
            return slot - now


class FloodLimiter(BaseRateLimiter[int]):
    """Per-chat and overall sliding windows, and waiting out 429s (the whole bot pauses)."""

    def __init__(
        self,
        *,
        overall: tuple[int, float] = (30, 1.0),
        group: tuple[int, float] = (20, 60.0),
        private: tuple[int, float] = (1, 1.0),
        max_retries: int = 3,
    ) -> None:
        self.overall = Window(*overall)
        self.group, self.private = group, private
        self.chats: dict[int | str, Window] = {}
        self.max_retries = max_retries
        self.resume = asyncio.Event()
        self.resume.set()
        self.retries_after_429 = 0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close; windows are forgotten."""
        self.chats.clear()

    def _window(self, chat_id: int | str) -> Window:
        if chat_id not in self.chats:
            is_group = isinstance(chat_id, str) or chat_id < 0
            self.chats[chat_id] = Window(*(self.group if is_group else self.private))
        return self.chats[chat_id]

    async def _wait_turn(self, chat_id: int | str | None) -> None:
        await self.resume.wait()
        if chat_id is not None:
            await asyncio.sleep(await self._window(chat_id).reserve())
        await asyncio.sleep(await self.overall.reserve())

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for a free slot, send, and on 429 pause everything for `retry_after` and try again."""
        chat_id = _chat(data.get("chat_id"))
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            await self._wait_turn(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == retries:
                    raise
                self.retries_after_429 += 1
                pause = (
                    error.retry_after
                    if isinstance(error.retry_after, int | float)
                    else error.retry_after.total_seconds()
                )
                log.warning("Telegram asked to wait %.1f s (%s); pausing all sends", pause, endpoint)
                self.resume.clear()
                try:
                    await asyncio.sleep(float(pause) + 0.1)
                finally:
                    self.resume.set()
        raise AssertionError("unreachable")  # pragma: no cover


def _chat(value: object) -> int | str | None:
    """Chat ids arrive as ints or strings ('@channel' or '-100…')."""
    if value is None:
        return None
    try:
        return int(str(value))
    except ValueError:
        return str(value)
