"""The Telegram transport: python-telegram-bot's Application in front of the shared command router.

Incoming: every command (also `/cmd@bot` in groups), replies to reminders and button presses become
a neutral `Request`; the router's `Reply` comes back as HTML with every user-supplied character
escaped, split at line boundaries when longer than Telegram's 4096 characters, with inline buttons.
Outgoing: `TelegramTransport` hands reminders to the same bot as bulk traffic (`rate_limit_args=BULK`),
so replies and reminders share one flood limiter (`bot.telegram_limits.FloodLimiter`), where replies
always pass reminders.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import ChatMigrated
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.telegram_commands import set_commands_for_chat
from config.i18n import translate
from handlers.context import Services
from handlers.router import handle
from handlers.types import Button, Reply, Request
from models.button_codes import code_for, command_for, is_code, keep_codes
from models.people import move_chat

log = logging.getLogger(__name__)
TRANSPORT = "telegram"
MAX_TEXT = 4096
MAX_CALLBACK = 64
SEND_TRIES = 3
AnyApp = Application[Any, Any, Any, Any, Any, Any]


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most `limit` units, cut at line ends (a single overlong line is cut hard)."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while utf16_len(line) > limit:
            head = line[:limit]
            while utf16_len(head) > limit:
                head = head[:-1]
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
            line = line[len(head) :]
        candidate = f"{current}\n{line}" if current else line
        if current and utf16_len(candidate) > limit:
            pieces.append(current)
            candidate = line
        current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def as_html(text: str) -> str:
    """Plain reply text for parse_mode HTML: everything escaped, so a unit name can't inject markup."""
    return html.escape(text, quote=False)


def fits_callback(command: str) -> bool:
    """Whether a command fits Telegram's callback_data as it is (else it goes under a stored code)."""
    return len(command.encode()) <= MAX_CALLBACK


class CallbackCodes:
    """Callback data for buttons: the command itself when it fits Telegram's 64 bytes, else a short
    code kept in the database (`models.button_codes`), so buttons still work after a restart.

    `encode` is pure (the code is a hash of the command); `save` must store the long commands of a
    message before it goes out, or pressing their buttons says they expired.
    """

    def __init__(self, services: Services) -> None:
        self.services = services

    def encode(self, command: str) -> str:
        """The callback data of a button sending `command`."""
        return command if fits_callback(command) else code_for(command)

    async def save(self, commands: Iterable[str]) -> None:
        """Keep the commands that need a code (one short transaction, and only when there are any)."""
        long = sorted({command for command in commands if not fits_callback(command)})
        if long:
            async with self.services.db.session() as session:
                await keep_codes(session, long, self.services.clock())

    async def decode(self, data: str) -> str | None:
        """The command a pressed button sends; None for a code that is unknown or has expired."""
        if not is_code(data):
            return data
        async with self.services.db.session() as session:
            return await command_for(session, data, self.services.clock())


def keyboard(rows: list[list[tuple[str, str]]], codes: CallbackCodes) -> InlineKeyboardMarkup | None:
    """Inline buttons whose callback data is the command they send (saved first: `CallbackCodes.save`)."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=codes.encode(command)) for label, command in row] for row in rows]
    )


def _button_rows(buttons: tuple[tuple[Button, ...], ...]) -> list[list[tuple[str, str]]]:
    return [[(b.label, b.command) for b in row] for row in buttons]


class TelegramBridge:
    """Turns Telegram updates into router requests and router replies into Telegram messages."""

    def __init__(self, services: Services, app: AnyApp) -> None:
        self.services = services
        self.app = app
        self.codes = CallbackCodes(services)

    def install(self) -> None:
        """Register the handlers (order matters: commands before plain text) and the error handler."""
        self.app.add_handler(MessageHandler(filters.COMMAND, self.on_command))
        self.app.add_handler(MessageHandler(filters.TEXT & filters.REPLY & ~filters.COMMAND, self.on_reply))
        self.app.add_handler(MessageHandler(filters.TEXT & filters.ChatType.PRIVATE & ~filters.COMMAND, self.on_text))
        self.app.add_handler(CallbackQueryHandler(self.on_button))
        self.app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))
        self.app.add_error_handler(self.on_error)

    def _request(self, update: Update, text: str, *, reply_to: str | None = None) -> Request | None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return None
        message = update.effective_message
        return Request(
            transport=TRANSPORT,
            user_id=str(user.id),
            chat_id=str(chat.id),
            text=text,
            display_name=(chat.title or "")
            if chat.type != ChatType.PRIVATE and text.startswith("/bind")
            else user.full_name,
            message_id=str(message.message_id) if message else "",
            reply_to=reply_to,
            group=chat.type in (ChatType.GROUP, ChatType.SUPERGROUP),
        )

    def _for_us(self, text: str) -> bool:
        """'/status@other_bot' in a group is not for us."""
        head = text.split(maxsplit=1)[0] if text.strip() else ""
        if "@" not in head:
            return True
        return head.split("@", 1)[1].lower() == (self.app.bot.username or "").lower()

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A /command in a private chat or a group."""
        message = update.effective_message
        if message is None or not message.text or not self._for_us(message.text):
            return
        request = self._request(update, message.text)
        if request is None:
            return
        reply = await handle(self.services, request)
        chat_id = await self.answer(int(request.chat_id), reply, reply_to=message.message_id)
        if reply.ok and request.text.split(maxsplit=1)[0].split("@")[0].lower() in ("/bind", "/start", "/lang"):
            await set_commands_for_chat(self.app.bot, self.services, TRANSPORT, str(chat_id))

    async def on_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reply to one of our messages: to a reminder, it is progress on that task."""
        message = update.effective_message
        if message is None or message.reply_to_message is None or not message.text:
            return
        if message.reply_to_message.from_user is None or message.reply_to_message.from_user.id != self.app.bot.id:
            return
        request = self._request(update, message.text, reply_to=str(message.reply_to_message.message_id))
        if request is not None:
            await self.answer(int(request.chat_id), await handle(self.services, request), reply_to=message.message_id)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Plain text in a private chat: the router says politely that commands start with '/'."""
        message = update.effective_message
        if message is None or not message.text:
            return
        request = self._request(update, message.text)
        if request is not None:
            await self.answer(int(request.chat_id), await handle(self.services, request))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed button sends its command as the presser; progress buttons then edit the message."""
        query = update.callback_query
        if query is None or query.data is None:
            return
        command = await self.codes.decode(query.data)
        request = self._request(update, command) if command else None
        if command is None or request is None:
            await query.answer(translate("zh", "telegram_button_expired"))
            return
        reply = await handle(self.services, request)
        first_line = reply.text.split("\n", 1)[0]
        await query.answer(first_line[:190])
        message = query.message
        if reply.ok and command.startswith("/progress") and isinstance(message, Message) and message.text:
            edited = f"{message.text}\n\n✅ {reply.text}"
            await message.edit_text(as_html(split_text(edited)[0]), parse_mode=ParseMode.HTML)
            return
        if isinstance(message, Message):
            await self.answer(message.chat.id, reply)

    async def on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup: Telegram says so in both chats; the binding follows at once."""
        message = update.effective_message
        if message is None:
            return
        if message.migrate_to_chat_id:
            await self.follow_chat(message.chat.id, message.migrate_to_chat_id)
        elif message.migrate_from_chat_id:
            await self.follow_chat(message.migrate_from_chat_id, message.chat.id)

    async def follow_chat(self, old_chat_id: int, new_chat_id: int) -> int:
        """Move what is bound to a chat to its new id (`models.people.move_chat`); how many members moved."""
        async with self.services.db.session() as session:
            moved = await move_chat(session, TRANSPORT, str(old_chat_id), str(new_chat_id), self.services.clock())
        if moved:
            log.info("chat %s is now %s: %d binding(s) moved", old_chat_id, new_chat_id, moved)
        return moved

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The one error handler: log the failure with its update, apologise briefly, never a traceback."""
        log.error("update %r failed", update, exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await self.app.bot.send_message(update.effective_chat.id, translate("zh", "telegram_sorry"))
            except Exception:  # the apology itself may fail (chat gone, network down): logged, not raised
                log.exception("could not apologise in chat %s", update.effective_chat.id)

    async def answer(self, chat_id: int, reply: Reply, *, reply_to: int | None = None) -> int:
        """Answer someone; when their group has become a supergroup (ChatMigrated), move the binding and
        answer once in the new chat. Returns the chat that got the answer."""
        try:
            await self.send_reply(chat_id, reply, reply_to=reply_to)
            return chat_id
        except ChatMigrated as migrated:
            new_chat_id = int(migrated.new_chat_id)
        await self.follow_chat(chat_id, new_chat_id)
        await self.send_reply(new_chat_id, reply)  # the message replied to stayed in the old chat
        return new_chat_id

    async def send_reply(self, chat_id: int, reply: Reply, *, reply_to: int | None = None) -> Message:
        """A reply as one or more HTML messages; the picture first, buttons under the last piece."""
        rows = _button_rows(reply.buttons)
        await self.codes.save(command for row in rows for _, command in row)
        markup = keyboard(rows, self.codes)
        if reply.image:
            await self.app.bot.send_photo(chat_id, photo=reply.image)
        pieces = split_text(reply.text)
        sent: Message | None = None
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            sent = await self.app.bot.send_message(
                chat_id,
                as_html(piece),
                parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None,
                reply_to_message_id=reply_to if index == 0 else None,
                allow_sending_without_reply=True,
            )
        assert sent is not None
        return sent
