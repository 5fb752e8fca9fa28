"""Replies in plain Chinese: what `models.reader` read, proposed for a tap, never written silently.

"3月份合规率100%，及时率99.5%" in reply to the March nudge is answered with the two reports it read
("指标 5 合规率 2022-03 = 100%") and three buttons: 确认 sends `/reports` with the exact report lines,
so confirming is the same as typing them (the same checks, the same scores, proposals for figures the
unit does not own); 修改 answers those lines to copy and correct; 取消 records nothing. A figure that
fits several indicators is asked about with a button per indicator. What could not be placed is
quoted back.
"""

from __future__ import annotations

import json
from decimal import Decimal

from config.plan_schema import Indicator, Plan
from config.values import format_value
from handlers.context import Ctx
from handlers.reporting import report
from handlers.types import Button, Reply, UserError
from models.plans import expand_units
from models.reader import Context, Figure, read
from models.scoring import find_item, value_spec
from models.tables import ReminderRow

ASKING = ("nudge", "period_figure")
SEPARATOR = "；"
MAX_REPORTS = 20


async def proposal(ctx: Ctx, text: str, reminder: ReminderRow | None) -> Reply | None:
    """The reports a reply holds, for the speaker to confirm; None when it holds none."""
    if ctx.member is None or ctx.plan is None or ctx.member.role == "leader":
        return None
    if reminder is not None and reminder.kind == "notice":
        return None  # an answer to a notice (the office answering a call for help) is passed on as written
    plan = ctx.plan
    reading = read(plan, text, _context(ctx, plan, reminder))
    if not reading.figures and not reading.ambiguities:
        return None
    if reminder is not None and reminder.kind not in ASKING and not reading.figures:
        return None  # a reply to a task reminder that names no indicator stays progress, as before
    indicators = {i.code: i for i in plan.indicators}
    lines = [ctx.t("read_header")]
    commands = [_command(indicators[f.code], f) for f in reading.figures][:MAX_REPORTS]
    lines += ["  " + _line(ctx, indicators[f.code], f) for f in reading.figures[:MAX_REPORTS]]
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
    for ambiguity in reading.ambiguities:
        if ambiguity.items:  # the indicator is known, not which item: a button per item
            code = ambiguity.codes[0]
            names = "、".join(f.item or "" for f in ambiguity.items)
            lines.append(ctx.t("read_which_item", written=ambiguity.written, code=code, items=names))
            choices = [Button(f.item or code, "/report " + _command(indicators[code], f)) for f in ambiguity.items]
            buttons.append(tuple(choices))
            continue
        names = "、".join(f"{c} {indicators[c].name}" for c in ambiguity.codes)
        lines.append(ctx.t("read_ambiguous", written=ambiguity.written, names=names))
        buttons.append(
            tuple(Button(f"{c} {indicators[c].name[:10]}", f"/report {c} {ambiguity.written}") for c in ambiguity.codes)
        )
    if reading.notes:
        lines.append(ctx.t("read_unplaced", notes="”“".join(reading.notes)))
    return Reply("\n".join(lines), buttons=tuple(buttons))


async def reports(ctx: Ctx, args: str) -> Reply:
    """/reports <line>；<line>…: several /report lines at once (the 确认 button of a read reply), all
    or none; /reports 修改 … answers the lines to correct; /reports 取消 records nothing."""
    words = args.strip()
    if words == "取消":
        return Reply(ctx.t("read_cancelled"))
    if words.startswith("修改"):
        lines = [f"/report {line.strip()}" for line in words.removeprefix("修改").split(SEPARATOR) if line.strip()]
        return Reply(ctx.t("read_amend_lines", lines="\n".join(lines)))
    parts = [p.strip() for p in words.split(SEPARATOR) if p.strip()]
    if not parts or len(parts) > MAX_REPORTS:
        raise UserError("reports_usage", limit=MAX_REPORTS)
    answers = [(await report(ctx, part)).text for part in parts]  # a refusal rolls all of them back
    return Reply("\n\n".join(answers))


def _context(ctx: Ctx, plan: Plan, reminder: ReminderRow | None) -> Context:
    """The speaker's indicators (a liaison's unit; the office's: all), and what the reminder asked."""
    if ctx.unit is not None:
        own = frozenset(
            i.code
            for i in plan.indicators
            if ctx.unit.name in expand_units(plan, i.units + i.lead + (i.reporters or []))
        )
    else:
        own = frozenset(i.code for i in plan.indicators)
    asked = period = None
    if reminder is not None and reminder.kind in ASKING:
        items = json.loads(reminder.detail).get("items", [])
        codes = {str(i["code"]) for i in items}
        if len(codes) == 1:
            asked, period = codes.pop(), items[0].get("period")
        elif codes:
            own = frozenset(codes)
    return Context(today=ctx.today, own=own, asked=asked, asked_period=period)


def _command(indicator: Indicator, figure: Figure) -> str:
    """The /report line (without '/report') that records the figure."""
    spec = value_spec(indicator, find_item(indicator, figure.item) if figure.item else None)
    value = format_value(Decimal(figure.value), spec.type, unit=spec.unit)
    return " ".join(w for w in (indicator.code, figure.period, figure.item, value) if w)


def _line(ctx: Ctx, indicator: Indicator, figure: Figure) -> str:
    spec = value_spec(indicator, find_item(indicator, figure.item) if figure.item else None)
    value = format_value(Decimal(figure.value), spec.type, unit=spec.unit, lang=ctx.lang)
    place = " ".join(w for w in (figure.item, figure.period) if w)
    return ctx.t("read_line", code=indicator.code, name=indicator.name, place=place, value=value)
