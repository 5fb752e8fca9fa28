"""WeCom group robots (群机器人) bound to a unit or to the leaders of a plan.

A robot is send-only: it is a member of the plan like a person (so the outbox reaches it with
everything its unit or the leaders receive), on the transport `wecom-robot`, with the user id
`robot:<unit id>` or `robot:leaders` and its webhook key as the chat id. The key is a secret (anyone
holding it can post to the group): it is stored, but never written to the audit log, and shown to
people only masked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from urllib.parse import parse_qs, urlsplit

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.people import bind_member, find_member, unblock_chat
from models.tables import AuditEntry, Member

TRANSPORT = "wecom-robot"
LEADERS = "leaders"
WEBHOOK_PATH = "/cgi-bin/webhook/send"
KEY_SHAPE = re.compile(r"[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}")
"""A webhook key as WeCom issues it: five dash-separated groups (a UUID's shape; WeCom's own
documentation shows letters beyond hex digits, so any letter or digit is taken)."""


def key_tag(key: str) -> str:
    """A robot's name for logs: a short hash of its key (the key itself is a secret)."""
    return "robot-" + hashlib.sha256(key.encode()).hexdigest()[:8]


def masked(key: str) -> str:
    """A key as people may see it: its last four characters."""
    return "…" + key[-4:]


def webhook_key(text: str) -> str:
    """The key of a robot's webhook URL as WeCom shows it (``…/cgi-bin/webhook/send?key=…``), or a
    bare key; ValueError (never quoting the input) when neither has a key of the right shape."""
    text = text.strip()
    if "://" in text or "?" in text:
        parts = urlsplit(text)
        keys = parse_qs(parts.query).get("key", [])
        if len(keys) != 1 or not keys[0]:
            raise ValueError("not a WeCom robot webhook URL (no key=…)")
        if parts.scheme not in ("http", "https") or not parts.path.endswith(WEBHOOK_PATH):
            raise ValueError("not a WeCom robot webhook URL (the path is not …/webhook/send)")
        text = keys[0]
    if not KEY_SHAPE.fullmatch(text):
        raise ValueError("not a WeCom robot webhook key (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)")
    return text


def robot_user(unit_id: int | None) -> str:
    """The user id a unit's robot (or the leaders' one, for None) has in the plan."""
    return f"robot:{LEADERS if unit_id is None else unit_id}"


async def bind_robot(
    session: AsyncSession,
    *,
    plan_id: str,
    unit_id: int | None,
    key: str,
    name: str,
    actor: str,
    now: dt.datetime,
) -> Member:
    """Bind (or re-key) the robot of a unit, or the leaders' one for `unit_id` None.

    A key bound anew is reachable again even if an earlier send found it removed from its group: the
    admin binding it says it is back.
    """
    member = await bind_member(
        session,
        plan_id=plan_id,
        transport=TRANSPORT,
        user_id=robot_user(unit_id),
        display_name=name,
        chat_id=key,
        role="leader" if unit_id is None else "liaison",
        unit_id=unit_id,
        now=now,
        via=f"robot {key_tag(key)}",
        actor=actor,
    )
    await unblock_chat(session, TRANSPORT, key)
    _audit(session, plan_id, member.id, actor, "robot.bind", unit_id, key, now)
    await session.flush()
    return member


async def unbind_robot(
    session: AsyncSession, *, plan_id: str, unit_id: int | None, actor: str, now: dt.datetime
) -> bool:
    """Stop a unit's (or the leaders') robot; False when none was bound.

    The member row stays (deliveries already made point to it) with no chat: nothing reaches it,
    and binding a key again brings it back.
    """
    member = await find_member(session, plan_id, TRANSPORT, robot_user(unit_id))
    if member is None or not member.chat_id:
        return False
    _audit(session, plan_id, member.id, actor, "robot.remove", unit_id, member.chat_id, now)
    member.chat_id = ""
    session.add(member)
    await session.flush()
    return True


async def plan_robots(session: AsyncSession, plan_id: str) -> list[Member]:
    """The robots bound in a plan: the leaders' first, then the units' in binding order."""
    statement = select(Member).where(Member.plan_id == plan_id, Member.transport == TRANSPORT, Member.chat_id != "")
    rows = list((await session.exec(statement.order_by(col(Member.id)))).all())
    return sorted(rows, key=lambda m: m.unit_id is not None)


async def robot_keys(session: AsyncSession) -> list[str]:
    """Every robot key bound in any plan (secrets to hide from the logs)."""
    statement = select(Member.chat_id).where(Member.transport == TRANSPORT, Member.chat_id != "")
    return sorted(set((await session.exec(statement)).all()))


def _audit(
    session: AsyncSession,
    plan_id: str,
    member_id: int | None,
    actor: str,
    action: str,
    unit_id: int | None,
    key: str,
    now: dt.datetime,
) -> None:
    detail = {"unit_id": unit_id, "robot": key_tag(key)}
    session.add(
        AuditEntry(plan_id=plan_id, at=now, member_id=member_id, actor=actor, action=action, detail=json.dumps(detail))
    )
