"""The first hour on Telegram: notices arrive with buttons that work, and answers reach the unit."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.telegram_transport import TelegramTransport
from handlers.context import Services
from reminders.sender import Sender
from tests.conftest import FakeClock, member
from tests.fake_telegram import FakeTelegram
from tests.test_telegram import running, say

OFFICE, ARCHIVE, MINZHENG = 2101, 2102, 2103


async def _arrives(fake: FakeTelegram, chat: int, words: str) -> dict[str, Any]:
    for _ in range(100):
        found = [m for m in fake.sent_to(chat) if words in m["plain"]]
        if found:
            return found[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing with {words!r} reached {chat}")


def _button(message: dict[str, Any], label: str) -> str:
    buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
    return str(next(b["callback_data"] for b in buttons if b["text"] == label))


async def test_the_office_accepts_a_proposed_figure_with_the_notices_button(
    dingtao: Services, fake: FakeTelegram, clock: FakeClock
) -> None:
    office, archive = fake.user(OFFICE, "Wu"), fake.user(ARCHIVE, "Hou")
    office_chat, archive_chat = fake.private_chat(OFFICE), fake.private_chat(ARCHIVE)
    await member(dingtao, "dingtao-2022", str(OFFICE), "admin", transport="telegram")
    await member(dingtao, "dingtao-2022", str(ARCHIVE), "liaison", "区档案馆", transport="telegram")
    async with running(dingtao, fake) as (_, bridge):
        proposed = await say(fake, archive, archive_chat, "/report 1 95")
        assert "已提交建议值" in proposed["plain"]
        sender = Sender(dingtao.db, clock, [TelegramTransport(bridge)])
        await sender.send_due()
        notice = await _arrives(fake, OFFICE, "【数据建议")
        fake.press_button(user=office, chat=office_chat, message_id=notice["message_id"], data=_button(notice, "采纳"))
        accepted = await _arrives(fake, OFFICE, "已采纳")
        assert "0 → 2" in accepted["plain"]
        await sender.send_due()
        told = await _arrives(fake, ARCHIVE, "【建议值已采纳】")
        assert "95" in told["plain"]


async def test_a_call_for_help_reaches_the_office_whose_reply_reaches_the_unit(
    dingtao: Services, fake: FakeTelegram, clock: FakeClock
) -> None:
    office, mz = fake.user(OFFICE, "Wu"), fake.user(MINZHENG, "Zhang")
    office_chat, mz_chat = fake.private_chat(OFFICE), fake.private_chat(MINZHENG)
    await member(dingtao, "dingtao-2022", str(OFFICE), "admin", transport="telegram")
    await member(dingtao, "dingtao-2022", str(MINZHENG), "liaison", "区民政局", transport="telegram")
    async with running(dingtao, fake) as (_, bridge):
        blocked = await say(fake, mz, mz_chat, "/progress 5 受阻 编办接口未开放")
        assert "已通知办公室和领导" in blocked["plain"]
        sender = Sender(dingtao.db, clock, [TelegramTransport(bridge)])
        await sender.send_due()
        notice = await _arrives(fake, OFFICE, "【求助】区民政局")
        assert "编办接口未开放" in notice["plain"]
        assert _button(notice, "已解决") == "/resolve 5 区民政局"
        reply = await say(fake, office, office_chat, "已协调编办，周五前开放", reply_to=notice["message_id"])
        assert "已将答复发给 区民政局" in reply["plain"]
        await sender.send_due()
        answer = await _arrives(fake, MINZHENG, "【办公室答复】")
        assert "周五前开放" in answer["plain"]
