"""Secrets never reach a log: while Telegram runs, every log record is cleaned of the bot token.

Bot API URLs contain the token, and python-telegram-bot puts it into some messages itself
(`InvalidToken`: "The token `…` was rejected"). A `logging.Filter` sees only the records of the
logger or handler it is attached to; the record factory sees every record of every library, in
every thread, before any handler (pytest's caplog, the last-resort stderr handler, a file) gets it.
So the factory is wrapped: each record's message (with its arguments), exception text and stack
text are searched for the secrets and masked.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

MASK = "[secret]"

RecordFactory = Callable[..., logging.LogRecord]


class _Redactor:
    """The record factory in force while secrets are hidden; it calls the one it replaced."""

    def __init__(self, previous: RecordFactory) -> None:
        self.previous = previous
        self.uses: Counter[str] = Counter()
        self.forms: tuple[str, ...] = ()
        """Every secret as written and URL-quoted, longest first (replaced as one tuple: other
        threads read it while a record is made)."""

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        if self.forms:
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


def _mask(text: str, forms: tuple[str, ...]) -> str:
    for form in forms:
        text = text.replace(form, MASK)
    return text


def _holds(text: str, forms: tuple[str, ...]) -> bool:
    return any(form in text for form in forms)


def clean(record: logging.LogRecord, forms: tuple[str, ...]) -> None:
    """Mask the secrets in one record: its message and arguments (merged into a masked message),
    its exception and its stack (kept as masked text, the exception object dropped)."""
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
