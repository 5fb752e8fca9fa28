"""Buttons whose command is longer than Telegram's 64-byte callback data: kept in the database under a
code derived from the command, so they work after a restart, and forgotten after half a year."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.telegram import MAX_CALLBACK
from bot.telegram_app import start_telegram, stop_telegram
from handlers.context import Services
from handlers.conversation import Conversation
from handlers.router import handle
from handlers.types import Request
from models.button_codes import TTL, code_for, command_for, keep_codes
from models.database import Database
from models.tables import ButtonCode
from tests.conftest import FakeClock, member
from tests.fake_telegram import FakeTelegram
from tests.test_telegram import ALICE, say, settings_for

pytestmark = pytest.mark.both_databases  # see tests/backends.py

LONG_VALUE = "已建立信用工作制度并印发实施文件"
"""A value typed without its item: Duban asks which item, with one button per item repeating the
report, e.g. '/report 14 制度体系 已建立…' (72 bytes)."""


def buttons_of(message: dict[str, Any]) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row}


async def rows(db: Database) -> int:
    async with db.session() as session:
        return int((await session.exec(select(func.count()).select_from(ButtonCode))).one())


async def test_a_long_button_pressed_after_a_restart_still_sends_its_command(
    dingtao: Services, fake: FakeTelegram
) -> None:
    alice, chat = fake.user(ALICE, "Alice"), fake.private_chat(ALICE)
    await member(dingtao, "dingtao-2022", str(ALICE), "admin", transport="telegram")
    app, _ = await start_telegram(settings_for(fake), dingtao)
    try:
        asked = await say(fake, alice, chat, f"/report 14 {LONG_VALUE}")
    finally:
        await stop_telegram(app)
    data = buttons_of(asked)["制度体系"]
    command = f"/report 14 制度体系 {LONG_VALUE}"
    assert len(command.encode()) > MAX_CALLBACK
    assert data == code_for(command)
    assert len(data.encode()) <= MAX_CALLBACK
    # Duban restarts: a new application and bridge, nothing kept in memory.
    app, _ = await start_telegram(settings_for(fake), dingtao)
    try:
        before = len(fake.sent_to(ALICE))
        fake.press_button(user=alice, chat=chat, message_id=asked["message_id"], data=data)
        await fake.wait_for("answerCallbackQuery")
        await fake.wait_for("sendMessage", count=2)
    finally:
        await stop_telegram(app)
    answer = fake.calls_of("answerCallbackQuery")[-1].params.get("text", "")
    assert "失效" not in answer
    pressed = fake.sent_to(ALICE)[before:]
    typed = await handle(
        dingtao, Request(transport="telegram", user_id=str(ALICE), chat_id=str(ALICE), text=command, message_id="9")
    )
    assert [m["plain"] for m in pressed] == [typed.text]  # as if the command had been typed
    assert f"“{LONG_VALUE}”" in typed.text


async def test_the_same_command_keeps_one_code_and_old_codes_are_pruned(dingtao: Services, clock: FakeClock) -> None:
    first = "/status " + "很长的单位名称" * 4
    codes = Conversation(dingtao, "telegram", limit=MAX_CALLBACK)
    for _ in range(3):
        await codes.keep([first])
    assert await rows(dingtao.db) == 1
    assert (
        Conversation(dingtao, "telegram", limit=MAX_CALLBACK).data_for(first)
        == codes.data_for(first)
        == code_for(first)
    )
    assert codes.data_for("/progress 5 done") == "/progress 5 done"  # short commands need no code
    await codes.keep(["/progress 5 done"])
    assert await rows(dingtao.db) == 1
    assert await codes.command_for(codes.data_for(first)) == first
    start = clock()
    for day in range(0, 400, 10):  # a new long command every ten days for more than a year
        clock.set(start + dt.timedelta(days=day))
        await codes.keep([f"/status 单位{day:03d} " + "很长的名称" * 4])
    assert await rows(dingtao.db) == TTL.days // 10 + 1  # only the last half year's
    assert await codes.command_for(code_for(first)) is None  # issued more than half a year ago
    assert await codes.command_for("#1") is None  # a code of the old in-memory kind


async def test_a_code_issued_again_lives_on_and_an_unpruned_old_one_is_expired(dingtao: Services) -> None:
    command = "/report 14 制度体系 " + LONG_VALUE
    start = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    async with dingtao.db.session() as session:
        assert await keep_codes(session, [command], start) == [code_for(command)]
    async with dingtao.db.session() as session:
        await keep_codes(session, [command], start + dt.timedelta(days=170))  # shown again under a new message
    async with dingtao.db.session() as session:
        assert await command_for(session, code_for(command), start + dt.timedelta(days=300)) == command
        assert await command_for(session, code_for(command), start + dt.timedelta(days=351)) is None
