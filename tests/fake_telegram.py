"""A local Telegram Bot API server for tests.

The Telegram transport is tested by pointing the *real* python-telegram-bot library at this server
(``ApplicationBuilder().base_url(fake.base_url).base_file_url(fake.base_file_url)``) instead of
patching the library: whatever PTB really sends (encodings, retries, timeouts, polling offsets) is
what the fake sees, and whatever Telegram really answers (flood control, blocked users, malformed
HTML, "message is not modified") is what the bot has to cope with.

Each test gets its own server (``async with FakeTelegram() as fake:``) on 127.0.0.1 and a free port:
the server lives on the test's event loop, so nothing leaks between tests and no loop scopes clash.

Request encoding PTB 22 uses (observed by running it against this server): every call is a POST to
``/bot{token}/{method}``; without parameters (getMe) the body is empty and has no Content-Type;
otherwise ``application/x-www-form-urlencoded`` where strings are sent as they are and every other
value (ints, bools, lists, objects such as ``reply_markup``, ``commands``, ``scope``,
``allowed_updates``, ``reply_parameters``) is JSON-encoded; ``multipart/form-data`` with the same
fields when a file is uploaded (the file part is named after the parameter, e.g. ``photo``, with the
given file name or ``application.octet-stream`` for raw bytes). ``reply_to_message_id=`` is sent as
``reply_parameters={"message_id": N}``. JSON bodies (``application/json``) are accepted as well.

What the fake does *not* model: inline mode, payments, media groups, channels, MarkdownV2 entity
parsing (only its reserved-character rule is checked), automatic entities other than ``bot_command``.
Methods it does not implement answer ``404 Not Found: method not found`` so a test fails loudly.

Fault tests (``bench.fault_bench``, ``tests/test_fault.py``) run ``duban run`` in another process
against this server: ``FakeTelegramThread`` serves it from a thread of the test process on a fixed
or free port, ``Faults`` makes sending calls slow, 429 or stalled (seeded, so a run can be
repeated), and ``FakeTelegram.sends`` logs every sending call with its arrival, answer and fate.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import html
import itertools
import json
import math
import random
import re
import struct
import threading
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import web

JSONDict = dict[str, Any]
T = TypeVar("T")

# The HTTP request being answered (each request is handled in its own task, so this is per call).
_REQUEST: contextvars.ContextVar[web.Request] = contextvars.ContextVar("request")

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64

SENDING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageReplyMarkup"})
"""The calls that put something in a chat: flood limits, ``Faults`` and ``sends`` concern these."""
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"

# Form fields that are plain strings even when they look like JSON ("123", "true"): everything else
# sent form-encoded is JSON-decoded when it parses (PTB JSON-encodes every non-string value).
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "language_code",
        "inline_message_id",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "file_id",
        "action",
        "photo",
        "document",
    }
)
# Fields that are always JSON objects or arrays, also when a JSON body carries them as strings.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "allowed_updates",
        "entities",
        "caption_entities",
        "reply_parameters",
        "link_preview_options",
    }
)

_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_BOT_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_HTML_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_HTML_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_HTML_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: Telegram's unit for entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def _command_entities(text: str) -> list[JSONDict]:
    """The bot_command entities Telegram marks in a text or a caption."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for m in _COMMAND.finditer(text)
    ]


def scope_key(scope: JSONDict | None) -> str:
    """The key of ``commands_by_scope``: the scope as JSON with sorted keys (no scope = default)."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def tiny_png(width: int = 2, height: int = 1) -> bytes:
    """A valid (white, greyscale) PNG of the given size: sendPhoto refuses bytes that are no image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@dataclass
class Call:
    """One request the bot made, in arrival order.

    ``params`` are decoded (JSON fields parsed, numbers as ints); ``files`` holds uploaded bytes by
    multipart field name; ``status`` is the HTTP status answered (``None`` while the call is still
    being answered, e.g. during ``hang_next``).
    """

    method: str
    params: dict[str, Any]
    at: float
    files: dict[str, bytes] = field(default_factory=dict)
    status: int | None = None


class ApiError(Exception):
    """Raised inside a method to answer ``{"ok": false, ...}`` like Telegram."""

    def __init__(
        self, status: int, description: str, retry_after: int | None = None, migrate_to_chat_id: int | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def body(self) -> JSONDict:
        answer: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.migrate_to_chat_id is not None:
            answer["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        elif self.retry_after is not None:
            answer["parameters"] = {"retry_after": self.retry_after}
        return answer


@dataclass
class _Injection:
    """A pending ``fail_next`` or ``hang_next``."""

    method: str | None
    times: int
    status: int = 0
    description: str = ""
    retry_after: int | None = None
    hang: float = 0.0
    migrate_to_chat_id: int | None = None


@dataclass(frozen=True)
class Faults:
    """Trouble on sending calls (``SENDING_METHODS``), as a real Bot API server has it at times.

    Each sending call draws its fate from a generator seeded with ``seed``, the method, the chat and
    how many sending calls that chat received before: whatever the timing and the text, the same
    seed gives each chat the same sequence of faults (a test can choose a seed with ``draw``), and a
    retry draws afresh. A call is

    - answered 429 with a ``retry_after`` drawn from ``retry_after`` (whole seconds, inclusive), not
      performed, with probability ``too_many``;
    - otherwise stalled with probability ``stall``: performed at once (the message is in the chat),
      but answered only after ``stall_seconds``, past the client's read timeout, so the client
      cannot know it went through;
    - and every answer (success or error) waits a ``latency`` drawn from the range, after the call
      was performed: the network's round trip, during which a killed client never learns the result.
    """

    seed: int = 0
    too_many: float = 0.0
    retry_after: tuple[int, int] = (1, 3)
    stall: float = 0.0
    stall_seconds: float = 6.0
    latency: tuple[float, float] = (0.0, 0.0)

    def draw(self, method: str, chat_id: int | None, in_chat: int) -> tuple[str, int, float]:
        """(fault: "" | "429" | "stall", retry_after, seconds the answer is held) for the
        ``in_chat``-th sending call (from 1) to a chat."""
        rng = random.Random(f"{self.seed}|{method}|{chat_id}|{in_chat}")
        roll = rng.random()
        latency = rng.uniform(*self.latency)
        if roll < self.too_many:
            return "429", rng.randint(*self.retry_after), latency
        if roll < self.too_many + self.stall:
            return "stall", 0, max(self.stall_seconds, latency)
        return "", 0, latency


@dataclass
class SendRecord:
    """One sending call as the server saw it: when it arrived, what it carried, what became of it.

    ``performed``: the message exists in the chat (a stalled call is performed even though its
    answer comes too late). ``answered``: when the answer was handed to the connection (``None``
    while the call is open). ``delivered``: whether the client was still connected to read that
    answer; a performed call that was not delivered is one the client is in doubt about.
    """

    number: int
    method: str
    chat_id: int | None
    text: str | None
    arrived: float
    in_chat: int = 1
    """The how-many-th sending call to this chat it is (from 1)."""
    fault: str = ""
    retry_after: int = 0
    hold: float = 0.0
    performed: bool = False
    message_id: int | None = None
    status: int | None = None
    answered: float | None = None
    delivered: bool | None = None

    @property
    def confirmed(self) -> bool:
        """Performed, and the client read the answer saying so."""
        return self.performed and bool(self.delivered)


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    path: str


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class FakeTelegram:
    """A Telegram Bot API server on 127.0.0.1 that the real PTB talks to, plus the users' side.

    Public state: ``token``, ``bot_id``, ``bot_username``, ``base_url``, ``base_file_url``,
    ``calls`` (every request in arrival order), ``commands_by_scope``, ``webhook_url``,
    ``webhook_secret_token``, ``webhook_params``, ``too_many``, ``limit_violations``,
    ``internal_errors`` (exceptions inside the fake, answered 500; should stay empty), ``sends``
    (every sending call as a ``SendRecord``), ``retry_windows`` (``(start, end)`` of every
    ``retry_after`` answered to a sending call, from the moment the 429 was answered), ``faults``
    and ``on_send`` (called with each sending call's record as it arrives, before it is handled).

    ``port=0`` takes a free port; a fixed port lets a bot in another process be pointed at it
    before the server starts (see ``FakeTelegramThread``).

    The bot can only send to chats the fake knows (made with ``private_chat``/``group_chat`` or seen
    in ``send_text``); others answer 400 "chat not found", as for a user who never started the bot.

    Flood limits are tracked for every accepted sendMessage, sendPhoto, sendDocument,
    editMessageText and editMessageReplyMarkup. With ``enforce_limits=True`` a send that breaks one
    is answered 429 with ``retry_after``, not performed, and counted in ``too_many``; without
    enforcement it goes through and is only noted in ``limit_violations``. A send at time *t*
    (``time.monotonic()``) to chat *c* breaks a limit when

    - overall: ``global_per_second`` (30) sends were already accepted in ``(t - 1 s, t]``;
      ``retry_after = ceil(oldest of them + 1 - t)``, at least 1;
    - group (``c < 0``): ``group_per_minute`` (20) sends to *c* were already accepted in
      ``(t - 60 s, t]``; ``retry_after = ceil(oldest of them + 60 - t)``, at least 1;
    - private chat (``c > 0``): the previous accepted send to *c* was less than
      ``private_interval`` (0.9 s) ago: one per second, with 0.1 s tolerance for timer jitter;
      ``retry_after = 1``.

    The rules are checked in that order; rejected sends do not count towards later checks.
    """

    def __init__(
        self,
        *,
        enforce_limits: bool = False,
        bot_id: int = 7_000_000_001,
        bot_username: str = "duban_test_bot",
        bot_first_name: str = "Duban Test",
        global_per_second: int = 30,
        group_per_minute: int = 20,
        private_interval: float = 0.9,
        port: int = 0,
        faults: Faults | None = None,
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        # Telegram tokens are "<bot id>:<35 characters>"; this one is obviously fake.
        self.token = f"{bot_id}:" + ("FAKE-duban-test-token-" + "0" * 35)[:35]
        self.enforce_limits = enforce_limits
        self.global_per_second = global_per_second
        self.group_per_minute = group_per_minute
        self.private_interval = private_interval

        self.calls: list[Call] = []
        self.too_many = 0
        self.limit_violations: list[str] = []
        self.internal_errors: list[Exception] = []
        self.commands_by_language: dict[tuple[str, str], list[JSONDict]] = {}
        self.webhook_url = ""
        self.webhook_secret_token: str | None = None
        self.webhook_params: JSONDict = {}

        self.faults = faults
        self.sends: list[SendRecord] = []
        self.retry_windows: list[tuple[float, float]] = []
        self.on_send: Callable[[SendRecord], None] | None = None
        self._in_chat: dict[int | None, int] = {}

        self.port = 0
        self._bind_port = port
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._call_waiters: list[asyncio.Future[None]] = []
        self._poll: asyncio.Future[str] | None = None
        self._poll_request: web.Request | None = None

        self._users: dict[int, JSONDict] = {}
        self._chats: dict[int, JSONDict] = {}
        self._blocked: set[int] = set()
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._raw_text: dict[tuple[int, int], str | None] = {}
        self._sent: dict[int, list[JSONDict]] = {}
        self._updates: list[JSONDict] = []
        self._update_ids = itertools.count(100_000_001)
        self._allowed_updates: list[str] = []
        self._callback_queries: dict[str, JSONDict] = {}
        self._callback_ids = itertools.count(4_000_000_000_001)
        self._files: dict[str, _StoredFile] = {}
        self.downloads: list[str] = []
        """The file paths fetched from the file server (``/file/bot<token>/<path>``), in order, also
        those answered with an error."""
        self._download_faults: list[int] = []
        self._file_numbers = itertools.count(1)
        self._injections: list[_Injection] = []
        self._send_log: deque[tuple[float, int]] = deque()
        self._last_private_send: dict[int, float] = {}

        handlers: dict[str, Callable[[JSONDict, dict[str, bytes], dict[str, str]], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "deleteMessage": self._delete_message,
            "getFile": self._get_file,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "close": self._ok,
            "logOut": self._ok,
        }
        # Bot API method names are case-insensitive.
        self._handlers = {name.lower(): (name, handler) for name, handler in handlers.items()}

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends ``{token}/{method}``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``: PTB appends ``{token}/{file_path}``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def __aenter__(self) -> Self:
        app = web.Application(client_max_size=60 * 1024 * 1024)  # Telegram accepts 50 MB documents
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # shutdown_timeout: pending long polls and hangs end at once on close (see __aexit__).
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._bind_port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing.set()
        if self._poll is not None and not self._poll.done():
            self._poll.set_result("closing")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ the users' side

    def user(
        self, user_id: int, first_name: str = "Tester", username: str | None = None, language_code: str | None = None
    ) -> JSONDict:
        """A Telegram User (remembered, so ``private_chat`` can use its name)."""
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        return copy.deepcopy(user)

    def private_chat(self, user_id: int) -> JSONDict:
        """The private chat with a user: the bot can only send to chats the fake knows."""
        user = self._users.get(user_id) or self.user(user_id)
        chat: JSONDict = {"id": user_id, "type": "private", "first_name": user["first_name"]}
        if "username" in user:
            chat["username"] = user["username"]
        self._chats[user_id] = chat
        return copy.deepcopy(chat)

    def group_chat(self, chat_id: int, title: str) -> JSONDict:
        """A group the bot is in; ids below -10**12 are supergroups (``-100…``) like in Telegram."""
        if chat_id >= 0:
            raise ValueError(f"group chat ids are negative, got {chat_id}")
        kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
        chat: JSONDict = {"id": chat_id, "type": kind, "title": title}
        self._chats[chat_id] = chat
        return copy.deepcopy(chat)

    def send_text(self, *, user: JSONDict, chat: JSONDict, text: str, reply_to_message_id: int | None = None) -> int:
        """Enqueue an Update with a user's text Message; returns its message_id.

        Every ``/command`` (also ``/command@bot``) at the start or after whitespace gets a
        ``bot_command`` entity with UTF-16 offset and length, as Telegram does; PTB's CommandHandler
        only matches with it.
        """
        message = self._user_message(user, chat, reply_to_message_id)
        message["text"] = text
        if entities := _command_entities(text):
            message["entities"] = entities
        self._store(message, raw_text=text)
        self.send_update({"message": copy.deepcopy(message)})
        return int(message["message_id"])

    def send_document(
        self,
        *,
        user: JSONDict,
        chat: JSONDict,
        name: str,
        data: bytes,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        mime: str | None = None,
    ) -> int:
        """Enqueue an Update with a user's document (kept for getFile and its download); returns its
        message_id. The caption gets ``bot_command`` caption entities as Telegram gives them."""
        stored = self._keep_file(data, "documents", "")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": name,
            "mime_type": mime or "application/octet-stream",
            "file_size": len(data),
        }
        return self._user_file(user, chat, {"document": document}, caption, reply_to_message_id)

    def send_photo(
        self,
        *,
        user: JSONDict,
        chat: JSONDict,
        data: bytes,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        thumbnail: bytes = b"thumbnail",
    ) -> int:
        """Enqueue an Update with a user's photo in two sizes, as Telegram sends them (smallest
        first): a thumbnail (``thumbnail``) and the full picture (``data``); returns its message_id."""
        small = self._keep_file(thumbnail, "photos", ".jpg")
        large = self._keep_file(data, "photos", ".jpg")
        sizes = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(stored.data),
            }
            for stored, (width, height) in ((small, (90, 68)), (large, (1280, 960)))
        ]
        return self._user_file(user, chat, {"photo": sizes}, caption, reply_to_message_id)

    def fail_downloads(self, times: int = 1, status: int = 404) -> None:
        """Answer the next ``times`` file downloads with ``status`` (the file is gone, or the file
        server fails) instead of the file."""
        self._download_faults.extend([status] * times)

    def _user_file(
        self, user: JSONDict, chat: JSONDict, media: JSONDict, caption: str | None, reply_to_message_id: int | None
    ) -> int:
        message = self._user_message(user, chat, reply_to_message_id)
        message.update(copy.deepcopy(media))
        if caption:
            message["caption"] = caption
            if entities := _command_entities(caption):
                message["caption_entities"] = entities
        self._store(message, raw_text=None)
        self.send_update({"message": copy.deepcopy(message)})
        return int(message["message_id"])

    def _user_message(self, user: JSONDict, chat: JSONDict, reply_to_message_id: int | None) -> JSONDict:
        """A new message from `user` in `chat` (both remembered), replying to an earlier one if asked."""
        chat_id = int(chat["id"])
        self._chats.setdefault(chat_id, copy.deepcopy(chat))
        self._users.setdefault(int(user["id"]), copy.deepcopy(user))
        if chat["type"] == "private" and chat_id != user["id"]:
            raise ValueError("in a private chat the user is the chat")
        message = self._new_message(chat_id, sender=copy.deepcopy(user))
        if reply_to_message_id is not None:
            target = self._messages.get((chat_id, reply_to_message_id))
            if target is None:
                raise ValueError(f"no message {reply_to_message_id} in chat {chat_id} to reply to")
            message["reply_to_message"] = _without_reply(target)
        return message

    def press_button(self, *, user: JSONDict, chat: JSONDict, message_id: int, data: str) -> str:
        """Enqueue a callback_query Update for a button of an earlier bot message; returns the query id.

        Like a real user, a test can only press a button that the message currently shows.
        """
        chat_id = int(chat["id"])
        message = self._messages.get((chat_id, message_id))
        if message is None or message["from"]["id"] != self.bot_id:
            raise ValueError(f"the bot sent no message {message_id} to chat {chat_id}")
        shown = [
            button.get("callback_data")
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])
            for button in row
        ]
        if data not in shown:
            raise ValueError(f"message {message_id} shows no button with callback_data {data!r} (it shows {shown})")
        self._users.setdefault(int(user["id"]), copy.deepcopy(user))
        query_id = str(next(self._callback_ids))
        self._callback_queries[query_id] = {"answered": False, "chat_id": chat_id, "message_id": message_id}
        query = {
            "id": query_id,
            "from": copy.deepcopy(user),
            "message": copy.deepcopy(message),
            "chat_instance": str(abs(chat_id) * 7919 % 10**15),
            "data": data,
        }
        self.send_update({"callback_query": query})
        return query_id

    def send_update(self, payload: JSONDict) -> int:
        """Enqueue any Update (``payload`` without ``update_id``, e.g. ``{"my_chat_member": ...}``)."""
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **payload})
        if self._poll is not None and not self._poll.done():
            self._poll.set_result("update")
        return update_id

    # ------------------------------------------------------------------ inspecting and steering

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline is what the helper is about
        predicate: Callable[[Call], bool] | None = None,
        *,
        answered: bool = True,
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` (matching ``predicate``) have been *answered*.

        Answered rather than arrived, so that the fake's state (``sent_to``, ``Call.status``) is
        complete when this returns; ``answered=False`` waits for arrival instead (e.g. for a long
        poll that is still waiting). Returns all matching calls so far; raises AssertionError on
        timeout with a summary of what did arrive.
        """
        name = self._canonical(method)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            matched = [
                c
                for c in self.calls
                if c.method == name and (c.status is not None or not answered) and (predicate is None or predicate(c))
            ]
            if len(matched) >= count:
                return matched
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = [f"{c.method}->{c.status}" for c in self.calls if c.method != "getUpdates"]
                state = "answered" if answered else "arrived"
                raise AssertionError(
                    f"waited {timeout}s for {count} {state} {name} call(s), got {len(matched)}: {seen}"
                )
            waiter: asyncio.Future[None] = loop.create_future()
            self._call_waiters.append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, remaining)

    def calls_of(self, method: str) -> list[Call]:
        """The calls of one method so far (answered or not)."""
        name = self._canonical(method)
        return [c for c in self.calls if c.method == name]

    def sent_to(self, chat_id: int) -> list[JSONDict]:
        """What the bot sent or edited in a chat, in order.

        Each entry: ``method``, ``message_id``, ``text`` (as the bot sent it, HTML tags included;
        for a photo or document the caption; for ``editMessageReplyMarkup`` the current text),
        ``plain`` (after entity parsing), ``parse_mode``, ``reply_markup`` (as given, also reply
        keyboards), ``reply_to_message_id``, ``photo`` (bool), ``document`` (file name or None).
        """
        return copy.deepcopy(self._sent.get(chat_id, []))

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """The current state of a message (after edits) as Telegram would show it."""
        stored = self._messages.get((chat_id, message_id))
        return copy.deepcopy(stored) if stored is not None else None

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """The command list set for a scope and language (empty if none)."""
        return copy.deepcopy(self.commands_by_language.get((scope_key(scope), language_code), []))

    @property
    def commands_by_scope(self) -> dict[str, list[JSONDict]]:
        """Commands set without a language_code, keyed by ``scope_key(scope)``."""
        return {scope: list(cmds) for (scope, lang), cmds in self.commands_by_language.items() if lang == ""}

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._updates)

    def fail_next(
        self,
        method: str | None,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        description: str | None = None,
        times: int = 1,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error instead of performing them.

        ``method=None`` means any method except getUpdates (background polling would otherwise
        swallow the failure at a random moment; name getUpdates to fail polling). ``retry_after``
        is sent (as ``parameters.retry_after``) only with status 429: PTB raises RetryAfter for any
        status that carries it. The default description follows the status, e.g. 429 gives
        "Too Many Requests: retry after N".

        ``migrate_to_chat_id``: answer like Telegram for a group that became a supergroup (400 "Bad
        Request: group chat was upgraded to a supergroup chat" with ``parameters.migrate_to_chat_id``;
        PTB raises ``ChatMigrated``). The supergroup becomes a chat the bot can send to, with the
        old group's title.
        """
        if migrate_to_chat_id is not None:
            status = 400 if status == 429 else status
            description = MIGRATED if description is None else description
            retry_after = None
        if description is None:
            if status == 429 and retry_after is None:
                description = "Too Many Requests"
            else:
                template = _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
                description = template.format(retry_after=retry_after)
        self._injections.append(
            _Injection(
                method=self._canonical(method) if method else None,
                times=times,
                status=status,
                description=description,
                retry_after=retry_after if status == 429 else None,
                migrate_to_chat_id=migrate_to_chat_id,
            )
        )

    def hang_next(self, method: str | None, seconds: float, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` only after ``seconds``, to provoke timeouts.

        The call is still performed afterwards (as Telegram may deliver a message whose answer the
        client gave up on), so a retry after a timeout shows up as a duplicate in ``sent_to``.
        ``method=None`` means any method except getUpdates.
        """
        self._injections.append(
            _Injection(method=self._canonical(method) if method else None, times=times, hang=seconds)
        )

    @property
    def open_sends(self) -> int:
        """Sending calls received and not yet answered (in flight at the server), at this moment."""
        return sum(1 for record in self.sends if record.answered is None)

    def sends_in_retry_windows(self, in_flight: float = 0.0) -> list[SendRecord]:
        """Sending calls that arrived while a ``retry_after`` was running (Telegram would ban longer).

        A window starts when its 429 was answered and lasts ``retry_after`` seconds. ``in_flight``
        leaves out calls arriving within that many seconds of the start: sent before the client
        could have read the 429.
        """
        return [r for r in self.sends if any(start + in_flight < r.arrived < end for start, end in self.retry_windows)]

    def block_chat(self, chat_id: int) -> None:
        """From now on, calls aimed at the chat answer 403 (user blocked the bot / bot was kicked)."""
        self._blocked.add(chat_id)

    # ------------------------------------------------------------------ HTTP plumbing

    def _canonical(self, method: str) -> str:
        entry = self._handlers.get(method.lower())
        return entry[0] if entry else method

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._download(path)
        match = re.fullmatch(r"/bot([^/]+)/([^/]+)", path)
        if match is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        token, method = match.groups()
        entry = self._handlers.get(method.lower())
        call = Call(entry[0] if entry else method, {}, time.monotonic())
        self.calls.append(call)
        _REQUEST.set(request)
        record: SendRecord | None = None
        try:
            params, files, file_names = await self._read_params(request)
            call.params, call.files = params, files
            self._wake_call_waiters()  # for wait_for(answered=False)
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found: method not found")
            if call.method in SENDING_METHODS:
                record = self._arrive(call)
            await self._injected(call.method, params)
            if record is not None and record.fault == "429":
                raise ApiError(429, f"Too Many Requests: retry after {record.retry_after}", record.retry_after)
            result = await entry[1](params, files, file_names)
            if record is not None:
                record.performed = True
                record.message_id = result.get("message_id") if isinstance(result, dict) else None
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.status, error.body()
        except ConnectionResetError:  # the client hung up (a bot stopping mid-poll): nobody to answer
            call.status = 499
            if record is not None:
                record.status, record.answered, record.delivered = 499, time.monotonic(), False
            self._wake_call_waiters()
            raise
        except Exception as error:  # a bug in the fake or a request it cannot read: visible, never silent
            self.internal_errors.append(error)
            status, body = 500, ApiError(500, f"Internal Server Error: fake_telegram failed: {error!r}").body()
        if record is not None:
            await self._answer_later(record, body, request)
        call.status = status
        self._wake_call_waiters()
        return web.json_response(body, status=status)

    def _arrive(self, call: Call) -> SendRecord:
        """Log a sending call as it arrives, draw its fault, and tell ``on_send``."""
        chat_id = _chat_number(call.params.get("chat_id"))
        raw = call.params.get("text", call.params.get("caption"))
        text = None if raw is None else str(raw)
        in_chat = self._in_chat[chat_id] = self._in_chat.get(chat_id, 0) + 1
        fault, retry_after, hold = (
            ("", 0, 0.0) if self.faults is None else self.faults.draw(call.method, chat_id, in_chat)
        )
        record = SendRecord(len(self.sends) + 1, call.method, chat_id, text, call.at, in_chat, fault, retry_after, hold)
        self.sends.append(record)
        if self.on_send is not None:
            self.on_send(record)
        return record

    async def _answer_later(self, record: SendRecord, body: JSONDict, request: web.Request) -> None:
        """Hold the answer for the record's latency or stall, then note whether anyone is still there."""
        if record.hold > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), record.hold)
        record.status = int(body.get("error_code", 200))
        record.answered = time.monotonic()
        transport = request.transport
        record.delivered = transport is not None and not transport.is_closing()
        retry_after = body.get("parameters", {}).get("retry_after")
        if retry_after:
            self.retry_windows.append((record.answered, record.answered + float(retry_after)))

    def _wake_call_waiters(self) -> None:
        for waiter in self._call_waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._call_waiters.clear()

    async def _read_params(self, request: web.Request) -> tuple[JSONDict, dict[str, bytes], dict[str, str]]:
        params: JSONDict = {}
        files: dict[str, bytes] = {}
        file_names: dict[str, str] = {}
        for name, query_value in request.query.items():
            params[name] = _decode_field(name, query_value)
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON body") from None
            if isinstance(body, dict):
                for name, value in body.items():
                    params[name] = json.loads(value) if name in _JSON_FIELDS and isinstance(value, str) else value
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, part in form.items():
                if isinstance(part, web.FileField):
                    files[name] = part.file.read()
                    file_names[name] = part.filename
                elif isinstance(part, bytes | bytearray):
                    files[name] = bytes(part)
                else:
                    params[name] = _decode_field(name, part)
        return params, files, file_names

    async def _injected(self, method: str, params: JSONDict) -> None:
        for injection in list(self._injections):
            applies = injection.method == method or (injection.method is None and method != "getUpdates")
            if not applies:
                continue
            injection.times -= 1
            if injection.times <= 0:
                self._injections.remove(injection)
            if injection.hang:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), injection.hang)
                continue
            if injection.migrate_to_chat_id is not None:
                self._supergroup_from(params.get("chat_id"), injection.migrate_to_chat_id)
            raise ApiError(injection.status, injection.description, injection.retry_after, injection.migrate_to_chat_id)

    def _supergroup_from(self, old: Any, new: int) -> None:
        """The supergroup a group was upgraded to: the bot is in it, under the group's title."""
        if new in self._chats:
            return
        group = self._chats.get(_chat_number(old) or 0, {})
        self._chats[new] = {"id": new, "type": "supergroup", "title": group.get("title", "")}

    def _download(self, path: str) -> web.StreamResponse:
        prefix = f"/file/bot{self.token}/"
        if path.startswith(prefix):
            wanted = path[len(prefix) :]
            self.downloads.append(wanted)
            if self._download_faults:
                status = self._download_faults.pop(0)
                description = _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
                return web.json_response({"ok": False, "error_code": status, "description": description}, status=status)
            for stored in self._files.values():
                if stored.path == wanted:
                    return web.Response(body=stored.data, content_type="application/octet-stream")
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    # ------------------------------------------------------------------ shared rules

    def _chat(self, params: JSONDict, *, sending: bool = True) -> JSONDict:
        """The chat a call is aimed at: unknown → 400, blocked → 403."""
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat: JSONDict | None
        if isinstance(raw, str) and raw.startswith("@"):
            chat = next((c for c in self._chats.values() if c.get("username") == raw[1:]), None)
        else:
            try:
                chat = self._chats.get(int(raw))
            except (TypeError, ValueError):
                chat = None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if sending and chat["id"] in self._blocked:
            if chat["type"] == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat['type']} chat")
        return chat

    def _check_limits(self, method: str, chat_id: int) -> None:
        now = time.monotonic()
        while self._send_log and self._send_log[0][0] <= now - 60.0:
            self._send_log.popleft()
        broken: str | None = None
        retry_after = 1
        recent = [t for t, _ in self._send_log if t > now - 1.0]
        in_chat = [t for t, c in self._send_log if c == chat_id]
        last = self._last_private_send.get(chat_id)
        if len(recent) >= self.global_per_second:
            broken, retry_after = "overall per second", math.ceil(recent[0] + 1.0 - now)
        elif chat_id < 0 and len(in_chat) >= self.group_per_minute:
            broken, retry_after = "group per minute", math.ceil(in_chat[0] + 60.0 - now)
        elif chat_id > 0 and last is not None and now - last < self.private_interval:
            broken = "private chat per second"
        if broken is not None:
            self.limit_violations.append(f"{method} to {chat_id}: {broken}")
            if self.enforce_limits:
                self.too_many += 1
                retry_after = max(1, retry_after)
                raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        self._send_log.append((now, chat_id))
        self._last_private_send[chat_id] = now

    def _new_message(self, chat_id: int, sender: JSONDict) -> JSONDict:
        number = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = number + 1
        return {
            "message_id": number,
            "from": sender,
            "chat": copy.deepcopy(self._chats[chat_id]),
            "date": int(time.time()),
        }

    def _bot_user(self) -> JSONDict:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_first_name, "username": self.bot_username}

    def _store(self, message: JSONDict, raw_text: str | None) -> None:
        key = (int(message["chat"]["id"]), int(message["message_id"]))
        self._messages[key] = message
        self._raw_text[key] = raw_text

    def _record_sent(self, method: str, message: JSONDict, params: JSONDict) -> None:
        chat_id = int(message["chat"]["id"])
        key = (chat_id, int(message["message_id"]))
        reply = message.get("reply_to_message")
        document = message.get("document")
        self._sent.setdefault(chat_id, []).append(
            {
                "method": method,
                "message_id": message["message_id"],
                "text": self._raw_text.get(key),
                "plain": message.get("text", message.get("caption")),
                "parse_mode": params.get("parse_mode"),
                "reply_markup": copy.deepcopy(params.get("reply_markup")),
                "reply_to_message_id": reply["message_id"] if reply else None,
                "photo": "photo" in message,
                "document": document.get("file_name") if document else None,
            }
        )

    def _text(self, text: Any, params: JSONDict, entities_field: str, limit: int, what: str) -> tuple[str, Any]:
        """Parse a text or caption like Telegram: returns the plain text and its entities."""
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        mode = str(params.get("parse_mode") or "").lower()
        entities = params.get(entities_field)
        if mode == "html":
            plain, entities = _parse_html(text)
        else:
            if mode == "markdownv2":
                _check_markdown_v2(text)
            plain = text
        if len(plain) > limit:
            raise ApiError(400, f"Bad Request: message {what} too long")
        return plain, entities or None

    def _reply_target(self, chat_id: int, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict):
            reply = {"message_id": params["reply_to_message_id"]} if params.get("reply_to_message_id") else None
            if reply is not None and params.get("allow_sending_without_reply"):
                reply["allow_sending_without_reply"] = True
        if reply is None:
            return None
        target = self._messages.get((int(reply.get("chat_id", chat_id)), int(reply["message_id"])))
        if target is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return _without_reply(target)

    def _bot_message(self, params: JSONDict) -> tuple[JSONDict, tuple[int, int]]:
        """The bot message an edit is aimed at."""
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._chat(params)
        key = (int(chat["id"]), int(params.get("message_id") or 0))
        message = self._messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message, key

    def _upload(self, kind: str, params: JSONDict, files: dict[str, bytes]) -> tuple[bytes, str | None]:
        """The bytes sent for a photo or document (multipart upload or an earlier file_id)."""
        if kind in files:
            data = files[kind]
            if not data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return data, None
        reference = params.get(kind)
        if isinstance(reference, str) and reference in self._files:
            return self._files[reference].data, reference
        if isinstance(reference, str) and reference.startswith(("http://", "https://")):
            return b"", None
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _keep_file(self, data: bytes, folder: str, suffix: str) -> _StoredFile:
        number = next(self._file_numbers)
        stored = _StoredFile(
            file_id=f"FAKE{folder[:3].upper()}{number:08d}",
            file_unique_id=f"U{number:08d}",
            data=data,
            path=f"{folder}/file_{number}{suffix}",
        )
        self._files[stored.file_id] = stored
        return stored

    # ------------------------------------------------------------------ Bot API methods

    async def _ok(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> bool:
        return True

    async def _get_me(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> JSONDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> list[JSONDict]:
        """Long polling: confirm by ``offset``, wait up to ``timeout`` s, at most ``limit`` updates."""
        if self._poll is not None and not self._poll.done():
            # Telegram ends the older of two concurrent polls with 409, unless its client already
            # hung up (PTB cancels its poll on stop and then polls once more to confirm the offset).
            gone = self._poll_request is None or self._poll_request.transport is None
            self._poll.set_result("gone" if gone else "conflict")
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                "the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = list(params["allowed_updates"])

        def pending() -> list[JSONDict]:
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            if self._allowed_updates:
                self._updates = [u for u in self._updates if set(u) - {"update_id"} <= set(self._allowed_updates)]
            return self._updates[:limit]

        ready = pending()
        if not ready and timeout > 0 and not self._closing.is_set():
            poll: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            self._poll = poll
            self._poll_request = _REQUEST.get()
            try:
                outcome = await asyncio.wait_for(poll, timeout)  # cancels the future on timeout
            except TimeoutError:
                outcome = "timeout"
            finally:
                if self._poll is poll:
                    self._poll = None
            if outcome == "conflict":
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            ready = pending()
        return copy.deepcopy(ready)

    async def _send_message(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> JSONDict:
        chat = self._chat(params)
        plain, entities = self._text(params.get("text"), params, "entities", MAX_TEXT, "is")
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        markup = _check_markup(params.get("reply_markup"))
        reply = self._reply_target(chat["id"], params)
        self._check_limits("sendMessage", chat["id"])
        message = self._new_message(chat["id"], self._bot_user())
        message["text"] = plain
        if entities:
            message["entities"] = entities
        if reply is not None:
            message["reply_to_message"] = reply
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram only echoes inline keyboards
        self._store(message, raw_text=str(params.get("text")))
        self._record_sent("sendMessage", message, params)
        return copy.deepcopy(message)

    async def _edit_message_text(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> JSONDict:
        message, key = self._bot_message(params)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        plain, entities = self._text(params.get("text"), params, "entities", MAX_TEXT, "is")
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        markup = _check_markup(params.get("reply_markup"), inline_only=True)
        # No reply_markup in an edit removes the keyboard, as in Telegram.
        if plain == message["text"] and entities == message.get("entities") and markup == message.get("reply_markup"):
            raise ApiError(400, _NOT_MODIFIED)
        self._check_limits("editMessageText", key[0])
        message["text"] = plain
        _set_or_drop(message, "entities", entities)
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        self._raw_text[key] = str(params.get("text"))
        self._record_sent("editMessageText", message, params)
        return copy.deepcopy(message)

    async def _edit_message_reply_markup(
        self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]
    ) -> JSONDict:
        message, key = self._bot_message(params)
        markup = _check_markup(params.get("reply_markup"), inline_only=True)
        if markup == message.get("reply_markup"):
            raise ApiError(400, _NOT_MODIFIED)
        self._check_limits("editMessageReplyMarkup", key[0])
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        self._record_sent("editMessageReplyMarkup", message, params)
        return copy.deepcopy(message)

    async def _answer_callback_query(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> bool:
        query = self._callback_queries.get(str(params.get("callback_query_id")))
        if query is None or query["answered"]:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query["answered"] = True
        query["answer"] = {k: v for k, v in params.items() if k != "callback_query_id"}
        return True

    async def _send_photo(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> JSONDict:
        chat = self._chat(params)
        data, file_id = self._upload("photo", params, files)
        width, height = _image_size(data) if data else (800, 600)
        plain, entities = self._text(params.get("caption"), params, "caption_entities", MAX_CAPTION, "caption is")
        markup = _check_markup(params.get("reply_markup"))
        reply = self._reply_target(chat["id"], params)
        self._check_limits("sendPhoto", chat["id"])
        stored = self._files[file_id] if file_id else self._keep_file(data, "photos", ".jpg")
        self._files.setdefault(stored.file_id + "-thumb", stored)  # the thumbnail can be re-sent too
        message = self._new_message(chat["id"], self._bot_user())
        scale = min(1.0, 90 / max(width, height))
        sizes = [(max(1, round(width * scale)), max(1, round(height * scale))), (width, height)]
        message["photo"] = [
            {
                "file_id": stored.file_id + ("" if (w, h) == (width, height) else "-thumb"),
                "file_unique_id": stored.file_unique_id + ("" if (w, h) == (width, height) else "t"),
                "width": w,
                "height": h,
                "file_size": len(stored.data) if (w, h) == (width, height) else len(stored.data) // 10 + 1,
            }
            for w, h in (sizes[1:] if scale == 1.0 else sizes)
        ]
        _caption(message, plain, entities)
        if reply is not None:
            message["reply_to_message"] = reply
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._store(message, raw_text=params.get("caption"))
        self._record_sent("sendPhoto", message, params)
        return copy.deepcopy(message)

    async def _send_document(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> JSONDict:
        chat = self._chat(params)
        data, file_id = self._upload("document", params, files)
        plain, entities = self._text(params.get("caption"), params, "caption_entities", MAX_CAPTION, "caption is")
        markup = _check_markup(params.get("reply_markup"))
        reply = self._reply_target(chat["id"], params)
        self._check_limits("sendDocument", chat["id"])
        file_name = names.get("document", "document")
        stored = self._files[file_id] if file_id else self._keep_file(data, "documents", "")
        message = self._new_message(chat["id"], self._bot_user())
        message["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": "application/octet-stream",
            "file_size": len(stored.data),
        }
        _caption(message, plain, entities)
        if reply is not None:
            message["reply_to_message"] = reply
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._store(message, raw_text=params.get("caption"))
        self._record_sent("sendDocument", message, params)
        return copy.deepcopy(message)

    async def _send_chat_action(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> bool:
        self._chat(params)
        return True

    async def _delete_message(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> bool:
        chat = self._chat(params)
        key = (int(chat["id"]), int(params.get("message_id") or 0))
        if key not in self._messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        del self._messages[key]
        return True

    async def _get_file(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> JSONDict:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: wrong file_id or the file is temporarily unavailable")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.path,
        }

    def _commands_key(self, params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope")
        if scope is not None and not isinstance(scope, dict):
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        if scope is not None and "chat_id" in scope:
            self._chat(scope, sending=False)
        return scope_key(scope), str(params.get("language_code") or "")

    async def _set_my_commands(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not _BOT_COMMAND_NAME.fullmatch(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise ApiError(400, "Bad Request: command description must be non-empty")
        key = self._commands_key(params)
        if commands:
            self.commands_by_language[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self.commands_by_language.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> Any:
        return copy.deepcopy(self.commands_by_language.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> bool:
        self.commands_by_language.pop(self._commands_key(params), None)
        return True

    async def _set_webhook(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url = url
        self.webhook_secret_token = str(secret) if secret is not None and url else None
        self.webhook_params = {k: v for k, v in params.items() if k not in ("url", "secret_token")} if url else {}
        return True

    async def _delete_webhook(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url = ""
        self.webhook_secret_token = None
        self.webhook_params = {}
        return True

    async def _get_webhook_info(self, params: JSONDict, files: dict[str, bytes], names: dict[str, str]) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = int(self.webhook_params.get("max_connections") or 40)
            if "allowed_updates" in self.webhook_params:
                info["allowed_updates"] = self.webhook_params["allowed_updates"]
        return info


class FakeTelegramThread:
    """A ``FakeTelegram`` served from its own event loop in a background thread.

    For a bot in another process (``duban run`` under a fault test): the server must answer while
    the test's own code blocks on ``subprocess`` calls or sleeps. The fake's state belongs to that
    loop, so read or change it only through ``call``, which runs a function there and returns its
    result; ``on_send`` hooks run in that thread too.

    ``with FakeTelegramThread(FakeTelegram(port=8081)) as server: server.call(lambda f: f.port)``
    """

    def __init__(self, fake: FakeTelegram) -> None:
        self.fake = fake
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="fake-telegram", daemon=True)
        self._ready = threading.Event()
        self._failed: BaseException | None = None

    @property
    def base_url(self) -> str:
        """The Bot API address for a bot's settings (``DUBAN_TELEGRAM_BASE_URL``): no ``/bot`` suffix."""
        return f"http://127.0.0.1:{self.fake.port}"

    def __enter__(self) -> Self:
        self._thread.start()
        self._ready.wait()
        if self._failed is not None:
            self._thread.join()
            self._loop.close()
            raise self._failed
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        asyncio.run_coroutine_threadsafe(self.fake.__aexit__(None, None, None), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def call(self, function: Callable[[FakeTelegram], T], timeout: float = 30.0) -> T:
        """Run ``function(fake)`` on the server's loop (so it sees a consistent state) and return its result."""

        async def run() -> T:
            return function(self.fake)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self.fake.__aenter__())
        except BaseException as error:  # handed to the starting thread, raised there
            self._failed = error
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()


_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


def _chat_number(raw: Any) -> int | None:
    """A chat_id parameter as a number (None for '@username' or nothing)."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _decode_field(name: str, value: str) -> Any:
    """A form field as Telegram reads it: strings stay strings, the rest was JSON-encoded by PTB."""
    if name in _STRING_FIELDS and name not in _JSON_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        if name in _JSON_FIELDS:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
        return value


def _without_reply(message: JSONDict) -> JSONDict:
    """A message as it appears in ``reply_to_message`` (Telegram does not nest replies further)."""
    return {k: copy.deepcopy(v) for k, v in message.items() if k != "reply_to_message"}


def _set_or_drop(message: JSONDict, key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)


def _caption(message: JSONDict, plain: str, entities: Any) -> None:
    if plain:
        message["caption"] = plain
    if entities:
        message["caption_entities"] = entities


def _check_markup(markup: Any, *, inline_only: bool = False) -> JSONDict | None:
    """Validate a reply_markup like Telegram (inline buttons need one action, data ≤ 64 bytes)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if inline_only:
            raise ApiError(400, "Bad Request: REPLY_MARKUP_INVALID")
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(
            400, 'Bad Request: can\'t parse inline keyboard button: field "inline_keyboard" must be an Array'
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")):
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text is empty")
            if not any(action in button for action in _BUTTON_ACTIONS):
                raise ApiError(
                    400, _cant_parse("inline keyboard button: Text buttons are unallowed in the inline keyboard")
                )
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode())
                if not 1 <= size <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if "web_app" in button:
                url = str((button["web_app"] or {}).get("url", "")) if isinstance(button["web_app"], dict) else ""
                if not url.startswith("https://"):
                    raise ApiError(
                        400,
                        f"Bad Request: inline keyboard button Web App URL '{url}' is invalid: "
                        "Only HTTPS links are allowed",
                    )
    return markup


def _parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Telegram's HTML parse mode: returns the plain text and entities, or 400 on bad markup."""
    plain: list[str] = []
    entities: list[JSONDict] = []
    stack: list[tuple[str, int, JSONDict]] = []  # tag, UTF-16 start, entity
    position = 0  # in UTF-16 units
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            byte_offset = len(text[:i].encode())
            match = _HTML_TAG.match(text, i)
            if match is None:
                name = re.match(r"[^\s<>]*", text[i + 1 :])
                raise ApiError(400, _unsupported_tag(name.group() if name else "", byte_offset))
            closing, tag, attributes = match.group(1) == "/", match.group(2).lower(), match.group(3)
            if tag not in _HTML_SIMPLE:
                raise ApiError(400, _unsupported_tag(tag, byte_offset))
            if closing:
                if not stack or stack[-1][0] != tag:
                    expected = f'expected "</{stack[-1][0]}>", ' if stack else ""
                    raise ApiError(
                        400,
                        f"Bad Request: can't parse entities: Unmatched end tag at byte offset {byte_offset}, "
                        f'{expected}found "</{tag}>"',
                    )
                _, start, entity = stack.pop()
                if position > start and entity["type"]:
                    entity.update(offset=start, length=position - start)
                    entities.append(entity)
            else:
                attrs = {
                    m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
                    for m in _HTML_ATTR.finditer(attributes)
                }
                entity = {"type": _HTML_SIMPLE[tag]}
                if tag == "a":
                    entity["url"] = html.unescape(attrs.get("href", ""))
                    if not entity["url"]:
                        entity["type"] = ""
                elif tag == "span" and attrs.get("class") != "tg-spoiler":
                    raise ApiError(
                        400,
                        _cant_parse(f'entities: Tag "span" must have class "tg-spoiler" at byte offset {byte_offset}'),
                    )
                elif tag == "tg-emoji":
                    entity["custom_emoji_id"] = attrs.get("emoji-id", "")
                elif tag == "blockquote" and "expandable" in attributes:
                    entity["type"] = "expandable_blockquote"
                elif (
                    tag == "code" and stack and stack[-1][0] == "pre" and attrs.get("class", "").startswith("language-")
                ):
                    stack[-1][2]["language"] = attrs["class"][len("language-") :]
                    entity["type"] = ""
                stack.append((tag, position, entity))
            i = match.end()
            continue
        if char == "&":
            match = _HTML_ENTITY.match(text, i)
            if match is not None:
                char = html.unescape(match.group())
                i = match.end()
            else:
                i += 1
        else:
            i += 1
        plain.append(char)
        position += utf16_len(char)
    if stack:
        raise ApiError(
            400, f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1][0]}\""
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(plain), entities


def _cant_parse(detail: str) -> str:
    return f"Bad Request: can't parse {detail}"


def _unsupported_tag(tag: str, byte_offset: int) -> str:
    return f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}" at byte offset {byte_offset}'


def _check_markdown_v2(text: str) -> None:
    """MarkdownV2's rule that trips bots most: reserved characters outside markup must be escaped.

    Only characters that are never markup are checked (``. ! - = + # { } ( ) |`` and ``>`` not at a
    line start), outside code spans and link URLs, so valid text is never refused.
    """
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end < 0:
                raise ApiError(
                    400, _cant_parse(f"entities: Can't find end of Pre entity at byte offset {len(text[:i].encode())}")
                )
            i = end + 3
            continue
        if char == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise ApiError(
                    400, _cant_parse(f"entities: Can't find end of Code entity at byte offset {len(text[:i].encode())}")
                )
            i = end + 1
            continue
        if text.startswith("](", i):
            end = text.find(")", i + 2)
            i = (end + 1) if end >= 0 else n
            continue
        if text.startswith("||", i):
            i += 2
            continue
        line_start = (
            i == 0 or text[i - 1] == "\n" or (text[max(0, i - 2) : i] == "**" and (i == 2 or text[i - 3] == "\n"))
        )
        reserved = char in ".!-=+#{}()|" or (char == ">" and not line_start)
        if reserved:
            detail = f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            raise ApiError(400, _cant_parse(f"entities: {detail}"))
        i += 1


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG; other bytes are refused like Telegram does."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
        return 800, 600
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return 800, 600
    raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
