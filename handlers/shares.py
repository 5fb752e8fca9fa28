"""Progress read from a reply: which unit's share of which task it is about, and what status it means.

A reply to a task reminder is about that reminder's share; a message with no reply and a progress
word ("还差两个部门没报，下周一前完成") is about one of the speaker's unit's open shares (asked when there
are several). Nothing here writes: the chat proposes the progress, and the 确认 tap records it
through `record_part`, as `/progress` would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.context import Ctx
from handlers.tasks import apply_status
from handlers.types import Reply, UserError
from models.work import STATUSES, AssignmentView, TaskView, list_tasks

MAX_NOTE = 500
MARK = "进展"
"""Starts the progress part of a /reports command: `进展 #<share id> <status> <note to the end>`."""
PART = re.compile(rf"^{MARK}\s+#(?P<id>\d+)\s+(?P<status>[a-z]+)(?:\s(?P<note>.*))?$", re.S)
_CLAUSES = re.compile(r"[，,。.！!；;：:\s]+")
_DONE = re.compile(
    r"^(本单位|我单位|我们|该项|此项|任务|工作|该任务)?(已经|已|均已|都已|全部)*(全部)?(完成|办结|做完|搞定|落实)(了|啦|啊)?$"
    r"|^(done|finished|completed|complete)$",
    re.IGNORECASE,
)
_DONE_AT_END = re.compile(
    r"(?:已经|已|均已|都已)(?:全部)?(?:完成|办结|做完|落实)(?:了|啦)?$|(?:完成|办结|做完|搞定)了$"
)
"""'代码核查已完成', '这项任务完成了': a clause that ends by saying its work is done."""
_NOT_DONE = re.compile(r"(?:没有|没|未|尚未|还没|还未)(?:全部)?(?:完成|办结|做完|落实)|初稿|一半|大部分|多半|草稿")
_BLOCKED = re.compile(
    r"受阻|需要帮助|需要协调|需协调|请求协调|协调解决|帮忙协调|请.{0,6}协调|卡住|卡在|阻碍|推不动|无法推进"
    r"|^(blocked|help)\b",
    re.IGNORECASE,
)
COMMAND_WORDS = {"done": "完成", "doing": "进行中", "blocked": "受阻", "todo": "未开始"}
"""The /progress word for each status, for the lines 修改 gives to correct."""


@dataclass(frozen=True)
class Share:
    """One unit's share of a task."""

    task: TaskView
    assignment: AssignmentView


def status_from_text(text: str, current: str) -> str:
    """The status a free-text reply means: blocked, done, or the current one (todo becomes doing).

    Done only when a clause ends by saying so ("已完成，重错码已核实", "代码核查已完成", "这项任务完成了",
    "done"): "已完成初稿", "初稿已完成" or "还没完成" are progress, not completion.
    """
    if _BLOCKED.search(text):
        return "blocked"
    for clause in _CLAUSES.split(text.strip()):
        if _DONE.match(clause) or (_DONE_AT_END.search(clause) and not _NOT_DONE.search(clause)):
            return "done"
    return "doing" if current == "todo" else current


def checked_note(text: str) -> str:
    """The note as it will be kept: the person's words, refused politely when empty or too long."""
    note = text.strip()
    if not note:
        raise UserError("reply_empty")
    if len(note) > MAX_NOTE:
        raise UserError("note_too_long", limit=MAX_NOTE)
    return note


async def share_by_id(ctx: Ctx, assignment_id: int) -> Share:
    """The share with this id in the speaker's plan, which the speaker may write (their unit's, or
    any for the office)."""
    member = ctx.need_member()
    for task in await list_tasks(ctx.session, member.plan_id):
        for assignment in task.assignments:
            if assignment.id == assignment_id:
                if member.role != "admin" and assignment.unit_id != member.unit_id:
                    raise UserError("not_your_task", code=task.code)
                return Share(task, assignment)
    raise UserError("reply_not_reminder")


async def open_shares(ctx: Ctx) -> list[Share]:
    """The speaker's unit's shares not yet done, the soonest deadline first."""
    member = ctx.need_member()
    if member.unit_id is None:
        return []
    shares = [
        Share(task, assignment)
        for task in await list_tasks(ctx.session, member.plan_id)
        for assignment in task.assignments
        if assignment.unit_id == member.unit_id and assignment.status != "done"
    ]
    return sorted(shares, key=lambda s: (s.task.deadline is None, s.task.deadline or ctx.today, s.task.code))


def part(share: Share, status: str, note: str) -> str:
    """The progress part of the 确认 command (always the last part: the note runs to the end)."""
    return f"{MARK} #{share.assignment.id} {status} {note}"


def command_line(ctx: Ctx, share: Share, status: str, note: str) -> str:
    """The /progress line that records the same (what 修改 gives to correct)."""
    unit = f" {share.assignment.unit}" if ctx.member and ctx.member.role == "admin" else ""
    return f"/progress {share.task.code} {COMMAND_WORDS[status]}{unit} {note}"


async def read_part(ctx: Ctx, text: str) -> tuple[Share, str, str]:
    """The share, status and note of a progress part; refused when malformed or not the speaker's."""
    found = PART.match(text.strip())
    if found is None or found["status"] not in STATUSES:
        raise UserError("progress_usage")
    return await share_by_id(ctx, int(found["id"])), found["status"], checked_note(found["note"] or "")


async def record_part(ctx: Ctx, text: str) -> Reply:
    """Record a confirmed progress part, exactly as /progress records it (a call for help is sent)."""
    member = ctx.need_member()
    if member.role == "leader":
        raise UserError("leader_read_only")
    ctx.need_active_plan()
    share, status, note = await read_part(ctx, text)
    return await apply_status(ctx, share.task, share.assignment, status, note)
