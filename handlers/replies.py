"""A reply to a reminder message is progress on the assignment the reminder was about."""

from __future__ import annotations

from handlers.context import Ctx
from handlers.types import Reply, UserError
from models.work import list_tasks, record_progress
from reminders.replies import reminder_for_message


async def reply_to_reminder(ctx: Ctx, text: str) -> Reply:
    """Records the reply's text as a note on the reminded assignment (status: doing, unless already set)."""
    member = ctx.need_member()
    request = ctx.request
    assert request.reply_to is not None
    reminder = await reminder_for_message(ctx.session, request.transport, request.chat_id, request.reply_to)
    if reminder is None or reminder.assignment_id is None or reminder.plan_id != member.plan_id:
        raise UserError("reply_not_reminder")
    if member.role == "leader":
        raise UserError("leader_read_only")
    task = next(
        t
        for t in await list_tasks(ctx.session, member.plan_id)
        if any(a.id == reminder.assignment_id for a in t.assignments)
    )
    assignment = next(a for a in task.assignments if a.id == reminder.assignment_id)
    if member.role != "admin" and assignment.unit_id != member.unit_id:
        raise UserError("not_your_task", code=task.code)
    note = text.strip()
    if len(note) > 500:
        raise UserError("note_too_long", limit=500)
    status = "doing" if assignment.status == "todo" else assignment.status
    await record_progress(
        ctx.session,
        assignment_id=assignment.id,
        status=status,
        note=note,
        member=member,
        now=ctx.now,
        transport=request.transport,
        chat_id=request.chat_id,
        message_id=request.message_id,
    )
    return Reply(ctx.t("reply_recorded", code=task.code, unit=assignment.unit, status=ctx.t("status_" + status)))
