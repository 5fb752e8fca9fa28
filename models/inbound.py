"""Taking in each incoming message once: chat services retry (WeCom three times within seconds) and
a restart must not make a retried report count twice."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from models.database import Database
from models.tables import InboundSeen

KEEP = dt.timedelta(days=7)
"""Long past any retry; what is older is forgotten."""


async def first_time(db: Database, transport: str, key: str, now: dt.datetime) -> bool:
    """Record `key` as seen; False when it was seen before (a retry or a replay).

    The primary key decides, so two deliveries of one message racing each other cannot both win,
    on SQLite and PostgreSQL alike.
    """
    try:
        async with db.session() as session:
            session.add(InboundSeen(transport=transport, key=key[:200], at=now))
    except IntegrityError:
        return False
    return True


async def forget_old(db: Database, now: dt.datetime) -> int:
    """Drop what is older than KEEP; returns how many."""
    async with db.session() as session:
        result = await session.exec(delete(InboundSeen).where(col(InboundSeen.at) < now - KEEP))
    return int(result.rowcount or 0)
