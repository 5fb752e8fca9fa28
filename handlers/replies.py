"""Replies to reminders: an answer to a task reminder is progress on its share, an answer to a
nudge holds figures, an answer to a call for help goes back to the unit that asked.

Progress and figures are proposed (`handlers.reading`) and recorded only on the 确认 tap; the status
a reply means is read by `handlers.shares.status_from_text` ("已完成" done, "受阻" blocked, anything
else a note with the status kept, a share not started becoming in progress).
"""

from __future__ import annotations

import json

from handlers import reading
from handlers.context import Ctx
from handlers.help_desk import answer_unit
from handlers.shares import Share, checked_note, share_by_id
from handlers.types import Reply, UserError
from models.tables import ReminderRow
from models.work import list_tasks


async def reply_to_reminder(ctx: Ctx, text: str, reminder: ReminderRow | None) -> Reply:
    """Answer a reply to `reminder` (the message it answers): a proposal of the progress and figures
    it holds, or the office's answer to a call for help passed on to the unit."""
    member = ctx.need_member()
    if reminder is None or reminder.plan_id != member.plan_id:
        raise UserError("reply_not_reminder")
    note = checked_note(text)
    if reminder.kind == "notice" and json.loads(reminder.detail).get("key") == "notice_blocked":
        return await _answer_help(ctx, reminder, note)
    if member.role == "leader":
        raise UserError("leader_read_only")
    ctx.need_active_plan()
    share: Share | None = None
    if reminder.assignment_id is not None:
        share = await share_by_id(ctx, reminder.assignment_id)
    read = await reading.proposal(ctx, note, reminder, share)
    if read is not None:
        return read
    try:  # an answer to a nudge (or, in WeCom, to whatever came last) may be progress on the unit's task
        return await reading.free_text(ctx, note)
    except UserError as error:
        if error.key != "not_a_command":
            raise
        raise UserError("read_nothing" if reminder.kind in reading.ASKING else "reply_not_reminder") from error


async def _answer_help(ctx: Ctx, reminder: ReminderRow, text: str) -> Reply:
    """The office replied to a unit's call for help: the answer goes to that unit."""
    ctx.need_admin()
    task = next(
        t
        for t in await list_tasks(ctx.session, reminder.plan_id)
        if any(a.id == reminder.assignment_id for a in t.assignments)
    )
    assignment = next(a for a in task.assignments if a.id == reminder.assignment_id)
    return await answer_unit(ctx, task, assignment, text)
