"""A Telegram group that becomes a supergroup gets a new chat id: its binding follows it."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlmodel import select

from bot.telegram_app import start_telegram, stop_telegram
from handlers.context import Services
from models.people import bind_member, block_chat, move_chat
from models.tables import AuditEntry, ChatBlock, Identity, Member
from tests.fake_telegram import FakeTelegram
from tests.test_telegram import BOB, CAROL, invite, say, settings_for

pytestmark = pytest.mark.both_databases  # see tests/backends.py

OLD = -400_000_001
"""A basic group (the leaders' group)."""
NEW = -1_001_000_000_777
"""The supergroup it became."""


async def group_member(services: Services, chat_id: int) -> Member | None:
    async with services.db.session() as session:
        found = await session.exec(select(Member).where(Member.user_id == f"group:{chat_id}"))
        return found.first()


async def moves(services: Services) -> list[AuditEntry]:
    async with services.db.session() as session:
        return list((await session.exec(select(AuditEntry).where(AuditEntry.action == "chat.moved"))).all())


async def test_a_reply_to_a_group_that_became_a_supergroup_moves_the_binding_and_arrives_once(
    dingtao: Services, fake: FakeTelegram
) -> None:
    bob, carol = fake.user(BOB, "Bob"), fake.user(CAROL, "Carol")
    group = fake.group_chat(OLD, "领导小组")
    code = await invite(dingtao, "leader")
    app, _ = await start_telegram(settings_for(fake), dingtao)
    try:
        assert "领导" in (await say(fake, bob, group, f"/bind@{fake.bot_username} {code}"))["plain"]
        fake.fail_next("sendMessage", migrate_to_chat_id=NEW)
        fake.send_text(user=bob, chat=group, text=f"/status@{fake.bot_username}")
        await fake.wait_for("sendMessage", predicate=lambda c: str(c.params.get("chat_id")) == str(NEW))
        answered = fake.sent_to(NEW)
        assert len(answered) == 1
        assert "总分" in answered[0]["plain"]
        assert len(fake.sent_to(OLD)) == 1  # only the bind confirmation, before the upgrade
        moved = await group_member(dingtao, NEW)
        assert moved is not None
        assert (moved.role, moved.chat_id) == ("leader", str(NEW))
        assert await group_member(dingtao, OLD) is None
        # Anyone in the supergroup now speaks with the group's role.
        supergroup = {"id": NEW, "type": "supergroup", "title": "领导小组"}
        status = await say(fake, carol, supergroup, f"/status@{fake.bot_username}")
        assert "总分" in status["plain"]
    finally:
        await stop_telegram(app)
    audit = await moves(dingtao)
    assert len(audit) == 1
    assert json.loads(audit[0].detail) == {
        "transport": "telegram",
        "from": str(OLD),
        "to": str(NEW),
        "moved": [moved.id],
        "left": [],
    }


async def test_the_upgrade_notice_moves_the_binding_at_once(dingtao: Services, fake: FakeTelegram) -> None:
    bob = fake.user(BOB, "Bob")
    group = fake.group_chat(OLD, "领导小组")
    code = await invite(dingtao, "leader")
    app, _ = await start_telegram(settings_for(fake), dingtao)
    try:
        await say(fake, bob, group, f"/bind@{fake.bot_username} {code}")
        supergroup = fake.group_chat(NEW, "领导小组")
        # Telegram tells both chats: the old group where it went, the supergroup where it came from.
        for chat, field, other in ((group, "migrate_to_chat_id", NEW), (supergroup, "migrate_from_chat_id", OLD)):
            fake.send_update({"message": {"message_id": 77, "date": 0, "chat": chat, "from": bob, field: other}})
        for _ in range(100):
            if not fake.pending_updates:
                break
            await asyncio.sleep(0.05)
    finally:
        await stop_telegram(app)  # lets the handlers of both notices finish
    moved = await group_member(dingtao, NEW)
    assert moved is not None
    assert moved.chat_id == str(NEW)
    assert len(await moves(dingtao)) == 1  # the second notice found nothing left to move


async def test_move_chat_moves_members_preferences_and_blocks_once(dingtao: Services) -> None:
    now = dingtao.clock()
    async with dingtao.db.session() as session:
        member = await bind_member(
            session,
            plan_id="dingtao-2022",
            transport="telegram",
            user_id=f"group:{OLD}",
            display_name="领导小组",
            chat_id=str(OLD),
            role="leader",
            unit_id=None,
            now=now,
            via="test",
        )
        identity = await session.get(Identity, ("telegram", f"group:{OLD}"))
        assert identity is not None
        identity.lang = "en"
        session.add(identity)
        await block_chat(session, "telegram", str(OLD), "forbidden: bot was kicked", now)
    async with dingtao.db.session() as session:
        assert await move_chat(session, "telegram", str(OLD), str(NEW), now) == 1
    async with dingtao.db.session() as session:
        assert await move_chat(session, "telegram", str(OLD), str(NEW), now) == 0  # nothing left to move
        moved = await session.get(Member, member.id)
        assert moved is not None
        assert (moved.user_id, moved.chat_id, moved.role) == (f"group:{NEW}", str(NEW), "leader")
        assert await session.get(Identity, ("telegram", f"group:{OLD}")) is None
        followed = await session.get(Identity, ("telegram", f"group:{NEW}"))
        assert followed is not None
        assert (followed.lang, followed.current_plan) == ("en", "dingtao-2022")
        assert [(b.chat_id, b.reason) for b in (await session.exec(select(ChatBlock))).all()] == [
            (str(NEW), "forbidden: bot was kicked")
        ]
    assert len(await moves(dingtao)) == 1


async def test_a_supergroup_bound_again_keeps_its_own_binding(dingtao: Services) -> None:
    now = dingtao.clock()
    async with dingtao.db.session() as session:
        ids = []
        for chat_id, role in ((OLD, "leader"), (NEW, "admin")):
            bound = await bind_member(
                session,
                plan_id="dingtao-2022",
                transport="telegram",
                user_id=f"group:{chat_id}",
                display_name="领导小组",
                chat_id=str(chat_id),
                role=role,
                unit_id=None,
                now=now,
                via="test",
            )
            ids.append(bound.id)
    async with dingtao.db.session() as session:
        assert await move_chat(session, "telegram", str(OLD), str(NEW), now) == 0
    async with dingtao.db.session() as session:
        old, new = [await session.get(Member, i) for i in ids]
        identities = (await session.exec(select(Identity).where(Identity.transport == "telegram"))).all()
    assert [i.user_id for i in identities] == [f"group:{NEW}"]  # the new chat's own preferences win
    assert old is not None
    assert new is not None
    assert (old.user_id, old.chat_id) == (f"group:{OLD}", "")  # reaches nobody: its chat is gone
    assert (new.user_id, new.chat_id, new.role) == (f"group:{NEW}", str(NEW), "admin")
    detail = json.loads((await moves(dingtao))[0].detail)
    assert (detail["moved"], detail["left"]) == ([], [old.id])
