"""The weekly digest's words: one snapshot of the plan, compared with last week's, in the reader's language.

Pure composition, no database and no clock: another module collects a `DigestData` (scores,
statuses, figures still missing) and this one turns it into the leaders' text and each unit's
slice. `reminders.chart` draws the same snapshot, so the picture and the words cannot disagree.

Layout rule: a section that could have content this week always appears and says "无"/"none"
when empty (an empty overdue list is news for a leader); a section the plan or the unit cannot
have at all (no bonus points, no gates, a unit responsible for no indicator) is left out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from config.i18n import translate
from models.scoring import display_points

MAX_UNITS = 4  # units named on one line before "等 N 个单位", as /status does
MAX_LINES = 10  # lines per section before "另有 N 项": a digest is a summary, /tasks has the rest
MAX_PERIODS = 3  # periods listed one by one before they are folded into "first…last 共 N 期"
BULLET = "  · "


@dataclass(frozen=True)
class IndicatorLine:
    """One indicator's points now and at the last digest, so the digest can say what moved."""

    code: str
    name: str
    points: Decimal
    max: Decimal
    bonus: bool  # bonus points sit outside the total's maximum and are marked as such
    previous: Decimal | None  # points at the previous digest; None when there was none
    units: tuple[str, ...]  # responsible unit names (expanded), to build each unit's slice


@dataclass(frozen=True)
class TaskLine:
    """A task as one digest section sees it: the units listed are the ones that section is about."""

    code: str
    title: str
    deadline: date | None  # None for an ongoing task with no date
    units: tuple[str, ...]  # overdue: the late units; upcoming: units not done; completed: units that finished


@dataclass(frozen=True)
class MissingFigure:
    """A periodic figure the unit was asked for and has not reported: who owes what, for when."""

    unit: str
    code: str
    period: str | None  # "2024-04" for a monthly figure, None for a one-off


@dataclass(frozen=True)
class OwedEvidence:
    """Evidence a unit still owes (nothing handed in, or its file was rejected) and its due date."""

    unit: str
    code: str
    due: date


@dataclass(frozen=True)
class BlockedLine:
    """A unit that asked for help on a task and has not been helped out of it yet."""

    code: str
    title: str
    unit: str
    note: str


@dataclass(frozen=True)
class DigestData:
    """Everything one digest says, collected from the database beforehand, so composing needs no I/O."""

    plan_id: str
    plan_name: str
    week_start: date  # the 7 days the digest covers (Monday..Sunday before the send day)
    week_end: date
    generated_at: datetime  # aware
    total: Decimal
    max: Decimal
    bonus_total: Decimal
    bonus_max: Decimal
    previous_total: Decimal | None  # total at the previous digest, None for the first one
    indicators: tuple[IndicatorLine, ...]
    gates: tuple[tuple[str, str, bool | None], ...]  # (code, name, met or None if not assessed)
    completed: tuple[TaskLine, ...]  # tasks (or unit shares) completed during the week
    overdue: tuple[TaskLine, ...]
    upcoming: tuple[TaskLine, ...]  # deadlines within the next 14 days
    missing: tuple[MissingFigure, ...]
    trend: tuple[tuple[date, Decimal], ...]  # weekly totals of earlier digests plus this one, oldest first
    # Added later, so with defaults: digests stored before them are re-read from JSON without them.
    plan_start: date | None = None  # the plan's dates let the chart draw the path to the deadline from week one
    plan_end: date | None = None
    unit_progress: tuple[tuple[str, int, int], ...] = ()  # (unit, tasks done, tasks assigned), in plan order
    blocked: tuple[BlockedLine, ...] = ()  # calls for help not settled yet, shown until they are
    evidence: tuple[int, int, int, int] | None = None  # accepted, pending, rejected, missing; None: none asked
    evidence_owed: tuple[OwedEvidence, ...] = ()  # past due or due within the next 14 days


def projection(total: Decimal, maximum: Decimal, start: date, end: date, today: date) -> tuple[date, Decimal] | None:
    """The total carried on at its own rate since the start: (the deadline, or the day full marks are
    reached if sooner; the points then). None when there is nothing to carry on or no time left.
    Points do not accrue evenly (many are scored at the end): a guide, not a forecast."""
    if not (start < today < end and total > 0):
        return None
    rate = total / (today - start).days  # points per day since the start
    reach = end
    if maximum > 0 and rate * (end - start).days > maximum:  # full marks before the deadline
        reach = start + timedelta(days=math.ceil(maximum / rate))
    at_reach = rate * (reach - start).days
    return reach, min(at_reach, maximum) if maximum > 0 else at_reach


def points_change(data: DigestData) -> Decimal | None:
    """The exact change of the total since the last digest; None for the first digest."""
    if data.previous_total is None:
        return None
    return data.total - data.previous_total


def moved(data: DigestData) -> list[IndicatorLine]:
    """Indicators whose points differ from the last digest (no previous counts as 0 once points appear)."""
    return [i for i in data.indicators if _has_moved(i)]


def _has_moved(indicator: IndicatorLine) -> bool:
    if indicator.previous is None:
        return indicator.points > 0
    return indicator.points != indicator.previous


@dataclass(frozen=True)
class _Speaker:
    """The reader's language. Called like a handler's `ctx.t`, so the i18n test finds every key used here."""

    lang: str

    def t(self, key: str, **params: Any) -> str:
        return translate(self.lang, key, **params)


def compose_leader_digest(data: DigestData, lang: str) -> str:
    """The leaders' digest: the whole plan this week, what changed, what is late, who owes figures."""
    ctx = _Speaker(lang)
    scores = [
        ctx.t(
            "digest_total",
            total=display_points(data.total),
            max=display_points(data.max),
            change=_change(ctx, data.total, data.previous_total),
        )
    ]
    if data.bonus_max > 0:
        scores.append(ctx.t("digest_bonus", total=display_points(data.bonus_total), max=display_points(data.bonus_max)))
    if data.gates:
        scores.append(_gates(ctx, data.gates))
    moved_lines = [
        ctx.t(
            "digest_moved_line",
            code=i.code,
            name=i.name,
            mark=_bonus_mark(ctx, i),
            before=display_points(i.previous or Decimal(0)),
            after=display_points(i.points),
        )
        for i in moved(data)
    ]
    blocks = [
        [ctx.t("digest_header", plan=data.plan_name, **_week(data))],
        scores,
        _section(ctx, ctx.t("digest_moved_header"), moved_lines),
        _section(ctx, ctx.t("digest_completed_header"), [_completed(ctx, t) for t in data.completed]),
        _section(ctx, ctx.t("digest_overdue_header"), [_overdue(ctx, t) for t in _by_deadline(data.overdue)]),
        _section(ctx, ctx.t("digest_blocked_header"), [_blocked(ctx, b) for b in data.blocked]),
        _section(ctx, ctx.t("digest_upcoming_header"), [_upcoming(ctx, t) for t in _by_deadline(data.upcoming)]),
        _section(ctx, ctx.t("digest_missing_header"), _missing_by_unit(ctx, data.missing)),
        *_evidence_section(ctx, data),
        [ctx.t("digest_footer")],
    ]
    return _join(blocks)


def compose_unit_digest(data: DigestData, unit: str, lang: str) -> str | None:
    """One unit's slice: its late and coming tasks, figures it owes, what it finished, its indicators.

    None when the unit has nothing in any section, so no empty message is sent.
    """
    overdue = _by_deadline(t for t in data.overdue if unit in t.units)
    upcoming = _by_deadline(t for t in data.upcoming if unit in t.units)
    completed = [t for t in data.completed if unit in t.units]
    missing = [m for m in data.missing if m.unit == unit]
    indicators = [i for i in data.indicators if unit in i.units]
    blocked = [b for b in data.blocked if b.unit == unit]
    evidence = [e for e in data.evidence_owed if e.unit == unit]
    if not (overdue or upcoming or completed or missing or indicators or blocked or evidence):
        return None
    ctx = _Speaker(lang)
    names = {i.code: i.name for i in data.indicators}
    owed = [
        _figure(ctx, f"{code} {names[code]}" if code in names else code, periods)
        for code, periods in _group(missing).get(unit, {}).items()
    ]
    blocks = [
        [ctx.t("digest_unit_header", plan=data.plan_name, unit=unit, **_week(data))],
        _section(ctx, ctx.t("digest_overdue_header"), [_task(ctx, t) for t in overdue]),
        *([_section(ctx, ctx.t("digest_blocked_header"), [_blocked(ctx, b) for b in blocked])] if blocked else []),
        _section(ctx, ctx.t("digest_upcoming_header"), [_task(ctx, t) for t in upcoming]),
        _section(ctx, ctx.t("digest_unit_missing_header"), owed),
        *(
            [_section(ctx, ctx.t("digest_unit_evidence_header"), _evidence_lines(ctx, data, evidence))]
            if evidence
            else []
        ),
        _section(ctx, ctx.t("digest_completed_header"), [_task(ctx, t) for t in completed]),
    ]
    if indicators:
        blocks.append(_section(ctx, ctx.t("digest_indicators_header"), [_indicator(ctx, i) for i in indicators]))
    blocks.append([ctx.t("digest_unit_footer")])
    return _join(blocks)


def _week(data: DigestData) -> dict[str, str]:
    return {"start": data.week_start.isoformat(), "end": data.week_end.isoformat()}


def _join(blocks: Sequence[Sequence[str]]) -> str:
    return "\n\n".join("\n".join(block) for block in blocks if block)


def _section(ctx: _Speaker, header: str, lines: Sequence[str]) -> list[str]:
    """A header and its bullets, cut after MAX_LINES; one short line when there is nothing."""
    if not lines:
        return [ctx.t("digest_empty", header=header)]
    section = [header] + [BULLET + line for line in lines[:MAX_LINES]]
    if len(lines) > MAX_LINES:
        section.append(BULLET + ctx.t("digest_more", count=len(lines) - MAX_LINES))
    return section


def _shown(points: Decimal) -> Decimal:
    """Points as displayed, so a change is computed from the very numbers the reader sees."""
    return Decimal(display_points(points))


def _signed(delta: Decimal) -> str:
    text = display_points(delta)
    return text if text.startswith("-") else "+" + text


def _change(ctx: _Speaker, now: Decimal, before: Decimal | None) -> str:
    """'较上周 +1.5', '与上周持平' or '首次周报'."""
    if before is None:
        return ctx.t("digest_first")
    delta = _shown(now) - _shown(before)
    if delta == 0:
        return ctx.t("digest_unchanged")
    return ctx.t("digest_change", delta=_signed(delta))


def _gates(ctx: _Speaker, gates: Sequence[tuple[str, str, bool | None]]) -> str:
    met = sum(state is True for _, _, state in gates)
    text = ctx.t("digest_gates", met=met, total=len(gates))
    failed = [f"{code} {name}" for code, name, state in gates if state is False]
    if failed:
        text += ctx.t("digest_gates_failed", failed=_cut(ctx, failed, units=False))
    unassessed = sum(state is None for _, _, state in gates)
    if unassessed:
        text += ctx.t("digest_gates_open", count=unassessed)
    return text


def _cut(ctx: _Speaker, names: Sequence[str], *, units: bool = True) -> str:
    """'A、B、C、D 等 9 个单位' (or '等 9 项'): a long list named in part, with its full count."""
    sep = ctx.t("digest_list_sep")
    if len(names) <= MAX_UNITS:
        return sep.join(names)
    shown = sep.join(names[:MAX_UNITS])
    if units:
        return ctx.t("digest_units_cut", units=shown, count=len(names))
    return ctx.t("digest_items_cut", items=shown, count=len(names))


def _by_deadline(tasks: Iterable[TaskLine]) -> list[TaskLine]:
    """Earliest deadline first (the most overdue, the most pressing); undated last; otherwise as given."""
    return sorted(tasks, key=lambda t: t.deadline or date.max)


def _task(ctx: _Speaker, task: TaskLine) -> str:
    if task.deadline is None:
        return f"{task.code} {task.title}"
    return ctx.t("digest_task_due", code=task.code, title=task.title, date=task.deadline.isoformat())


def _completed(ctx: _Speaker, task: TaskLine) -> str:
    if not task.units:
        return _task(ctx, task)
    return ctx.t("digest_completed_units", task=_task(ctx, task), units=_cut(ctx, task.units))


def _overdue(ctx: _Speaker, task: TaskLine) -> str:
    if not task.units:
        return _task(ctx, task)
    return ctx.t("digest_overdue_units", task=_task(ctx, task), units=_cut(ctx, task.units))


def _upcoming(ctx: _Speaker, task: TaskLine) -> str:
    if not task.units:
        return _task(ctx, task)
    return ctx.t("digest_upcoming_units", task=_task(ctx, task), units=_cut(ctx, task.units))


def _blocked(ctx: _Speaker, line: BlockedLine) -> str:
    return ctx.t("digest_blocked_line", code=line.code, title=line.title, unit=line.unit, note=line.note or "-")


def _bonus_mark(ctx: _Speaker, indicator: IndicatorLine) -> str:
    return ctx.t("digest_bonus_mark") if indicator.bonus else ""


def _indicator(ctx: _Speaker, indicator: IndicatorLine) -> str:
    """'3 名称：4.8 / 6（本周 +0.6）' — the change only when the shown points changed."""
    text = ctx.t(
        "digest_indicator_points",
        code=indicator.code,
        name=indicator.name,
        mark=_bonus_mark(ctx, indicator),
        points=display_points(indicator.points),
        max=display_points(indicator.max),
    )
    if _has_moved(indicator):
        delta = _shown(indicator.points) - _shown(indicator.previous or Decimal(0))
        if delta != 0:
            text += ctx.t("digest_indicator_change", delta=_signed(delta))
    return text


def _group(missing: Sequence[MissingFigure]) -> dict[str, dict[str, list[str]]]:
    """unit -> indicator code -> periods owed, in the order first met."""
    grouped: dict[str, dict[str, list[str]]] = {}
    for figure in missing:
        periods = grouped.setdefault(figure.unit, {}).setdefault(figure.code, [])
        if figure.period is not None and figure.period not in periods:
            periods.append(figure.period)
    return grouped


def _figure(ctx: _Speaker, label: str, periods: list[str]) -> str:
    """'3（2024-04、2024-05）', or '5（2024-01…2024-06 共 6 期）' when there are many."""
    if not periods:
        return label
    ordered = sorted(periods)
    if len(ordered) <= MAX_PERIODS:
        shown = ctx.t("digest_list_sep").join(ordered)
    else:
        shown = ctx.t("digest_periods_folded", first=ordered[0], last=ordered[-1], count=len(ordered))
    return ctx.t("digest_figure_periods", code=label, periods=shown)


def _evidence_section(ctx: _Speaker, data: DigestData) -> list[list[str]]:
    """Evidence completeness and, unit by unit, what is owed (late first); nothing for plans without."""
    if data.evidence is None:
        return []
    accepted, pending, rejected, missing = data.evidence
    total = accepted + pending + rejected + missing
    head = ctx.t("digest_evidence", total=total, accepted=accepted, pending=pending, rejected=rejected, missing=missing)
    by_unit: dict[str, list[OwedEvidence]] = {}
    for owed in data.evidence_owed:
        by_unit.setdefault(owed.unit, []).append(owed)
    units = sorted(by_unit, key=lambda u: (min(e.due for e in by_unit[u]), -len(by_unit[u])))
    lines = [ctx.t("digest_evidence_unit", unit=u, items=_evidence_lines(ctx, data, by_unit[u])[0]) for u in units]
    return [[head], *([_section(ctx, ctx.t("digest_evidence_header"), lines)] if lines else [])]


def _evidence_lines(ctx: _Speaker, data: DigestData, owed: Sequence[OwedEvidence]) -> list[str]:
    """'G1、G4（截止 2021-06-01，已逾期 3 天）' grouped by due date, in one line."""
    by_due: dict[date, list[str]] = {}
    for item in owed:
        by_due.setdefault(item.due, []).append(item.code)
    parts = []
    for due in sorted(by_due):
        late = (data.week_end - due).days
        when = (
            ctx.t("digest_evidence_late", due=due.isoformat(), days=late)
            if late > 0
            else ctx.t("digest_evidence_due", due=due.isoformat())
        )
        parts.append(f"{ctx.t('digest_list_sep').join(by_due[due])}{when}")
    return [ctx.t("digest_list_sep").join(parts)]


def _missing_by_unit(ctx: _Speaker, missing: Sequence[MissingFigure]) -> list[str]:
    """One line per unit, the unit owing the most figures first: '区民政局：3（2024-04）、7'."""
    grouped = _group(missing)

    def owed(unit: str) -> int:
        return sum(max(1, len(periods)) for periods in grouped[unit].values())

    sep = ctx.t("digest_list_sep")
    return [
        ctx.t("digest_missing_line", unit=unit, figures=sep.join(_figure(ctx, c, p) for c, p in grouped[unit].items()))
        for unit in sorted(grouped, key=owed, reverse=True)
    ]
