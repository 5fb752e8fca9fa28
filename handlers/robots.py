"""/robot: the office binds WeCom group robots (群机器人) to units and to the leaders' group.

A robot receives what its unit's liaisons (or the leaders) receive: reminders, escalations, the
digest. Only the admin binds them, since a robot speaks to a whole group. The webhook key is a
secret: replies show only its last characters, and a key that does not parse is never echoed.
"""

from __future__ import annotations

from handlers.context import Ctx
from handlers.types import Reply, UserError
from handlers.units import plan_units, resolve_unit
from models.robots import bind_robot, masked, plan_robots, unbind_robot, webhook_key
from models.tables import UnitRow

LEADER_WORDS = ("领导", "leaders", "leader")
REMOVE_WORDS = ("remove", "解除")


async def robot(ctx: Ctx, args: str) -> Reply:
    """/robot lists the bound robots; /robot <unit|领导> <webhook URL or key> binds or re-keys one;
    /robot remove <unit|领导> unbinds it."""
    ctx.need_admin()
    words = args.split()
    if not words:
        return await _list(ctx)
    if words[0].lower() in REMOVE_WORDS:
        if len(words) < 2:
            raise UserError("robot_usage")
        return await _remove(ctx, " ".join(words[1:]))
    if len(words) < 2:
        raise UserError("robot_usage")
    try:
        key = webhook_key(words[-1])
    except ValueError:
        raise UserError("robot_bad_key") from None
    return await _bind(ctx, " ".join(words[:-1]), key)


async def _target(ctx: Ctx, word: str) -> tuple[UnitRow | None, str]:
    """The unit a word names (None for the leaders) and how to name it in the reply."""
    if word.strip().lower() in LEADER_WORDS:
        return None, ctx.t("robot_leaders")
    unit = await resolve_unit(ctx, word)
    return unit, unit.name


async def _bind(ctx: Ctx, word: str, key: str) -> Reply:
    plan_row, _ = ctx.need_active_plan()
    unit, who = await _target(ctx, word)
    before = {m.unit_id: m.chat_id for m in await plan_robots(ctx.session, plan_row.id)}
    unit_id = unit.id if unit is not None else None
    await bind_robot(
        ctx.session,
        plan_id=plan_row.id,
        unit_id=unit_id,
        key=key,
        name=ctx.t("robot_name", who=who),
        actor=ctx.actor,
        now=ctx.now,
    )
    replaced = unit_id in before and before[unit_id] != key
    return Reply(ctx.t("robot_replaced" if replaced else "robot_bound", who=who, tail=masked(key)))


async def _remove(ctx: Ctx, word: str) -> Reply:
    plan_row, _ = ctx.need_active_plan()
    unit, who = await _target(ctx, word)
    unit_id = unit.id if unit is not None else None
    if not await unbind_robot(ctx.session, plan_id=plan_row.id, unit_id=unit_id, actor=ctx.actor, now=ctx.now):
        raise UserError("robot_not_bound", who=who)
    return Reply(ctx.t("robot_removed", who=who))


async def _list(ctx: Ctx) -> Reply:
    plan_row, _ = ctx.need_plan()
    robots = await plan_robots(ctx.session, plan_row.id)
    if not robots:
        return Reply(ctx.t("robot_none"))
    names = {u.id: u.name for u in await plan_units(ctx)}
    lines = [ctx.t("robot_header", count=len(robots))]
    for member in robots:
        who = ctx.t("robot_leaders") if member.unit_id is None else names.get(member.unit_id, "?")
        lines.append(ctx.t("robot_line", who=who, tail=masked(member.chat_id)))
    return Reply("\n".join(lines))
