"""Notices: messages Duban sends at once because someone did something (not because a date came).

A unit asks for help, a figure is proposed or corrected, the office answers: the people concerned
are told through the same outbox as reminders, so a notice is sent exactly like a reminder (quiet
hours, retries, one delivery per recipient) and survives a restart. The text is a catalog key with
its parameters, rendered in each recipient's language when it is sent.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import ReminderRow

NOTICE = "notice"
ADMINS = "admins"
LEADERS = "leaders"


def to_unit(unit_id: int) -> str:
    """The audience entry for a unit's liaisons."""
    return f"unit:{unit_id}"


def to_member(member_id: int) -> str:
    """The audience entry for one member (the person who proposed a figure, say)."""
    return f"member:{member_id}"


async def queue_notice(
    session: AsyncSession,
    *,
    plan_id: str,
    audience: Sequence[str],
    key: str,
    params: dict[str, Any],
    now: dt.datetime,
    subject: str = "",
    actions: Sequence[tuple[str, str]] = (),
    assignment_id: int | None = None,
    document: dict[str, Any] | None = None,
) -> ReminderRow:
    """Queue a notice for `audience` (admins, leaders, unit:<id>, member:<id>), due now.

    `actions` are (label key, command) pairs shown as buttons; the labels are catalog keys too.
    `document` names a stored evidence file sent with the notice (sha256, ext, name).
    """
    detail: dict[str, Any] = {"audience": list(dict.fromkeys(audience)), "key": key, "params": params}
    detail["actions"] = list(actions)
    if document is not None:
        detail["document"] = document
    row = ReminderRow(
        plan_id=plan_id,
        key=f"{NOTICE}:{key}:{now.isoformat()}:{secrets.token_hex(4)}",
        kind=NOTICE,
        due_at=now,
        subject=subject,
        assignment_id=assignment_id,
        detail=json.dumps(detail, ensure_ascii=False),
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row
