"""Reports and the score board: figures in, points out, with every earlier figure kept.

The latest report for an (indicator, period, item) is the one that counts; earlier ones stay in
the table as history, each marked with the moment it was replaced (`Report.replaced_at`), so that
the current figures, and the figures as they stood at any moment, are read from an index instead of
by grouping the plan's whole history. Scores are recomputed from those figures with the plan's own
rules.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, update
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.plan_schema import Indicator, Plan
from models.scoring import ZERO, Key, score_indicator
from models.tables import AuditEntry, IndicatorRow, Member, Report, Responsibility, UnitRow

Observations = dict[Key, Decimal]


async def indicator_rows(session: AsyncSession, plan_id: str) -> dict[str, IndicatorRow]:
    """Indicator and gate rows of a plan by code, in plan order."""
    statement = select(IndicatorRow).where(IndicatorRow.plan_id == plan_id).order_by(col(IndicatorRow.position))
    return {row.code: row for row in (await session.exec(statement)).all()}


async def is_responsible(session: AsyncSession, indicator_id: int, unit_id: int | None) -> bool:
    """Whether a unit is among those responsible for an indicator or gate."""
    statement = select(Responsibility).where(
        Responsibility.indicator_id == indicator_id, Responsibility.unit_id == unit_id
    )
    return (await session.exec(statement)).first() is not None


async def responsible_units(session: AsyncSession, indicator_ids: list[int]) -> dict[int, list[tuple[bool, str]]]:
    """(is_lead, unit name) of every unit responsible for each indicator, by indicator id."""
    statement = (
        select(Responsibility, UnitRow)
        .join(UnitRow, col(UnitRow.id) == col(Responsibility.unit_id))
        .where(col(Responsibility.indicator_id).in_(indicator_ids))
        .order_by(col(Responsibility.indicator_id), col(Responsibility.unit_id))  # plan order, on every database
    )
    units: dict[int, list[tuple[bool, str]]] = {}
    for resp, unit in (await session.exec(statement)).all():
        units.setdefault(resp.indicator_id, []).append((resp.is_lead, unit.name))
    return units


async def record_report(
    session: AsyncSession,
    *,
    indicator: IndicatorRow,
    period: str | None,
    item: str | None,
    value: Decimal,
    raw: str,
    unit_id: int | None,
    member: Member,
    now: dt.datetime,
    transport: str,
    chat_id: str,
    message_id: str,
    note: str = "",
    proposed: bool = False,
    source_report: int | None = None,
    by: tuple[Member, str] | None = None,
) -> Report:
    """Store a figure as a new report; the earlier figure for the same place stays as history.

    `proposed`: the figure is a proposal from a unit that does not own it; it counts only once an
    owner accepts it (`models.proposals`). `by`: who makes the change and on which transport, when
    it is not the figure's sender (the office accepting a proposal): the audit row names them.
    """
    report = Report(
        plan_id=indicator.plan_id,
        indicator_id=indicator.id or 0,
        period=period,
        item=item,
        value=str(value),
        raw=raw,
        unit_id=unit_id,
        member_id=member.id,
        at=now,
        transport=transport,
        chat_id=chat_id,
        message_id=message_id,
        note=note,
        status="proposed" if proposed else None,
        source_report=source_report,
    )
    session.add(report)
    await session.flush()
    if not proposed:
        await _replace(session, report)
    session.add(
        AuditEntry(
            plan_id=indicator.plan_id,
            at=now,
            member_id=(by[0] if by else member).id,
            actor=f"{by[1]}:{by[0].user_id}" if by else f"{transport}:{member.user_id}",
            action="report.propose" if proposed else "report.record",
            detail=json.dumps(
                {
                    "report": report.id,
                    "code": indicator.code,
                    "period": period,
                    "item": item,
                    "value": str(value),
                    "raw": raw,
                },
                ensure_ascii=False,
            ),
        )
    )
    return report


COUNTS = col(Report.status).is_(None)
"""Reports that count for scoring (not proposals, nor decided proposals)."""


def _same_place(plan_id: str, indicator_id: int, period: str | None, item: str | None) -> list[ColumnElement[bool]]:
    """One place's reports, through `ix_report_lookup` (whose first column is the plan)."""
    return [
        col(Report.plan_id) == plan_id,
        col(Report.indicator_id) == indicator_id,
        col(Report.period).is_(None) if period is None else col(Report.period) == period,
        col(Report.item).is_(None) if item is None else col(Report.item) == item,
    ]


async def _replace(session: AsyncSession, report: Report) -> None:
    """A new counted figure replaces every current one of its place (normally one; after two
    reports for one place at the same instant on PostgreSQL, both: readers take the newest anyway)."""
    await session.exec(
        update(Report)
        .where(
            *_same_place(report.plan_id, report.indicator_id, report.period, report.item),
            COUNTS,
            col(Report.replaced_at).is_(None),
            col(Report.id) != report.id,
        )
        .values(replaced_at=report.at)
    )


async def latest_observations(
    session: AsyncSession, plan_id: str, *, until: dt.datetime | None = None
) -> dict[int, Observations]:
    """The current counted figure per (period, item) for every indicator of a plan, by indicator id.

    `until`: as things stood at that moment (the figures written by then and not replaced by then).
    """
    now, then = await standing_observations(session, plan_id, until)
    return now if until is None else then


async def standing_observations(
    session: AsyncSession, plan_id: str, until: dt.datetime | None
) -> tuple[dict[int, Observations], dict[int, Observations]]:
    """The current figures and, when `until` is given, the figures as they stood then (else empty),
    from one read of the rows standing now or replaced since `until`: one row per place plus the
    corrections made since, found through `ix_report_standing`, however long the history."""
    standing = (
        col(Report.replaced_at).is_(None)
        if until is None
        else or_(col(Report.replaced_at).is_(None), col(Report.replaced_at) > until)
    )
    statement = select(  # type: ignore[call-overload]
        Report.id, Report.indicator_id, Report.period, Report.item, Report.value, Report.at, Report.replaced_at
    ).where(Report.plan_id == plan_id, COUNTS, standing)
    now: dict[Place, tuple[int, str]] = {}
    then: dict[Place, tuple[int, str]] = {}
    for report_id, indicator_id, period, item, value, at, replaced_at in (await session.exec(statement)).all():
        place = (indicator_id, period, item)
        if replaced_at is None:
            _keep_newest(now, place, report_id, value)
        if until is not None and at <= until:
            _keep_newest(then, place, report_id, value)
    return _by_indicator(now), _by_indicator(then)


Place = tuple[int, str | None, str | None]


def _keep_newest(found: dict[Place, tuple[int, str]], place: Place, report_id: int, value: str) -> None:
    """The newest row wins: after two reports for one place at the same instant (PostgreSQL, two
    instances), both may stand until the next report of that place."""
    if place not in found or found[place][0] < report_id:
        found[place] = (report_id, value)


def _by_indicator(found: dict[Place, tuple[int, str]]) -> dict[int, Observations]:
    out: dict[int, Observations] = defaultdict(dict)
    for (indicator_id, period, item), (_, value) in found.items():
        out[indicator_id][(period, item)] = Decimal(value)
    return out


@dataclass(frozen=True)
class HistoryEntry:
    """One report as shown in a history listing."""

    id: int
    at: dt.datetime
    period: str | None
    item: str | None
    value: Decimal
    raw: str
    who: str
    unit: str | None
    role: str
    status: str | None
    transport: str = ""


async def current_report(
    session: AsyncSession, indicator: IndicatorRow, period: str | None, item: str | None
) -> Report | None:
    """The counted report that is the current figure of one place, if any."""
    statement = (
        select(Report)
        .where(*_same_place(indicator.plan_id, indicator.id or 0, period, item), COUNTS)
        .order_by(col(Report.id).desc())
        .limit(1)
    )
    return (await session.exec(statement)).first()


async def report_history(session: AsyncSession, indicator: IndicatorRow, limit: int = 20) -> list[HistoryEntry]:
    """The most recent reports of an indicator, newest first, superseded ones and proposals included."""
    statement = (
        select(Report, Member, UnitRow)
        .outerjoin(Member, col(Member.id) == col(Report.member_id))
        .outerjoin(UnitRow, col(UnitRow.id) == col(Report.unit_id))
        .where(Report.plan_id == indicator.plan_id, Report.indicator_id == indicator.id)  # ix_report_lookup
        .order_by(col(Report.id).desc())
        .limit(limit)
    )
    return [
        HistoryEntry(
            id=r.id or 0,
            at=r.at,
            period=r.period,
            item=r.item,
            value=Decimal(r.value),
            raw=r.raw,
            who=(m.display_name or m.user_id) if m else "",
            unit=u.name if u else None,
            role=m.role if m else "",
            status=r.status,
            transport=m.transport if m else "",
        )
        for r, m, u in (await session.exec(statement)).all()
    ]


@dataclass(frozen=True)
class IndicatorScore:
    """An indicator's points against its maximum, and the figures they came from."""

    indicator: Indicator
    points: Decimal
    observations: Observations

    @property
    def reported(self) -> bool:
        """Whether any figure has been reported."""
        return bool(self.observations)


@dataclass(frozen=True)
class GateState:
    """A pass/fail gate: met, not met, or not yet assessed (None)."""

    code: str
    name: str
    met: bool | None


@dataclass(frozen=True)
class ScoreBoard:
    """Every indicator's points and the plan's totals."""

    plan: Plan
    scores: list[IndicatorScore]
    gates: list[GateState]

    @property
    def total(self) -> Decimal:
        """Points of the regular indicators."""
        return sum((s.points for s in self.scores if not s.indicator.bonus), ZERO)

    @property
    def bonus_total(self) -> Decimal:
        """Points of the bonus indicators, totalled apart."""
        return sum((s.points for s in self.scores if s.indicator.bonus), ZERO)

    def get(self, code: str) -> IndicatorScore | None:
        """One indicator's score by code."""
        return next((s for s in self.scores if s.indicator.code == code), None)

    def observations(self, code: str) -> Observations:
        """The latest figures of one indicator."""
        found = self.get(code)
        return found.observations if found else {}


def score_board(
    plan: Plan, rows: dict[str, IndicatorRow], obs: dict[int, Observations], *, like: ScoreBoard | None = None
) -> ScoreBoard:
    """Points for every indicator of `plan` from the latest figures (an indicator whose figures are
    those of `like` takes its score from there)."""
    scores = []
    known = {s.indicator.code: s for s in like.scores} if like else {}
    for indicator in plan.indicators:
        found = obs.get(rows[indicator.code].id or 0, {})
        same = known.get(indicator.code)
        if same is not None and same.observations == found:
            scores.append(same)
            continue
        scores.append(IndicatorScore(indicator, score_indicator(indicator, found), dict(found)))
    gates = []
    for gate in plan.gates:
        found = obs.get(rows[gate.code].id or 0, {})
        value = found.get((None, None))
        gates.append(GateState(gate.code, gate.name, None if value is None else value != 0))
    return ScoreBoard(plan, scores, gates)


async def load_score_board(session: AsyncSession, plan: Plan, *, until: dt.datetime | None = None) -> ScoreBoard:
    """The current score board of a stored plan (or as it stood at `until`)."""
    rows = await indicator_rows(session, plan.id)
    return score_board(plan, rows, await latest_observations(session, plan.id, until=until))


async def load_score_boards(session: AsyncSession, plan: Plan, until: dt.datetime) -> tuple[ScoreBoard, ScoreBoard]:
    """The current score board and the board as it stood at `until` (for "this week's change"),
    from one read; an indicator whose figures did not change since is scored once."""
    rows = await indicator_rows(session, plan.id)
    now, then = await standing_observations(session, plan.id, until)
    current = score_board(plan, rows, now)
    return current, score_board(plan, rows, then, like=current)


async def responsibilities(session: AsyncSession, plan_id: str) -> dict[str, list[tuple[int, str]]]:
    """(unit id, unit name) of the units responsible for each indicator or gate, by code."""
    statement = (
        select(IndicatorRow.code, UnitRow.id, UnitRow.name)
        .join(Responsibility, col(Responsibility.indicator_id) == col(IndicatorRow.id))
        .join(UnitRow, col(UnitRow.id) == col(Responsibility.unit_id))
        .where(IndicatorRow.plan_id == plan_id)
        .order_by(col(Responsibility.is_lead).desc(), col(UnitRow.id))
    )
    out: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for code, unit_id, name in (await session.exec(statement)).all():
        out[code].append((unit_id or 0, name))
    return out
