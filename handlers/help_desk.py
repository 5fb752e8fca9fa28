"""Help that reaches someone: the office answers a blocked unit (/answer), closes the call for help
(/resolve), and anyone can take back a status they just recorded (/undo)."""

from __future__ import annotations

import json

from handlers.context import Ctx
from handlers.tasks import find_task, record, task_notice
from handlers.types import Button, Reply, UserError
from handlers.units import resolve_unit
from models.notices import to_unit
from models.tables import Assignment, AuditEntry, ProgressEvent
from models.work import AssignmentView, TaskView, progress_events

MAX_ANSWER = 500


async def _share(ctx: Ctx, words: list[str], usage: str) -> tuple[TaskView, AssignmentView]:
    """The task and the unit's share named by '<code> <unit>'."""
    if len(words) < 2:
        raise UserError(usage)
    task = await find_task(ctx, words[0])
    unit = await resolve_unit(ctx, words[1])
    share = task.for_unit(unit.id or 0)
    if share is None:
        raise UserError("unit_not_on_task", unit=unit.name, code=task.code)
    return task, share


async def answer_unit(ctx: Ctx, task: TaskView, share: AssignmentView, text: str) -> Reply:
    """Send the office's answer to the unit's liaisons and keep it in the audit log."""
    member = ctx.need_admin()
    if len(text) > MAX_ANSWER:
        raise UserError("note_too_long", limit=MAX_ANSWER)
    await task_notice(ctx, task, share, [to_unit(share.unit_id)], "notice_answer", {"text": text})
    ctx.session.add(
        AuditEntry(
            plan_id=member.plan_id,
            at=ctx.now,
            member_id=member.id,
            actor=ctx.actor,
            action="help.answer",
            detail=json.dumps({"assignment": share.id, "text": text}, ensure_ascii=False),
        )
    )
    buttons = ((Button(ctx.t("btn_resolve"), f"/resolve {task.code} {share.unit}"),),)
    shown = buttons if share.status == "blocked" else ()
    return Reply(ctx.t("answer_sent", unit=share.unit, code=task.code), buttons=shown)


async def answer(ctx: Ctx, args: str) -> Reply:
    """Admin: answers a unit's call for help: /answer <task> <unit> <text> (or reply to the notice)."""
    ctx.need_admin()
    ctx.need_active_plan()
    words = args.split()
    task, share = await _share(ctx, words, "answer_usage")
    text = " ".join(words[2:]).strip()
    if not text:
        raise UserError("answer_need_text", code=task.code, unit=share.unit)
    return await answer_unit(ctx, task, share, text)


async def resolve(ctx: Ctx, args: str) -> Reply:
    """Admin: closes a call for help; the unit's share is back in progress and the unit is told."""
    ctx.need_admin()
    ctx.need_active_plan()
    words = args.split()
    task, share = await _share(ctx, words, "resolve_usage")
    if share.status != "blocked":
        raise UserError("not_blocked", unit=share.unit, code=task.code, status=ctx.t("status_" + share.status))
    note = " ".join(words[2:]) or ctx.t("resolved_note")
    await record(ctx, share.id, "doing", note)
    await task_notice(ctx, task, share, [to_unit(share.unit_id)], "notice_resolved", {"note": note})
    return Reply(ctx.t("resolved", unit=share.unit, code=task.code))


async def undo(ctx: Ctx, args: str) -> Reply:
    """Takes back a status just recorded (the undo button): the status before it is restored."""
    member = ctx.need_member()
    ctx.need_active_plan()
    word = args.strip()
    if not word.isdigit():
        raise UserError("undo_usage")
    event = await ctx.session.get(ProgressEvent, int(word))
    share = await ctx.session.get(Assignment, event.assignment_id) if event else None
    if event is None or share is None or (member.role != "admin" and event.member_id != member.id):
        raise UserError("undo_unknown")
    history = await progress_events(ctx.session, share.id or 0)
    if history[-1].id != event.id:
        raise UserError("undo_too_late")
    before = history[-2].status if len(history) > 1 else "todo"
    await record(ctx, share.id or 0, before, ctx.t("undo_note", id=event.id))
    return Reply(ctx.t("undone", status=ctx.t("status_" + before), was=ctx.t("status_" + event.status)))
