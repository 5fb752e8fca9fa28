"""The fake Telegram server, driven by the real python-telegram-bot (no library internals patched).

These tests pin down what later transport tests rely on: PTB finds the fake through ``base_url``,
long polling delivers the fake users' messages and button presses to handlers, and Telegram's
failure modes (flood control, server errors, hangs, blocked users, bad requests) reach PTB as the
exceptions the transport has to handle.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.helpers import escape_markdown
from telegram.request import HTTPXRequest

from tests.fake_telegram import FakeTelegram, scope_key, tiny_png

AnyApp = Application[Any, Any, Any, Any, Any, Any]

ALICE = 1001
GROUP = -1_001_234_567_890


def direct_request(pool: int = 8) -> HTTPXRequest:
    """Loopback without proxies: httpx would otherwise honour HTTP(S)_PROXY from the environment."""
    return HTTPXRequest(connection_pool_size=pool, httpx_kwargs={"trust_env": False})


@asynccontextmanager
async def bare_bot(fake: FakeTelegram, pool: int = 8) -> AsyncIterator[Bot]:
    bot = Bot(
        fake.token,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        request=direct_request(pool),
        get_updates_request=direct_request(2),
    )
    async with bot:
        yield bot


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with bare_bot(fake) as ready:
        yield ready


def build_app(fake: FakeTelegram) -> AnyApp:
    return (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .request(direct_request())
        .get_updates_request(direct_request(2))
        .build()
    )


@asynccontextmanager
async def polling(app: AnyApp) -> AsyncIterator[AnyApp]:
    """``async with app`` + polling + start; stopped cleanly whatever the test does."""
    async with app:
        updater = app.updater
        assert updater is not None
        await updater.start_polling(poll_interval=0, timeout=1)
        try:
            await app.start()
            try:
                yield app
            finally:
                await app.stop()
        finally:
            await updater.stop()


async def reply_started(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(f"started in {message.chat.type}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    await message.reply_text(f"echo: {message.text}")


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    keyboard = [[InlineKeyboardButton("是", callback_data="yes"), InlineKeyboardButton("否", callback_data="no")]]
    await message.reply_text("继续吗？", reply_markup=InlineKeyboardMarkup(keyboard))


async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("收到")
    await query.edit_message_text(f"chose {query.data}")


# --------------------------------------------------------------------------- basics


async def test_get_me_answers_the_fake_bot(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == "duban_test_bot"
    assert me.id == fake.bot_id
    assert me.is_bot
    assert [c.method for c in fake.calls] == ["getMe", "getMe"]  # Bot.initialize() asks first
    assert fake.calls[0].params == {}
    assert fake.calls[0].status == 200


async def test_a_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    request = direct_request()
    await request.initialize()  # Bot.initialize() would fail on getMe and leave its requests open
    try:
        stranger = Bot("1:wrong", base_url=fake.base_url, request=request, get_updates_request=request)
        with pytest.raises(InvalidToken, match="Unauthorized"):
            await stranger.get_me()
    finally:
        await request.shutdown()
    assert fake.calls[0].status == 401


# --------------------------------------------------------------------------- updates through polling


async def test_commands_from_private_and_group_chats_reach_the_command_handler(fake: FakeTelegram) -> None:
    app = build_app(fake)
    app.add_handler(CommandHandler("start", reply_started))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    alice = fake.user(ALICE, "Alice", username="alice")
    private = fake.private_chat(ALICE)
    group = fake.group_chat(GROUP, "督办工作群")
    async with polling(app):
        fake.send_text(user=alice, chat=private, text="/start")
        fake.send_text(user=alice, chat=group, text="/start@other_bot")  # for another bot: ignored
        in_group = fake.send_text(user=alice, chat=group, text="/start@duban_test_bot")
        emoji = fake.send_text(user=alice, chat=private, text="😀 /start")  # not at the start: plain text
        await fake.wait_for("sendMessage", count=3)

    assert [m["text"] for m in fake.sent_to(ALICE)] == ["started in private", "echo: 😀 /start"]
    assert fake.sent_to(GROUP) == [
        {
            "method": "sendMessage",
            "message_id": in_group + 1,
            "text": "started in supergroup",
            "plain": "started in supergroup",
            "parse_mode": None,
            "reply_markup": None,
            "reply_to_message_id": in_group,  # PTB quotes by default outside private chats
            "photo": False,
            "document": None,
        }
    ]
    entities = [{"type": "bot_command", "offset": 0, "length": len("/start@duban_test_bot")}]
    assert (fake.message(GROUP, in_group) or {})["entities"] == entities
    # The emoji is two UTF-16 units: offsets are in UTF-16, like Telegram's.
    assert (fake.message(ALICE, emoji) or {})["entities"] == [{"type": "bot_command", "offset": 3, "length": 6}]
    assert fake.pending_updates == []  # every update was confirmed by the next offset


async def test_a_button_press_is_answered_and_the_message_edited(fake: FakeTelegram) -> None:
    app = build_app(fake)
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(chosen))
    alice = fake.user(ALICE, "Alice")
    chat = fake.private_chat(ALICE)
    async with polling(app):
        fake.send_text(user=alice, chat=chat, text="/menu")
        await fake.wait_for("sendMessage")
        keyboard_message = fake.sent_to(ALICE)[0]["message_id"]
        query_id = fake.press_button(user=alice, chat=chat, message_id=keyboard_message, data="yes")
        await fake.wait_for("editMessageText")
        answers = await fake.wait_for("answerCallbackQuery")

    assert answers[0].params == {"callback_query_id": query_id, "text": "收到"}
    sent, edited = fake.sent_to(ALICE)
    assert sent["reply_markup"] == {
        "inline_keyboard": [[{"text": "是", "callback_data": "yes"}, {"text": "否", "callback_data": "no"}]]
    }
    assert edited["method"] == "editMessageText"
    assert edited["message_id"] == keyboard_message
    assert edited["text"] == "chose yes"
    assert edited["reply_markup"] is None
    assert "reply_markup" not in (fake.message(ALICE, keyboard_message) or {})  # an edit without it drops it
    with pytest.raises(ValueError, match="shows no button"):
        fake.press_button(user=alice, chat=chat, message_id=keyboard_message, data="no")


async def test_get_updates_confirms_by_offset_honours_limit_and_waits(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(ALICE)
    chat = fake.private_chat(ALICE)
    for text in ("one", "two", "three"):
        fake.send_text(user=alice, chat=chat, text=text)

    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert len(fake.pending_updates) == 1  # confirmed only by the next offset

    waiting = asyncio.create_task(bot.get_updates(offset=rest[-1].update_id + 1, timeout=5))
    await fake.wait_for("getUpdates", count=3, answered=False)
    started = time.monotonic()
    fake.send_text(user=alice, chat=chat, text="four")
    woken = await waiting
    assert [u.message.text for u in woken if u.message] == ["four"]
    assert time.monotonic() - started < 1  # a long poll returns as soon as an update arrives
    assert fake.pending_updates[0]["update_id"] == woken[0].update_id

    started = time.monotonic()
    assert await bot.get_updates(offset=woken[-1].update_id + 1, timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 2


async def test_two_concurrent_polls_conflict_and_a_webhook_blocks_polling(fake: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for("getUpdates", answered=False)
    assert await bot.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first

    with pytest.raises(BadRequest, match="(?i)an HTTPS URL must be provided"):
        await bot.set_webhook("http://example.org/hook")
    assert await bot.set_webhook("https://duban.example/tg", secret_token="s3cret-token", allowed_updates=["message"])
    assert fake.webhook_url == "https://duban.example/tg"
    assert fake.webhook_secret_token == "s3cret-token"
    assert fake.webhook_params["allowed_updates"] == ["message"]
    info = await bot.get_webhook_info()
    assert info.url == "https://duban.example/tg"
    assert info.allowed_updates == ("message",)
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert fake.webhook_url == ""
    assert await bot.get_updates() == ()


# --------------------------------------------------------------------------- what the bot sends


async def test_send_photo_uploads_multipart_bytes(fake: FakeTelegram, bot: Bot) -> None:
    fake.private_chat(ALICE)
    png = tiny_png(120, 60)
    message = await bot.send_photo(ALICE, png, caption="<b>本周</b>进度", parse_mode=ParseMode.HTML)

    (call,) = fake.calls_of("sendPhoto")
    assert call.files == {"photo": png}
    assert call.params == {"chat_id": ALICE, "caption": "<b>本周</b>进度", "parse_mode": "HTML"}
    assert (message.photo[-1].width, message.photo[-1].height) == (120, 60)
    assert message.caption == "本周进度"
    assert message.caption_entities[0].type == "bold"
    entry = fake.sent_to(ALICE)[0]
    assert entry["photo"]
    assert entry["text"] == "<b>本周</b>进度"

    again = await bot.send_photo(ALICE, message.photo[-1].file_id)  # a file_id is sent as a plain field
    assert fake.calls_of("sendPhoto")[1].files == {}
    assert again.photo[-1].file_unique_id == message.photo[-1].file_unique_id
    with pytest.raises(BadRequest, match="(?i)IMAGE_PROCESS_FAILED"):
        await bot.send_photo(ALICE, b"%PDF-1.7 not a picture")


async def test_documents_upload_and_download_through_base_file_url(fake: FakeTelegram, bot: Bot) -> None:
    fake.private_chat(ALICE)
    report = "指标,得分\n3,1\n".encode()
    message = await bot.send_document(ALICE, report, filename="report.csv")
    assert message.document is not None
    assert message.document.file_name == "report.csv"
    assert fake.calls_of("sendDocument")[0].files == {"document": report}
    assert fake.sent_to(ALICE)[0]["document"] == "report.csv"

    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == report


async def test_set_my_commands_is_recorded_per_scope(fake: FakeTelegram, bot: Bot) -> None:
    fake.group_chat(GROUP, "督办工作群")
    everyone = [BotCommand("start", "开始"), BotCommand("status", "进度")]
    assert await bot.set_my_commands(everyone)
    assert await bot.set_my_commands([BotCommand("status", "进度")], scope=BotCommandScopeChat(GROUP))
    assert await bot.set_my_commands([BotCommand("start", "Start")], language_code="en")

    group_key = scope_key({"type": "chat", "chat_id": GROUP})
    assert group_key == '{"chat_id": -1001234567890, "type": "chat"}'
    assert fake.commands_by_scope == {
        '{"type": "default"}': [
            {"command": "start", "description": "开始"},
            {"command": "status", "description": "进度"},
        ],
        group_key: [{"command": "status", "description": "进度"}],
    }
    assert fake.commands(language_code="en") == [{"command": "start", "description": "Start"}]
    in_group = await bot.get_my_commands(scope=BotCommandScopeChat(GROUP))
    assert [c.command for c in in_group] == ["status"]
    assert fake.calls_of("setMyCommands")[1].params["scope"] == {"type": "chat", "chat_id": GROUP}

    assert await bot.delete_my_commands(scope=BotCommandScopeChat(GROUP))
    assert group_key not in fake.commands_by_scope
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Status", "upper case is refused")])
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.set_my_commands(everyone, scope=BotCommandScopeChat(-42))


async def test_bad_requests_are_refused_like_telegram(fake: FakeTelegram, bot: Bot) -> None:
    fake.private_chat(ALICE)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(ALICE, " ")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(ALICE, "长" * 4097)
    assert (await bot.send_message(ALICE, "长" * 4096)).text == "长" * 4096
    too_long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(ALICE, "pick", reply_markup=too_long_data)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(4242, "nobody there")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.edit_message_text("new", chat_id=4242, message_id=1)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("new", chat_id=ALICE, message_id=99)
    sent = await bot.send_message(ALICE, "same")
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("same", chat_id=ALICE, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(ALICE, "re", reply_to_message_id=99)
    with pytest.raises(BadRequest, match='(?i)unsupported start tag "" at byte offset 2'):
        await bot.send_message(ALICE, "a < b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)character '.' is reserved"):
        await bot.send_message(ALICE, "得分 1.5", parse_mode=ParseMode.MARKDOWN_V2)
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": ALICE})
    assert fake.calls[-1].status == 404

    formatted = await bot.send_message(ALICE, "<b>逾期</b> &lt;3 天", parse_mode=ParseMode.HTML)
    assert formatted.text == "逾期 <3 天"
    assert [(e.type, e.offset, e.length) for e in formatted.entities] == [("bold", 0, 2)]


async def test_html_and_markdown_v2_are_parsed_like_telegram(fake: FakeTelegram, bot: Bot) -> None:
    fake.private_chat(ALICE)
    html = '<b>逾期 <i>3</i></b> 😀 <a href="https://duban.example/t?id=5&amp;u=1">任务 5</a>'
    message = await bot.send_message(ALICE, html, parse_mode=ParseMode.HTML)
    assert message.text == "逾期 3 😀 任务 5"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 4),
        ("italic", 3, 1),
        ("text_link", 8, 4),  # the emoji counts two UTF-16 units
    ]
    assert message.entities[2].url == "https://duban.example/t?id=5&u=1"
    assert fake.sent_to(ALICE)[0]["text"] == html
    with pytest.raises(BadRequest, match='(?i)unmatched end tag at byte offset 4, expected "</b>", found "</i>"'):
        await bot.send_message(ALICE, "<b>x</i>", parse_mode=ParseMode.HTML)

    escaped = escape_markdown("得分 1.5 (满分 4)!", version=2)
    assert (await bot.send_message(ALICE, f"*{escaped}*", parse_mode=ParseMode.MARKDOWN_V2)).message_id == 2
    with pytest.raises(BadRequest, match="(?i)character '\\(' is reserved"):
        await bot.send_message(ALICE, "*得分* (满分)", parse_mode=ParseMode.MARKDOWN_V2)


# --------------------------------------------------------------------------- failures


async def test_a_429_raises_retry_after_once(fake: FakeTelegram, bot: Bot) -> None:
    fake.private_chat(ALICE)
    fake.fail_next("sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ALICE, "hello")
    assert caught.value.retry_after == dt.timedelta(seconds=3)
    await bot.send_message(ALICE, "hello")
    assert [c.status for c in fake.calls_of("sendMessage")] == [429, 200]
    assert [m["text"] for m in fake.sent_to(ALICE)] == ["hello"]
    assert fake.too_many == 0  # injected, not a broken limit


async def test_a_server_error_raises_network_error(fake: FakeTelegram, bot: Bot) -> None:
    fake.private_chat(ALICE)
    fake.fail_next(None, status=502, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway") as caught:
            await bot.send_message(ALICE, "hello")
        assert type(caught.value) is NetworkError  # not BadRequest, not RetryAfter
    assert fake.sent_to(ALICE) == []
    await bot.send_message(ALICE, "hello")
    assert len(fake.sent_to(ALICE)) == 1


async def test_a_hang_raises_timed_out_and_the_message_still_arrives(fake: FakeTelegram, bot: Bot) -> None:
    fake.private_chat(ALICE)
    fake.hang_next("sendMessage", 0.5)
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await bot.send_message(ALICE, "slow", read_timeout=0.1)
    assert time.monotonic() - started < 0.45
    assert fake.sent_to(ALICE) == []
    await fake.wait_for("sendMessage", timeout=2)
    # Telegram may deliver what the client gave up on: a blind retry would send it twice.
    assert [m["text"] for m in fake.sent_to(ALICE)] == ["slow"]


async def test_a_blocked_chat_raises_forbidden(fake: FakeTelegram, bot: Bot) -> None:
    fake.private_chat(ALICE)
    fake.group_chat(GROUP, "督办工作群")
    await bot.send_message(ALICE, "before")
    fake.block_chat(ALICE)
    fake.block_chat(GROUP)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ALICE, "after")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(GROUP, "after")
    assert [m["text"] for m in fake.sent_to(ALICE)] == ["before"]


# --------------------------------------------------------------------------- flood limits


async def test_enforced_limits_refuse_a_burst_of_40_messages() -> None:
    async with FakeTelegram(enforce_limits=True) as fake, bare_bot(fake, pool=64) as bot:
        users = range(2001, 2041)
        for user_id in users:
            fake.private_chat(user_id)
        results = await asyncio.gather(*(bot.send_message(u, "提醒") for u in users), return_exceptions=True)

    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 10
    assert all(isinstance(r, RetryAfter) for r in refused)
    assert fake.too_many == 10
    assert sum(len(fake.sent_to(u)) for u in users) == 30
    assert all(v.endswith("overall per second") for v in fake.limit_violations)
    assert fake.internal_errors == []


async def test_enforced_limits_per_private_chat_and_per_group() -> None:
    async with FakeTelegram(enforce_limits=True) as fake, bare_bot(fake) as bot:
        fake.private_chat(ALICE)
        fake.group_chat(GROUP, "督办工作群")
        await bot.send_message(ALICE, "one")
        with pytest.raises(RetryAfter) as private:
            await bot.send_message(ALICE, "two")
        assert private.value.retry_after == dt.timedelta(seconds=1)

        for number in range(20):
            await bot.send_message(GROUP, f"#{number}")
        with pytest.raises(RetryAfter) as group:
            await bot.send_message(GROUP, "#20")
        wait = group.value.retry_after
        assert isinstance(wait, dt.timedelta)
        assert dt.timedelta(seconds=59) <= wait <= dt.timedelta(seconds=60)
    assert fake.too_many == 2
    assert len(fake.sent_to(GROUP)) == 20
    assert fake.internal_errors == []


async def test_limits_are_only_counted_when_not_enforced(fake: FakeTelegram, bot: Bot) -> None:
    fake.private_chat(ALICE)
    await bot.send_message(ALICE, "one")
    await bot.send_message(ALICE, "two")
    assert [m["text"] for m in fake.sent_to(ALICE)] == ["one", "two"]
    assert fake.limit_violations == [f"sendMessage to {ALICE}: private chat per second"]
    assert fake.too_many == 0


async def test_json_bodies_are_accepted_too(fake: FakeTelegram) -> None:
    """Other clients (and PTB's do_api_request in some versions) post JSON; the fake reads it alike."""
    fake.private_chat(ALICE)
    markup = {"inline_keyboard": [[{"text": "好", "callback_data": "ok"}]]}
    async with aiohttp.ClientSession() as session:
        url = f"{fake.base_url}{fake.token}/sendMessage"
        async with session.post(url, json={"chat_id": ALICE, "text": "123", "reply_markup": markup}) as response:
            answer = await response.json()
    assert answer["ok"]
    assert answer["result"]["text"] == "123"
    assert answer["result"]["reply_markup"] == markup
    assert fake.calls_of("sendMessage")[0].params == {"chat_id": ALICE, "text": "123", "reply_markup": markup}
