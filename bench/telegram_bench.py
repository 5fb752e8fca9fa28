"""A 3,000-message burst to distinct chats through the real Telegram transport, and replies meanwhile.

Duban's `Sender` hands 3,000 due reminders (one per private chat) to `TelegramTransport`, which
sends them with python-telegram-bot over HTTP to the local Bot API server of the tests
(`tests.fake_telegram.FakeTelegram`) with Telegram's limits enforced: more than 30 messages in any
second, or a second message to a private chat within 0.9 s, is answered 429. Reminders are bulk
traffic and may use 25 of the 30 a second (`bot.telegram_limits.BULK_SHARE`); the rest is kept for
replies. While the burst goes out, liaisons of 区民政局 (themselves recipients of the burst) send
`/report 4 2022-05 0` one after another through the bot's long polling; each reply's latency runs
from the update being queued at the fake server to the answer's sendMessage arriving there.

Figures of merit: the delivered rate as a fraction of the bulk budget (goal ≥ 0.9), the count of
429 answers (goal 0), and the slowest reply during the burst (goal ≤ 2 s).

Run from the repository root: `.venv/bin/python -m bench.telegram_bench [--messages N] [--replies N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import col, select

from bot.telegram_app import start_telegram, stop_telegram
from bot.telegram_limits import BULK_SHARE
from bot.telegram_transport import TelegramTransport
from config.settings import Settings
from handlers.context import Services
from models.database import Database, open_database
from models.people import find_unit
from models.tables import Member
from reminders.sender import Sender, SendStats
from tests.conftest import SHANGHAI, FakeClock, load_shipped, prepare_burst
from tests.fake_telegram import Call, FakeTelegram

TELEGRAM_RATE = 30.0
REPLY_GOAL = 2.0
"""Seconds within which a reply to a user's command must arrive during the burst."""
REPORT = "/report 4 2022-05 0"
"""What the liaisons send: a real report (indicator 4 belongs to 区民政局), read and written in the database."""


async def liaisons(db: Database, unit: str) -> list[int]:
    """The Telegram user ids of the burst's liaisons bound to `unit` (private chats: chat id = user id)."""
    async with db.session() as session:
        found = await find_unit(session, "dingtao-2022", unit)
        assert found is not None, unit
        rows = await session.exec(
            select(Member.user_id)
            .where(Member.unit_id == found.id, Member.transport == "telegram")
            .order_by(col(Member.id))
        )
        return [int(user_id) for user_id in rows.all()]


async def reply_latency(fake: FakeTelegram, user_id: int) -> float:
    """Seconds from a liaison's /report entering the update queue to Duban's answer reaching the server."""
    user, chat = fake.user(user_id, f"联络员{user_id}"), fake.private_chat(user_id)
    asked = time.monotonic()
    message_id = fake.send_text(user=user, chat=chat, text=REPORT)

    def answers(call: Call) -> bool:
        target = call.params.get("reply_parameters") or {}
        return call.params.get("chat_id") == user_id and target.get("message_id") == message_id

    calls = await fake.wait_for("sendMessage", predicate=answers, timeout=60.0)
    return calls[0].at - asked


async def replies_during(
    burst: asyncio.Task[SendStats], fake: FakeTelegram, users: list[int], every: float
) -> list[float]:
    """One /report every `every` seconds from the next liaison, for as long as the burst runs."""
    latencies: list[float] = []
    for user_id in users:
        await asyncio.wait({burst}, timeout=every)
        if burst.done():
            break
        latencies.append(await reply_latency(fake, user_id))
    return latencies


async def run(messages: int, replies: int, folder: Path) -> dict[str, float | int | str]:
    """One burst with `replies` commands answered during it, on a database in `folder`; returns the figures."""
    clock = FakeClock(dt.datetime(2022, 6, 30, 10, 0, tzinfo=SHANGHAI))
    db = await open_database(f"sqlite:///{folder}/bench.db")
    services = Services(db=db, clock=clock)
    try:
        await load_shipped(db, "dingtao-2022", clock)
        async with FakeTelegram(enforce_limits=True) as fake:
            await prepare_burst(services, fake, messages, clock)
            users = (await liaisons(db, "区民政局"))[:replies]
            every = messages / BULK_SHARE / (len(users) + 1)
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
                burst = asyncio.create_task(Sender(db, clock, [TelegramTransport(bridge)]).send_due())
                latencies = await replies_during(burst, fake, users, every)
                stats = await burst
                elapsed = time.monotonic() - started
            finally:
                await stop_telegram(app)
            answered = [
                c for c in fake.calls_of("sendMessage") if c.status == 200 and "reply_parameters" not in c.params
            ]
            return {
                "messages": messages,
                "delivered": stats.deliveries,
                "confirmed_by_server": len(answered),
                "seconds": round(elapsed, 2),
                "rate_per_s": round(stats.deliveries / elapsed, 2),
                "fraction_of_30_per_s": round(stats.deliveries / elapsed / TELEGRAM_RATE, 3),
                "fraction_of_bulk_budget": round(stats.deliveries / elapsed / BULK_SHARE, 3),
                "answers_429": fake.too_many,
                "replies": len(latencies),
                "reply_p50_s": round(statistics.median(latencies), 3) if latencies else -1,
                "reply_max_s": round(max(latencies), 3) if latencies else -1,
                "python": platform.python_version(),
                "cpus": os.cpu_count() or 0,
            }
    finally:
        await db.close()


def main(argv: list[str] | None = None) -> int:
    """Print the figures as a table and one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--replies", type=int, default=10, help="commands answered during the burst")
    args = parser.parse_args(argv)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    with tempfile.TemporaryDirectory(prefix="duban-tg-bench-") as folder:
        figures = asyncio.run(run(args.messages, args.replies, Path(folder)))
    print(f"Telegram burst: {figures['messages']} messages to distinct private chats, limits enforced")
    print(
        f"  delivered {figures['delivered']} in {figures['seconds']} s = {figures['rate_per_s']}/s "
        f"= {figures['fraction_of_30_per_s']} of Telegram's 30/s, {figures['fraction_of_bulk_budget']} of the "
        f"{BULK_SHARE}/s reminders may use; 429 answers: {figures['answers_429']}"
    )
    print(
        f"  replies to /report during the burst: {figures['replies']}, "
        f"p50 {figures['reply_p50_s']} s, max {figures['reply_max_s']} s (goal ≤ {REPLY_GOAL} s)"
    )
    print(json.dumps(figures))
    return 0 if _met(figures) else 1


def _met(figures: dict[str, float | int | str]) -> bool:
    """The goals: ≥ 0.9 of the bulk budget, no 429, every reply during the burst within REPLY_GOAL."""
    fraction, too_many, slowest = (float(figures[k]) for k in ("fraction_of_bulk_budget", "answers_429", "reply_max_s"))
    return fraction >= 0.9 and too_many == 0 and 0 <= slowest <= REPLY_GOAL


if __name__ == "__main__":
    sys.exit(main())
