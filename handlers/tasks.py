"""Tasks: /tasks (lists with filters), /task <code> (one in full) and /progress (a unit's status)."""

from __future__ import annotations

import datetime as dt

from handlers.context import Ctx
from handlers.types import Button, Reply, UserError
from handlers.units import find_unit_word, resolve_unit
from models.notices import ADMINS, LEADERS, queue_notice
from models.tables import ProgressEvent
from models.work import STATUSES, AssignmentView, TaskView, list_tasks, record_progress, task_history

STATUS_WORDS = {
    "done": "done",
    "完成": "done",
    "已完成": "done",
    "办结": "done",
    "已办结": "done",
    "完成了": "done",
    "已经完成": "done",
    "doing": "doing",
    "正在推进": "doing",
    "推进": "doing",
    "进行中": "doing",
    "推进中": "doing",
    "在办": "doing",
    "blocked": "blocked",
    "受阻": "blocked",
    "需要帮助": "blocked",
    "需要协调": "blocked",
    "需协调": "blocked",
    "help": "blocked",
    "todo": "todo",
    "未开始": "todo",
}
FILTERS = {
    "overdue": "overdue",
    "逾期": "overdue",
    "超期": "overdue",
    "soon": "soon",
    "临期": "soon",
    "即将到期": "soon",
    "due": "soon",
    "done": "done",
    "已完成": "done",
    "完成": "done",
    "open": "open",
    "未完成": "open",
    "all": "all",
    "全部": "all",
}
MAX_NOTE = 500


def deadline_text(ctx: Ctx, task: TaskView) -> str:
    """'截止 2022-11-30（还有 7 天）', '已逾期 3 天' or '长期坚持'."""
    if task.deadline is None:
        return ctx.t("ongoing")
    days = (task.deadline - ctx.today).days
    base = ctx.t("deadline", date=task.deadline.isoformat())
    if task.done:
        return base
    if days < 0:
        return base + ctx.t("overdue_by", days=-days)
    extra = ctx.t("ongoing_after") if task.ongoing else ""
    return base + ctx.t("days_left", days=days) + extra


def task_line(ctx: Ctx, task: TaskView, unit_id: int | None) -> str:
    """One line of a task list: code, title, deadline and progress (own status for a liaison)."""
    own = task.for_unit(unit_id) if unit_id is not None else None
    if own is not None:
        state = ctx.t(f"status_{own.status}")
    else:
        done = sum(a.status == "done" for a in task.assignments)
        state = ctx.t("units_done", done=done, total=len(task.assignments))
    return f"[{task.code}] {task.title} · {deadline_text(ctx, task)} · {state}"


def _keep(task: TaskView, how: str, today: dt.date) -> bool:
    return {
        "overdue": task.overdue(today),
        "soon": task.due_soon(today),
        "done": task.done,
        "open": not task.done,
        "all": True,
    }[how]


async def list_tasks_cmd(ctx: Ctx, args: str) -> Reply:
    """Lists tasks: a liaison sees their unit's; filters overdue / soon / done / open / <unit>."""
    member = ctx.need_member()
    plan_row, _ = ctx.need_plan()
    tasks = await list_tasks(ctx.session, plan_row.id)
    word = args.strip()
    how = FILTERS.get(word.lower(), "all" if not word else "")
    unit_id = member.unit_id
    if not how:
        if not ctx.reads_all:
            raise UserError("tasks_filter_usage")
        unit = await resolve_unit(ctx, word, command="/tasks {unit}")
        unit_id, how = unit.id, "all"
    if unit_id is not None:
        tasks = [t for t in tasks if t.for_unit(unit_id) is not None]
    tasks = [t for t in tasks if _keep(t, how, ctx.today)]
    if not tasks:
        return Reply(ctx.t("no_tasks"))
    header = ctx.t("tasks_header", count=len(tasks), today=ctx.today.isoformat())
    return Reply("\n".join([header, *(task_line(ctx, t, unit_id) for t in tasks)]))


async def find_task(ctx: Ctx, code: str) -> TaskView:
    plan_row, _ = ctx.need_plan()
    task = next((t for t in await list_tasks(ctx.session, plan_row.id) if t.code == code), None)
    if task is None:
        raise UserError("unknown_task", code=code[:16])
    return task


async def task_cmd(ctx: Ctx, args: str) -> Reply:
    """Shows one task in full: text, units and their statuses, recent progress."""
    ctx.need_member()
    code = args.strip().split(" ", 1)[0]
    if not code:
        raise UserError("task_usage")
    task = await find_task(ctx, code)
    _, plan = ctx.need_plan()
    spec = next(t for t in plan.tasks if t.code == task.code)
    lines = [f"[{task.code}] {task.title}", deadline_text(ctx, task)]
    if spec.group:
        lines.append(spec.group)
    if spec.text and not spec.parts:
        lines.append(spec.text)
    for part in spec.parts:
        lines.append("· " + part.text[:120] + " —— " + "、".join(part.units))
    lines.append(ctx.t("task_units"))
    for a in task.assignments:
        lead = ctx.t("lead_mark") if a.is_lead else ""
        lines.append(f"  {a.unit}{lead}: {ctx.t('status_' + a.status)}")
    history = await task_history(ctx.session, task.id)
    if history:
        lines.append(ctx.t("task_history"))
        for event in history[-5:]:
            when = ctx.local(event.at).strftime("%m-%d %H:%M")
            note = f" “{event.note}”" if event.note else ""
            lines.append(f"  {when} {event.unit} → {ctx.t('status_' + event.status)}{note}")
    buttons: tuple[tuple[Button, ...], ...] = ()
    if ctx.unit is not None and task.for_unit(ctx.unit.id or 0):
        buttons = (
            (
                Button(ctx.t("btn_done"), f"/progress {task.code} done"),
                Button(ctx.t("btn_doing"), f"/progress {task.code} doing"),
                Button(ctx.t("btn_blocked"), f"/progress {task.code} blocked"),
            ),
        )
    return Reply("\n".join(lines), buttons=buttons)


async def progress(ctx: Ctx, args: str) -> Reply:
    """Records a unit's status on a task: /progress <code> <完成|进行中|受阻> [unit (admin)] [note]."""
    member = ctx.need_member()
    ctx.need_active_plan()
    words = args.split()
    if len(words) < 2:
        raise UserError("progress_usage")
    if member.role == "leader":
        raise UserError("leader_read_only")
    task = await find_task(ctx, words[0])
    status = STATUS_WORDS.get(words[1].lower())
    if status is None or status not in STATUSES:
        raise UserError("bad_status", word=words[1][:20])
    rest = words[2:]
    unit_id = member.unit_id
    if member.role == "admin":
        unit_id, rest = await _admin_unit(ctx, task, rest, f"/progress {task.code} {words[1]} {{unit}}")
    assignment = task.for_unit(unit_id) if unit_id is not None else None
    if assignment is None:
        raise UserError("not_your_task", code=task.code)
    note = " ".join(rest)
    if len(note) > MAX_NOTE:
        raise UserError("note_too_long", limit=MAX_NOTE)
    return await apply_status(ctx, task, assignment, status, note)


async def apply_status(ctx: Ctx, task: TaskView, assignment: AssignmentView, status: str, note: str) -> Reply:
    """Record a status (from /progress, a button or a reply) and tell whoever must hear of it:
    a unit that is blocked reaches the office and the leaders at once. The reply offers an undo."""
    before, event = await record(ctx, assignment.id, status, note)
    if status == "blocked":
        await notify_blocked(ctx, task, assignment, note)
    text = ctx.t(
        "progress_recorded",
        code=task.code,
        title=task.title,
        unit=assignment.unit,
        before=ctx.t("status_" + before),
        after=ctx.t("status_" + status),
    )
    if status == "blocked":
        text += "\n" + ctx.t("blocked_sent")
    undo = ((Button(ctx.t("btn_undo"), f"/undo {event.id}"),),) if before != status else ()
    return Reply(text, buttons=undo)


async def record(ctx: Ctx, assignment_id: int, status: str, note: str) -> tuple[str, ProgressEvent]:
    """Record a status as the speaker, from the message being answered; the status before and the event."""
    return await record_progress(
        ctx.session,
        assignment_id=assignment_id,
        status=status,
        note=note,
        member=ctx.need_member(),
        now=ctx.now,
        transport=ctx.request.transport,
        chat_id=ctx.request.chat_id,
        message_id=ctx.request.message_id,
    )


async def task_notice(
    ctx: Ctx,
    task: TaskView,
    share: AssignmentView,
    audience: list[str],
    key: str,
    params: dict[str, str],
    actions: list[tuple[str, str]] | None = None,
) -> None:
    """A notice about one unit's share of a task (a reply to it is read against that share)."""
    await queue_notice(
        ctx.session,
        plan_id=ctx.need_plan()[1].id,
        audience=audience,
        key=key,
        params={"code": task.code, "title": task.title, **params},
        actions=actions or [],
        now=ctx.now,
        subject=task.code,
        assignment_id=share.id,
    )


async def notify_blocked(ctx: Ctx, task: TaskView, assignment: AssignmentView, note: str) -> None:
    """A call for help goes to the office (with buttons to answer or close it) and to the leaders."""
    params = {"unit": assignment.unit, "note": note or ctx.t("no_note")}
    close = [
        ("btn_answer", f"/answer {task.code} {assignment.unit}"),
        ("btn_resolve", f"/resolve {task.code} {assignment.unit}"),
    ]
    await task_notice(ctx, task, assignment, [ADMINS], "notice_blocked", params, close)
    await task_notice(ctx, task, assignment, [LEADERS], "notice_blocked", params)


async def _admin_unit(
    ctx: Ctx, task: TaskView, rest: list[str], command: str
) -> tuple[int | None, list[str]]:
    """The admin names the unit they record for, unless the task has only one."""
    if rest:
        unit = await find_unit_word(ctx, rest[0], command=command)
        if unit is not None:
            if task.for_unit(unit.id or 0) is None:
                raise UserError("unit_not_on_task", unit=unit.name, code=task.code)
            return unit.id, rest[1:]
    if len(task.assignments) == 1:
        return task.assignments[0].unit_id, rest
    raise UserError("progress_need_unit", code=task.code)
