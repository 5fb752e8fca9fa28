"""Figures: /report (a value for an indicator), /gate (a pass/fail basic indicator), /history.

Who may write a figure is decided in `handlers.figures`: the owners' figures count at once, other
responsible units' figures are proposals.
"""

from __future__ import annotations

from decimal import Decimal

from config.plan_schema import Indicator, Item
from config.values import ValueParseError, ValueType, format_value, read_yes_no
from handlers.context import Ctx
from handlers.figures import Written, write_figure
from handlers.periods import check_period_open, looks_like_period, read_period
from handlers.render import hint_lines, person_label, points_text
from handlers.types import Button, Reply, UserError
from models.reports import ScoreBoard, indicator_rows, latest_observations, report_history, score_board
from models.scoring import Key, find_item, value_spec

MAX_NOTE = 500


def _value_reason(ctx: Ctx, error: ValueParseError, indicator: Indicator, item: Item | None) -> str:
    spec = value_spec(indicator, item)
    params = dict(error.params)
    if "bound" in params:
        params["bound"] = format_value(Decimal(params["bound"]), spec.type, unit=spec.unit, lang=ctx.lang)
    return ctx.t("val_" + error.key, **params)


def expected_text(ctx: Ctx, indicator: Indicator, item: Item | None) -> str:
    """What a report for this indicator (and item) looks like, with an example."""
    spec = value_spec(indicator, item)
    what = spec.label or (item.name if item else indicator.name)
    kind = ctx.t("expect_" + spec.type.value, unit=spec.unit or "")
    return ctx.t("expected", what=what, kind=kind)


def usage_for(ctx: Ctx, indicator: Indicator) -> str:
    """The exact /report form for one indicator."""
    parts = ["/report", indicator.code]
    if indicator.periods:
        parts.append(ctx.t("month_word"))
    items = indicator.items()
    if items:
        parts.append("<" + "|".join(i.name for i in items) + ">")
    parts.append(ctx.t("value_word"))
    return " ".join(parts)


def _item_buttons(indicator: Indicator, prefix: str, value: str) -> tuple[tuple[Button, ...], ...]:
    """One button per item, repeating the report with that item filled in."""
    choices = [Button(i.name, f"{prefix} {i.name} {value}".strip()) for i in indicator.items()[:8]]
    return tuple(tuple(choices[i : i + 2]) for i in range(0, len(choices), 2))


async def _split_place(
    ctx: Ctx, indicator: Indicator, words: list[str]
) -> tuple[str | None, Item | None, list[str]]:
    """Take the period and item off the front of the words after the code."""
    period = None
    prefix = f"/report {indicator.code}"
    if indicator.periods:
        months = indicator.periods.months()
        if not words:
            raise UserError("need_period", code=indicator.code, usage=usage_for(ctx, indicator))
        period = read_period(words[0], months, ctx.today)
        if period is None:
            raise UserError("bad_period", word=words[0][:20], usage=usage_for(ctx, indicator))
        await check_period_open(ctx, indicator, period)
        words = words[1:]
        prefix += f" {period}"
    item = None
    if indicator.items():
        names = "、".join(i.name for i in indicator.items())
        if not words:
            raise UserError(
                "need_item", code=indicator.code, items=names, buttons=_item_buttons(indicator, prefix, "")
            )
        item = find_item(indicator, words[0])
        if item is None:
            if len(words) == 1 or looks_like_period(words[0]):
                raise UserError(
                    "which_item",
                    code=indicator.code,
                    value=" ".join(words)[:30],
                    items=names,
                    buttons=_item_buttons(indicator, prefix, " ".join(words)),
                )
            raise UserError("unknown_item", item=words[0][:20], code=indicator.code, items=names)
        words = words[1:]
    return period, item, words


async def report(ctx: Ctx, args: str) -> Reply:
    """Reports a figure: /report <code> [month] [item] <value>; replies with the points it earns."""
    ctx.need_member()
    _, plan = ctx.need_active_plan()
    words = args.split()
    if not words:
        raise UserError("report_usage")
    indicator = next((i for i in plan.indicators if i.code == words[0]), None)
    if indicator is None:
        gate = any(g.code == words[0] for g in plan.gates)
        raise UserError("gate_use_gate" if gate else "unknown_code", code=words[0][:16])
    rows = await indicator_rows(ctx.session, plan.id)
    row = rows[indicator.code]
    period, item, rest = await _split_place(ctx, indicator, words[1:])
    if not rest:
        raise UserError("need_value", expected=expected_text(ctx, indicator, item), usage=usage_for(ctx, indicator))
    raw = "".join(rest)
    spec = value_spec(indicator, item)
    try:
        value = spec.read(raw)
    except ValueParseError as error:
        raise UserError(
            "bad_value", reason=_value_reason(ctx, error, indicator, item), expected=expected_text(ctx, indicator, item)
        ) from error
    obs = await latest_observations(ctx.session, plan.id)
    before_board = score_board(plan, rows, obs)
    key: Key = (period, item.name if item else None)
    name = indicator.name + "".join(f" {p}" for p in key if p)
    written = await write_figure(
        ctx,
        row=row,
        period=period,
        item=key[1],
        value=value,
        raw=raw,
        note="",
        label=ctx.t("label_indicator", code=indicator.code, name=name),
        shown=lambda v: format_value(v, spec.type, unit=spec.unit, lang=ctx.lang),
    )
    if written.kind != "counted":
        return written.reply
    obs.setdefault(row.id or 0, {})[key] = value
    after_board = score_board(plan, rows, obs, like=before_board)  # only this indicator is scored again
    return Reply(_report_reply(ctx, indicator, written, before_board, after_board))


def _report_reply(ctx: Ctx, indicator: Indicator, written: Written, before: ScoreBoard, after: ScoreBoard) -> str:
    """The figure as understood, the points before and after, and what would earn the rest."""
    lines = [written.reply.text]
    was, now = before.get(indicator.code), after.get(indicator.code)
    assert was is not None
    assert now is not None
    lines.append(
        ctx.t(
            "report_points",
            before=points_text(was.points),
            after=points_text(now.points),
            max=points_text(indicator.max),
        )
    )
    if indicator.bonus:
        lines.append(
            ctx.t("total_bonus_line", before=points_text(before.bonus_total), after=points_text(after.bonus_total))
        )
    else:
        lines.append(ctx.t("total_line", before=points_text(before.total), after=points_text(after.total)))
    lines += hint_lines(ctx, indicator, after.observations(indicator.code))
    return "\n".join(lines)


async def gate(ctx: Ctx, args: str) -> Reply:
    """Records whether a pass/fail basic indicator is met: /gate <code> <达标|未达标> [note]."""
    ctx.need_member()
    _, plan = ctx.need_active_plan()
    words = args.split()
    if len(words) < 2:
        raise UserError("gate_usage")
    spec = next((g for g in plan.gates if g.code.lower() == words[0].lower()), None)
    if spec is None:
        raise UserError("unknown_gate", code=words[0][:16])
    row = (await indicator_rows(ctx.session, plan.id))[spec.code]
    try:
        met = read_yes_no(words[1])
    except ValueParseError as error:
        raise UserError(
            "bad_value", reason=ctx.t("val_not_yes_no", text=words[1][:20]), expected=ctx.t("expect_yes_no")
        ) from error
    note = " ".join(words[2:])
    if len(note) > MAX_NOTE:
        raise UserError("note_too_long", limit=MAX_NOTE)
    written = await write_figure(
        ctx,
        row=row,
        period=None,
        item=None,
        value=Decimal(int(met)),
        raw=words[1],
        note=note,
        label=ctx.t("label_gate", code=spec.code, name=spec.name),
        shown=lambda v: ctx.t("gate_met" if v else "gate_not_met"),
    )
    return written.reply


async def history(ctx: Ctx, args: str) -> Reply:
    """Shows the reports of an indicator or gate, newest first, corrections and proposals included."""
    ctx.need_member()
    _, plan = ctx.need_plan()
    code = args.strip().split(" ", 1)[0]
    if not code:
        raise UserError("history_usage")
    rows = await indicator_rows(ctx.session, plan.id)
    if code not in rows:
        raise UserError("unknown_code", code=code[:16])
    entries = await report_history(ctx.session, rows[code])
    if not entries:
        return Reply(ctx.t("history_empty", code=code))
    indicator = next((i for i in plan.indicators if i.code == code), None)
    seen: set[tuple[str | None, str | None]] = set()
    lines = [ctx.t("history_header", code=code, name=rows[code].name)]
    for entry in entries:
        key = (entry.period, entry.item)
        item = find_item(indicator, entry.item) if indicator and entry.item else None
        if indicator is not None:
            spec = value_spec(indicator, item)
            shown = format_value(entry.value, spec.type, unit=spec.unit, lang=ctx.lang)
        else:
            shown = format_value(entry.value, ValueType.YES_NO, lang=ctx.lang)
        if entry.status is not None:
            mark = ctx.t(f"history_{entry.status}", id=entry.id)
        else:
            mark = "" if key not in seen else ctx.t("superseded")
            seen.add(key)
        place = " ".join(p for p in (entry.period, entry.item) if p)
        when = ctx.local(entry.at).strftime("%Y-%m-%d %H:%M")
        who = person_label(ctx, entry.role, entry.unit, entry.who, entry.transport)
        lines.append(f"{when} {place} {shown} · {who}{mark}".replace("  ", " "))
    return Reply("\n".join(lines))
