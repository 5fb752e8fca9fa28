"""Replies in plain Chinese: what `models.reader` read, proposed for a tap, never written silently.

"3月份合规率100%，及时率99.5%" in reply to the March nudge is answered with the two reports it read
("指标 5 合规率 2022-03 = 100% → 得分 …") and three buttons: 确认 sends `/reports` with the exact
report lines (and the progress, when the message is about a task), so confirming is the same as
typing them (the same checks, the same scores, proposals for figures the unit does not own); 修改
answers those lines to copy and correct; 取消 records nothing. A figure that fits several indicators
is asked about with a button per indicator; progress that fits several of the unit's tasks, with a
button per task. What could not be placed is quoted back: kept as the progress note when the message
is about a task, else said to be left unrecorded.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal

from config.plan_schema import Indicator, Plan, ValueSpec
from config.values import ValueType, format_value, plain
from handlers.context import Ctx
from handlers.periods import check_period_open
from handlers.render import points_text
from handlers.reporting import gate, report
from handlers.shares import MARK, Share, checked_note, command_line, open_shares, part, read_part, record_part
from handlers.shares import status_from_text as share_status
from handlers.types import Button, Reply, UserError
from models.ownership import figure_owners
from models.plans import expand_units
from models.reader import Context, Figure, Reading, read
from models.reader_months import last_month
from models.reader_tasks import named_task
from models.reports import indicator_rows, latest_observations, score_board
from models.scoring import find_item, value_spec
from models.tables import ReminderRow

ASKING = ("nudge", "period_figure")
SEPARATOR = "；"
MAX_REPORTS = 20
MAX_BUTTONS = 5
"""The most choices a question offers as buttons (with 取消, the six a WeCom card holds): progress
fitting more open tasks lists them, for a reply to the task's reminder or /progress; a figure fitting
more items gets a button per indicator."""


async def proposal(ctx: Ctx, text: str, reminder: ReminderRow | None, share: Share | None = None) -> Reply | None:
    """What a message holds (reports, and progress on `share`, the task share it answers), for the
    speaker to confirm; None when it holds nothing to record."""
    if ctx.member is None or ctx.plan is None or ctx.member.role == "leader":
        return None
    plan = ctx.plan
    reading = Reading()
    if reminder is None or reminder.kind != "notice":  # an answer to a notice is passed on as written
        reading = read(plan, text, _context(ctx, plan, reminder))
    mine = _responsible(ctx, plan)
    others = [f for f in reading.figures if f.code not in mine]  # /report would refuse them: said, not sent
    reading = replace(reading, figures=tuple(f for f in reading.figures if f.code in mine))
    if share is not None and not reading.figures:
        reading = Reading(status=reading.status, notes=reading.notes)  # a bare number stays progress
    not_yours = [ctx.t("read_not_yours", code=f.code, name=_indicator(plan, f.code).name) for f in others]
    reportable, not_yet = await _open_periods(ctx, plan, reading.figures)
    reading = replace(reading, figures=reportable)
    not_yours += not_yet
    if share is None and not reading.figures and not reading.ambiguities and not reading.verdicts:
        return Reply("\n".join(not_yours)) if not_yours else None
    note = checked_note(text) if share is not None else ""
    status = share_status(note, share.assignment.status) if share is not None else ""
    lines = [ctx.t("read_header")] + await _report_lines(ctx, plan, reading.figures)
    commands = [_command(_indicator(plan, f.code), f) for f in reading.figures[:MAX_REPORTS]]
    for verdict in reading.verdicts:
        basic = next(g for g in plan.gates if g.code == verdict.code)
        met = ctx.t("gate_met" if verdict.met else "gate_not_met")
        lines.append("  " + ctx.t("read_gate", code=basic.code, name=basic.name, met=met))
        commands.append(f"{basic.code} {'达标' if verdict.met else '未达标'}")
    if share is not None:
        lines.append("  " + _progress_line(ctx, share, status))
        commands.append(part(share, status, note))
    buttons: list[tuple[Button, ...]] = []
    if commands:
        joined = SEPARATOR.join(commands)
        buttons.append(
            (
                Button(ctx.t("read_confirm"), f"/reports {joined}"),
                Button(ctx.t("read_amend"), f"/reports 修改 {joined}"),
                Button(ctx.t("read_cancel"), "/reports 取消"),
            )
        )
    lines += not_yours
    _ask(ctx, plan, reading, lines, buttons)
    if reading.notes:
        key = "read_noted_later" if share is not None else "read_unplaced"
        lines.append(ctx.t(key, notes="”“".join(reading.notes)))
    return Reply("\n".join(lines), buttons=tuple(buttons))


async def free_text(ctx: Ctx, text: str) -> Reply:
    """A message that is neither a command nor a reply: the figures it holds, with progress on the
    task it names (or the unit's only open one) when it says how the work goes. Progress without a
    figure or a named task is asked about among the unit's open tasks; anything else gets a pointer
    to the commands."""
    says_progress = ctx.plan is not None and read(ctx.plan, text, Context(today=ctx.today)).status is not None
    share = await _named_share(ctx, text) if says_progress else None
    read_reply = await proposal(ctx, text, None, share)
    if read_reply is not None:
        return read_reply
    if share is not None or ctx.member is None or ctx.member.role != "liaison":
        raise UserError("not_a_command")
    shares = await open_shares(ctx) if says_progress else []
    if not shares:
        raise UserError("not_a_command")
    if len(shares) > MAX_BUTTONS:
        listed = "\n".join(f"  {s.task.code} {s.task.title}" for s in shares)
        raise UserError("read_too_many_tasks", count=len(shares), tasks=listed)
    note = checked_note(text)
    choices = tuple(
        (
            Button(
                f"{s.task.code} {s.task.title[:12]}",
                f"/reports {part(s, share_status(note, s.assignment.status), note)}",
            ),
        )
        for s in shares
    )
    return Reply(
        ctx.t("read_which_task", note=note), buttons=(*choices, (Button(ctx.t("read_cancel"), "/reports 取消"),))
    )


async def _named_share(ctx: Ctx, text: str) -> Share | None:
    """The liaison's open share a message saying how the work goes is about: the unit's only one, or
    the one whose task it names by its words ('双公示专项行动正在推进')."""
    if ctx.plan is None or ctx.member is None or ctx.member.role != "liaison" or ctx.member.unit_id is None:
        return None
    shares = await open_shares(ctx)
    if len(shares) == 1:
        return shares[0]
    codes = {s.task.code for s in shares}
    code = named_task(text, [t for t in ctx.plan.tasks if t.code in codes])
    return next((s for s in shares if s.task.code == code), None)


async def reports(ctx: Ctx, args: str) -> Reply:
    """/reports <line>；<line>…[；进展 …]: several /report lines at once (the 确认 button of a read
    reply), with the progress they came with, all or none; /reports 修改 … answers the lines to
    correct; /reports 取消 records nothing."""
    words = args.strip()
    if words == "取消":
        return Reply(ctx.t("read_cancelled"))
    amend = words.startswith("修改")
    head, _, progress = (SEPARATOR + words.removeprefix("修改").strip()).partition(f"{SEPARATOR}{MARK} ")
    parts = [p.strip() for p in head.split(SEPARATOR) if p.strip()]
    if (not parts and not progress) or len(parts) > MAX_REPORTS:
        raise UserError("reports_usage", limit=MAX_REPORTS)
    if amend:
        lines = [f"/{'gate' if _is_gate(ctx, line) else 'report'} {line}" for line in parts]
        if progress:
            share, status, note = await read_part(ctx, f"{MARK} {progress}")
            lines.append(command_line(ctx, share, status, note))
        return Reply(ctx.t("read_amend_lines", lines="\n".join(lines)))
    answers = [await (gate if _is_gate(ctx, line) else report)(ctx, line) for line in parts]  # all or none
    if progress:
        answers.append(await _progress(ctx, f"{MARK} {progress}"))
    buttons = tuple(row for answer in answers for row in answer.buttons)
    return Reply("\n\n".join(a.text for a in answers), buttons=buttons)


async def _progress(ctx: Ctx, text: str) -> Reply:
    """Record the confirmed progress; the parts of its note that held no figure are said to be kept."""
    recorded = await record_part(ctx, text)
    _, _, note = await read_part(ctx, text)
    assert ctx.plan is not None
    notes = read(ctx.plan, note, Context(today=ctx.today)).notes
    if not notes:
        return recorded
    kept = ctx.t("read_noted", notes="”“".join(notes))
    return Reply(f"{recorded.text}\n{kept}", buttons=recorded.buttons)


def _ask(ctx: Ctx, plan: Plan, reading: Reading, lines: list[str], buttons: list[tuple[Button, ...]]) -> None:
    """A question and a row of buttons for every figure the reader could not place by itself."""
    for ambiguity in reading.ambiguities:
        if ambiguity.values:  # the place is known, not which of the figures said for it counts
            indicator = _indicator(plan, ambiguity.codes[0])
            lines.append(ctx.t("read_which_value", written=ambiguity.written, code=indicator.code, name=indicator.name))
            buttons.append(tuple(Button(f.written, "/report " + _command(indicator, f)) for f in ambiguity.values))
            continue
        if ambiguity.items:  # the indicator is known, not which item: a button per item
            code = ambiguity.codes[0]
            indicator = _indicator(plan, code)
            names = "、".join(f.item or "" for f in ambiguity.items)
            lines.append(ctx.t("read_which_item", written=ambiguity.written, code=code, items=names))
            buttons.append(tuple(Button(f.item or code, "/report " + _command(indicator, f)) for f in ambiguity.items))
            continue
        names = "、".join(f"{c} {_indicator(plan, c).name}" for c in ambiguity.codes)
        lines.append(ctx.t("read_ambiguous", written=ambiguity.written, names=names))
        if ambiguity.choices:
            buttons.append(_choices(plan, ambiguity.choices))


async def _open_periods(ctx: Ctx, plan: Plan, figures: tuple[Figure, ...]) -> tuple[tuple[Figure, ...], list[str]]:
    """The figures whose month may be reported today, and a line for each one /report would refuse
    ('本月合规率100%' on 6 April: April has not ended), so that 确认 does not fail on them."""
    kept: list[Figure] = []
    refused: list[str] = []
    for figure in figures:
        indicator = _indicator(plan, figure.code)
        try:
            if indicator.periods is not None and figure.period is not None:
                await check_period_open(ctx, indicator, figure.period)
        except UserError as error:
            refused.append(_not_yet(ctx, indicator, figure, ctx.t(error.key, **error.params)))
            continue
        kept.append(figure)
    return tuple(kept), refused


def _not_yet(ctx: Ctx, indicator: Indicator, figure: Figure, reason: str) -> str:
    """Why a figure is left out, and how to name the month before it (what '本月' often means)."""
    assert figure.period is not None
    before = last_month(dt.date.fromisoformat(f"{figure.period}-01"))
    name = f"{indicator.name} {figure.item}" if figure.item else indicator.name
    return ctx.t(
        "read_not_yet",
        code=figure.code,
        name=name,
        period=figure.period,
        written=figure.written,
        reason=reason,
        before=before,
        month=int(before[5:]),
    )


def _choices(plan: Plan, figures: tuple[Figure, ...]) -> tuple[Button, ...]:
    """A button per figure, or, when that would be more than a card holds (an indicator with eight
    items among the choices), a button per indicator whose /report line then asks for the item."""
    if len(figures) <= MAX_BUTTONS:
        return tuple(_choice(plan, f) for f in figures)
    by_code: dict[str, list[Figure]] = {}
    for figure in figures:
        by_code.setdefault(figure.code, []).append(figure)
    return tuple(_choice(plan, found[0], item=len(found) == 1) for found in by_code.values())


def _choice(plan: Plan, figure: Figure, item: bool = True) -> Button:
    """The button that records the figure as this indicator's (this item's) report; without the item,
    the /report line answers with a button per item."""
    indicator = _indicator(plan, figure.code)
    label = f"{figure.code} {(figure.item if item else None) or indicator.name[:10]}"
    return Button(label, "/report " + _command(indicator, figure, item))


async def _report_lines(ctx: Ctx, plan: Plan, figures: tuple[Figure, ...]) -> list[str]:
    """One line per figure; the last one of each indicator says what its points would become once
    every figure the speaker owns is recorded (a figure the speaker does not own goes to its owners
    as a proposal)."""
    if not figures:
        return []
    rows = await indicator_rows(ctx.session, plan.id)
    observations = await latest_observations(ctx.session, plan.id)
    before = score_board(plan, rows, observations)
    owned = [f for f in figures if _owns(ctx, plan, f)]
    for figure in owned:
        observations.setdefault(rows[figure.code].id or 0, {})[(figure.period, figure.item)] = figure.value
    after = score_board(plan, rows, observations, like=before)
    shown = figures[:MAX_REPORTS]
    last = {f.code: index for index, f in enumerate(shown)}
    lines = []
    for index, figure in enumerate(shown):
        indicator = _indicator(plan, figure.code)
        line = "  " + _line(ctx, indicator, figure)
        if last[figure.code] == index and figure in owned:
            was, now = before.get(figure.code), after.get(figure.code)
            points = [points_text(s.points if s is not None else Decimal(0)) for s in (was, now)]
            line += " " + ctx.t("read_points", before=points[0], after=points[1], max=points_text(indicator.max))
        elif figure not in owned:
            line += " " + ctx.t("read_for_owners", owners="、".join(figure_owners(plan, figure.code, figure.item)))
        lines.append(line)
    return lines


def _owns(ctx: Ctx, plan: Plan, figure: Figure) -> bool:
    """Whether the speaker's report of this figure counts at once (the office's always does)."""
    if ctx.member is not None and ctx.member.role == "admin":
        return True
    return ctx.unit is not None and ctx.unit.name in figure_owners(plan, figure.code, figure.item)


def _progress_line(ctx: Ctx, share: Share, status: str) -> str:
    before = share.assignment.status
    return ctx.t(
        "read_progress" if status != before else "read_progress_same",
        code=share.task.code,
        title=share.task.title,
        unit=share.assignment.unit,
        before=ctx.t("status_" + before),
        after=ctx.t("status_" + status),
    )


def _is_gate(ctx: Ctx, line: str) -> bool:
    """Whether a /reports line is a gate's ('G4 达标'), recorded by /gate."""
    code = line.split(maxsplit=1)[0] if line.strip() else ""
    return ctx.plan is not None and any(g.code == code for g in ctx.plan.gates)


def _indicator(plan: Plan, code: str) -> Indicator:
    return next(i for i in plan.indicators if i.code == code)


def _responsible(ctx: Ctx, plan: Plan) -> frozenset[str]:
    """The indicators the speaker may report: a liaison's unit's (responsible for it, or owning its
    figure, as the office's unit owns figures read off platforms); the office's: all."""
    if ctx.unit is None:
        return frozenset(i.code for i in plan.indicators)
    name = ctx.unit.name
    return frozenset(
        i.code
        for i in plan.indicators
        if name in expand_units(plan, i.units + i.lead + (i.reporters or []))
        or any(name in figure_owners(plan, i.code, item) for item in [None, *(t.name for t in i.items())])
    )


def _context(ctx: Ctx, plan: Plan, reminder: ReminderRow | None) -> Context:
    """The speaker's indicators and gates, and what the reminder asked."""
    own = _responsible(ctx, plan)
    gates = frozenset(
        g.code
        for g in plan.gates
        if ctx.unit is None or ctx.unit.name in expand_units(plan, g.units + g.lead + (g.reporters or []))
    )
    asked = period = None
    if reminder is not None and reminder.kind in ASKING:
        items = json.loads(reminder.detail).get("items", [])
        codes = {str(i["code"]) for i in items}
        if len(codes) == 1:
            asked, period = codes.pop(), items[0].get("period")
        elif codes:
            own = frozenset(codes)
    unit = ctx.unit.name if ctx.unit is not None else None
    return Context(today=ctx.today, own=own, asked=asked, asked_period=period, gates=gates, unit=unit)


def _command(indicator: Indicator, figure: Figure, item: bool = True) -> str:
    """The /report line (without '/report') that records the figure (without its item: that asks which)."""
    spec = value_spec(indicator, find_item(indicator, figure.item) if figure.item else None)
    words = (indicator.code, figure.period, figure.item if item else None, typed_value(spec, figure.value))
    return " ".join(w for w in words if w)


def typed_value(spec: ValueSpec, value: Decimal) -> str:
    """The value as a /report line writes it, so that the line reads back to exactly `value` (a
    count without the 万 gloss that is shown beside it)."""
    if spec.type is ValueType.COUNT:
        return plain(value)
    return format_value(value, spec.type, unit=spec.unit)


def _line(ctx: Ctx, indicator: Indicator, figure: Figure) -> str:
    spec = value_spec(indicator, find_item(indicator, figure.item) if figure.item else None)
    value = format_value(Decimal(figure.value), spec.type, unit=spec.unit, lang=ctx.lang)
    place = "".join(f" {w}" for w in (figure.item, figure.period) if w)
    return ctx.t("read_line", code=indicator.code, name=indicator.name, place=place, value=value)
