"""Duban on Telegram: the real python-telegram-bot over real HTTP against a local Bot API server."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.telegram import AnyApp, TelegramBridge, split_text
from bot.telegram_app import start_telegram, stop_telegram
from bot.telegram_transport import TelegramTransport
from config.settings import Settings
from handlers.context import Services
from models.people import create_invite, find_unit
from models.tables import ChatBlock, Delivery, ReminderRow, Report
from reminders.engine import ReminderEngine
from reminders.sender import Sender
from tests.conftest import SHANGHAI, FakeClock, duban, member, prepare_burst, start_duban_run
from tests.fake_telegram import FakeTelegram

ALICE, BOB, CAROL = 1001, 1002, 1003
LEADERS = -1_001_000_000_001


def settings_for(fake: FakeTelegram, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,
        telegram_token=fake.token,
        telegram_base_url=f"http://127.0.0.1:{fake.port}",
        telegram_poll_timeout=1,
        **extra,
    )


@asynccontextmanager
async def running(services: Services, fake: FakeTelegram) -> AsyncIterator[tuple[AnyApp, TelegramBridge]]:
    app, bridge = await start_telegram(settings_for(fake), services)
    try:
        yield app, bridge
    finally:
        await stop_telegram(app)


async def invite(services: Services, role: str, unit: str | None = None) -> str:
    async with services.db.session() as session:
        unit_id = None
        if unit is not None:
            found = await find_unit(session, "dingtao-2022", unit)
            assert found is not None
            unit_id = found.id
        code = await create_invite(
            session,
            plan_id="dingtao-2022",
            role=role,
            unit_id=unit_id,
            created_by=None,
            actor="test",
            now=services.clock(),
        )
    return code.code


async def say(
    fake: FakeTelegram, user: dict[str, Any], chat: dict[str, Any], text: str, reply_to: int | None = None
) -> dict[str, Any]:
    """Send as a user and wait for Duban's answer in that chat."""
    before = len(fake.sent_to(chat["id"]))
    fake.send_text(user=user, chat=chat, text=text, reply_to_message_id=reply_to)
    for _ in range(100):
        sent = fake.sent_to(chat["id"])
        if len(sent) > before:
            return sent[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no answer to {text!r}")


async def test_a_liaison_session_from_deep_link_to_button(
    dingtao: Services, fake: FakeTelegram, clock: FakeClock
) -> None:
    alice, chat = fake.user(ALICE, "Alice"), fake.private_chat(ALICE)
    code = await invite(dingtao, "liaison", "区民政局")
    async with running(dingtao, fake) as (app, bridge):
        bound = await say(fake, alice, chat, f"/start {code}")  # what t.me/<bot>?start=<code> sends
        assert "联络员（区民政局）" in bound["plain"]
        await fake.wait_for("setMyCommands", predicate=lambda c: "chat" in str(c.params.get("scope")))
        menus = fake.commands({"type": "chat", "chat_id": ALICE})
        assert {c["command"] for c in menus} >= {"report", "progress", "tasks"}
        assert "invite" not in {c["command"] for c in menus}
        assert fake.commands({"type": "default"})  # everyone sees how to get in
        reported = await say(fake, alice, chat, "/report 4 2022-05 0")
        assert "已提交建议值" in reported["plain"]  # indicator 4 is read off a platform: the office owns it
        assert "不由您单位负责" in (await say(fake, alice, chat, "/report 11 8亿"))["plain"]
        # A reminder goes out with buttons; Alice replies to it in the chat.
        clock.set(dt.datetime(2022, 6, 21, 9, 0, tzinfo=SHANGHAI))
        engine = ReminderEngine(dingtao.db, clock, [TelegramTransport(bridge)])
        await engine.start()
        reminder = next(m for m in fake.sent_to(ALICE) if "任务 5 " in m["plain"])
        labels = [b["text"] for row in reminder["reply_markup"]["inline_keyboard"] for b in row]
        assert labels == ["完成", "进行中", "需要帮助"]
        answered = await say(fake, alice, chat, "核查了一半", reply_to=reminder["message_id"])
        assert "区民政局）：未开始 → 进行中" in answered["plain"]  # proposed: recorded on 确认
        confirm = answered["reply_markup"]["inline_keyboard"][0][0]
        assert confirm["text"] == "确认"
        sent = len(fake.sent_to(ALICE))
        fake.press_button(user=alice, chat=chat, message_id=answered["message_id"], data=confirm["callback_data"])
        await fake.wait_for("answerCallbackQuery")
        await fake.wait_for("sendMessage", predicate=lambda _: len(fake.sent_to(ALICE)) > sent)
        recorded = fake.sent_to(ALICE)[-1]
        assert "区民政局：未开始 → 进行中" in recorded["plain"]
        assert "撤销" in str(recorded["reply_markup"])  # the undo button
        # She presses Done on the reminder: progress is recorded and the reminder shows it.
        fake.press_button(user=alice, chat=chat, message_id=reminder["message_id"], data="/progress 5 done")
        await fake.wait_for("answerCallbackQuery")
        await fake.wait_for("editMessageText")
        edited = fake.message(ALICE, reminder["message_id"])
        assert edited is not None
        assert "✅ 已登记：任务 5" in edited["text"]
        assert "区民政局：进行中 → 已完成" in edited["text"]
        task = await say(fake, alice, chat, "/task 5")
        assert "区民政局: 已完成" in task["plain"]


async def test_leaders_group_drills_down_and_gets_the_digest(
    dingtao: Services, fake: FakeTelegram, clock: FakeClock
) -> None:
    bob, carol = fake.user(BOB, "Bob"), fake.user(CAROL, "Carol")
    group = fake.group_chat(LEADERS, "领导小组")
    clock.set(dt.datetime(2022, 7, 6, 10, 0, tzinfo=SHANGHAI))
    code = await invite(dingtao, "leader")
    async with running(dingtao, fake) as (app, bridge):
        bound = await say(fake, bob, group, f"/bind@{fake.bot_username} {code}")
        assert "领导" in bound["plain"]
        fake.send_text(user=carol, chat=group, text="/status@some_other_bot")  # not for us
        status = await say(fake, carol, group, f"/status@{fake.bot_username}")  # Carol is not bound herself
        assert "逾期 1 项" in status["plain"]
        buttons = [b for row in status["reply_markup"]["inline_keyboard"] for b in row]
        target = next(b for b in buttons if b["text"] == "区民政局")
        fake.press_button(user=carol, chat=group, message_id=status["message_id"], data=target["callback_data"])
        await fake.wait_for("answerCallbackQuery")
        for _ in range(100):
            if (fake.sent_to(LEADERS)[-1]["plain"] or "").startswith("区民政局"):
                break
            await asyncio.sleep(0.05)
        assert "任务：0/" in fake.sent_to(LEADERS)[-1]["plain"]
        assert not (await say(fake, carol, group, f"/report@{fake.bot_username} 3 0.45%"))["plain"].startswith("已记录")
        engine = ReminderEngine(dingtao.db, clock, [TelegramTransport(bridge)])
        await engine.digest("dingtao-2022")
        await fake.wait_for("sendPhoto")
        await fake.wait_for("sendMessage", predicate=lambda c: "督办周报" in str(c.params.get("text")))
        digest = fake.sent_to(LEADERS)
        assert any(m["photo"] for m in digest)
        assert any((m["plain"] or "").startswith("督办周报") and "区委编办" in m["plain"] for m in digest)
    assert all(c.status == 200 for c in fake.calls_of("sendMessage"))


async def test_replies_are_escaped_and_long_ones_split(dingtao: Services, fake: FakeTelegram) -> None:
    alice, chat = fake.user(ALICE, "<b>Alice</b>"), fake.private_chat(ALICE)
    await member(dingtao, "dingtao-2022", str(ALICE), "admin", transport="telegram")
    async with running(dingtao, fake):
        answer = await say(fake, alice, chat, "/report 3 <b>1</b>")
        assert "&lt;b&gt;" in answer["text"]  # sent escaped
        assert "<b>1</b>" in answer["plain"]  # and shown as typed
        await say(fake, alice, chat, "/indicators")
        fake.send_text(user=alice, chat=chat, text="/help")
        await fake.wait_for("sendMessage", count=3)
    pieces = split_text("\n".join(f"第{i}行 " + "字" * 90 for i in range(200)))
    assert len(pieces) > 1
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in pieces)
    assert "\n".join(pieces).count("\n") == 199


async def test_a_burst_to_300_chats_keeps_the_limits(dingtao: Services, clock: FakeClock) -> None:
    async with FakeTelegram(enforce_limits=True) as fake:
        rows = await prepare_burst(dingtao, fake, 300, clock)
        app, bridge = await start_telegram(settings_for(fake), dingtao)
        try:
            started = time.monotonic()
            stats = await Sender(dingtao.db, clock, [TelegramTransport(bridge)]).send_due()
            elapsed = time.monotonic() - started
        finally:
            await stop_telegram(app)
        assert stats.deliveries == 300
        assert fake.too_many == 0
        assert len(fake.calls_of("sendMessage")) == 300
        assert elapsed >= 300 / 30 * 0.9  # no faster than Telegram allows
        assert rows == 300


async def test_a_restart_in_the_middle_of_a_burst_sends_each_message_once(dingtao: Services, clock: FakeClock) -> None:
    async with FakeTelegram(enforce_limits=True) as fake:
        await prepare_burst(dingtao, fake, 90, clock)
        app, bridge = await start_telegram(settings_for(fake), dingtao)
        engine = ReminderEngine(dingtao.db, clock, [TelegramTransport(bridge)])
        engine.sync = _no_sync  # type: ignore[method-assign]  # the burst rows are not the plan's schedule
        burst = asyncio.create_task(engine.run_once())
        await fake.wait_for("sendMessage", count=40)
        await engine.shutdown()  # Duban stops mid-burst: messages in flight finish, the rest wait
        await burst
        await stop_telegram(app)
        stopped_at = len(fake.calls_of("sendMessage"))
        assert stopped_at < 90
        app, bridge = await start_telegram(settings_for(fake), dingtao)
        try:
            await Sender(dingtao.db, clock, [TelegramTransport(bridge)]).send_due()
        finally:
            await stop_telegram(app)
        chats = [c.params["chat_id"] for c in fake.calls_of("sendMessage") if c.status == 200]
        assert sorted(chats) == sorted(str(2000 + i) for i in range(90)) or sorted(map(int, chats)) == list(
            range(2000, 2090)
        )
        assert fake.too_many == 0
        async with dingtao.db.session() as session:
            assert (await session.exec(select(func.count()).select_from(Delivery))).one() == 90


async def _no_sync() -> None:
    return None


async def test_flood_answers_network_errors_and_blocked_chats(
    dingtao: Services, fake: FakeTelegram, clock: FakeClock
) -> None:
    await prepare_burst(dingtao, fake, 3, clock)
    await member(dingtao, "dingtao-2022", str(ALICE), "admin", transport="telegram")
    fake.private_chat(ALICE)
    fake.fail_next("sendMessage", status=429, retry_after=1)
    fake.fail_next("sendMessage", status=502, retry_after=None)
    fake.block_chat(2002)
    app, bridge = await start_telegram(settings_for(fake), dingtao)
    try:
        stats = await Sender(dingtao.db, clock, [TelegramTransport(bridge, backoff=0.05)]).send_due()
        assert stats.deliveries == 2
        notices = await Sender(dingtao.db, clock, [TelegramTransport(bridge)]).send_due()
    finally:
        await stop_telegram(app)
    assert notices.deliveries == 1
    told = [m["plain"] for m in fake.sent_to(ALICE)]
    assert any("送达失败" in text and "blocked" in text for text in told)
    async with dingtao.db.session() as session:
        blocked = (await session.exec(select(ChatBlock))).all()
        rows = (await session.exec(select(ReminderRow).where(ReminderRow.kind == "deadline_day"))).all()
    assert [b.chat_id for b in blocked] == ["2002"]
    # The unit whose only liaison blocked the bot got nothing: undeliverable, not "sent".
    assert sorted(r.status for r in rows) == ["sent", "sent", "undeliverable"]


async def test_webhook_mode_checks_the_secret(dingtao: Services, fake: FakeTelegram) -> None:
    import aiohttp

    port = _free_port()
    settings = settings_for(
        fake,
        telegram_webhook_url="https://duban.example.org/tg/hook",
        telegram_listen="127.0.0.1",
        telegram_port=port,
        telegram_secret_token="s3cret",
    )
    await member(dingtao, "dingtao-2022", str(ALICE), "admin", transport="telegram")
    fake.private_chat(ALICE)
    app, _ = await start_telegram(settings, dingtao)
    try:
        assert fake.webhook_url == "https://duban.example.org/tg/hook"
        assert fake.webhook_secret_token == "s3cret"
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "/help",
                "chat": {"id": ALICE, "type": "private"},
                "from": {"id": ALICE, "is_bot": False, "first_name": "A"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/tg/hook"
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as bad:
                assert bad.status == 403
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"}) as good:
                assert good.status == 200
        await fake.wait_for("sendMessage")
        assert "/report" in fake.sent_to(ALICE)[-1]["plain"]
    finally:
        await stop_telegram(app)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_duban_run_serves_telegram(tmp_path: Any, fake: FakeTelegram) -> None:
    """The real command, configured only by environment variables, answering private and group chats."""
    import os
    import signal

    db = f"sqlite:///{tmp_path}/run.db"
    env = {
        **os.environ,
        "DATABASE_URL": db,
        "DUBAN_TELEGRAM_TOKEN": fake.token,
        "PTB_TIMEDELTA": "1",
        "DUBAN_TELEGRAM_BASE_URL": f"http://127.0.0.1:{fake.port}",
        "DUBAN_TELEGRAM_POLL_TIMEOUT": "1",
    }

    await duban(env, "plan", "load", "dingtao-2022")
    admin_code = await duban(env, "invite", "--plan", "dingtao-2022", "admin")
    leader_code = await duban(env, "invite", "--plan", "dingtao-2022", "leader")
    process = await start_duban_run(env)
    try:
        await fake.wait_for("getUpdates", answered=False, timeout=30)
        alice, private = fake.user(ALICE, "Alice"), fake.private_chat(ALICE)
        bob, group = fake.user(BOB, "Bob"), fake.group_chat(LEADERS, "领导小组")
        assert "督办" in (await say(fake, alice, private, "/start"))["plain"]
        assert "/bind" in (await say(fake, alice, private, "/help"))["plain"]
        assert "管理员" in (await say(fake, alice, private, f"/bind {admin_code}"))["plain"]
        assert "0 → 4.29" in (await say(fake, alice, private, "/report 11 8亿"))["plain"]
        assert "领导" in (await say(fake, bob, group, f"/bind@{fake.bot_username} {leader_code}"))["plain"]
        assert "总分 4.29 / 100" in (await say(fake, bob, group, f"/status@{fake.bot_username}"))["plain"]
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err
    assert fake.token not in (out + err).decode()


async def test_a_failure_is_logged_with_its_update_and_the_user_gets_an_apology(
    dingtao: Services, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    alice, chat = fake.user(ALICE, "Alice"), fake.private_chat(ALICE)
    async with running(dingtao, fake):
        fake.fail_next("sendMessage", status=400, retry_after=None, description="Bad Request: something broke")
        fake.send_text(user=alice, chat=chat, text="/help")
        await fake.wait_for("sendMessage", count=2)
    apology = fake.sent_to(ALICE)[-1]["plain"]
    assert apology.startswith("抱歉")
    assert "Traceback" not in apology
    failures = [r for r in caplog.records if r.name == "bot.telegram" and r.levelname == "ERROR"]
    assert failures
    assert "/help" in failures[0].getMessage()
    assert fake.token not in caplog.text


async def test_status_carries_the_live_page_as_a_mini_app_button_in_a_private_chat_only(
    dingtao: Services, fake: FakeTelegram
) -> None:
    bob, chat = fake.user(BOB, "Bob"), fake.private_chat(BOB)
    group = fake.group_chat(LEADERS, "领导小组")
    await member(dingtao, "dingtao-2022", str(BOB), "leader", transport="telegram")
    async with running(dingtao, fake):
        dingtao.web.base, dingtao.web.telegram_button = "https://duban.example.gov.cn", True
        status = await say(fake, bob, chat, "/status")
        buttons = [b for row in status["reply_markup"]["inline_keyboard"] for b in row]
        assert buttons[-1] == {"text": "📊 打开督办看板", "web_app": {"url": "https://duban.example.gov.cn/web/"}}
        in_group = await say(fake, bob, group, f"/status@{fake.bot_username}")  # web_app buttons are private-only
        assert "web_app" not in str(in_group.get("reply_markup"))
        dingtao.web.base, dingtao.web.telegram_button = "http://10.1.2.3:8080", False  # Telegram takes https only
        plain = await say(fake, bob, chat, "/status")
        assert "web_app" not in str(plain.get("reply_markup"))
    assert all(c.status == 200 for c in fake.calls_of("sendMessage"))


async def test_a_reply_to_the_march_nudge_in_plain_chinese_is_read_and_one_tap_records_both(
    dingtao: Services, fake: FakeTelegram, clock: FakeClock
) -> None:
    alice, chat = fake.user(ALICE, "Alice"), fake.private_chat(ALICE)
    await member(dingtao, "dingtao-2022", str(ALICE), "liaison", "区发改局", transport="telegram")
    clock.set(dt.datetime(2022, 4, 6, 9, 0, tzinfo=SHANGHAI))
    async with running(dingtao, fake) as (_, bridge):
        await ReminderEngine(dingtao.db, clock, [TelegramTransport(bridge)]).start()
        nudge = next(m for m in fake.sent_to(ALICE) if "2022-03" in (m["plain"] or ""))
        read = await say(fake, alice, chat, "3月份合规率100%，及时率99.5%", reply_to=nudge["message_id"])
        assert "合规率 2022-03 = 100%" in read["plain"]
        buttons = {b["text"]: b["callback_data"] for row in read["reply_markup"]["inline_keyboard"] for b in row}
        assert list(buttons) == ["确认", "修改", "取消"]
        fake.press_button(user=alice, chat=chat, message_id=read["message_id"], data=buttons["确认"])
        await fake.wait_for("answerCallbackQuery")
        for _ in range(100):
            async with dingtao.db.session() as session:
                rows = (await session.exec(select(Report.period, Report.item, Report.value))).all()
            if len(rows) == 2:
                break
            await asyncio.sleep(0.05)
    assert sorted(tuple(r) for r in rows) == [("2022-03", "及时率", "0.995"), ("2022-03", "合规率", "1")]
