"""/digest: this week's digest on demand (leaders and admin: the whole, a liaison: their slice)."""

from __future__ import annotations

import asyncio

from handlers.context import Ctx
from handlers.types import Reply
from reminders.chart import render_chart
from reminders.digest import DigestData, compose_leader_digest, compose_unit_digest
from reminders.weekly import collect_digest, digest_data, reusable_digest


async def digest(ctx: Ctx, args: str) -> Reply:
    """The digest as it would be sent now, compared with the last stored one; with its chart.

    When nothing changed since the last stored digest (same day, no audit row since: see
    `reusable_digest`), that digest is the answer, with the chart stored with it; otherwise the digest
    is composed now and its chart drawn in a worker thread, so the bot keeps answering meanwhile.
    """
    ctx.need_member()
    _, plan = ctx.need_plan()
    stored = await reusable_digest(ctx.session, plan, ctx.now)
    data = digest_data(stored) if stored else await collect_digest(ctx.session, plan, ctx.now)
    if not ctx.reads_all and ctx.unit is not None:
        return Reply(compose_unit_digest(data, ctx.unit.name, ctx.lang) or ctx.t("digest_unit_nothing"))
    chart = stored.chart if stored and ctx.lang == "zh" else None  # stored charts are drawn in Chinese
    return Reply(compose_leader_digest(data, ctx.lang), image=chart or await _draw(data, ctx.lang))


async def _draw(data: DigestData, lang: str) -> bytes:
    """Half a second of matplotlib, off the event loop."""
    return await asyncio.to_thread(render_chart, data, lang)
