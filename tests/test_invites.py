"""An invite code binds exactly one person, even when several present it at the same moment."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlmodel import col, select

from config.i18n import translate
from handlers.context import Services
from handlers.router import handle
from handlers.types import Reply, Request
from models.database import open_database
from models.people import create_invite
from models.tables import AuditEntry, Invite, Member
from tests import chinese
from tests.conftest import FakeClock, load_shipped

pytestmark = pytest.mark.both_databases  # see tests/backends.py

RACERS = ("anna", "ben", "chen")


async def new_invite(services: Services, role: str = "leader") -> str:
    async with services.db.session() as session:
        invite = await create_invite(
            session,
            plan_id="dingtao-2022",
            role=role,
            unit_id=None,
            created_by=None,
            actor="test",
            now=services.clock(),
        )
    return invite.code


async def bind_at_once(services: Services, code: str, users: tuple[str, ...]) -> list[Reply]:
    """Everyone sends `/bind CODE` through the router at the same moment, each in their own chat."""
    requests = [
        Request(transport="test", user_id=user, chat_id=user, text=f"/bind {code}", display_name=user, message_id="1")
        for user in users
    ]
    replies = await asyncio.gather(*(handle(services, request) for request in requests))
    for request, reply in zip(requests, replies, strict=True):
        chinese.collect(request.text, reply.text, request.user_id)
    return list(replies)


async def assert_one_bound(services: Services, code: str, replies: list[Reply]) -> None:
    assert sum(reply.ok for reply in replies) == 1, [r.text for r in replies]
    refused = [reply.text for reply in replies if not reply.ok]
    assert refused == [translate("zh", "invite_used")] * (len(replies) - 1)
    async with services.db.session() as session:
        bound = (await session.exec(select(Member).where(col(Member.user_id).in_(RACERS)))).all()
        invite = (await session.exec(select(Invite).where(Invite.code == code))).one()
        binds = (await session.exec(select(AuditEntry).where(AuditEntry.action == "member.bind"))).all()
    assert len(bound) == 1
    assert invite.used_by == bound[0].id
    assert invite.used_at is not None
    assert len([b for b in binds if b.member_id == bound[0].id]) == 1
    assert len(binds) == 1  # the refused binds left no trace


async def test_two_people_redeeming_one_code_at_once_bind_only_one(dingtao: Services) -> None:
    code = await new_invite(dingtao)
    replies = await bind_at_once(dingtao, code, RACERS[:2])
    await assert_one_bound(dingtao, code, replies)


async def test_three_people_racing_for_one_code_bind_only_one(dingtao: Services) -> None:
    code = await new_invite(dingtao, role="admin")
    replies = await bind_at_once(dingtao, code, RACERS)
    await assert_one_bound(dingtao, code, replies)


@pytest.fixture
async def pg_services(pg_url: str) -> AsyncIterator[Services]:
    """The Dingtao plan in a throw-away PostgreSQL database (skipped, with the reason, without a server)."""
    db = await open_database(pg_url)
    try:
        clock = FakeClock(dt.datetime(2022, 6, 1, 2, 0, tzinfo=dt.UTC))
        await load_shipped(db, "dingtao-2022", clock)
        yield Services(db=db, clock=clock)
    finally:
        await db.close()


async def test_racing_for_one_code_on_postgresql_binds_only_one(pg_services: Services) -> None:
    code = await new_invite(pg_services)
    replies = await bind_at_once(pg_services, code, RACERS)
    await assert_one_bound(pg_services, code, replies)
