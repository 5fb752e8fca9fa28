"""Secrets never reach a log: while a chat service runs, every log record is cleaned of its secrets.

Bot API URLs contain the token, and python-telegram-bot puts it into some messages itself
(`InvalidToken`: "The token `…` was rejected"). A `logging.Filter` sees only the records of the
logger or handler it is attached to; the record factory sees every record of every library, in
every thread, before any handler (pytest's caplog, the last-resort stderr handler, a file) gets it.
So the factory is wrapped: each record's message (with its arguments), exception text and stack
text are searched for the secrets and masked.

Two kinds are masked: the values handed to `hide_in_logs` (the bot token, the webhook secret, the
WeCom secret, token and AES key, robot keys already bound), and secrets that are only known when
they pass by, found by their place (`PATTERNS`): an invite code after /bind or /start or where a
reply hands one out, WeCom's short-lived access_token and a robot's key in a URL, the key typed
into /robot. Chat libraries log whole updates and requests at DEBUG (and Duban's error handler
logs the update that failed), so these would otherwise show. A database driver that logs every
SQL parameter at DEBUG (`RAW_LOGGERS`) is held at INFO meanwhile: no pattern finds a bare code there.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

MASK = "[secret]"

_SPACE = r"[ \t\u3000]"
PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"(?i)(/(?:bind|start)(?:@\w+)?{_SPACE}+)[A-Za-z0-9]+"),  # the code presented
    re.compile(rf"(?i)((?:邀请码|invite code){_SPACE}*)[A-Za-z0-9]{{8}}(?![A-Za-z0-9])"),  # the code handed out
    re.compile(r"(?i)([?&](?:access_token|key|corpsecret)=)[^&\s'\"]+"),  # credentials in a URL
    re.compile(rf"(?i)(/robot(?:@\w+)?{_SPACE}+\S+{_SPACE}+)[^\s'\"]+"),  # a robot's key or URL as typed
)
"""Secrets found by where they stand: the part after the first group is masked."""

RAW_LOGGERS = ("aiosqlite",)
"""Loggers that write every value they handle at DEBUG (aiosqlite: each SQL statement with its
parameters: invite codes, robot keys, people's names). While secrets are hidden they are held at
INFO, unless the operator gave them a level of their own."""

RecordFactory = Callable[..., logging.LogRecord]


class _Redactor:
    """The record factory in force while secrets are hidden; it calls the one it replaced."""

    def __init__(self, previous: RecordFactory) -> None:
        self.previous = previous
        self.quieted = [logging.getLogger(name) for name in RAW_LOGGERS if not logging.getLogger(name).level]
        for logger in self.quieted:
            logger.setLevel(logging.INFO)
        self.uses: Counter[str] = Counter()
        self.forms: tuple[str, ...] = ()
        """Every secret as written and URL-quoted, longest first (replaced as one tuple: other
        threads read it while a record is made)."""

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        clean(record, self.forms)
        return record

    def update(self) -> None:
        forms = {form for secret in self.uses for form in (secret, quote(secret, safe=""))}
        self.forms = tuple(sorted(forms, key=len, reverse=True))


def hide_in_logs(*secrets: str | None) -> None:
    """From now on, mask these values in every log record (each call is undone by one `show_in_logs`)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _Redactor):
        factory = _Redactor(factory)
        logging.setLogRecordFactory(factory)
    factory.uses.update(s for s in secrets if s)
    factory.update()


def show_in_logs(*secrets: str | None) -> None:
    """Undo one `hide_in_logs` of these values; the plain record factory returns when none is left."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _Redactor):
        return
    factory.uses.subtract(s for s in secrets if s)
    factory.uses = +factory.uses  # drops what reached zero
    factory.update()
    if not factory.uses:
        logging.setLogRecordFactory(factory.previous)
        for logger in factory.quieted:
            logger.setLevel(logging.NOTSET)


def _mask(text: str, forms: tuple[str, ...]) -> str:
    for form in forms:
        text = text.replace(form, MASK)
    for pattern in PATTERNS:
        text = pattern.sub(rf"\1{MASK}", text)
    return text


def _holds(text: str, forms: tuple[str, ...]) -> bool:
    return any(form in text for form in forms) or any(pattern.search(text) for pattern in PATTERNS)


def clean(record: logging.LogRecord, forms: tuple[str, ...]) -> None:
    """Mask the secrets (`forms`, and whatever `PATTERNS` find) in one record: its message and
    arguments (merged into a masked message), its exception and its stack (kept as masked text, the
    exception object dropped)."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed logging call: logging would print msg and args as they are
        message = f"{record.msg} {record.args!r}"
    if _holds(message, forms) or (record.args and _holds(repr(record.args), forms)):
        record.msg, record.args = _mask(message, forms), None
    if record.exc_info and record.exc_info[1] is not None:
        text = record.exc_text or logging.Formatter().formatException(record.exc_info)
        if _holds(text, forms):
            record.exc_info, record.exc_text = None, _mask(text, forms)
    if record.stack_info and _holds(record.stack_info, forms):
        record.stack_info = _mask(record.stack_info, forms)
