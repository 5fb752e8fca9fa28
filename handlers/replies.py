"""Replies: an answer to a reminder is progress on its task; an answer to a call for help goes back
to the unit that asked.

"完成", "已办结", "done" mark the unit's share done (with an undo button); "受阻", "需要协调" mark it
blocked; anything else is a note with the status kept (a share not started becomes in progress).
"""

from __future__ import annotations

import json
import re

from handlers.context import Ctx
from handlers.help_desk import answer_unit
from handlers.tasks import apply_status
from handlers.types import Reply, UserError
from models.tables import ReminderRow
from models.work import list_tasks

MAX_NOTE = 500
_CLAUSES = re.compile(r"[，,。.！!；;：:\s]+")
_DONE = re.compile(
    r"^(本单位|我单位|我们|该项|此项|任务|工作|该任务)?(已经|已|均已|都已|全部)*(全部)?(完成|办结|做完|搞定|落实)(了|啦|啊)?$"
    r"|^(done|finished|completed|complete)$",
    re.IGNORECASE,
)
_BLOCKED = re.compile(r"受阻|需要帮助|需要协调|需协调|请求协调|协调解决|卡住|阻碍|^(blocked|help)\b", re.IGNORECASE)


def status_from_text(text: str, current: str) -> str:
    """The status a free-text reply means: blocked, done, or the current one (todo becomes doing).

    Done only when a whole clause says so ("已完成，重错码已核实", "办结了", "done"): "已完成初稿" or
    "还没完成" are progress, not completion.
    """
    if _BLOCKED.search(text):
        return "blocked"
    if any(_DONE.match(clause) for clause in _CLAUSES.split(text.strip()) if clause):
        return "done"
    return "doing" if current == "todo" else current


async def reply_to_reminder(ctx: Ctx, text: str, reminder: ReminderRow | None) -> Reply:
    """Records a reply to a task reminder (`reminder`, the one the message answers) as progress; a
    reply to a call for help answers the unit."""
    member = ctx.need_member()
    if reminder is None or reminder.assignment_id is None or reminder.plan_id != member.plan_id:
        raise UserError("reply_not_reminder")
    note = text.strip()
    if not note:
        raise UserError("reply_empty")
    if len(note) > MAX_NOTE:
        raise UserError("note_too_long", limit=MAX_NOTE)
    if reminder.kind == "notice" and json.loads(reminder.detail).get("key") == "notice_blocked":
        return await _answer_help(ctx, reminder, note)
    if member.role == "leader":
        raise UserError("leader_read_only")
    ctx.need_active_plan()
    task = next(
        t
        for t in await list_tasks(ctx.session, member.plan_id)
        if any(a.id == reminder.assignment_id for a in t.assignments)
    )
    assignment = next(a for a in task.assignments if a.id == reminder.assignment_id)
    if member.role != "admin" and assignment.unit_id != member.unit_id:
        raise UserError("not_your_task", code=task.code)
    status = status_from_text(note, assignment.status)
    return await apply_status(ctx, task, assignment, status, note)


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
