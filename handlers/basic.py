"""Getting in: /start, /help, /lang, /plan, /invite and /bind."""

from __future__ import annotations

from handlers.context import Ctx
from handlers.types import Reply, UserError
from models.people import InviteError, create_invite, find_unit, identity, memberships, redeem_invite
from models.plans import get_plan
from models.tables import UnitRow

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


async def help_(ctx: Ctx, args: str) -> Reply:
    """Lists the commands with examples."""
    return Reply(ctx.t("help"))


async def lang(ctx: Ctx, args: str) -> Reply:
    """Switches the reply language: /lang zh or /lang en."""
    choice = args.strip().lower()
    mapping = {"zh": "zh", "中文": "zh", "cn": "zh", "en": "en", "english": "en", "英文": "en"}
    if choice not in mapping:
        raise UserError("lang_usage")
    ident = await identity(ctx.session, ctx.request.transport, ctx.request.user_id)
    ident.lang = mapping[choice]
    ctx.session.add(ident)
    ctx.lang = ident.lang
    return Reply(ctx.t("lang_set"))


async def plan(ctx: Ctx, args: str) -> Reply:
    """Shows the current plan, or switches to another plan the user belongs to: /plan <id>."""
    joined = await memberships(ctx.session, ctx.request.transport, ctx.request.user_id)
    if not args:
        if not joined:
            raise UserError("not_member_anywhere")
        lines = [ctx.t("plan_current", plan=ctx.plan.id if ctx.plan else "-")]
        lines += [f"· {m.plan_id}（{ctx.t('role_' + m.role)}）" for m in joined]
        return Reply("\n".join(lines))
    wanted = args.split()[0]
    if wanted not in {m.plan_id for m in joined} or await get_plan(ctx.session, wanted) is None:
        raise UserError("plan_not_joined", plan=wanted[:48])
    ident = await identity(ctx.session, ctx.request.transport, ctx.request.user_id)
    ident.current_plan = wanted
    ctx.session.add(ident)
    return Reply(ctx.t("plan_switched", plan=wanted))


async def invite(ctx: Ctx, args: str) -> Reply:
    """Admin: a single-use, expiring invite code for a unit's liaison, a leader or an admin."""
    member = ctx.need_admin()
    target = args.strip()
    if not target:
        raise UserError("invite_usage")
    role = ROLE_WORDS.get(target.lower())
    unit = None
    if role is None:
        unit = await find_unit(ctx.session, ctx.need_plan()[0].id, target)
        if unit is None:
            raise UserError("unknown_unit", unit=target[:40])
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


async def bind(ctx: Ctx, args: str) -> Reply:
    """Binds the speaker with an invite code: /bind <code>."""
    code = args.strip()
    if not code or len(code) > 32:
        raise UserError("bind_usage")
    request = ctx.request
    try:
        member = await redeem_invite(
            ctx.session,
            code=code,
            transport=request.transport,
            user_id=request.group_id if request.group else request.user_id,  # in a group, the group is bound
            display_name=request.display_name,
            chat_id=request.chat_id,
            now=ctx.now,
        )
    except InviteError as error:
        raise UserError(error.key) from error
    found = await get_plan(ctx.session, member.plan_id)
    assert found is not None
    ctx.plan_row, ctx.plan, ctx.member = found[0], found[1], member
    ctx.unit = await ctx.session.get(UnitRow, member.unit_id) if member.unit_id is not None else None
    return Reply(ctx.t("bound") + "\n" + _role_line(ctx))
