"""Invite codes cannot be guessed: failed attempts are counted per person and per chat, and after
`MAX_FAILURES` failures within `WINDOW` every attempt is refused until the window has passed.

A code has 40 bits (`models.people`), so guessing is hopeless only if guesses are few: an identity
gets 5 per quarter of an hour, about 480 a day. The counts live in the database (`InviteAttempt`),
so they hold across several instances and restarts. An attempt refused while locked out is not a
failure (no code was looked at), so the time the refusal names is when the lock really ends; the
first refusal of each lock-out is noted and audited, later ones write nothing.

Not limited per plan: an unknown code belongs to no plan, and a plan-wide (or bot-wide) limit would
let one stranger lock every newcomer out, while the per-identity limit already bounds what each
account can try. Attempts sent at the same moment are each checked before any of them is counted,
so a burst of concurrent messages may add one failure each beyond the limit; the lock then holds.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import AuditEntry, InviteAttempt

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
FAILURES = ("invite_unknown", "invite_used", "invite_expired")
"""The refusals of `redeem_invite` that count: a wrong code, not a right code used wrongly."""
LIMITED = "limited"


@dataclass(frozen=True)
class Lockout:
    """Attempts are refused from `since` (the failure that reached the limit) until `until`;
    `scope` is 'user' (this person's failures) or 'chat' (everyone's in this chat)."""

    since: dt.datetime
    until: dt.datetime
    scope: str


@dataclass(frozen=True)
class Presenter:
    """Who presents a code, and where."""

    transport: str
    user_id: str
    chat_id: str

    @property
    def actor(self) -> str:
        """The presenter as written in the audit log."""
        return f"{self.transport}:{self.user_id}"


async def lockout(session: AsyncSession, who: Presenter, now: dt.datetime) -> Lockout | None:
    """The lock-out the presenter is under (the later one when both they and their chat are), or None."""
    locks = [
        lock
        for scope, column, value in (
            ("user", col(InviteAttempt.user_id), who.user_id),
            ("chat", col(InviteAttempt.chat_id), who.chat_id),
        )
        if (lock := await _lock(session, scope, column == value, who.transport, now)) is not None
    ]
    return max(locks, key=lambda lock: lock.until, default=None)


async def _lock(
    session: AsyncSession, scope: str, match: ColumnElement[bool], transport: str, now: dt.datetime
) -> Lockout | None:
    """Locked while `MAX_FAILURES` failures lie within the window: since the newest of them (no
    failure is counted while locked), until the oldest of them leaves the window."""
    statement = (
        select(InviteAttempt.at)
        .where(
            col(InviteAttempt.transport) == transport,
            match,
            col(InviteAttempt.outcome) != LIMITED,
            col(InviteAttempt.at) > now - WINDOW,
        )
        .order_by(col(InviteAttempt.at).desc(), col(InviteAttempt.id).desc())
        .limit(MAX_FAILURES)
    )
    times = list((await session.exec(statement)).all())
    if len(times) < MAX_FAILURES:
        return None
    return Lockout(since=times[0], until=times[-1] + WINDOW, scope=scope)


async def record_failure(session: AsyncSession, who: Presenter, outcome: str, now: dt.datetime) -> None:
    """Count one failed code (`outcome` is the refusal's key); rows past the window are dropped."""
    await session.exec(delete(InviteAttempt).where(col(InviteAttempt.at) <= now - WINDOW))
    session.add(_row(who, outcome.removeprefix("invite_"), now))
    await session.flush()


async def record_refusal(session: AsyncSession, who: Presenter, lock: Lockout, now: dt.datetime) -> None:
    """The first attempt refused under `lock` is noted and audited; later ones write nothing, so
    hammering a locked door costs one read and wakes no one."""
    column = col(InviteAttempt.user_id) if lock.scope == "user" else col(InviteAttempt.chat_id)
    value = who.user_id if lock.scope == "user" else who.chat_id
    earlier = select(InviteAttempt.id).where(
        col(InviteAttempt.transport) == who.transport,
        column == value,
        col(InviteAttempt.outcome) == LIMITED,
        col(InviteAttempt.at) >= lock.since,
    )
    if (await session.exec(earlier.limit(1))).first() is not None:
        return
    detail: dict[str, object] = {"transport": who.transport, "user": who.user_id, "chat": who.chat_id}
    detail |= {"scope": lock.scope, "failures": MAX_FAILURES, "until": lock.until.isoformat()}
    session.add(AuditEntry(at=now, actor=who.actor, action="invite.limited", detail=json.dumps(detail)))
    session.add(_row(who, LIMITED, now))
    await session.flush()


def _row(who: Presenter, outcome: str, now: dt.datetime) -> InviteAttempt:
    return InviteAttempt(transport=who.transport, user_id=who.user_id, chat_id=who.chat_id, at=now, outcome=outcome)
