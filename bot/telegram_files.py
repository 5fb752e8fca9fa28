"""Files people send the bot on Telegram (documents and photos), fetched through the Bot API.

The size Telegram announces is checked before anything is fetched: a file over the limit is never
downloaded, only its size is passed on (`Attachment.declared_size`) for the handler to refuse
politely. Otherwise `getFile` names the file and python-telegram-bot fetches it from the file URL
(`DUBAN_TELEGRAM_BASE_FILE_URL`). A photo is taken at its largest size and named by when it was sent.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import Bot, Message
from telegram.error import TelegramError

from handlers.types import Attachment

log = logging.getLogger(__name__)
ZONE = ZoneInfo("Asia/Shanghai")
"""Photo names tell the time the office reads (a chat file has no plan to take the zone from)."""
DOWNLOAD_SECONDS = 60.0
"""A read timeout for a download of up to 20 MB (python-telegram-bot's default of 5 s is for calls)."""


class DownloadFailed(Exception):
    """Telegram did not hand over a file (network, an expired file id, a refusal); `name` says which."""

    def __init__(self, name: str) -> None:
        super().__init__(f"download of {name!r} failed")
        self.name = name


def has_file(message: Message) -> bool:
    """Whether the message carries a document or a photo."""
    return message.document is not None or bool(message.photo)


def _wanted(message: Message) -> tuple[str, str, int | None]:
    """(file_id, name, announced size) of the message's document or its largest photo."""
    document = message.document
    if document is not None:
        return document.file_id, document.file_name or f"document-{_stamp(message)}", document.file_size
    largest = max(message.photo, key=lambda size: (size.width * size.height, size.file_size or 0))
    return largest.file_id, f"photo-{_stamp(message)}.jpg", largest.file_size


def _stamp(message: Message) -> str:
    return message.date.astimezone(ZONE).strftime("%Y%m%d-%H%M%S")


async def fetch_attachment(bot: Bot, message: Message, max_bytes: int) -> Attachment:
    """The message's file as an attachment: its bytes, or only its size when it is over `max_bytes`.

    Raises `DownloadFailed` when Telegram does not hand it over.
    """
    file_id, name, size = _wanted(message)
    if size is not None and size > max_bytes:
        log.info("file %r of %d bytes not fetched: over the limit of %d", name, size, max_bytes)
        return Attachment(name, b"", declared_size=size)
    try:
        found = await bot.get_file(file_id)
        if found.file_size is not None and found.file_size > max_bytes:
            return Attachment(name, b"", declared_size=found.file_size)
        if not found.file_path:
            raise DownloadFailed(name)
        data = bytes(await found.download_as_bytearray(read_timeout=DOWNLOAD_SECONDS))
    except TelegramError as error:
        log.warning("file %r could not be fetched: %s", name, error)
        raise DownloadFailed(name) from error
    if len(data) > max_bytes:  # Telegram announced no size: fetched, but passed on as too large
        return Attachment(name, b"", declared_size=len(data))
    return Attachment(name, data)
