"""A 3,000-message burst to distinct chats through the real Telegram transport.

Duban's `Sender` hands 3,000 due reminders (one per private chat) to `TelegramTransport`, which
sends them with python-telegram-bot over HTTP to the local Bot API server of the tests
(`tests.fake_telegram.FakeTelegram`) with Telegram's limits enforced: more than 30 messages in any
second, or a second message to a private chat within 0.9 s, is answered 429. The figure of merit is
the delivered rate as a fraction of 30 per second, and the count of 429 answers (goal: ≥ 0.9, 0).

Run from the repository root: `.venv/bin/python -m bench.telegram_bench [--messages N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from bot.telegram_app import start_telegram, stop_telegram
from bot.telegram_transport import TelegramTransport
from config.settings import Settings
from handlers.context import Services
from models.database import open_database
from reminders.sender import Sender
from tests.conftest import SHANGHAI, FakeClock, load_shipped, prepare_burst
from tests.fake_telegram import FakeTelegram

TELEGRAM_RATE = 30.0


async def run(messages: int, folder: Path) -> dict[str, float | int | str]:
    """One burst, on a database in `folder`; returns the figures."""
    clock = FakeClock(dt.datetime(2022, 6, 30, 10, 0, tzinfo=SHANGHAI))
    db = await open_database(f"sqlite:///{folder}/bench.db")
    services = Services(db=db, clock=clock)
    try:
        await load_shipped(db, "dingtao-2022", clock)
        async with FakeTelegram(enforce_limits=True) as fake:
            await prepare_burst(services, fake, messages, clock)
            settings = Settings(
                _env_file=None,
                telegram_token=fake.token,
                telegram_base_url=f"http://127.0.0.1:{fake.port}",
                telegram_poll_timeout=1,
            )
            app, bridge = await start_telegram(settings, services)
            try:
                await asyncio.sleep(1.1)  # the limiter starts warm for a second; measure the steady burst
                started = time.monotonic()
                stats = await Sender(db, clock, [TelegramTransport(bridge)]).send_due()
                elapsed = time.monotonic() - started
            finally:
                await stop_telegram(app)
            answered = [c for c in fake.calls_of("sendMessage") if c.status == 200]
            return {
                "messages": messages,
                "delivered": stats.deliveries,
                "confirmed_by_server": len(answered),
                "seconds": round(elapsed, 2),
                "rate_per_s": round(stats.deliveries / elapsed, 2),
                "fraction_of_30_per_s": round(stats.deliveries / elapsed / TELEGRAM_RATE, 3),
                "answers_429": fake.too_many,
                "python": platform.python_version(),
                "cpus": os.cpu_count() or 0,
            }
    finally:
        await db.close()


def main(argv: list[str] | None = None) -> int:
    """Print the figures as a table and one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=3000)
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    with tempfile.TemporaryDirectory(prefix="duban-tg-bench-") as folder:
        figures = asyncio.run(run(args.messages, Path(folder)))
    print(f"Telegram burst: {figures['messages']} messages to distinct private chats, limits enforced")
    print(
        f"  delivered {figures['delivered']} in {figures['seconds']} s = {figures['rate_per_s']}/s "
        f"= {figures['fraction_of_30_per_s']} of Telegram's 30/s; 429 answers: {figures['answers_429']}"
    )
    print(json.dumps(figures))
    ok = figures["fraction_of_30_per_s"] >= 0.9 and figures["answers_429"] == 0  # type: ignore[operator]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
