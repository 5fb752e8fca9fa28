"""What users read never depends on the order a database happens to return rows in.

SQLite returns rows in insertion order, so a query without ORDER BY looks fine there and then lists
units, people or reminders in another order on PostgreSQL (whose order changes as rows are updated).
SQLite's `reverse_unordered_selects` returns every unordered result the other way round: a reply
that changes under it depends on an order no database promises.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from handlers.context import Services
from models.database import Database
from tests.conftest import Chat, member

pytestmark = pytest.mark.sqlite_only  # the check is a SQLite pragma

DINGTAO_READS = [
    "/indicators",
    "/units",
    "/units 区民政局",
    "/status",
    "/status 区民政局",
    "/tasks",
    "/tasks 逾期",
    "/task 5",
    "/score",
    "/score 1",
    "/score 4",
    "/history 11",
    "/proposals",
    "/evidence",
    "/remind",
]
PUYANG_READS = ["/indicators", "/units", "/status", "/score", "/score G1", "/evidence", "/tasks"]


async def reverse_unordered_selects(db: Database) -> None:
    """From now on, every connection of `db` returns unordered results in reverse."""

    @event.listens_for(db.engine.sync_engine, "connect")
    def _reverse(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA reverse_unordered_selects=ON")
        cursor.close()

    await db.engine.dispose()  # pooled connections were opened without it


async def replies(chat: Chat, commands: list[str]) -> list[str]:
    return [(await chat.say(command)).text for command in commands]


async def test_dingtao_replies_do_not_depend_on_row_order(dingtao: Services) -> None:
    admin = await member(dingtao, "dingtao-2022", "office", "admin")
    minzheng = await member(dingtao, "dingtao-2022", "mz", "liaison", "区民政局")
    await member(dingtao, "dingtao-2022", "sf", "liaison", "区司法局")
    await member(dingtao, "dingtao-2022", "boss", "leader")
    await admin.say("/report 11 8亿")
    await minzheng.say("/progress 5 进行中 已核查200条")
    await minzheng.say("/report 4 5月 0")  # a proposal: 区民政局 shares indicator 4 but does not own it
    before = await replies(admin, DINGTAO_READS)
    await reverse_unordered_selects(dingtao.db)
    assert await replies(admin, DINGTAO_READS) == before


async def test_puyang_replies_do_not_depend_on_row_order(puyang: Services) -> None:
    admin = await member(puyang, "puyang-2021", "office", "admin")
    await admin.say("/gate G1 达标")
    before = await replies(admin, PUYANG_READS)
    await reverse_unordered_selects(puyang.db)
    assert await replies(admin, PUYANG_READS) == before
