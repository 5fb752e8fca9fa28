"""Sending within Telegram's flood limits, for every request the bot makes (replies and reminders).

Telegram allows about 30 messages a second overall, 20 a minute to one group and about one a
second to one private chat, and answers 429 with `retry_after` beyond that. python-telegram-bot's
`AIORateLimiter` has no per-chat limit and lets a full second's worth through at once, so we keep
sliding windows ourselves: a request first waits for its chat's window, then for the overall one.
Each chat has its own window, so one slow chat never holds up the others; a window counts requests
from the moment they were answered, so the limit holds at Telegram's end whatever the latency.
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
MARGIN = 1.02


class Window:
    """At most `limit` requests in any `period` seconds, counted from when each one *finished*.

    Counting from the finish makes the limit hold at Telegram's end whatever the network latency:
    a request starts only once the one `limit` places before it has been answered and `period`
    has passed since. Requests queue in order.
    """

    def __init__(
        self, limit: int, period: float, clock: Callable[[], float] = time.monotonic, *, full_at: float | None = None
    ) -> None:
        self.limit, self.period, self.clock = limit, period * MARGIN, clock
        self.finished: deque[asyncio.Future[float]] = deque(maxlen=limit)
        self.lock = asyncio.Lock()
        if full_at is not None:
            # Just started: Telegram may still count what the previous run sent a moment ago.
            for _ in range(limit):
                slot: asyncio.Future[float] = asyncio.Future()
                slot.set_result(full_at)
                self.finished.append(slot)

    async def acquire(self) -> asyncio.Future[float]:
        """Wait for a free slot; the caller resolves the returned future with the finish time."""
        async with self.lock:
            if len(self.finished) == self.limit:
                oldest = await self.finished[0]
                delay = oldest + self.period - self.clock()
                if delay > 0:
                    await asyncio.sleep(delay)
            slot: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            self.finished.append(slot)
            return slot


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
        self.started = time.monotonic()
        self.overall = Window(*overall, full_at=self.started)
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
            limit, period = self.group if is_group else self.private
            recent = not is_group and time.monotonic() - self.started < period
            self.chats[chat_id] = Window(limit, period, full_at=self.started if recent else None)
        return self.chats[chat_id]

    async def _turn(self, chat_id: int | str | None) -> list[asyncio.Future[float]]:
        """The chat's slot, then the overall one; a slot taken is always given back, even on cancel."""
        await self.resume.wait()
        slots: list[asyncio.Future[float]] = []
        try:
            if chat_id is not None:
                slots.append(await self._window(chat_id).acquire())
            slots.append(await self.overall.acquire())
        except BaseException:
            _finish(slots, self.overall.clock())
            raise
        return slots

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
            slots = await self._turn(chat_id)
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
            finally:
                _finish(slots, self.overall.clock())
        raise AssertionError("unreachable")  # pragma: no cover


def _finish(slots: list[asyncio.Future[float]], when: float) -> None:
    for slot in slots:
        if not slot.done():
            slot.set_result(when)


def _chat(value: object) -> int | str | None:
    """Chat ids arrive as ints or strings ('@channel' or '-100…')."""
    if value is None:
        return None
    try:
        return int(str(value))
    except ValueError:
        return str(value)
