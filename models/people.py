"""Who is who: members of a plan (admin, leader, liaison), invites that bind them, and identities.

A person becomes a member only by presenting a single-use, expiring invite code (or, on the local
console, by the operator's choice). Every bind is audited.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from sqlalchemy import delete, exists, update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import AuditEntry, ChatBlock, GroupMember, Identity, Invite, Member, UnitRow

ROLES = ("admin", "leader", "liaison")
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
INVITE_LENGTH = 8
INVITE_TTL = dt.timedelta(days=7)


class InviteError(Exception):
    """An invite code that cannot be used; `key` says why (unknown, used, expired, …)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class BindConflict(InviteError):
    """Binding would replace the role someone already has in the plan: it needs their confirmation."""

    def __init__(self, member: Member) -> None:
        super().__init__("bind_would_replace", role=member.role, unit_id=member.unit_id)
        self.member = member


async def identity(session: AsyncSession, transport: str, user_id: str) -> Identity:
    """The identity row of a chat user, created on first sight."""
    row = await session.get(Identity, (transport, user_id))
    if row is None:
        row = Identity(transport=transport, user_id=user_id)
        session.add(row)
        await session.flush()
    return row


async def set_preference(
    session: AsyncSession,
    transport: str,
    user_id: str,
    *,
    now: dt.datetime,
    lang: str | None = None,
    current_plan: str | None = None,
) -> Identity:
    """Change a chat user's language or current plan. A change is audited, without a plan: it is the
    person's own, and changes nothing in any plan (its caches and digests stay valid)."""
    row = await identity(session, transport, user_id)
    before = {"lang": row.lang, "current_plan": row.current_plan}
    row.lang = lang or row.lang
    row.current_plan = current_plan or row.current_plan
    after = {"lang": row.lang, "current_plan": row.current_plan}
    if after != before:
        session.add(row)
        changed = {key: {"from": before[key], "to": value} for key, value in after.items() if value != before[key]}
        detail = json.dumps(changed, ensure_ascii=False)
        session.add(AuditEntry(at=now, actor=f"{transport}:{user_id}", action="identity.set", detail=detail))
    return row


async def find_member(session: AsyncSession, plan_id: str, transport: str, user_id: str) -> Member | None:
    """The member a chat user is in a plan, if any."""
    statement = select(Member).where(
        Member.plan_id == plan_id, Member.transport == transport, Member.user_id == user_id
    )
    return (await session.exec(statement)).first()


async def memberships(session: AsyncSession, transport: str, user_id: str) -> list[Member]:
    """Every plan a chat user is a member of."""
    statement = select(Member).where(Member.transport == transport, Member.user_id == user_id).order_by(col(Member.id))
    return list((await session.exec(statement)).all())


async def find_unit(session: AsyncSession, plan_id: str, name: str, *, groups: bool = False) -> UnitRow | None:
    """A unit of the plan by its name or one of its aliases (groups only when asked)."""
    rows = (await session.exec(select(UnitRow).where(UnitRow.plan_id == plan_id).order_by(col(UnitRow.id)))).all()
    wanted = name.strip()
    for row in rows:
        if row.is_group and not groups:
            continue
        if wanted == row.name or wanted in row.aliases.split("|"):
            return row
    return None


async def plan_units(session: AsyncSession, plan_id: str, *, groups: bool = False) -> list[UnitRow]:
    """The plan's units (and groups, when asked), in plan order."""
    rows = (await session.exec(select(UnitRow).where(UnitRow.plan_id == plan_id).order_by(col(UnitRow.id)))).all()
    return [r for r in rows if groups or not r.is_group]


async def group_members(session: AsyncSession, plan_id: str) -> dict[int, list[int]]:
    """Unit ids of every group of the plan (groups of groups already flattened), by group id."""
    statement = (
        select(GroupMember)
        .join(UnitRow, col(UnitRow.id) == col(GroupMember.group_id))
        .where(UnitRow.plan_id == plan_id)
        .order_by(col(GroupMember.group_id), col(GroupMember.unit_id))
    )
    members: dict[int, list[int]] = {}
    for link in (await session.exec(statement)).all():
        members.setdefault(link.group_id, []).append(link.unit_id)
    return members


async def unit_ids(session: AsyncSession, plan_id: str, names: list[str]) -> list[int]:
    """The ids of the named units of a plan."""
    statement = select(UnitRow.id).where(UnitRow.plan_id == plan_id, col(UnitRow.name).in_(names))
    return [i for i in (await session.exec(statement)).all() if i is not None]


async def find_invite(session: AsyncSession, code: str) -> Invite | None:
    """An invite by its code, as typed (case and spaces forgiven)."""
    return (await session.exec(select(Invite).where(Invite.code == code.strip().upper()))).first()


def new_code() -> str:
    """A short code that is easy to read aloud and type (no 0/O, 1/I)."""
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


async def create_invite(
    session: AsyncSession,
    *,
    plan_id: str,
    role: str,
    unit_id: int | None,
    created_by: int | None,
    actor: str,
    now: dt.datetime,
    ttl: dt.timedelta = INVITE_TTL,
) -> Invite:
    """A single-use invite for `role` (and `unit_id` for a liaison), valid for `ttl`."""
    if role not in ROLES or (role == "liaison") != (unit_id is not None):
        raise ValueError(f"an invite for {role!r} needs a unit exactly when it is for a liaison")
    invite = Invite(
        code=new_code(),
        plan_id=plan_id,
        role=role,
        unit_id=unit_id,
        created_by=created_by,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invite)
    session.add(
        AuditEntry(
            plan_id=plan_id,
            at=now,
            member_id=created_by,
            actor=actor,
            action="invite.create",
            detail=json.dumps({"role": role, "unit_id": unit_id}, ensure_ascii=False),
        )
    )
    await session.flush()
    return invite


async def redeem_invite(
    session: AsyncSession,
    *,
    code: str,
    transport: str,
    user_id: str,
    display_name: str,
    chat_id: str,
    now: dt.datetime,
    confirm: bool = False,
) -> Member:
    """Bind the presenter of `code` to its plan and role; the code is then spent.

    A different role than the one already held is taken only with `confirm` (BindConflict
    otherwise), and never from the plan's last admin.
    """
    invite = await find_invite(session, code)
    if invite is None:
        raise InviteError("invite_unknown")
    if invite.used_at is not None:
        raise InviteError("invite_used")
    if invite.expires_at <= now:
        raise InviteError("invite_expired")
    if not await _claim(session, invite, now):
        raise InviteError("invite_used")  # someone else redeemed it a moment ago
    member = await bind_member(
        session,
        plan_id=invite.plan_id,
        transport=transport,
        user_id=user_id,
        display_name=display_name,
        chat_id=chat_id,
        role=invite.role,
        unit_id=invite.unit_id,
        now=now,
        via=f"invite {invite.code}",
        replace=confirm,
    )
    invite.used_at, invite.used_by = now, member.id
    session.add(invite)
    return member


async def _claim(session: AsyncSession, invite: Invite, now: dt.datetime) -> bool:
    """Spend the invite in one conditional UPDATE; its row count says whether it was still free.

    Two people presenting one code at once both pass the checks above; the database lets only one
    UPDATE find `used_at IS NULL` (PostgreSQL re-checks the condition after the first commits, SQLite
    lets one writer at a time), and the loser's whole unit of work is rolled back.
    """
    result = await session.exec(
        update(Invite)
        .where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None), col(Invite.expires_at) > now)
        .values(used_at=now)
    )
    return int(result.rowcount or 0) == 1


async def bind_member(
    session: AsyncSession,
    *,
    plan_id: str,
    transport: str,
    user_id: str,
    display_name: str,
    chat_id: str,
    role: str,
    unit_id: int | None,
    now: dt.datetime,
    via: str,
    replace: bool = True,
    actor: str | None = None,
) -> Member:
    """Make a chat user a member of a plan in `role`.

    An existing member keeps their role unless `replace` (BindConflict otherwise); the plan's last
    admin is never demoted, so an office cannot lock itself out. The audit names `actor` (whoever
    binds someone else: the office binding a robot), else the person bound.
    """
    member = await find_member(session, plan_id, transport, user_id)
    before = None if member is None else {"role": member.role, "unit_id": member.unit_id}
    if member is not None and (member.role, member.unit_id) != (role, unit_id):
        if not replace:
            raise BindConflict(member)
        if member.role == "admin" and role != "admin" and await _admins(session, plan_id) <= 1:
            raise InviteError("last_admin")
    if member is None:
        member = Member(plan_id=plan_id, transport=transport, user_id=user_id, role=role, bound_at=now)
    member.role, member.unit_id, member.display_name, member.chat_id = role, unit_id, display_name, chat_id
    member.bound_at = now
    session.add(member)
    await session.flush()
    ident = await identity(session, transport, user_id)
    ident.current_plan = plan_id
    session.add(ident)
    session.add(
        AuditEntry(
            plan_id=plan_id,
            at=now,
            member_id=member.id,
            actor=actor or f"{transport}:{user_id}",
            action="member.bind",
            detail=json.dumps({"role": role, "unit_id": unit_id, "before": before, "via": via}, ensure_ascii=False),
        )
    )
    return member


async def _admins(session: AsyncSession, plan_id: str) -> int:
    statement = select(Member).where(Member.plan_id == plan_id, Member.role == "admin")
    return len((await session.exec(statement)).all())


async def block_chat(session: AsyncSession, transport: str, chat_id: str, reason: str, now: dt.datetime) -> bool:
    """Remember that a chat cannot be reached; False if it was already known."""
    if await session.get(ChatBlock, (transport, chat_id)) is not None:
        return False
    session.add(ChatBlock(transport=transport, chat_id=chat_id, reason=reason[:200], at=now))
    session.add(
        AuditEntry(
            at=now,
            actor="reminders",
            action="chat.blocked",
            detail=json.dumps({"transport": transport, "chat": chat_id, "reason": reason[:200]}),
        )
    )
    return True


async def unblock_chat(session: AsyncSession, transport: str, chat_id: str) -> None:
    """A chat that writes to Duban can be reached again."""
    found = await session.get(ChatBlock, (transport, chat_id))
    if found is not None:
        await session.delete(found)


async def blocked_chats(session: AsyncSession) -> set[tuple[str, str]]:
    """Every (transport, chat id) known to be unreachable."""
    return {(b.transport, b.chat_id) for b in (await session.exec(select(ChatBlock))).all()}


async def members_on_chat(session: AsyncSession, transport: str, chat_id: str) -> list[Member]:
    """The members bound to one chat (a person's private chat, or a group)."""
    statement = select(Member).where(Member.transport == transport, Member.chat_id == chat_id)
    return list((await session.exec(statement.order_by(col(Member.id)))).all())


def group_identity(chat_id: str) -> str:
    """The user id a bound group has (`Request.group_id` in handlers.types builds the same)."""
    return f"group:{chat_id}"


async def move_chat(session: AsyncSession, transport: str, old_chat_id: str, new_chat_id: str, now: dt.datetime) -> int:
    """A chat got a new id (Telegram: a group became a supergroup): everything bound to it follows.

    Members reached in the old chat, the group's own identity (plan and language) and a block on
    the chat move to the new id, with one audit row per plan. A group already bound again in the new
    chat keeps that binding; the old one then reaches nobody (it stays: reports point to it).
    History (deliveries, reports, progress) keeps the old id: those messages stay in the old chat.
    Each change is a conditional UPDATE, so two moves at once (Telegram announces the upgrade in both
    chats) move everything once. Returns how many members moved.
    """
    if old_chat_id == new_chat_id:
        return 0
    moved: dict[str, list[int]] = {}
    left: dict[str, list[int]] = {}
    for member in await members_on_chat(session, transport, old_chat_id):
        outcome = await _follow(session, member, transport, old_chat_id, new_chat_id)
        if outcome is not None:
            (moved if outcome else left).setdefault(member.plan_id, []).append(member.id or 0)
    old_user, new_user = group_identity(old_chat_id), group_identity(new_chat_id)
    await _rekey(session, "identity", "user_id", transport, old_user, new_user)
    await _rekey(session, "chat_block", "chat_id", transport, old_chat_id, new_chat_id)
    for plan_id in sorted(moved.keys() | left.keys()):
        detail: dict[str, object] = {"transport": transport, "from": old_chat_id, "to": new_chat_id}
        detail |= {"moved": moved.get(plan_id, []), "left": left.get(plan_id, [])}
        session.add(
            AuditEntry(plan_id=plan_id, at=now, actor=transport, action="chat.moved", detail=json.dumps(detail))
        )
    await session.flush()
    return sum(len(ids) for ids in moved.values())


async def _follow(session: AsyncSession, member: Member, transport: str, old: str, new: str) -> bool | None:
    """Point one member at the new chat (a bound group is renamed with it): True. False when the
    group is already bound in the new chat (the old binding then reaches nobody). None when a
    concurrent move got there first."""
    values: dict[str, str] = {"chat_id": new}
    outcome = True
    if member.user_id == group_identity(old):
        if await find_member(session, member.plan_id, transport, group_identity(new)) is None:
            values["user_id"] = group_identity(new)
        else:
            values, outcome = {"chat_id": ""}, False
    result = await session.exec(
        update(Member)
        .where(col(Member.id) == member.id, col(Member.chat_id) == old)
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return outcome if int(result.rowcount or 0) == 1 else None


async def _rekey(session: AsyncSession, table: str, key: str, transport: str, old: str, new: str) -> None:
    """Give a transport's row keyed `old` the key `new`, unless a row keyed `new` exists: then the
    `old` one is dropped (the new chat's own row wins)."""
    rows = SQLModel.metadata.tables[table]
    other = rows.alias("other")
    taken = exists().where(other.c.transport == transport, other.c[key] == new)
    await session.exec(update(rows).where(rows.c.transport == transport, rows.c[key] == old, ~taken).values({key: new}))
    await session.exec(delete(rows).where(rows.c.transport == transport, rows.c[key] == old))
