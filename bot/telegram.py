"""The Telegram transport: python-telegram-bot's Application in front of the shared command router.

Incoming: every command (also `/cmd@bot` in groups), replies to reminders and button presses become
a neutral `Request`; the router's `Reply` comes back as HTML with every user-supplied character
escaped, split at line boundaries when longer than Telegram's 4096 characters, with inline buttons.
Documents and photos become the request's `attachment`, their caption its text, under the rules
text follows (in a group: a command for us, or a reply to us); see `bot.telegram_files`. A reply's
picture and file go before its text.
Outgoing: `TelegramTransport` hands reminders to the same bot as bulk traffic (`rate_limit_args=BULK`),
so replies and reminders share one flood limiter (`bot.telegram_limits.FloodLimiter`), where replies
always pass reminders.
"""

from __future__ import annotations

import html
import logging
from dataclasses import replace
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update, WebAppInfo
from telegram.constants import ChatType, ParseMode
from telegram.error import ChatMigrated
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.telegram_commands import set_commands_for_chat
from bot.telegram_files import DownloadFailed, fetch_attachment, has_file
from config.i18n import translate
from handlers.context import Services
from handlers.conversation import Conversation
from handlers.types import Reply, Request

log = logging.getLogger(__name__)
Markup = InlineKeyboardMarkup | None
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


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    """Inline buttons from rows of (label, callback data) (`Conversation.buttons` made the data)."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


class TelegramBridge:
    """Turns Telegram updates into router requests and router replies into Telegram messages."""

    def __init__(self, services: Services, app: AnyApp) -> None:
        self.services = services
        self.app = app
        self.chat = Conversation(services, TRANSPORT, limit=MAX_CALLBACK)

    def install(self) -> None:
        """Register the handlers (order matters: commands before plain text) and the error handler."""
        self.app.add_handler(MessageHandler(filters.COMMAND, self.on_command))
        self.app.add_handler(MessageHandler(filters.TEXT & filters.REPLY & ~filters.COMMAND, self.on_reply))
        self.app.add_handler(MessageHandler(filters.TEXT & filters.ChatType.PRIVATE & ~filters.COMMAND, self.on_text))
        self.app.add_handler(MessageHandler(filters.Document.ALL | filters.PHOTO, self.on_file))
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
        answer = await self.chat.message(request)
        chat_id = await self.answer(int(request.chat_id), answer.reply, reply_to=message.message_id)
        if answer.menu_changed:
            await set_commands_for_chat(self.app.bot, await self.chat.menu_role(str(chat_id)), chat_id)

    async def on_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reply to one of our messages: to a reminder, it is progress on that task."""
        message = update.effective_message
        if message is None or not message.text:
            return
        reply_to = self._reply_to_us(message)
        if reply_to is None:
            return
        request = self._request(update, message.text, reply_to=reply_to)
        if request is not None:
            answer = await self.chat.message(request)
            await self.answer(int(request.chat_id), answer.reply, reply_to=message.message_id)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Plain text in a private chat: the router says politely that commands start with '/'."""
        message = update.effective_message
        if message is None or not message.text:
            return
        request = self._request(update, message.text)
        if request is not None:
            await self.answer(int(request.chat_id), (await self.chat.message(request)).reply)

    async def on_file(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A document or photo; its caption is the text. In a group only a command for us or a reply
        to us is taken (nothing else is downloaded)."""
        message = update.effective_message
        if message is None or not has_file(message):
            return
        caption = message.caption or ""
        reply_to = self._reply_to_us(message)
        if caption.startswith("/"):
            if not self._for_us(caption):
                return
        elif reply_to is None and message.chat.type != ChatType.PRIVATE:
            return
        request = self._request(update, caption, reply_to=reply_to)
        if request is None:
            return
        try:
            attachment = await fetch_attachment(self.app.bot, message, self.services.evidence.max_bytes)
        except DownloadFailed as failed:
            lang = await self.chat.language(request.user_id) or "zh"
            refusal = Reply(translate(lang, "attach_download_failed", name=failed.name[:60]), ok=False)
            await self.answer(message.chat.id, refusal, reply_to=message.message_id)
            return
        answer = await self.chat.message(replace(request, attachment=attachment))
        await self.answer(message.chat.id, answer.reply, reply_to=message.message_id)

    def _reply_to_us(self, message: Message) -> str | None:
        """The id of our message this one replies to (a reminder, a question), if it replies to us."""
        target = message.reply_to_message
        if target is None or target.from_user is None or target.from_user.id != self.app.bot.id:
            return None
        return str(target.message_id)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed button sends its command as the presser; progress buttons then edit the message."""
        query = update.callback_query
        if query is None or query.data is None:
            return
        request = self._request(update, "")
        answer = await self.chat.press(request, query.data) if request is not None else None
        if answer is None:
            await query.answer(translate("zh", "telegram_button_expired"))
            return
        reply = answer.reply
        await query.answer(reply.text.split("\n", 1)[0][:190])
        message = query.message
        if answer.settles_message and isinstance(message, Message) and message.text:
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
        """Move what is bound to a chat to its new id; how many members moved."""
        return await self.chat.chat_moved(str(old_chat_id), str(new_chat_id))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The one error handler: log the failure with its update, apologise briefly, never a traceback."""
        log.error("update %r failed", update, exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await self.app.bot.send_message(update.effective_chat.id, translate("zh", "handler_sorry"))
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

    def _with_page(
        self, markup: InlineKeyboardMarkup | None, reply: Reply, chat_id: int
    ) -> InlineKeyboardMarkup | None:
        """The live page as a Mini App button under a reply that offers it: in a private chat (Telegram
        allows `web_app` buttons nowhere else) and at an https address (nor at any other)."""
        web = self.services.web
        if not (reply.page and web.telegram_button and chat_id > 0):
            return markup
        button = InlineKeyboardButton(translate("zh", "page_button"), web_app=WebAppInfo(url=f"{web.base}/web/"))
        rows = [list(row) for row in markup.inline_keyboard] if markup is not None else []
        return InlineKeyboardMarkup([*rows, [button]])

    async def send_reply(self, chat_id: int, reply: Reply, *, reply_to: int | None = None) -> Message:
        """A reply as one or more HTML messages; the picture and the file first, buttons under the
        last piece (a reply that is only a file carries them itself)."""
        markup = self._with_page(keyboard(await self.chat.buttons(reply.buttons)), reply, chat_id)
        pieces = split_text(reply.text) if reply.text.strip() or not (reply.image or reply.document) else []
        sent: Message | None = None
        if reply.image:
            alone = not (pieces or reply.document)  # nothing follows: the buttons go under the picture
            sent = await self.app.bot.send_photo(chat_id, photo=reply.image, reply_markup=markup if alone else None)
        if reply.document is not None:
            sent = await self.app.bot.send_document(
                chat_id,
                document=InputFile(reply.document.data, filename=reply.document.name),
                reply_markup=None if pieces else markup,
            )
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
