"""Sending within Telegram's flood limits, for every request the bot makes (replies and reminders).

Telegram allows about 30 messages a second overall, 20 a minute to one group and about one a
second to one private chat, and answers 429 with `retry_after` beyond that. python-telegram-bot's
`AIORateLimiter` has no per-chat limit and lets a full second's worth through at once, so we keep
sliding windows ourselves: a request first waits for its chat's window, then for the overall one.

Three rules on top of the windows:
- A 429 stops *every* request of the bot until `retry_after` has passed. The pause is a deadline
  (the latest one wins) checked right before each request leaves, also by requests that were
  already waiting for a slot when the 429 came.
- Replies come first. Reminders and digests are sent with `rate_limit_args=BULK`; bulk requests
  may use only `bulk` (25) of the overall 30 a second, and interactive requests (everything else)
  pass bulk ones waiting in any window. A chat's own reminder and reply still share its window.
- A stalled request holds the overall window for a bounded time only (see `Window`), so one slow
  call never holds up the other chats.

Several instances sending for one bot (`DUBAN_INSTANCES` = N) divide the budgets that span many
messages: each keeps to 1/N of the overall and bulk limits and of each group's 20 a minute
(rounded down, at least 1), so together they stay within Telegram's. A private chat keeps its one
message a second in every instance: a reply comes from the instance that took the update, and only
when N instances send to one person within the same second can that person's chat see up to N;
Telegram then answers 429, which is waited out and retried like any other.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from enum import Enum
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
MARGIN = 1.02
"""Windows are 2 % longer than Telegram's, for timer jitter at either end."""
PAUSE_MARGIN = 0.1
"""Seconds added to every `retry_after`, so the first request after a pause is surely outside it."""
OVERALL = (30, 1.0)
"""Telegram's overall limit: about 30 messages a second."""
BULK_SHARE = 25
"""Of those, what reminders may use: the other 5 a second are always free for replies."""
SWEEP_AT = 1024
"""Idle chat windows are forgotten once there are this many (a burst to 3,000 chats makes 3,000)."""

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Lane(Enum):
    """What kind of traffic a request is; python-telegram-bot passes it as `rate_limit_args`."""

    INTERACTIVE = "interactive"
    BULK = "bulk"


BULK = Lane.BULK
"""`bot.send_message(..., rate_limit_args=BULK)`: reminder or digest traffic, which yields to replies."""


@dataclass(eq=False)
class Slot:
    """One request's place in a window: taken, then sent, then finished (answered or failed)."""

    bulk: bool
    sent_at: float | None = None
    finished_at: float | None = None

    def released(self, hold: float | None) -> float:
        """When the request counts as done: its answer, or `hold` after it was sent if that is sooner."""
        bound = self.sent_at + hold if self.sent_at is not None and hold is not None else math.inf
        return min(bound, math.inf if self.finished_at is None else self.finished_at)


@dataclass(eq=False)
class _Waiter:
    bulk: bool
    wake: asyncio.Future[None] | None = None


class Window:
    """At most `limit` requests in any `period` seconds, counted from when each one was *done*.

    Done means answered: counting from the answer makes the limit hold at Telegram's end whatever
    the network latency (answers that arrive together were counted by Telegram earlier, apart).
    With `hold`, a request that is still unanswered `hold` seconds after it was sent counts as done
    at that moment: Telegram counted the message when it arrived, and a request on a healthy
    connection has long arrived when a whole window period has passed, so the overall window uses
    `hold` = one period. A stalled call (until the client's 5 s read timeout, or longer) then costs
    the other chats one slot for at most two periods instead of stopping them until it ends. Chat
    windows wait for the answer (`hold=None`): a stalled chat waits, the others don't.

    Waiting requests are served interactive first, then bulk, each in arrival order; bulk requests
    may hold at most `bulk_limit` of the window's places.
    """

    def __init__(
        self,
        limit: int,
        period: float,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        hold: float | None = None,
        bulk_limit: int | None = None,
        full_at: float | None = None,
    ) -> None:
        self.limit, self.period, self.hold = limit, period * MARGIN, hold
        self.bulk_limit = limit if bulk_limit is None else min(bulk_limit, limit)
        self.clock, self.sleep = clock, sleep
        self.slots: list[Slot] = []
        self.interactive: deque[_Waiter] = deque()
        self.bulk: deque[_Waiter] = deque()
        if full_at is not None:
            # Just started: Telegram may still count what the previous run sent a moment ago.
            self.slots = [Slot(bulk=False, sent_at=full_at, finished_at=full_at) for _ in range(limit)]

    async def acquire(self, lane: Lane) -> Slot:
        """Wait for a place; the caller marks it `sending`, then `done` (always, also on failure)."""
        waiter = _Waiter(bulk=lane is Lane.BULK)
        queue = self.bulk if waiter.bulk else self.interactive
        queue.append(waiter)
        try:
            while True:
                now = self.clock()
                free_at = self._free_at(waiter, now)
                if free_at <= now:
                    slot = Slot(bulk=waiter.bulk)
                    self.slots.append(slot)
                    return slot
                waiter.wake = asyncio.get_running_loop().create_future()
                await self._nap(waiter.wake, free_at - now)
        finally:
            queue.remove(waiter)
            self._poke()

    def sending(self, slot: Slot, now: float) -> None:
        """The request leaves now (the `hold` bound runs from here, not from when it queued)."""
        slot.sent_at = now

    def done(self, slot: Slot) -> None:
        """The request finished; a slot that was never sent is given back as if never taken."""
        if slot.sent_at is None:
            if slot in self.slots:
                self.slots.remove(slot)
        else:
            slot.finished_at = self.clock()
        self._poke()

    def idle(self) -> bool:
        """Nothing waiting and nothing counted any more: the window can be forgotten."""
        self._prune(self.clock())
        return not self.slots and not self.interactive and not self.bulk

    def _head(self) -> _Waiter | None:
        return self.interactive[0] if self.interactive else self.bulk[0] if self.bulk else None

    def _free_at(self, waiter: _Waiter, now: float) -> float:
        """When `waiter` may take a place, as far as is known now (infinity: until something ends)."""
        if waiter is not self._head():
            return math.inf
        self._prune(now)
        free_at = _fits([self._expiry(s) for s in self.slots], self.limit)
        if waiter.bulk:
            free_at = max(free_at, _fits([self._expiry(s) for s in self.slots if s.bulk], self.bulk_limit))
        return free_at

    def _expiry(self, slot: Slot) -> float:
        return slot.released(self.hold) + self.period

    def _prune(self, now: float) -> None:
        self.slots = [s for s in self.slots if self._expiry(s) > now]

    def _poke(self) -> None:
        """Something changed (a place freed, a waiter left): the heads of both queues look again."""
        for queue in (self.interactive, self.bulk):
            if queue and queue[0].wake is not None and not queue[0].wake.done():
                queue[0].wake.set_result(None)

    async def _nap(self, wake: asyncio.Future[None], delay: float) -> None:
        if math.isinf(delay):
            await asyncio.wait({wake})
            return
        timer = asyncio.ensure_future(self.sleep(delay))
        try:
            await asyncio.wait({wake, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()


def _fits(expiries: list[float], limit: int) -> float:
    """The earliest time fewer than `limit` of these expiry times lie ahead (-inf: at once)."""
    if len(expiries) < limit:
        return -math.inf
    return sorted(expiries)[len(expiries) - limit]


class FloodLimiter(BaseRateLimiter[Lane]):
    """Per-chat and overall sliding windows, a share kept free for replies, and 429s waited out.

    `instances` is how many instances send for the bot: the overall, bulk and group limits are
    this instance's share of them (`share`).
    """

    def __init__(
        self,
        *,
        overall: tuple[int, float] = OVERALL,
        bulk: int = BULK_SHARE,
        group: tuple[int, float] = (20, 60.0),
        private: tuple[int, float] = (1, 1.0),
        instances: int = 1,
        max_retries: int = 3,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.clock, self.sleep = clock, sleep
        self.started = clock()
        limit, period = overall
        self.overall = Window(
            share(limit, instances),
            period,
            clock=clock,
            sleep=sleep,
            hold=period * MARGIN,
            bulk_limit=share(bulk, instances),
            full_at=self.started,
        )
        self.group, self.private = (share(group[0], instances), group[1]), private
        self.chats: dict[int | str, Window] = {}
        self.max_retries = max_retries
        self.paused_until = -math.inf
        self.retries_after_429 = 0
        self._sweep_at = SWEEP_AT

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close; windows are forgotten."""
        self.chats.clear()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Lane | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for the windows and any pause, send; on 429 pause everything and try again (bounded)."""
        lane = rate_limit_args or Lane.INTERACTIVE
        chat_id = _chat(data.get("chat_id"))
        for attempt in range(self.max_retries + 1):
            try:
                return await self._send(callback, args, kwargs, chat_id, lane)
            except RetryAfter as error:
                if attempt == self.max_retries:
                    raise
                self._pause(_seconds(error.retry_after), endpoint)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        chat_id: int | str | None,
        lane: Lane,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """One attempt: places in the windows, the pause waited out, then the request itself."""
        held = await self._turn(chat_id, lane)
        try:
            while (left := self.paused_until - self.clock()) > 0:
                await self.sleep(left)
            now = self.clock()  # nothing is awaited from this check until the request leaves
            for window, slot in held:
                window.sending(slot, now)
            return await callback(*args, **kwargs)
        finally:
            for window, slot in held:
                window.done(slot)

    async def _turn(self, chat_id: int | str | None, lane: Lane) -> list[tuple[Window, Slot]]:
        """The chat's place, then the overall one; a place taken is always given back, even on cancel."""
        held: list[tuple[Window, Slot]] = []
        try:
            if chat_id is not None:
                window = self._window(chat_id)
                held.append((window, await window.acquire(lane)))
            held.append((self.overall, await self.overall.acquire(lane)))
        except BaseException:
            for window, slot in held:
                window.done(slot)
            raise
        return held

    def _pause(self, seconds: float, endpoint: str) -> None:
        """Nobody sends before `retry_after` (plus a margin) has passed; the longest pause wins."""
        self.retries_after_429 += 1
        until = self.clock() + seconds + PAUSE_MARGIN
        self.paused_until = max(self.paused_until, until)
        left = self.paused_until - self.clock()
        log.warning("Telegram asked to wait %.1f s (%s); all sending paused for %.1f s", seconds, endpoint, left)

    def _window(self, chat_id: int | str) -> Window:
        window = self.chats.get(chat_id)
        if window is None:
            self._forget_idle()
            is_group = isinstance(chat_id, str) or chat_id < 0
            limit, period = self.group if is_group else self.private
            recent = not is_group and self.clock() - self.started < period
            full_at = self.started if recent else None
            window = Window(limit, period, clock=self.clock, sleep=self.sleep, full_at=full_at)
            self.chats[chat_id] = window
        return window

    def _forget_idle(self) -> None:
        """Drop the windows of chats with nothing counted or waiting, once there are many."""
        if len(self.chats) < self._sweep_at:
            return
        self.chats = {chat: window for chat, window in self.chats.items() if not window.idle()}
        self._sweep_at = max(SWEEP_AT, 2 * len(self.chats))


def share(limit: int, instances: int) -> int:
    """One instance's part of a limit shared by `instances`: rounded down, so the parts never add up
    to more than the whole, and at least one message."""
    return max(1, limit // max(1, instances))


def _seconds(retry_after: int | float | dt.timedelta) -> float:
    """RetryAfter.retry_after is an int in PTB 22 and a timedelta with PTB_TIMEDELTA (and in PTB 23)."""
    return retry_after.total_seconds() if isinstance(retry_after, dt.timedelta) else float(retry_after)


def _chat(value: object) -> int | str | None:
    """Chat ids arrive as ints or strings ('@channel' or '-100…')."""
    if value is None:
        return None
    try:
        return int(str(value))
    except ValueError:
        return str(value)
