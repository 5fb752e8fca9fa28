"""Stopping a command: Ctrl-C and SIGTERM cancel it, and its clean-ups still run to their end."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Coroutine
from typing import Any


class Stop:
    """Ctrl-C (SIGINT) and SIGTERM cancel the command's task: its `finally` blocks run (sends in flight
    finish, the database closes) and the command exits with 130, or 0 for SIGTERM (a service stop)."""

    def __init__(self) -> None:
        self.signal: int | None = None

    def install(self) -> None:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._stop, sig, task)
            except (NotImplementedError, RuntimeError):  # not on this platform: asyncio.run's Ctrl-C remains
                return

    def _stop(self, sig: int, task: asyncio.Task[Any] | None) -> None:
        if self.signal is not None or task is None:
            return
        self.signal = sig
        task.cancel()
        # Should stopping hang, a second Ctrl-C interrupts at once (KeyboardInterrupt, status 130).
        asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)


async def to_the_end(cleanup: Coroutine[Any, Any, None]) -> None:
    """Run a clean-up to its end even if Ctrl-C arrives meanwhile (the stop is then re-raised).

    A connection closed halfway would be logged by SQLAlchemy with a traceback.
    """
    running = asyncio.ensure_future(cleanup)
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        await running
        raise
