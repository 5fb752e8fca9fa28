"""Who may open the live page: one-time links, browser sessions, and the member a chat user is.

A link (/web in the chat) is good for LINK_MINUTES and once; opening it starts a session. Sessions
are also started by a Telegram Mini App's signed initData or WeCom's OAuth, checked by the web
transport. A session lasts SESSION_DAYS unless revoked (/web logout ends every session of the
member). Tokens are random (32 bytes, 256 bits) and stored only as their SHA-256, so a copy of the
database signs nobody in. Every session is read afresh on each request: a member unbound, or a
session revoked, is out at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.database import aware
from models.people import find_member, memberships
from models.tables import AuditEntry, Identity, Member, WebLink, WebSession

LINK_MINUTES = 10
SESSION_DAYS = 7
TOKEN_BYTES = 32


@dataclass(frozen=True)
class Signed:
    """A session found valid: who it is."""

    session_id: int
    member: Member


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


async def create_link(session: AsyncSession, member: Member, now: dt.datetime) -> str:
    """A one-time sign-in link token for `member`, valid for LINK_MINUTES."""
    token = _new_token()
    expires = now + dt.timedelta(minutes=LINK_MINUTES)
    session.add(WebLink(token_hash=_hash(token), member_id=member.id or 0, created_at=now, expires_at=expires))
    _audit(session, member, now, "web.link", {})
    return token


async def redeem_link(session: AsyncSession, token: str, now: dt.datetime) -> Member | None:
    """The member a link signs in, marking it used; None if unknown, used or expired."""
    link = (await session.exec(select(WebLink).where(WebLink.token_hash == _hash(token)))).first()
    if link is None or link.used_at is not None or aware(link.expires_at) <= now:
        return None
    used = await session.exec(
        update(WebLink).where(col(WebLink.id) == link.id, col(WebLink.used_at).is_(None)).values(used_at=now)
    )
    if not used.rowcount:  # another request redeemed it a moment ago
        return None
    return await session.get(Member, link.member_id)


async def open_session(session: AsyncSession, member: Member, via: str, now: dt.datetime) -> str:
    """A new browser session for `member`; returns the cookie's token."""
    token = _new_token()
    expires = now + dt.timedelta(days=SESSION_DAYS)
    row = WebSession(token_hash=_hash(token), member_id=member.id or 0, via=via, created_at=now, expires_at=expires)
    session.add(row)
    _audit(session, member, now, "web.signin", {"via": via})
    return token


async def signed_in(session: AsyncSession, token: str, now: dt.datetime) -> Signed | None:
    """The member a session cookie stands for, if the session is live and the member still bound."""
    if not token:
        return None
    found = (await session.exec(select(WebSession).where(WebSession.token_hash == _hash(token)))).first()
    if found is None or found.revoked_at is not None or aware(found.expires_at) <= now:
        return None
    member = await session.get(Member, found.member_id)
    return Signed(found.id or 0, member) if member is not None else None


async def revoke_sessions(session: AsyncSession, member: Member, now: dt.datetime) -> int:
    """End every live session of `member`; how many there were."""
    result = await session.exec(
        update(WebSession)
        .where(col(WebSession.member_id) == member.id, col(WebSession.revoked_at).is_(None))
        .where(col(WebSession.expires_at) > now)
        .values(revoked_at=now)
    )
    count = int(result.rowcount or 0)
    if count:
        _audit(session, member, now, "web.logout", {"sessions": count})
    return count


async def revoke_one(session: AsyncSession, session_id: int, now: dt.datetime) -> None:
    """End one session (the page's own sign-out)."""
    await session.exec(update(WebSession).where(col(WebSession.id) == session_id).values(revoked_at=now))


async def member_for(session: AsyncSession, transport: str, user_id: str) -> Member | None:
    """The member a chat user is on the page: in their current plan (/plan), else their latest."""
    identity = await session.get(Identity, (transport, user_id))
    if identity is not None and identity.current_plan:
        found = await find_member(session, identity.current_plan, transport, user_id)
        if found is not None:
            return found
    joined = await memberships(session, transport, user_id)
    return joined[-1] if joined else None


def _audit(session: AsyncSession, member: Member, now: dt.datetime, action: str, detail: dict[str, str | int]) -> None:
    session.add(
        AuditEntry(
            plan_id=member.plan_id,
            at=now,
            member_id=member.id,
            actor=f"{member.transport}:{member.user_id}",
            action=action,
            detail=json.dumps(detail, ensure_ascii=False),
        )
    )
