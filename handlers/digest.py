"""/digest: this week's digest on demand (leaders and admin: the whole, a liaison: their slice)."""

from __future__ import annotations

from handlers.context import Ctx
from handlers.types import Reply
from reminders.chart import render_chart
from reminders.digest import compose_leader_digest, compose_unit_digest
from reminders.weekly import collect_digest


async def digest(ctx: Ctx, args: str) -> Reply:
    """The digest as it would be sent now, compared with the last stored one; with its chart."""
    ctx.need_member()
    _, plan = ctx.need_plan()
    data = await collect_digest(ctx.session, plan, ctx.now)
    if not ctx.reads_all and ctx.unit is not None:
        return Reply(compose_unit_digest(data, ctx.unit.name, ctx.lang) or ctx.t("digest_unit_nothing"))
    return Reply(compose_leader_digest(data, ctx.lang), image=render_chart(data, ctx.lang))
