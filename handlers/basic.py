"""Getting in: /start, /help, /lang, /plan, /invite and /bind."""

from __future__ import annotations

import datetime as dt

from handlers.context import Ctx
from handlers.types import Button, Reply, UserError
from handlers.units import resolve_unit
from models.invite_limits import FAILURES, Presenter, lockout, record_failure, record_refusal
from models.people import (
    BindConflict,
    InviteError,
    create_invite,
    find_invite,
    memberships,
    redeem_invite,
    set_preference,
)
from models.plans import get_plan, set_archived
from models.tables import UnitRow
from reminders.outbox import cancel_pending

ROLE_WORDS = {"leader": "leader", "领导": "leader", "admin": "admin", "管理员": "admin"}


def _role_line(ctx: Ctx) -> str:
    if ctx.plan is None:
        return ctx.t("start_no_plan")
    if ctx.member is None:
        return ctx.t("start_not_member", plan=ctx.plan.name)
    role = ctx.t(f"role_{ctx.member.role}")
    unit = f"（{ctx.unit.name}）" if ctx.unit else ""
    return ctx.t("start_member", plan=ctx.plan.name, role=role, unit=unit)


async def start(ctx: Ctx, args: str) -> Reply:
    """Greets the user and says who they are here; `/start <code>` binds, as a deep link does."""
    if args:
        return await bind(ctx, args)
    return Reply(ctx.t("welcome") + "\n" + _role_line(ctx) + "\n" + ctx.t("see_help"))


async def lang(ctx: Ctx, args: str) -> Reply:
    """Switches the reply language: /lang zh or /lang en."""
    choice = args.strip().lower()
    mapping = {"zh": "zh", "中文": "zh", "cn": "zh", "en": "en", "english": "en", "英文": "en"}
    if choice not in mapping:
        raise UserError("lang_usage")
    ident = await set_preference(
        ctx.session, ctx.request.transport, ctx.request.user_id, now=ctx.now, lang=mapping[choice]
    )
    ctx.lang = ident.lang
    return Reply(ctx.t("lang_set"))


async def plan(ctx: Ctx, args: str) -> Reply:
    """Shows the current plan, switches to another (/plan <id>), or, for the office, archives it
    (/plan archive) or brings it back (/plan unarchive)."""
    joined = await memberships(ctx.session, ctx.request.transport, ctx.request.user_id)
    words = args.split()
    if not words:
        if not joined:
            raise UserError("not_member_anywhere")
        lines = [ctx.t("plan_current", plan=ctx.plan.id if ctx.plan else "-")]
        for m in joined:
            found = await get_plan(ctx.session, m.plan_id)
            state = ctx.t("plan_archived_mark") if found and found[0].archived_at else ""
            lines.append(f"· {m.plan_id}（{ctx.t('role_' + m.role)}）{state}")
        return Reply("\n".join(lines))
    if words[0].lower() in ARCHIVE_WORDS:
        return await _archive(ctx, ARCHIVE_WORDS[words[0].lower()])
    wanted = words[0]
    if wanted not in {m.plan_id for m in joined} or await get_plan(ctx.session, wanted) is None:
        raise UserError("plan_not_joined", plan=wanted[:48])
    await set_preference(ctx.session, ctx.request.transport, ctx.request.user_id, now=ctx.now, current_plan=wanted)
    return Reply(ctx.t("plan_switched", plan=wanted))


ARCHIVE_WORDS = {"archive": True, "归档": True, "unarchive": False, "恢复": False, "取消归档": False}


async def _archive(ctx: Ctx, archived: bool) -> Reply:
    """Archive the current plan (read-only, silent) or bring it back."""
    member = ctx.need_admin()
    plan_row, plan = ctx.need_plan()
    if (plan_row.archived_at is not None) == archived:
        raise UserError("plan_already_archived" if archived else "plan_not_archived", plan=plan.id)
    await set_archived(
        ctx.session, plan.id, archived=archived, now=ctx.now, actor=ctx.actor, member_id=member.id
    )
    if archived:
        await cancel_pending(ctx.session, plan.id)
    return Reply(ctx.t("plan_archived_now" if archived else "plan_unarchived_now", plan=plan.id))


async def invite(ctx: Ctx, args: str) -> Reply:
    """Admin: a single-use, expiring invite code for a unit's liaison, a leader or an admin."""
    member = ctx.need_admin()
    ctx.need_active_plan()
    target = args.strip()
    if not target:
        raise UserError("invite_usage")
    role = ROLE_WORDS.get(target.lower())
    unit = None
    if role is None:
        unit = await resolve_unit(ctx, target, command="/invite {unit}")
        role = "liaison"
    code = await create_invite(
        ctx.session,
        plan_id=member.plan_id,
        role=role,
        unit_id=unit.id if unit else None,
        created_by=member.id,
        actor=ctx.actor,
        now=ctx.now,
    )
    who = unit.name if unit else ctx.t(f"role_{role}")
    expires = ctx.local(code.expires_at).strftime("%Y-%m-%d %H:%M")
    return Reply(ctx.t("invite_made", code=code.code, who=who, expires=expires))


CONFIRM_WORDS = {"确认", "确定", "是", "confirm", "yes"}


async def bind(ctx: Ctx, args: str) -> Reply:
    """Binds the speaker with an invite code: /bind <code> (adding 确认 to take a new role).

    A wrong code (unknown, used, expired) is counted, and its refusal committed, so that after five
    within a quarter of an hour the person and their chat wait (`models.invite_limits`)."""
    words = args.split()
    if not words or len(words[0]) > 32 or len(words) > 2 or (len(words) == 2 and words[1].lower() not in CONFIRM_WORDS):
        raise UserError("bind_usage")
    code, confirm = words[0], len(words) == 2
    request = ctx.request
    who = Presenter(request.transport, request.user_id, request.chat_id)
    lock = await lockout(ctx.session, who, ctx.now)
    if lock is not None:  # even a right code: whoever guessed five times waits out the window
        await record_refusal(ctx.session, who, lock, ctx.now)
        return Reply(ctx.t("invite_limited", time=_minute_after(ctx, lock.until)), ok=False)
    try:
        member = await redeem_invite(
            ctx.session,
            code=code,
            transport=request.transport,
            user_id=request.group_id if request.group else request.user_id,  # in a group, the group is bound
            display_name=request.display_name,
            chat_id=request.chat_id,
            now=ctx.now,
            confirm=confirm,
        )
    except BindConflict as conflict:
        raise await _conflict(ctx, conflict, code) from conflict
    except InviteError as error:
        if error.key not in FAILURES:
            raise UserError(error.key) from error
        await record_failure(ctx.session, who, error.key, ctx.now)  # a refusal that is kept: committed
        return Reply(ctx.t(error.key), ok=False)
    found = await get_plan(ctx.session, member.plan_id)
    assert found is not None
    ctx.plan_row, ctx.plan, ctx.member = found[0], found[1], member
    ctx.unit = await ctx.session.get(UnitRow, member.unit_id) if member.unit_id is not None else None
    return Reply(ctx.t("bound") + "\n" + _role_line(ctx))


def _minute_after(ctx: Ctx, moment: dt.datetime) -> str:
    """'10:16' for 10:15:20: the first whole minute at which the moment has passed, in the plan's zone."""
    local = ctx.local(moment)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return local.strftime("%H:%M")


async def _role_name(ctx: Ctx, role: str, unit_id: int | None) -> str:
    unit = await ctx.session.get(UnitRow, unit_id) if unit_id is not None else None
    return ctx.t(f"role_{role}") + (f"（{unit.name}）" if unit else "")


async def _conflict(ctx: Ctx, conflict: BindConflict, code: str) -> UserError:
    """Explain that the code would replace the speaker's role, and offer to confirm."""
    invite = await find_invite(ctx.session, code)
    assert invite is not None
    current = await _role_name(ctx, conflict.member.role, conflict.member.unit_id)
    new = await _role_name(ctx, invite.role, invite.unit_id)
    button = Button(ctx.t("btn_confirm_bind"), f"/bind {invite.code} 确认")
    return UserError("bind_would_replace", current=current, new=new, code=invite.code, buttons=((button,),))
