"""Figures: /report (a value for an indicator), /gate (a pass/fail basic indicator), /history."""

from __future__ import annotations

import re
from decimal import Decimal

from config.plan_schema import Indicator, Item
from config.values import ValueParseError, ValueType, format_value, read_yes_no
from handlers.context import Ctx
from handlers.render import hint_lines, points_text
from handlers.types import Reply, UserError
from models.reports import (
    ScoreBoard,
    indicator_rows,
    is_responsible,
    latest_observations,
    record_report,
    report_history,
    score_board,
)
from models.scoring import Key, find_item, value_spec
from models.tables import IndicatorRow, Member

_PERIOD = re.compile(r"^(\d{4})(?:-|/|\.|年)?(\d{1,2})月?$")
MAX_NOTE = 500


def parse_period(word: str) -> str | None:
    """'2022-03', '2022-3', '2022年3月', '202203' -> '2022-03'; None when it is not a month."""
    match = _PERIOD.match(word.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return f"{match.group(1)}-{int(match.group(2)):02d}"


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
        parts.append("YYYY-MM")
    items = indicator.items()
    if items:
        parts.append("<" + "|".join(i.name for i in items) + ">")
    parts.append(ctx.t("value_word"))
    return " ".join(parts)


async def _may_write(ctx: Ctx, member: Member, row: IndicatorRow) -> None:
    """Admins write anything; a liaison only for indicators their unit is responsible for."""
    if member.role == "admin":
        return
    if member.role == "leader":
        raise UserError("leader_read_only")
    if not await is_responsible(ctx.session, row.id or 0, member.unit_id):
        raise UserError("not_your_indicator", code=row.code)


def _split_place(ctx: Ctx, indicator: Indicator, words: list[str]) -> tuple[str | None, Item | None, list[str]]:
    """Take the period and item off the front of the words after the code."""
    period = None
    if indicator.periods:
        if not words:
            raise UserError("need_period", code=indicator.code, usage=usage_for(ctx, indicator))
        period = parse_period(words[0])
        months = indicator.periods.months()
        if period is None:
            raise UserError("bad_period", word=words[0][:20], usage=usage_for(ctx, indicator))
        if period not in months:
            raise UserError("period_outside", period=period, start=months[0], end=months[-1])
        words = words[1:]
    item = None
    if indicator.items():
        if not words:
            raise UserError("need_item", code=indicator.code, usage=usage_for(ctx, indicator))
        item = find_item(indicator, words[0])
        if item is None:
            names = "、".join(i.name for i in indicator.items())
            raise UserError("unknown_item", item=words[0][:20], code=indicator.code, items=names)
        words = words[1:]
    return period, item, words


async def report(ctx: Ctx, args: str) -> Reply:
    """Reports a figure: /report <code> [YYYY-MM] [item] <value>; replies with the points it earns."""
    member = ctx.need_member()
    _, plan = ctx.need_plan()
    words = args.split()
    if not words:
        raise UserError("report_usage")
    indicator = next((i for i in plan.indicators if i.code == words[0]), None)
    if indicator is None:
        gate = any(g.code == words[0] for g in plan.gates)
        raise UserError("gate_use_gate" if gate else "unknown_code", code=words[0][:16])
    rows = await indicator_rows(ctx.session, plan.id)
    row = rows[indicator.code]
    await _may_write(ctx, member, row)
    period, item, rest = _split_place(ctx, indicator, words[1:])
    if not rest:
        raise UserError("need_value", expected=expected_text(ctx, indicator, item), usage=usage_for(ctx, indicator))
    raw = "".join(rest)
    try:
        value = value_spec(indicator, item).read(raw)
    except ValueParseError as error:
        raise UserError(
            "bad_value", reason=_value_reason(ctx, error, indicator, item), expected=expected_text(ctx, indicator, item)
        ) from error
    obs = await latest_observations(ctx.session, plan.id)
    before_board = score_board(plan, rows, obs)
    key: Key = (period, item.name if item else None)
    previous = obs.get(row.id or 0, {}).get(key)
    await record_report(
        ctx.session,
        indicator=row,
        period=period,
        item=key[1],
        value=value,
        raw=raw,
        unit_id=member.unit_id,
        member=member,
        now=ctx.now,
        transport=ctx.request.transport,
        chat_id=ctx.request.chat_id,
        message_id=ctx.request.message_id,
    )
    obs.setdefault(row.id or 0, {})[key] = value
    after_board = score_board(plan, rows, obs)
    return Reply(_report_reply(ctx, indicator, item, period, value, previous, before_board, after_board))


def _report_reply(
    ctx: Ctx,
    indicator: Indicator,
    item: Item | None,
    period: str | None,
    value: Decimal,
    previous: Decimal | None,
    before: ScoreBoard,
    after: ScoreBoard,
) -> str:
    """The figure as understood, the points before and after, and what would earn the rest."""
    spec = value_spec(indicator, item)
    shown = format_value(value, spec.type, unit=spec.unit, lang=ctx.lang)
    place = " ".join(p for p in (period, item.name if item else None) if p)
    name = f"{indicator.name} {place}" if place else indicator.name
    lines = [ctx.t("report_recorded", code=indicator.code, name=name, value=shown)]
    if previous is not None:
        lines.append(ctx.t("report_supersedes", value=format_value(previous, spec.type, unit=spec.unit, lang=ctx.lang)))
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
    """Records whether a pass/fail basic indicator is met: /gate <code> <是|否> [note]."""
    member = ctx.need_member()
    _, plan = ctx.need_plan()
    words = args.split()
    if len(words) < 2:
        raise UserError("gate_usage")
    spec = next((g for g in plan.gates if g.code == words[0]), None)
    if spec is None:
        raise UserError("unknown_gate", code=words[0][:16])
    row = (await indicator_rows(ctx.session, plan.id))[spec.code]
    await _may_write(ctx, member, row)
    try:
        met = read_yes_no(words[1])
    except ValueParseError as error:
        raise UserError(
            "bad_value", reason=ctx.t("val_not_yes_no", text=words[1][:20]), expected=ctx.t("expect_yes_no")
        ) from error
    note = " ".join(words[2:])
    if len(note) > MAX_NOTE:
        raise UserError("note_too_long", limit=MAX_NOTE)
    await record_report(
        ctx.session,
        indicator=row,
        period=None,
        item=None,
        value=Decimal(int(met)),
        raw=words[1],
        unit_id=member.unit_id,
        member=member,
        now=ctx.now,
        transport=ctx.request.transport,
        chat_id=ctx.request.chat_id,
        message_id=ctx.request.message_id,
        note=note,
    )
    return Reply(
        ctx.t("gate_recorded", code=spec.code, name=spec.name, state=ctx.t("gate_met" if met else "gate_not_met"))
    )


async def history(ctx: Ctx, args: str) -> Reply:
    """Shows the reports of an indicator or gate, newest first, corrections included: /history <code>."""
    ctx.need_member()
    _, plan = ctx.need_plan()
    code = args.strip().split(" ", 1)[0]
    if not code:
        raise UserError("history_usage")
    rows = await indicator_rows(ctx.session, plan.id)
    if code not in rows:
        raise UserError("unknown_code", code=code[:16])
    entries = await report_history(ctx.session, rows[code].id or 0)
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
        mark = "" if key not in seen else ctx.t("superseded")
        seen.add(key)
        place = " ".join(p for p in (entry.period, entry.item) if p)
        when = ctx.local(entry.at).strftime("%Y-%m-%d %H:%M")
        who = entry.who + (f"（{entry.unit}）" if entry.unit else "")
        lines.append(f"{when} {place} {shown} · {who}{mark}".replace("  ", " "))
    return Reply("\n".join(lines))
