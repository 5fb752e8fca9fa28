"""Proposed figures: sent by a unit that does not own the figure, counted once an owner accepts.

A proposal is a Report row with status 'proposed'. Accepting it writes a new counted row with the
proposal's figure (credited to the unit that proposed it) and marks the proposal 'accepted';
rejecting marks it 'rejected' with the reason. Nothing is deleted, and every step is audited.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import AuditEntry, IndicatorRow, Member, Report, UnitRow

PROPOSED = "proposed"


@dataclass(frozen=True)
class ProposalView:
    """A proposal with who sent it, for listings and decisions."""

    report: Report
    code: str
    indicator_name: str
    unit: str | None
    who: Member | None


async def _views(session: AsyncSession, *where: Any) -> list[ProposalView]:
    """Proposals matching `where`, oldest first, with their indicator and sender."""
    statement = (
        select(Report, IndicatorRow, UnitRow, Member)
        .join(IndicatorRow, col(IndicatorRow.id) == col(Report.indicator_id))
        .outerjoin(UnitRow, col(UnitRow.id) == col(Report.unit_id))
        .outerjoin(Member, col(Member.id) == col(Report.member_id))
        .where(*where)
        .order_by(col(Report.id))
    )
    return [
        ProposalView(r, row.code, row.name, u.name if u else None, m)
        for r, row, u, m in (await session.exec(statement)).all()
    ]


async def proposal(session: AsyncSession, plan_id: str, report_id: int) -> ProposalView | None:
    """One report of the plan that is (or was) a proposal, with its indicator and sender."""
    found = await _views(session, Report.id == report_id, Report.plan_id == plan_id, col(Report.status).is_not(None))
    return found[0] if found else None


async def pending_proposals(session: AsyncSession, plan_id: str) -> list[ProposalView]:
    """Every proposal of the plan still waiting for an owner, oldest first."""
    return await _views(session, Report.plan_id == plan_id, Report.status == PROPOSED)


async def decide(
    session: AsyncSession,
    *,
    report: Report,
    accept: bool,
    member: Member,
    note: str,
    now: dt.datetime,
    actor: str,
) -> None:
    """Mark a pending proposal accepted or rejected (the accepted figure is written by the caller)."""
    assert report.status == PROPOSED
    report.status = "accepted" if accept else "rejected"
    report.decided_by, report.decided_at, report.decision_note = member.id, now, note
    session.add(report)
    session.add(
        AuditEntry(
            plan_id=report.plan_id,
            at=now,
            member_id=member.id,
            actor=actor,
            action="report.accept" if accept else "report.reject",
            detail=json.dumps({"report": report.id, "note": note}, ensure_ascii=False),
        )
    )
