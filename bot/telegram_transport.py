"""Reminders and digests sent through the Telegram bot, piece by piece, recording what Telegram confirmed.

A reminder may take several requests: the digest's chart, a file (an evidence file under review, a
workbook), then the text cut at 4,096 characters. Each piece is sent and confirmed on its own, so a
failure or a crash in the middle never sends a confirmed piece again (`Outgoing.skip`, `Outgoing.on_piece`).

Errors are told apart by whether the request can have reached Telegram:
- not sent (connection refused, connect or pool timeout, an answered 5xx): retried at once with
  backoff, a few times;
- in doubt (the request left but the answer never came: read timeout, dropped connection): not
  retried here; the outbox retries it once, later (`DeliveryFailed.in_doubt`);
- refused for good (the bot was blocked, the chat is gone): `permanent`;
- moved (a group became a supergroup): `migrated_to`, and the sender follows the chat.
Reminders are bulk traffic for the flood limiter (`BULK`), so replies to people are never queued
behind a burst.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

import httpx
from telegram import InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.telegram import TRANSPORT, TelegramBridge, as_html, keyboard, split_text
from bot.telegram_limits import BULK
from handlers.types import Button
from reminders.outbound import DeliveryFailed, Document, Outgoing, send_pieces

SEND_TRIES = 3
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout, httpx.WriteError)
"""Failures before the request reached Telegram: safe to repeat at once."""
GONE = ("not found", "deactivated", "kicked", "was deleted")


def in_doubt(error: NetworkError) -> bool:
    """Whether the request may have reached Telegram although no answer came.

    python-telegram-bot raises TimedOut/NetworkError *from* the httpx error; a NetworkError without
    a cause is an HTTP error status Telegram answered (a 5xx), so the message was not sent.
    """
    cause = error.__cause__
    if cause is None:
        return False
    return not isinstance(cause, NOT_SENT)


class TelegramTransport:
    """Reminders and digests through the bot, recording only what Telegram confirmed."""

    name = TRANSPORT

    def __init__(self, bridge: TelegramBridge, *, backoff: float = 0.5, read_timeout: float | None = None) -> None:
        self.bridge = bridge
        self.backoff = backoff
        self.read_timeout = read_timeout
        """Seconds to wait for Telegram's answer (None: python-telegram-bot's default, 5 s)."""

    async def send(self, message: Outgoing) -> str:
        """Send the pieces not yet confirmed; return the last piece's message id."""
        rows = await self.bridge.chat.buttons((tuple(Button(label, command) for label, command in message.actions),))
        pieces = self._pieces(message, [row for row in rows if row])

        async def one(index: int) -> str:
            return str((await self._piece(pieces[index], index)).message_id)

        return await send_pieces(message, len(pieces), one)

    def _pieces(self, message: Outgoing, rows: list[list[tuple[str, str]]]) -> list[_Piece]:
        """One request each: the picture, the file, then the text; buttons (label, data) under the
        last piece. The same message always gives the same pieces, so `skip` counts them alike."""
        chat = int(message.chat_id)
        pieces = [_Piece(chat, image=message.image)] if message.image else []
        if message.document is not None:
            pieces.append(_Piece(chat, document=message.document))
        if message.text.strip() or not pieces:
            pieces += [_Piece(chat, text=text) for text in split_text(message.text)]
        pieces[-1] = replace(pieces[-1], markup=keyboard(rows))
        return pieces

    async def _piece(self, piece: _Piece, index: int) -> Message:
        """One request, retried at once only when it surely did not reach Telegram."""
        for attempt in range(SEND_TRIES):
            try:
                return await self._request(piece)
            except Forbidden as error:
                raise DeliveryFailed(f"forbidden: {error}", permanent=True, confirmed=index) from error
            except ChatMigrated as error:
                raise DeliveryFailed(
                    f"chat migrated: {error}", migrated_to=str(error.new_chat_id), confirmed=index
                ) from error
            except BadRequest as error:
                gone = any(word in str(error).lower() for word in GONE)
                raise DeliveryFailed(f"bad request: {error}", permanent=gone, confirmed=index) from error
            except RetryAfter as error:
                raise DeliveryFailed(f"flood control: {error}", confirmed=index) from error
            except (TimedOut, NetworkError) as error:
                if in_doubt(error):
                    raise DeliveryFailed(f"no answer: {error}", in_doubt=True, confirmed=index) from error
                if attempt == SEND_TRIES - 1:
                    raise DeliveryFailed(f"network: {error}", confirmed=index) from error
                await asyncio.sleep(self.backoff * 2**attempt)
            except TelegramError as error:
                raise DeliveryFailed(f"telegram: {error}", confirmed=index) from error
        raise AssertionError("unreachable")  # pragma: no cover

    async def _request(self, piece: _Piece) -> Message:
        bot = self.bridge.app.bot
        if piece.image is not None:
            photo: Message = await bot.send_photo(
                piece.chat, photo=piece.image, reply_markup=piece.markup, rate_limit_args=BULK, **self._timeout
            )
            return photo
        if piece.document is not None:
            document: Message = await bot.send_document(
                piece.chat,
                document=InputFile(piece.document.data, filename=piece.document.name),
                reply_markup=piece.markup,
                rate_limit_args=BULK,
                **self._timeout,
            )
            return document
        text: Message = await bot.send_message(
            piece.chat,
            as_html(piece.text),
            parse_mode=ParseMode.HTML,
            reply_markup=piece.markup,
            rate_limit_args=BULK,
            **self._timeout,
        )
        return text

    @property
    def _timeout(self) -> dict[str, float]:
        """An explicit read timeout, or nothing: python-telegram-bot reads `read_timeout=None` as
        "wait for ever", not as "the default"."""
        return {} if self.read_timeout is None else {"read_timeout": self.read_timeout}


@dataclass(frozen=True)
class _Piece:
    """One request of a message: a picture, a file, or a piece of text (with the buttons on the last)."""

    chat: int
    text: str = ""
    image: bytes | None = None
    document: Document | None = None
    markup: InlineKeyboardMarkup | None = None
