"""One Telegram poller among several instances on one PostgreSQL database (`bot.poll_lock`).

The guard's own tests tick by hand against a real PostgreSQL lock (no sleeping); the application
tests run python-telegram-bot against the local fake Bot API; the last one runs two `duban run`
processes and kills the polling one with SIGKILL. The PostgreSQL tests are skipped, with the
reason, when DUBAN_TEST_POSTGRES_URL names no reachable server (see tests/backends.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import TypeHandler

from bot.poll_lock import RETRY_EVERY, Hold, PollingGuard, PollLock, lock_key, polling_lock
from bot.telegram import AnyApp
from bot.telegram_app import start_telegram, stop_telegram
from config.i18n import translate
from config.settings import Settings
from handlers.context import Services
from models.database import Database, open_database
from models.evidence_store import EvidenceStore
from models.tables import utcnow
from tests.conftest import start_duban_run
from tests.fake_telegram import FakeTelegram
from tests.test_telegram import say, settings_for

KEY = lock_key("7000000001:secret")
FAST = 0.2
"""The tick of the in-process tests' locks (seconds): the default is RETRY_EVERY."""


class Poller:
    """Stands for long polling: records when the guard starts and stops it."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.running = False

    async def start(self) -> None:
        self.events.append("start")
        self.running = True

    async def stop(self) -> None:
        if self.running:
            self.events.append("stop")
        self.running = False


@asynccontextmanager
async def guards(url: str, *keys: int) -> AsyncIterator[list[tuple[PollingGuard, Poller]]]:
    """A guard per key, each with its own lock connection to the database at `url` (as instances have)."""
    db = await open_database(url, create=False)
    made = []
    for key in keys:
        poller = Poller()
        made.append((PollingGuard(PollLock.for_database(db, key, every=FAST), poller.start, poller.stop), poller))
    try:
        yield made
    finally:
        for guard, _ in made:
            await guard.close()
        await db.close()


async def holder(url: str, key: int = KEY) -> tuple[int, str] | None:
    """The server process and application name of the session holding the lock `key`, or None."""
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
    connection = await asyncpg.connect(url, timeout=5)
    try:
        row = await connection.fetchrow(
            "SELECT a.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
            " AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            unsigned >> 32,
            unsigned & 0xFFFF_FFFF,
        )
    finally:
        await connection.close()
    return None if row is None else (int(row["pid"]), str(row["application_name"]))


async def kill_session(url: str, pid: int) -> None:
    """End a server session, as a database restart or a dropped connection would."""
    connection = await asyncpg.connect(url, timeout=5)
    try:
        assert await connection.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await connection.close()


def test_the_lock_is_the_bots_own_and_never_uses_the_secret_part() -> None:
    assert lock_key("7000000001:AAA") == lock_key("7000000001:BBB")  # a new token for the same bot
    assert lock_key("7000000001:AAA") != lock_key("7000000002:AAA")  # another bot on the same database
    assert -(2**63) <= KEY < 2**63


async def test_only_long_polling_on_postgresql_is_guarded(tmp_path: Path) -> None:
    token = "7000000001:" + "x" * 35
    sqlite = await open_database(f"sqlite:///{tmp_path}/one.db")
    engine = create_async_engine("postgresql+asyncpg://duban@127.0.0.1:1/none")  # never connected
    postgres = Database(engine, async_sessionmaker(engine, class_=AsyncSession))
    try:
        polling = Settings(_env_file=None, telegram_token=token)
        webhook = Settings(_env_file=None, telegram_token=token, telegram_webhook_url="https://x.example/hook")
        assert polling_lock(polling, sqlite) is None  # one `duban run` per SQLite database
        assert polling_lock(webhook, postgres) is None  # any instance takes what is posted to it
        lock = polling_lock(polling, postgres)
        assert lock is not None
        assert lock.key == lock_key(token)
        assert lock.every == RETRY_EVERY <= 5
        assert lock.connect["host"] == "127.0.0.1"
        assert lock.connect["port"] == 1
    finally:
        await sqlite.close()
        await postgres.close()


async def test_a_database_that_does_not_answer_means_no_polling_and_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A server that accepts connections and never answers: each attempt ends after the timeout."""
    silent: list[asyncio.StreamWriter] = []  # kept open, never written to
    server = await asyncio.start_server(lambda reader, writer: silent.append(writer), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    lock = PollLock({"host": "127.0.0.1", "port": port, "user": "duban", "database": "duban"}, KEY, timeout=0.3)
    poller = Poller()
    guard = PollingGuard(lock, poller.start, poller.stop)
    try:
        began = time.monotonic()
        for _ in range(3):
            await guard.tick()
        took = time.monotonic() - began
    finally:
        await guard.close()
        for writer in silent:
            writer.close()
        server.close()
        await server.wait_closed()
    assert poller.events == []
    assert len(silent) == 3
    assert 0.85 <= took < 3.0  # three attempts of 0.3 s: bounded, never stuck
    warned = [r for r in caplog.records if "cannot be reached for the polling lock" in r.getMessage()]
    assert len(warned) == 1  # said once, not on every tick
    assert warned[0].levelno == logging.WARNING


async def test_one_of_two_instances_polls_and_the_other_takes_over_when_it_stops(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.poll_lock")
    async with guards(pg_url, KEY, KEY) as [(first, one), (second, two)]:
        await first.tick()
        await second.tick()
        await first.tick()
        await second.tick()
        assert (one.events, two.events) == (["start"], [])
        await first.close()  # a stop, or the process ending: its session ends and the lock is free
        assert (one.events, two.events) == (["start", "stop"], [])
        await second.tick()
        assert two.events == ["start"]
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.poll_lock"]
    assert lines == [
        "polling: this instance polls",
        "polling: another instance polls; standing by",
        "polling: this instance polls",
    ]


async def test_a_holder_that_loses_its_session_stops_polling_until_it_holds_the_lock_again(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with guards(pg_url, KEY, KEY) as [(first, one), (second, two)]:
        await first.tick()
        await second.tick()
        held = await holder(pg_url)
        assert held is not None
        assert f"pid {os.getpid()}" in held[1]
        await kill_session(pg_url, held[0])  # the server forgets the session: the lock is free at once
        await second.tick()  # the standby looks first: it takes the lock
        assert two.events == ["start"]
        await first.tick()  # the old holder's next look: stop, and the lock is taken
        assert one.events == ["start", "stop"]
        assert not one.running
        held = await holder(pg_url)
        assert held is not None
        await kill_session(pg_url, held[0])  # now the second one's session, and nobody else looks
        await second.tick()
        assert two.events == ["start", "stop", "start"]  # stopped first, then polled again with the lock
        await first.tick()
        assert one.events == ["start", "stop"]
    lost = [r for r in caplog.records if "lost the polling lock" in r.getMessage()]
    assert len(lost) == 2
    assert all(r.levelno == logging.WARNING for r in lost)


async def test_two_bots_on_one_database_poll_side_by_side(pg_url: str) -> None:
    async with guards(pg_url, lock_key("7000000001:a"), lock_key("7000000002:a")) as [(first, one), (second, two)]:
        await first.tick()
        await second.tick()
        assert one.events == two.events == ["start"]


async def test_a_lock_taken_is_verified_on_the_live_session(pg_url: str) -> None:
    db = await open_database(pg_url, create=False)
    lock, other = PollLock.for_database(db, KEY), PollLock.for_database(db, KEY)
    try:
        assert await lock.acquire() is Hold.HELD
        assert await lock.still_held()
        assert await other.acquire() is Hold.TAKEN
        assert not await other.still_held()  # a session without the lock never counts as holding it
        await lock.release()
        assert not await lock.still_held()
        assert await other.acquire() is Hold.HELD
    finally:
        await lock.release()
        await other.release()
        await db.close()


async def instance(url: str, tmp_path: Path, name: str) -> Services:
    """One instance's database connection (its own engine, as another process has)."""
    db = await open_database(url)
    return Services(db=db, clock=utcnow, evidence=EvidenceStore(tmp_path / name))


def count_updates(app: AnyApp) -> list[int]:
    """The ids of the updates this application took (observed before any handler of Duban)."""
    seen: list[int] = []

    async def note(update: Update, context: Any) -> None:
        seen.append(update.update_id)

    app.add_handler(TypeHandler(Update, note), group=-1)
    return seen


async def test_two_bots_in_one_process_one_polls_the_fake_and_the_other_takes_over(
    pg_url: str, fake: FakeTelegram, tmp_path: Path
) -> None:
    """python-telegram-bot against the fake Bot API: exactly one instance polls, the standby takes
    over within a tick of the holder stopping, and every /help is answered by the one polling."""
    settings = settings_for(fake)
    a, b = await instance(pg_url, tmp_path, "a"), await instance(pg_url, tmp_path, "b")
    app_a, _ = await start_telegram(settings, a, poll_lock=PollLock.for_database(a.db, KEY, every=FAST))
    app_b: AnyApp | None = None
    try:
        app_b, _ = await start_telegram(settings, b, poll_lock=PollLock.for_database(b.db, KEY, every=FAST))
        took_a, took_b = count_updates(app_a), count_updates(app_b)
        assert app_a.updater is not None
        assert app_b.updater is not None
        await asyncio.sleep(1.5)  # several ticks of the standby, and more than one long poll (1 s)
        assert app_a.updater.running
        assert not app_b.updater.running
        assert [c.status for c in fake.calls_of("getUpdates") if c.status == 409] == []  # no fight
        for user in (1001, 1002, 1003):
            assert "/bind" in (await say(fake, fake.user(user, "Tester"), fake.private_chat(user), "/help"))["plain"]
        assert (len(took_a), took_b) == (3, [])
        await stop_telegram(app_a)
        stopped = time.monotonic()
        await fake.wait_for("getUpdates", answered=False, predicate=lambda call: call.at > stopped)
        assert app_b.updater.running
        assert time.monotonic() - stopped <= FAST + 1.0  # one tick, then deleteWebhook and the first poll
        assert "/bind" in (await say(fake, fake.user(1004, "Tester"), fake.private_chat(1004), "/help"))["plain"]
        assert (len(took_a), len(took_b)) == (3, 1)
    finally:
        await stop_telegram(app_a)  # a second stop does nothing
        if app_b is not None:
            await stop_telegram(app_b)
        await a.db.close()
        await b.db.close()


async def lines_until(process: asyncio.subprocess.Process, wanted: str, timeout: float) -> None:  # noqa: ASYNC109
    """Read the process's standard output until a line contains `wanted`."""
    assert process.stdout is not None
    async with asyncio.timeout(timeout):
        while wanted not in (await process.stdout.readline()).decode():
            pass


async def test_duban_run_on_postgresql_the_standby_answers_after_the_poller_is_killed(
    pg_url: str, fake: FakeTelegram, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "DUBAN_LANG": "zh",
        "DUBAN_TELEGRAM_TOKEN": fake.token,
        "DUBAN_TELEGRAM_BASE_URL": f"http://127.0.0.1:{fake.port}",
        "DUBAN_TELEGRAM_POLL_TIMEOUT": "1",
        "DUBAN_EVIDENCE_DIR": str(tmp_path / "evidence"),
        "DUBAN_INSTANCES": "2",
        "PTB_TIMEDELTA": "1",
    }
    ready = translate("zh", "cli_run_waiting")
    poller = await start_duban_run(env)
    standby: asyncio.subprocess.Process | None = None
    try:
        await lines_until(poller, ready, 60)
        await fake.wait_for("getUpdates", answered=False, timeout=10)
        standby = await start_duban_run(env)
        await lines_until(standby, ready, 60)
        await asyncio.sleep(RETRY_EVERY + 0.5)  # the standby has looked at the lock once more
        held = await holder(pg_url, lock_key(fake.token))
        assert held is not None
        assert held[1].endswith(f"pid {poller.pid}")
        assert [c for c in fake.calls_of("getUpdates") if c.status == 409] == []  # one poller, no fight
        poller.kill()  # SIGKILL: no goodbye; the system closes its connections, the server frees the lock
        await poller.wait()
        killed = time.monotonic()
        answer = await say_within(fake, 1001, "/help", RETRY_EVERY + 8)
        waited = time.monotonic() - killed
        assert "/bind" in answer["plain"]
        assert waited <= RETRY_EVERY + 3  # the standby's next look, deleteWebhook, the first poll, the reply
        held = await holder(pg_url, lock_key(fake.token))
        assert held is not None
        assert held[1].endswith(f"pid {standby.pid}")
    finally:
        for process in (poller, standby):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.communicate(), timeout=30)
    assert standby.returncode == 0


async def say_within(fake: FakeTelegram, user: int, text: str, seconds: float) -> dict[str, Any]:
    """Send as a private user and wait up to `seconds` for the bot's answer in that chat."""
    person, chat = fake.user(user, "Tester"), fake.private_chat(user)
    fake.send_text(user=person, chat=chat, text=text)
    await fake.wait_for("sendMessage", timeout=seconds, predicate=lambda call: call.params.get("chat_id") == user)
    return fake.sent_to(user)[-1]
