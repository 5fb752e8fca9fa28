"""Short codes for button commands too long for a chat service's button data (Telegram: 64 bytes).

A button sends its command when pressed; when the command does not fit, the button carries a code
and the command is kept here. The code is derived from the command (a hash), so the same command
always gets the same code (no growth for repeats) and a code issued before a restart still works
after it. A code lives `TTL` after it was last issued; older ones are pruned whenever a code is
issued, so the table holds only the commands of buttons shown in the last months.

Nothing here knows a chat service: the transport decides which commands need a code.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterable

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import ButtonCode
from models.upsert import insert_missing

PREFIX = "#"
"""Codes start with it; commands start with '/', so the two never mix."""
TTL = dt.timedelta(days=180)
"""How long a code keeps working after it was last put under a button."""


def code_for(command: str) -> str:
    """The code of a command: 128 bits of its SHA-256 (23 ASCII characters with the prefix), so it
    can be computed before the command is stored and is the same in every process."""
    digest = hashlib.sha256(command.encode()).digest()[:16]
    return PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def is_code(data: str) -> bool:
    """Whether button data is a code (to look up) rather than a command (to run as it is)."""
    return data.startswith(PREFIX)


async def keep_codes(session: AsyncSession, commands: Iterable[str], now: dt.datetime) -> list[str]:
    """Store the commands under their codes (or note that they were issued again), prune old codes,
    and return the codes in the order given; each keeps working for `TTL` from now."""
    await prune_codes(session, now)
    codes: list[str] = []
    for command in commands:
        code = code_for(command)
        row = await session.get(ButtonCode, code)
        if row is None:
            await _insert_once(session, code, command, now)
        elif row.command != command:  # two commands with one 128-bit hash: never seen, but never silent
            raise ValueError(f"button code {code} already stands for another command")
        else:
            row.issued_at = now
            session.add(row)
        codes.append(code)
    return codes


async def _insert_once(session: AsyncSession, code: str, command: str, now: dt.datetime) -> None:
    """Insert the row; a concurrent insert of the same command (same code) is not an error."""
    await insert_missing(session, ButtonCode, [{"code": code, "command": command, "issued_at": now}], ("code",))


async def command_for(session: AsyncSession, code: str, now: dt.datetime) -> str | None:
    """The command a code stands for, or None when it is unknown or older than `TTL`."""
    row = await session.get(ButtonCode, code)
    if row is None or row.issued_at < now - TTL:
        return None
    return row.command


async def prune_codes(session: AsyncSession, now: dt.datetime) -> int:
    """Forget codes not issued for `TTL` (their buttons have long scrolled away); returns how many."""
    result = await session.exec(delete(ButtonCode).where(col(ButtonCode.issued_at) < now - TTL))
    return int(result.rowcount or 0)
