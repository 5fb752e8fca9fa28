"""The databases the database tests run on: SQLite always, PostgreSQL too when one is reachable.

`DUBAN_TEST_POSTGRES_URL` (e.g. `postgresql://postgres@127.0.0.1:5432/test`) names a server and a
database to connect to; the tests never touch that database's contents. Each test gets its own
database, copied from a template built once per session (`CREATE DATABASE … TEMPLATE …`, the
PostgreSQL counterpart of copying the SQLite template file), and dropped after it. Every name
carries a per-session token, so several pytest sessions can share one server.

Which tests run on both: those using a database fixture (`db`, `services`, `dingtao`, `puyang`) in
modules marked `pytestmark = pytest.mark.both_databases`: reports, scores, proposals, progress,
people and invites, evidence, the outbox, the sender and the engine with its digests. That half adds
about 1.5 minutes to `make test`; the other database tests (transports, consoles, charts, workbooks,
reminder planning) would add about 4 more, so they run on SQLite alone unless
`DUBAN_TEST_POSTGRES_ALL=1`. A test about SQLite itself is marked `sqlite_only`.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Future
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL, make_url

from models.database import Database, open_database

ENV = "DUBAN_TEST_POSTGRES_URL"
ALL = "DUBAN_TEST_POSTGRES_ALL"
PREFIX = "duban_t_"
SKIPPED = "PostgreSQL: skipped"


async def _connect(url: URL) -> Any:
    """An asyncpg connection (imported here: SQLite-only runs never need the driver)."""
    import asyncpg  # type: ignore[import-untyped]

    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.connect(dsn, timeout=3)


class _Worker:
    """A thread with its own event loop and one connection to the server, that creates and drops the
    tests' databases: CREATE DATABASE takes about 0.3 s of the server's time (it copies the template's
    7.5 MB, catalogs included), so the next test's database is made while the current test runs."""

    def __init__(self, url: URL) -> None:
        self.url = url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="postgres-tests", daemon=True)
        self.thread.start()
        self.connection: Any = None
        self.lock = asyncio.Lock()  # one statement at a time on the one connection

    def execute(self, statement: str) -> Future[None]:
        return asyncio.run_coroutine_threadsafe(self._execute(statement), self.loop)

    async def _execute(self, statement: str) -> None:
        async with self.lock:
            if self.connection is None:
                self.connection = await _connect(self.url)
            await self.connection.execute(statement)

    def close(self) -> None:
        async def close() -> None:
            if self.connection is not None:
                await self.connection.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


@dataclass
class PostgresServer:
    """A reachable server: per-test databases made from session templates, all dropped at the end."""

    url: URL
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    templates: dict[str, str] = field(default_factory=dict)
    _serial: count[int] = field(default_factory=count)
    _next: dict[str, tuple[str, Future[None]]] = field(default_factory=dict)
    _drops: list[Future[None]] = field(default_factory=list)
    _worker: _Worker | None = None

    def database_url(self, name: str) -> str:
        """The URL of database `name` on this server, as a user would write it."""
        return self.url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)

    async def template(self, kind: str, build: Callable[[str], Awaitable[None]]) -> str:
        """The template database `kind`, built by `build(url)` the first time it is asked for."""
        if kind not in self.templates:
            name = f"{PREFIX}{self.token}_tpl_{kind}"
            await asyncio.wrap_future(self.worker.execute(f'CREATE DATABASE "{name}"'))
            try:
                await build(self.database_url(name))  # must close its connections: a template has none
            except BaseException:
                self.drop(name)
                raise
            self.templates[kind] = name
        return self.templates[kind]

    async def copy(self, template: str) -> str:
        """A new database copied from `template` (made in advance when possible); its name. The
        next copy of the same template starts at once, in the background."""
        ahead = self._next.pop(template, None)
        name, made = ahead if ahead is not None else self._start_copy(template)
        self._next[template] = self._start_copy(template)
        await asyncio.wrap_future(made)
        return name

    def blank(self) -> str:
        """A new empty database (no tables at all); its name."""
        name = self._new_name()
        self.worker.execute(f'CREATE DATABASE "{name}"').result()
        return name

    def drop(self, name: str) -> None:
        """Dropped in the background (connections left open are closed); the session's end waits for it."""
        self._drops.append(self.worker.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def finish(self) -> None:
        """At the end of the session: drop what is left (copies made in advance, the templates)."""
        if self._worker is None:
            return
        leftovers = [name for name, _ in self._next.values()] + list(self.templates.values())
        for _, made in self._next.values():
            made.exception()  # waits; a failed copy is just not there to drop
        for name in leftovers:
            self._drops.append(self.worker.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        failed = [error for dropped in self._drops if (error := dropped.exception()) is not None]
        self._next.clear()
        self.templates.clear()
        self._worker.close()
        self._worker = None
        if failed:
            raise failed[0]

    @property
    def worker(self) -> _Worker:
        if self._worker is None:
            self._worker = _Worker(self.url)
        return self._worker

    def _start_copy(self, template: str) -> tuple[str, Future[None]]:
        name = self._new_name()
        return name, self.worker.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

    def _new_name(self) -> str:
        return f"{PREFIX}{self.token}_{next(self._serial)}"


def find_server() -> tuple[PostgresServer | None, str]:
    """The server `DUBAN_TEST_POSTGRES_URL` names and a line saying so, or None and why not."""
    given = os.environ.get(ENV, "").strip()
    if not given:
        return None, f"PostgreSQL: skipped, because {ENV} is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)"
    try:
        url = make_url(given)
    except Exception:  # sqlalchemy's ArgumentError; any unreadable URL is a reason to skip
        return None, f"PostgreSQL: skipped, because {ENV}={given!r} is not a database URL"
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() not in ("postgresql", "postgres"):
        return None, f"PostgreSQL: skipped, because {ENV}={shown} is not a postgresql:// URL"
    try:
        may_create = asyncio.run(_may_create_databases(url))
    except Exception as exc:  # refused, timed out, no such role or database: all mean "not here"
        return None, f"PostgreSQL: skipped, because {shown} is not reachable ({type(exc).__name__}: {exc})"
    if not may_create:
        return None, f"PostgreSQL: skipped, because the user of {shown} may not create databases"
    return PostgresServer(url), f"PostgreSQL: {shown}, a database per test"


async def _may_create_databases(url: URL) -> bool:
    connection = await _connect(url)
    try:
        return bool(
            await connection.fetchval("SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user")
        )
    finally:
        await connection.close()


@functools.cache
def server() -> tuple[PostgresServer | None, str]:
    """The server the database tests also run on, or None; and a line that says which, or why not."""
    return find_server()


def register_markers(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_databases: the module's database tests run on SQLite and PostgreSQL")
    config.addinivalue_line("markers", "sqlite_only: the test is about SQLite itself and never runs on PostgreSQL")


def parametrize(metafunc: pytest.Metafunc) -> None:
    """A database test of a `both_databases` module (any, with DUBAN_TEST_POSTGRES_ALL=1) runs twice,
    ids `sqlite` and `postgresql`; the PostgreSQL half is skipped, with the reason, without a server."""
    if "backend" not in metafunc.fixturenames or metafunc.definition.get_closest_marker("sqlite_only"):
        return
    if os.environ.get(ALL) == "1" or metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def on_report(item: pytest.Item, report: pytest.TestReport) -> pytest.TestReport:
    """Counts the tests that ran on PostgreSQL; those skipped for want of a server fold into one line
    of the summary, not one per test."""
    if report.when == "call" and not report.skipped and item.nodeid in _on_postgres:
        _ran_on_postgres.add(item.nodeid)
    if report.skipped and isinstance(report.longrepr, tuple) and SKIPPED in report.longrepr[2]:
        # no line number: the summary then reads "tests/conftest.py: PostgreSQL: skipped, because …"
        report.longrepr = (str(Path(__file__).with_name("conftest.py")), None, report.longrepr[2])  # type: ignore[assignment]
    return report


_on_postgres: set[str] = set()
_ran_on_postgres: set[str] = set()


def uses_postgres(request: pytest.FixtureRequest) -> PostgresServer:
    """The session's server, for a fixture of the test `request` is for (counted in the summary)."""
    _on_postgres.add(request.node.nodeid)
    found: PostgresServer = request.getfixturevalue("postgres_server")
    return found


def summary() -> str:
    """The PostgreSQL line again at the end of the run, where a reader of the summary looks."""
    found, reason = server()
    if found is None:
        return reason
    return f"PostgreSQL: {len(_ran_on_postgres)} tests ran on {found.url.render_as_string(hide_password=True)}"


@asynccontextmanager
async def fresh_database(
    backend: PostgresServer | None,
    kind: str,
    template: Path | None,
    tmp_path: Path,
    build: Callable[[str, str], Awaitable[None]],
) -> AsyncIterator[Database]:
    """A database of its own for one test: a copy of the SQLite template file (an empty file without
    one), or a PostgreSQL database made from the session's template `kind` (built on first use by
    `build(url, kind)`), dropped afterwards."""
    name = None
    if backend is None:
        path = tmp_path / f"{kind}.db"
        if template is not None:
            shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
    else:
        name = await backend.copy(await backend.template(kind, lambda target: build(target, kind)))
        url = backend.database_url(name)
    database = await open_database(url)
    try:
        yield database
    finally:
        await database.close()
        if backend is not None and name is not None:
            backend.drop(name)
