"""Schema migrations: an empty database is created at the head with exactly the code's tables (SQLite
and PostgreSQL), a database made before migrations is adopted by `duban db upgrade` with its data,
one behind is upgraded, and every other command refuses a schema it does not run on in one line."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlmodel
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Integer, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import SQLModel

from bot.cli import main
from handlers.context import Services
from models import schema
from models.database import async_url, open_database
from models.schema import SchemaState, baseline_metadata, head_revision, schema_status, upgrade_schema
from models.tables import Delivery, Member, ReminderRow
from tests.conftest import FakeClock, member


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_LANG", "zh")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend (PostgreSQL: skipped, with the reason, without a server)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/duban.db"
    url: str = request.getfixturevalue("pg_url")
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _differences(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def _schema_differences(url: str) -> list[Any]:
    db = await open_database(url)
    try:
        async with db.engine.connect() as conn:
            return await conn.run_sync(_differences)
    finally:
        await db.close()


def test_an_empty_database_is_migrated_to_exactly_the_code_s_tables(empty_url: str) -> None:
    assert asyncio.run(_schema_differences(empty_url)) == []


def test_instances_opening_an_empty_postgresql_database_together_create_it_once(pg_url: str) -> None:
    """Several instances on one server (issue 12): the advisory lock makes them take turns."""

    async def together() -> list[SchemaState]:
        dbs = await asyncio.gather(*(open_database(pg_url) for _ in range(3)))
        states = [(await schema_status(db.engine)).state for db in dbs]
        for db in dbs:
            await db.close()
        return states

    assert asyncio.run(together()) == [SchemaState.CURRENT] * 3


# --- a database made before migrations ----------------------------------------------------------------


JUNE = dt.datetime(2022, 6, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def source(tmp_path: Path, dingtao_template: Path) -> Path:
    """A SQLite database at the head holding the Dingtao plan, its admin and one report."""
    path = tmp_path / "source.db"
    shutil.copyfile(dingtao_template, path)

    async def report() -> None:
        db = await open_database(f"sqlite:///{path}")
        try:
            admin = await member(Services(db=db, clock=FakeClock(JUNE)), "dingtao-2022", "office", "admin")
            assert (await admin.say("/report 11 8亿")).ok
        finally:
            await db.close()

    asyncio.run(report())
    return path


async def made_before_migrations(url: str, source: Path | None = None) -> None:
    """A database as Duban made it before migrations (commit f9b9085: `create_all` of these very
    tables, no alembic_version), holding the rows of `source` (a SQLite database at the head)."""
    target = create_async_engine(async_url(url))
    try:
        async with target.begin() as conn:
            await conn.run_sync(baseline_metadata().create_all)
        if source is not None:
            await _copy_rows(source, target)
    finally:
        await target.dispose()


async def _copy_rows(source: Path, target: AsyncEngine) -> None:
    """The baseline's columns of every row of `source`, inserted into `target`."""
    origin = create_async_engine(async_url(f"sqlite:///{source}"))
    try:
        for table in baseline_metadata().sorted_tables:
            columns = SQLModel.metadata.tables[table.name].c
            async with origin.connect() as conn:
                found = await conn.execute(select(*(columns[c.name] for c in table.columns)))
                rows = [dict(row) for row in found.mappings()]
            if not rows:
                continue
            async with target.begin() as conn:
                await conn.execute(table.insert(), rows)
                if conn.dialect.name == "postgresql" and "id" in table.c and isinstance(table.c.id.type, Integer):
                    await conn.execute(  # as if the rows had been inserted there: new ids follow theirs
                        text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) FROM {table.name}")
                    )
    finally:
        await origin.dispose()


def test_a_database_made_before_migrations_is_adopted_with_its_data(
    empty_url: str, source: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(made_before_migrations(empty_url, source))
    head = head_revision()
    assert run(capsys, "db", "current", "--db", empty_url) == (
        0,
        f"结构版本：无（由早期版本的督办创建；运行 duban db upgrade 纳入版本管理并升级到 {head}）\n",
        "",
    )
    assert run(capsys, "score", "--plan", "dingtao-2022", "--db", empty_url) == (
        1,
        "",
        f"数据库 {shown(empty_url)} 由早期版本的督办创建，还没有结构版本：请先运行 duban db upgrade 升级\n",
    )
    assert run(capsys, "db", "upgrade", "--db", empty_url) == (
        0,
        f"已把早期版本督办创建的数据库纳入版本管理（基线 0001），并升级到 {head}；原有数据全部保留。\n",
        "",
    )
    code, out, _ = run(capsys, "score", "--plan", "dingtao-2022", "--json", "--db", empty_url)
    assert code == 0
    points = {i["code"]: Decimal(i["points"]) for i in json.loads(out)["indicators"]}
    assert Decimal("4.28") < points["11"] < Decimal("4.29")
    assert run(capsys, "db", "current", "--db", empty_url) == (0, f"结构版本：{head}（最新）\n", "")
    assert asyncio.run(_schema_differences(empty_url)) == []

    async def chat() -> str:
        db = await open_database(empty_url)
        try:
            admin = await member(Services(db=db, clock=FakeClock(JUNE)), "dingtao-2022", "office2", "admin")
            assert "4.29 → 6" in (await admin.say("/report 11 12亿")).text  # new rows get new ids
            return (await admin.say("/history 11")).text
        finally:
            await db.close()

    history = asyncio.run(chat())
    assert "8亿元" in history
    assert "12亿元" in history


def test_an_older_database_gains_the_delivery_state_columns_and_the_evidence_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Made before deliveries had a state and before evidence: `duban db upgrade` adds what it lacks,
    existing deliveries counting as sent (the columns' server defaults)."""
    path = tmp_path / "old.db"
    asyncio.run(made_before_migrations(f"sqlite:///{path}"))
    with sqlite3.connect(path) as conn:
        for table in ("evidence_event", "evidence", "evidence_file", "delivery"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute(
            "CREATE TABLE delivery (id INTEGER PRIMARY KEY, reminder_id INTEGER NOT NULL, member_id INTEGER NOT NULL,"
            " transport VARCHAR NOT NULL, chat_id VARCHAR NOT NULL, message_id VARCHAR NOT NULL, at DATETIME NOT NULL)"
        )
        conn.execute("INSERT INTO delivery VALUES (1, 7, 3, 'telegram', '42', '99', '2022-06-01 02:00:00')")
    url = f"sqlite:///{path}"
    code, out, err = run(capsys, "db", "upgrade", "--db", url)
    assert (code, err) == (0, "")
    assert out.splitlines()[1:] == [
        "  补建的表：evidence_file、evidence、evidence_event",
        "  补上的列：delivery.state、delivery.pieces",
    ]

    async def delivery() -> Delivery:
        db = await open_database(url)
        try:
            async with db.session() as session:
                row = await session.get(Delivery, 1)
                assert row is not None
                return row
        finally:
            await db.close()

    row = asyncio.run(delivery())
    assert (row.state, row.pieces, row.message_id) == ("sent", 0, "99")
    missing = [d for d in asyncio.run(_schema_differences(url)) if d[0] in ("add_table", "add_column", "add_index")]
    assert missing == []  # the old delivery table keeps its own keys: SQLite cannot add constraints in place


def test_a_database_that_is_not_duban_s_is_not_adopted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:  # a 'plan' table from some other program
        conn.execute("CREATE TABLE plan (id TEXT PRIMARY KEY, title TEXT)")
    code, out, err = run(capsys, "db", "upgrade", "--db", f"sqlite:///{path}")
    assert (code, out) == (1, "")
    assert err.startswith(f"无法升级数据库 sqlite:///{path}：它的表缺少无法补上的列（plan.name、plan.timezone、")
    assert err.endswith("），看来不是督办的数据库；未做任何改动\n")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("plan",), ("sqlite_autoindex_plan_1",)]


# --- refusals, and what `duban db current` says ------------------------------------------------------------


@pytest.fixture
def loaded(tmp_path: Path, dingtao_template: Path) -> Path:
    path = tmp_path / "dingtao.db"
    shutil.copyfile(dingtao_template, path)
    return path


def _unknown(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00d'")


def _legacy(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE alembic_version")


@pytest.mark.parametrize(
    ("spoil", "said"),
    [
        (
            _unknown,
            "数据库 {url} 的结构版本 f00d 不是本版督办所知的版本（最新为 {head}），"
            "多半由更新版本的督办创建：请使用新版督办",
        ),
        (_legacy, "数据库 {url} 由早期版本的督办创建，还没有结构版本：请先运行 duban db upgrade 升级"),
    ],
)
@pytest.mark.parametrize("command", [["run"], ["console", "--plan", "dingtao-2022"], ["demo"]])
def test_work_refuses_a_schema_it_does_not_run_on_in_one_line(
    loaded: Path, capsys: pytest.CaptureFixture[str], spoil: Any, said: str, command: list[str]
) -> None:
    spoil(loaded)
    url = f"sqlite:///{loaded}"
    assert run(capsys, *command, "--db", url) == (1, "", said.format(url=url, head=head_revision()) + "\n")


def test_db_current_says_where_a_database_stands(loaded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{loaded}"
    head = head_revision()
    assert run(capsys, "db", "current", "--db", url) == (0, f"结构版本：{head}（最新）\n", "")
    _unknown(loaded)
    assert run(capsys, "db", "current", "--db", url) == (
        0,
        f"结构版本：f00d（本版督办不认识，它的最新版本为 {head}；多半由更新版本的督办创建）\n",
        "",
    )
    code, out, err = run(capsys, "db", "upgrade", "--db", url)
    assert (code, out) == (1, "")
    assert err.startswith(f"数据库 {url} 的结构版本 f00d 不是本版督办所知的版本")
    empty = loaded.with_name("empty.db")
    assert run(capsys, "db", "current", "--db", f"sqlite:///{empty}") == (
        0,
        f"结构版本：无（空数据库，首次使用时按最新版本 {head} 创建）\n",
        "",
    )
    assert run(capsys, "db", "upgrade", "--db", f"sqlite:///{empty}") == (
        0,
        f"已按最新结构版本 {head} 创建数据库。\n",
        "",
    )
    assert run(capsys, "db", "upgrade", "--db", f"sqlite:///{empty}") == (
        0,
        f"数据库结构已是最新版本 {head}，无需升级。\n",
        "",
    )


def test_db_current_in_english(
    loaded: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DUBAN_LANG", "en")
    url = f"sqlite:///{loaded}"
    assert run(capsys, "db", "current", "--db", url) == (0, f"schema revision: {head_revision()} (head)\n", "")


def test_postgresql_with_an_unknown_revision_is_refused(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    async def spoil() -> None:
        db = await open_database(pg_url)  # created at the head
        try:
            async with db.engine.begin() as conn:
                await conn.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
        finally:
            await db.close()

    asyncio.run(spoil())
    code, _, err = run(capsys, "plan", "list", "--db", pg_url)
    assert code == 1
    assert err == (
        f"数据库 {shown(pg_url)} 的结构版本 f00d 不是本版督办所知的版本（最新为 {head_revision()}），"
        "多半由更新版本的督办创建：请使用新版督办\n"
    )


# --- a database behind the head -----------------------------------------------------------------------------

LATER = """\"\"\"A later revision, as the next one will be: a column on the reminder table.\"\"\"

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reminder", recreate="always") as batch:  # a table SQLite must rebuild
        batch.add_column(sa.Column("lease_owner", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reminder") as batch:
        batch.drop_column("lease_owner")
"""


def _forget_scripts() -> None:
    for cached in (schema.scripts, schema.baseline_metadata, schema._config):
        cached.cache_clear()


@pytest.fixture
def move_on(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Makes this code's migrations gain one more revision, as if the code had moved on; the new head."""
    folder = tmp_path / "migrations"
    shutil.copytree(schema.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "9999_lease_owner.py").write_text(LATER.format(head=head_revision()), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:

        def apply() -> str:
            patch.setattr(schema, "MIGRATIONS", folder)
            _forget_scripts()
            return "9999"

        yield apply
    _forget_scripts()


async def _with_a_delivered_reminder(url: str) -> None:
    """A reminder sent to the admin: a delivery's foreign key points into the table the revision rebuilds."""
    db = await open_database(url)
    try:
        await member(Services(db=db, clock=FakeClock(JUNE)), "dingtao-2022", "office", "admin")
        async with db.session() as session:
            admin = (await session.exec(sqlmodel.select(Member).where(Member.user_id == "office"))).one()
            reminder = ReminderRow(plan_id="dingtao-2022", key="k", kind="deadline_day", due_at=JUNE, created_at=JUNE)
            session.add(reminder)
            await session.flush()
            assert reminder.id is not None
            assert admin.id is not None
            session.add(
                Delivery(
                    reminder_id=reminder.id, member_id=admin.id, transport="t", chat_id="c", message_id="m", at=JUNE
                )
            )
    finally:
        await db.close()


async def _foreign_keys_after_an_upgrade(url: str) -> Any:
    db = await open_database(url, create=False)
    try:
        await upgrade_schema(db.engine)
        async with db.engine.connect() as conn:
            return (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar()
    finally:
        await db.close()


def test_a_database_behind_the_head_is_upgraded_by_db_upgrade_alone(
    loaded: Path, move_on: Callable[[], str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{loaded}"
    asyncio.run(_with_a_delivered_reminder(url))
    before = head_revision()
    head = move_on()
    assert run(capsys, "console", "--plan", "dingtao-2022", "--db", url) == (
        1,
        "",
        f"数据库 {url} 的结构版本为 {before}，本版督办需要 {head}：请先运行 duban db upgrade 升级\n",
    )
    assert run(capsys, "db", "current", "--db", url) == (
        0,
        f"结构版本：{before}（不是最新，最新为 {head}；运行 duban db upgrade 升级）\n",
        "",
    )
    assert run(capsys, "db", "upgrade", "--db", url) == (0, f"数据库结构已从 {before} 升级到 {head}。\n", "")
    assert run(capsys, "db", "current", "--db", url) == (0, f"结构版本：{head}（最新）\n", "")
    with sqlite3.connect(loaded) as conn:  # the table was rebuilt with its rows, the delivery still points to it
        assert [row[1] for row in conn.execute("PRAGMA table_info(reminder)")][-1] == "lease_owner"
        assert conn.execute("SELECT key FROM reminder").fetchall() == [("k",)]
        assert conn.execute("SELECT count(*) FROM delivery").fetchone() == (1,)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert asyncio.run(_foreign_keys_after_an_upgrade(url)) == 1  # off while migrating, on again after


@pytest.mark.parametrize("command", ["upgrade", "current"])
def test_db_commands_on_a_server_that_is_down_are_one_line(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://nobody@127.0.0.1:1/x"
    assert run(capsys, "db", command, "--db", url) == (
        1,
        "",
        f"无法使用数据库 {url}：连接被拒绝（服务器没有运行，或端口不对）\n",
    )
