"""/export: the ledger workbook (台账) sent as a file, for the office and the leaders."""

from __future__ import annotations

from handlers.context import Ctx
from handlers.types import Document, Reply, UserError
from models.evidence_zip import safe_part
from models.ledger_export import export_workbook


def workbook_name(plan_name: str, plan_id: str, day: str) -> str:
    """濮阳市…工作台账-20261124.xlsx: the plan's name made safe for a file name, and the day."""
    return f"{safe_part(plan_name, limit=80, fallback=plan_id)}-{day}.xlsx"


async def export(ctx: Ctx, args: str) -> Reply:
    """Sends the whole ledger as an Excel workbook: tasks, scores, gates, evidence and the unit ranking.

    Admins and leaders only: the workbook shows every unit, and a liaison sees their own unit's part
    with /tasks and /status.
    """
    ctx.need_member()
    if not ctx.reads_all:
        raise UserError("xl_export_readers_only")
    plan_row, plan = ctx.need_plan()
    data = await export_workbook(ctx.session, plan_row, plan, now=ctx.now, lang=ctx.lang)
    name = workbook_name(plan.name, plan.id, f"{ctx.today:%Y%m%d}")
    when = ctx.local(ctx.now).strftime("%Y-%m-%d %H:%M")
    return Reply(ctx.t("xl_export_sent", plan=plan.name, time=when), document=Document(name, data))
