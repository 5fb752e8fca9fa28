"""Shared fixtures: a real database per test (SQLite, and PostgreSQL too when one is reachable: see
tests/backends.py), an injected clock, and a chat helper."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import col, select

from config.plan_loader import load_plan_file, shipped_plan_paths
from handlers.context import Services
from handlers.router import handle
from handlers.types import Attachment, Reply, Request
from models.database import Database, open_database
from models.evidence_store import EvidenceStore
from models.people import bind_member, find_unit
from models.plans import load_plan
from models.tables import Member, ReminderRow, UnitRow
from tests import backends, chinese
from tests.backends import PostgresServer, fresh_database
from tests.fake_telegram import FakeTelegram

os.environ.setdefault("DUBAN_WEB_LISTEN", "127.0.0.1:0")  # each `duban run` a test starts: its page on a free port

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def pytest_configure(config: pytest.Config) -> None:
    backends.register_markers(config)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    backends.parametrize(metafunc)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    return backends.on_report(item, report)


def pytest_report_header(config: pytest.Config) -> str:
    return backends.server()[1]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(backends.summary())


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, moment: dt.datetime) -> None:
        self.now = moment


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime(2022, 6, 1, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> PostgresServer | None:
    """The database the test runs on: None for SQLite, else the PostgreSQL server (see backends.parametrize)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return None
    return backends.uses_postgres(request)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The server of DUBAN_TEST_POSTGRES_URL; every test asking for it is skipped, with the reason, without one."""
    server, reason = backends.server()
    if server is None:
        pytest.skip(reason)
    yield server
    server.finish()


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty PostgreSQL database of its own, no tables (skipped, with the reason, without a server)."""
    server = backends.uses_postgres(request)
    name = server.blank()
    yield server.database_url(name)
    server.drop(name)


SEEDS = {
    "duban": None,
    "dingtao": ("dingtao-2022", dt.datetime(2022, 1, 1, tzinfo=dt.UTC)),
    "puyang": ("puyang-2021", dt.datetime(2021, 5, 27, tzinfo=dt.UTC)),
}


async def build_seeded(url: str, kind: str) -> None:
    """A database at `url` holding the schema and the shipped plan of `kind` (none for "duban")."""
    database = await open_database(url)
    try:
        if (seed := SEEDS[kind]) is not None:
            await load_shipped(database, seed[0], FakeClock(seed[1]))
    finally:
        await database.close()


@pytest.fixture
async def db(backend: PostgresServer | None, tmp_path: Path) -> AsyncIterator[Database]:
    async with fresh_database(backend, "duban", None, tmp_path, build_seeded) as database:
        yield database


@pytest.fixture
def services(db: Database, clock: FakeClock, tmp_path: Path) -> Services:
    return Services(db=db, clock=clock, evidence=EvidenceStore(tmp_path / "evidence"))


def _sqlite_template(tmp_path_factory: pytest.TempPathFactory, kind: str) -> Path:
    path = tmp_path_factory.mktemp("template") / f"{kind}.db"
    asyncio.run(build_seeded(f"sqlite:///{path}", kind))
    return path


@pytest.fixture(scope="session")
def dingtao_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with the Dingtao plan loaded once; each test gets its own copy."""
    return _sqlite_template(tmp_path_factory, "dingtao")


@pytest.fixture(scope="session")
def puyang_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with the Puyang ledger loaded once; each test gets its own copy."""
    return _sqlite_template(tmp_path_factory, "puyang")


@pytest.fixture
async def puyang(
    backend: PostgresServer | None, tmp_path: Path, puyang_template: Path, clock: FakeClock
) -> AsyncIterator[Services]:
    """Services on a fresh copy of a database holding the Puyang ledger, the clock on 2021-05-28 10:00."""
    clock.set(dt.datetime(2021, 5, 28, 10, 0, tzinfo=SHANGHAI))
    async with fresh_database(backend, "puyang", puyang_template, tmp_path, build_seeded) as database:
        yield Services(db=database, clock=clock, evidence=EvidenceStore(tmp_path / "evidence"))


async def load_shipped(db: Database, plan_id: str, clock: FakeClock) -> None:
    plan = load_plan_file(shipped_plan_paths()[plan_id])
    async with db.session() as session:
        await load_plan(session, plan, now=clock(), source=plan_id, actor="test")


@dataclass
class Chat:
    """Sends messages as a given user and keeps the replies."""

    services: Services
    user_id: str
    transport: str = "test"
    sent: int = 0
    lang: str = "zh"

    async def say(self, text: str, *, attachment: Attachment | None = None, reply_to: str | None = None) -> Reply:
        self.sent += 1
        request = Request(
            transport=self.transport,
            user_id=self.user_id,
            chat_id=self.user_id,
            text=text,
            display_name=self.user_id,
            message_id=str(self.sent),
            attachment=attachment,
            reply_to=reply_to,
        )
        reply = await handle(self.services, request)
        if reply.ok and text.strip().startswith("/lang"):
            self.lang = "en" if "English" in reply.text else "zh"
        elif self.lang == "zh":
            chinese.collect(text, reply.text, self.user_id)
        return reply


async def member(
    services: Services, plan_id: str, user_id: str, role: str, unit: str | None = None, transport: str = "test"
) -> Chat:
    """A chat user bound directly (the invite flow has its own tests)."""
    async with services.db.session() as session:
        unit_id = None
        if unit is not None:
            row = await find_unit(session, plan_id, unit)
            assert row is not None, unit
            unit_id = row.id
        await bind_member(
            session,
            plan_id=plan_id,
            transport=transport,
            user_id=user_id,
            display_name=user_id,
            chat_id=user_id,
            role=role,
            unit_id=unit_id,
            now=services.clock(),
            via="test",
        )
    return Chat(services, user_id, transport=transport)


@pytest.fixture
async def dingtao(
    backend: PostgresServer | None, tmp_path: Path, dingtao_template: Path, clock: FakeClock
) -> AsyncIterator[Services]:
    """Services on a fresh copy of a database holding the Dingtao plan."""
    async with fresh_database(backend, "dingtao", dingtao_template, tmp_path, build_seeded) as database:
        yield Services(db=database, clock=clock, evidence=EvidenceStore(tmp_path / "evidence"))


@pytest.fixture
async def admin(dingtao: Services) -> Chat:
    return await member(dingtao, "dingtao-2022", "office", "admin")


@pytest.fixture
async def leader(dingtao: Services) -> Chat:
    return await member(dingtao, "dingtao-2022", "boss", "leader")


@pytest.fixture
async def minzheng(dingtao: Services) -> Chat:
    """The liaison of 区民政局 (responsible for task 5 and indicators 4, 5, among others)."""
    return await member(dingtao, "dingtao-2022", "mz", "liaison", "区民政局")


@pytest.fixture(autouse=True)
def no_english_in_chinese_replies() -> Iterator[None]:
    """Every reply a test receives in Chinese is checked for English words (issue: one language)."""
    chinese.collected.clear()
    yield
    people = frozenset(w for _, _, names in chinese.collected for w in names)
    leaks = [(said, words) for said, reply, _ in chinese.collected if (words := chinese.latin_words(reply, people))]
    chinese.collected.clear()
    assert not leaks, f"English words in Chinese replies: {leaks[:5]}"


@pytest.fixture(autouse=True)
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """RetryAfter.retry_after as a timedelta (PTB 23's type), without PTB 22's deprecation warning."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def fake(request: pytest.FixtureRequest) -> AsyncIterator[FakeTelegram]:
    """A local Telegram Bot API server for one test; what Duban said in it is checked for English
    (the fake's own tests run other bots, which are not Duban)."""
    async with FakeTelegram() as server:
        yield server
    assert server.internal_errors == []
    if not request.module.__name__.endswith("test_fake_telegram"):
        _check_chinese_chats(server)


def _check_chinese_chats(server: FakeTelegram) -> None:
    """What the bot said in every chat whose people never switched to English must be Chinese."""
    typed: dict[int, list[str]] = {}
    for (chat_id, _), message in server._messages.items():
        sender = message.get("from") or {}
        if not sender.get("is_bot"):
            typed.setdefault(chat_id, []).append(str(message.get("text", "")))
            typed[chat_id].append(str(sender.get("first_name", "")))
    for chat_id, texts in typed.items():
        if any(t.strip().startswith("/lang") for t in texts):
            continue
        for sent in server.sent_to(chat_id):
            chinese.collect(" ".join(texts), str(sent.get("plain") or ""), *texts)


async def prepare_burst(services: Services, fake: FakeTelegram, chats: int, clock: FakeClock) -> int:
    """`chats` liaisons spread over the plan's units, each in their own private chat, and one due
    reminder per unit: a burst of `chats` messages (used by the tests and by bench.telegram_bench)."""
    now = clock()
    async with services.db.session() as session:
        units = (await session.exec(select(UnitRow).where(col(UnitRow.is_group).is_(False)))).all()
        for i in range(chats):
            session.add(
                Member(
                    plan_id="dingtao-2022",
                    transport="telegram",
                    user_id=str(2000 + i),
                    role="liaison",
                    unit_id=units[i % len(units)].id,
                    chat_id=str(2000 + i),
                    bound_at=now,
                )
            )
            fake.private_chat(2000 + i)
        for unit in units[: min(chats, len(units))]:
            session.add(
                ReminderRow(
                    plan_id="dingtao-2022",
                    key=f"burst:{unit.id}",
                    kind="deadline_day",
                    due_at=now,
                    unit_id=unit.id,
                    subject="5",
                    created_at=now,
                    detail=json.dumps({"title": "提升统一社会信用代码质量", "deadline": "2022-06-30"}),
                )
            )
    return chats


async def duban(env: dict[str, str], *args: str) -> str:
    """Run a `duban` command to completion in a subprocess; it must succeed; its output."""
    done = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await done.communicate()
    assert done.returncode == 0
    return out.decode().strip()


async def start_duban_run(env: dict[str, str]) -> asyncio.subprocess.Process:
    """`duban run` in a subprocess with no terminal, its output captured."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
