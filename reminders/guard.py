"""Guarded steps: whatever one step of a reminder pass raises, the pass goes on and the loop lives.

A reminder engine that stops on one unexpected exception stops every reminder. Each step of a pass
(a plan's sync, a plan's digest, the send, the re-arming) runs through `Guard.attempt`: an exception
is handed to the one error callback (the bot's error handler when Telegram runs, else the log), and
the step counts as failed. The same failure is reported once, not on every pass nor by every step it
breaks, until those steps succeed again: a database down for an hour is one report, not 360.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)
ErrorHandler = Callable[[Exception], Awaitable[None]]
T = TypeVar("T")


async def log_error(error: Exception) -> None:
    """The error callback when no bot runs: the log, with the traceback."""
    log.error("reminder engine: %s", error, exc_info=error)


class Guard:
    """Runs steps, reports their failures once each, and remembers whether any step failed."""

    def __init__(self, on_error: ErrorHandler = log_error) -> None:
        self.on_error = on_error
        self.failed = False
        """Whether a step failed since the caller last reset this (one pass)."""
        self._failing: dict[str, str] = {}
        """Per step, the failure last reported."""
        self._tasks: set[asyncio.Task[None]] = set()

    async def attempt(self, step: str, run: Callable[[], Awaitable[T]]) -> T | None:
        """Run one step; its result, or None when it raised (reported)."""
        try:
            result = await run()
        except Exception as error:
            await self.report(step, error)
            return None
        self._failing.pop(step, None)
        return result

    async def report(self, step: str, error: Exception) -> None:
        """Hand a failure to the error callback, unless a step that has not succeeded since reported
        the same failure (one cause, such as a missing table, fails several steps of every pass)."""
        self.failed = True
        signature = _signature(error)
        known = signature in self._failing.values()
        self._failing[step] = signature
        if known:
            log.debug("%s failing too: %s", step, signature)
            return
        error.add_note(f"(reminder engine, step: {step})")
        try:
            await self.on_error(error)
        except Exception:  # the error handler itself failed: the log is the last resort
            log.exception("the error handler failed on %s; the failure was: %s", step, signature)

    def report_soon(self, step: str, error: Exception) -> None:
        """`report` from a plain callback (APScheduler's event listener) on the running loop."""
        task = asyncio.get_running_loop().create_task(self.report(step, error))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _signature(error: Exception) -> str:
    """What makes two failures the same: the type and the first line of the message (a database
    error's next lines quote the statement, which differs from step to step)."""
    lines = str(error).splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"
