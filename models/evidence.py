"""Evidence (佐证材料) submissions: handed in, filed under a code, reviewed, withdrawn.

Nothing here deletes: a new upload is a new row, a decision or a withdrawal changes the row's status
and adds an `EvidenceEvent` and an audit entry, so who did what stays readable. The file itself is in
the `EvidenceStore`, once per content.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.plan_schema import Plan
from models.file_types import FileType
from models.reports import indicator_rows, responsibilities
from models.tables import AuditEntry, Evidence, EvidenceEvent, EvidenceFile, Member

HANDED_IN = ("pending", "accepted")
"""States in which a unit counts as having handed in (the office may still reject a pending file)."""
LIVE = ("pending", "accepted", "rejected")
"""States shown in the completeness table (withdrawn and unfiled files are history only)."""


@dataclass(frozen=True)
class Origin:
    """Who sent a file, from where: the member, and the chat message it came in."""

    member_id: int | None
    actor: str
    transport: str = ""
    chat_id: str = ""
    message_id: str = ""


async def keep_file(session: AsyncSession, *, sha256: str, size: int, kind: FileType, now: dt.datetime) -> None:
    """Record a stored file's content once (a second upload of the same bytes finds it)."""
    if await session.get(EvidenceFile, sha256) is None:
        session.add(EvidenceFile(sha256=sha256, size=size, mime=kind.mime, ext=kind.ext, stored_at=now))
        await session.flush()


async def same_file(
    session: AsyncSession, *, plan_id: str, indicator_id: int, unit_id: int, sha256: str
) -> Evidence | None:
    """An earlier live submission of the same content for the same code and unit (a duplicate)."""
    statement = select(Evidence).where(
        Evidence.plan_id == plan_id,
        Evidence.indicator_id == indicator_id,
        Evidence.unit_id == unit_id,
        Evidence.sha256 == sha256,
        col(Evidence.status).in_(HANDED_IN),
    )
    return (await session.exec(statement)).first()


async def submit(
    session: AsyncSession,
    *,
    plan_id: str,
    indicator_id: int | None,
    unit_id: int | None,
    sha256: str,
    name: str,
    note: str,
    origin: Origin,
    now: dt.datetime,
) -> Evidence:
    """A new submission: pending review when it names a code, else unfiled until the sender says."""
    row = Evidence(
        plan_id=plan_id,
        indicator_id=indicator_id,
        unit_id=unit_id,
        sha256=sha256,
        name=name,
        note=note,
        status="pending" if indicator_id is not None else "unfiled",
        member_id=origin.member_id,
        at=now,
        transport=origin.transport,
        chat_id=origin.chat_id,
        message_id=origin.message_id,
    )
    session.add(row)
    await session.flush()
    await _event(session, row, "submitted" if indicator_id is not None else "received", note, origin, now)
    return row


async def file_under(
    session: AsyncSession,
    row: Evidence,
    *,
    indicator_id: int,
    unit_id: int,
    note: str,
    origin: Origin,
    now: dt.datetime,
) -> None:
    """Say which code (and unit) an unfiled file is for: it then waits for review."""
    row.indicator_id, row.unit_id, row.status = indicator_id, unit_id, "pending"
    if note:
        row.note = note
    session.add(row)
    await _event(session, row, "submitted", note, origin, now)


async def decide(
    session: AsyncSession, row: Evidence, *, accept: bool, note: str, origin: Origin, now: dt.datetime
) -> None:
    """The office accepts or rejects a submission (a rejected one is owed again)."""
    row.status = "accepted" if accept else "rejected"
    row.decided_by, row.decided_at, row.decision_note = origin.member_id, now, note
    session.add(row)
    await _event(session, row, row.status, note, origin, now)


async def withdraw(session: AsyncSession, row: Evidence, *, note: str, origin: Origin, now: dt.datetime) -> None:
    """Take a submission back: it stays in the history, no longer counts."""
    row.status = "withdrawn"
    session.add(row)
    await _event(session, row, "withdrawn", note, origin, now)


async def _event(
    session: AsyncSession, row: Evidence, action: str, note: str, origin: Origin, now: dt.datetime
) -> None:
    session.add(EvidenceEvent(evidence_id=row.id or 0, action=action, note=note, member_id=origin.member_id, at=now))
    detail: dict[str, Any] = {
        "evidence": row.id,
        "indicator_id": row.indicator_id,
        "unit_id": row.unit_id,
        "sha256": row.sha256,
        "name": row.name,
        "note": note,
    }
    session.add(
        AuditEntry(
            plan_id=row.plan_id,
            at=now,
            member_id=origin.member_id,
            actor=origin.actor,
            action=f"evidence_{action}",
            detail=json.dumps(detail, ensure_ascii=False),
        )
    )
    await session.flush()


async def get_submission(session: AsyncSession, plan_id: str, evidence_id: int) -> tuple[Evidence, EvidenceFile] | None:
    """A submission of this plan with its file record."""
    row = await session.get(Evidence, evidence_id)
    if row is None or row.plan_id != plan_id:
        return None
    stored = await session.get(EvidenceFile, row.sha256)
    return (row, stored) if stored is not None else None


async def unfiled_by(session: AsyncSession, plan_id: str, member_id: int, prefix: str) -> Evidence | None:
    """The sender's own unfiled file whose hash starts with `prefix` (the buttons carry it)."""
    statement = (
        select(Evidence)
        .where(
            Evidence.plan_id == plan_id,
            Evidence.member_id == member_id,
            Evidence.status == "unfiled",
            col(Evidence.sha256).startswith(prefix),
        )
        .order_by(col(Evidence.id).desc())
    )
    return (await session.exec(statement)).first()


async def events(session: AsyncSession, evidence_id: int) -> list[EvidenceEvent]:
    """A submission's history, oldest first."""
    statement = select(EvidenceEvent).where(EvidenceEvent.evidence_id == evidence_id).order_by(col(EvidenceEvent.id))
    return list((await session.exec(statement)).all())


@dataclass(frozen=True)
class Requirement:
    """A code that asks for evidence: the plan's own words for it, and its due date."""

    code: str
    kind: str
    name: str
    text: str
    due: dt.date | None


def requirements(plan: Plan) -> list[Requirement]:
    """Every gate and indicator with an evidence requirement, in the plan's order (gates first)."""
    out = [
        Requirement(g.code, "gate", g.name, g.evidence, g.evidence_due or plan.evidence_due)
        for g in plan.gates
        if g.evidence
    ]
    out += [
        Requirement(i.code, "scored", i.name, i.evidence, i.evidence_due or plan.evidence_due)
        for i in plan.indicators
        if i.evidence
    ]
    return out


@dataclass(frozen=True)
class Submission:
    """One file a unit handed in for a code, as the tables and exports show it."""

    id: int
    name: str
    sha256: str
    ext: str
    size: int
    mime: str
    status: str
    at: dt.datetime
    by: str
    note: str
    decision_note: str


@dataclass(frozen=True)
class EvidenceCell:
    """One code × one responsible unit: what the unit handed in and where that stands."""

    code: str
    kind: str
    name: str
    requirement: str
    due: dt.date | None
    unit_id: int
    unit: str
    state: str
    """'accepted' (a file was accepted), 'pending' (waiting for review), 'rejected' (owed again), 'missing'."""
    submissions: tuple[Submission, ...]
    """Newest first; withdrawn and unfiled ones left out."""
    reason: str
    """The latest rejection's reason, when the state is 'rejected'."""

    @property
    def owed(self) -> bool:
        """Whether the unit still owes this evidence."""
        return self.state in ("missing", "rejected")


def cell_state(submissions: tuple[Submission, ...]) -> tuple[str, str]:
    """The state of a code for a unit from its live submissions (newest first), and the reason."""
    statuses = {s.status for s in submissions}
    for state in ("accepted", "pending"):
        if state in statuses:
            return state, ""
    if submissions:
        return "rejected", submissions[0].decision_note
    return "missing", ""


async def completeness(session: AsyncSession, plan: Plan, *, unit_id: int | None = None) -> list[EvidenceCell]:
    """Every code with an evidence requirement × each of its responsible units, in plan order
    (only `unit_id`'s cells when given)."""
    places = await responsibilities(session, plan.id)
    rows = await indicator_rows(session, plan.id)
    found = await _live_submissions(session, plan.id)
    cells = []
    for need in requirements(plan):
        indicator_id = rows[need.code].id or 0
        for place_unit, unit in places.get(need.code, []):
            if unit_id is not None and place_unit != unit_id:
                continue
            subs = tuple(found.get((indicator_id, place_unit), []))
            state, reason = cell_state(subs)
            cells.append(
                EvidenceCell(
                    need.code, need.kind, need.name, need.text, need.due, place_unit, unit, state, subs, reason
                )
            )
    return cells


async def _live_submissions(session: AsyncSession, plan_id: str) -> dict[tuple[int, int], list[Submission]]:
    statement = (
        select(Evidence, EvidenceFile, Member.display_name)
        .join(EvidenceFile, col(EvidenceFile.sha256) == col(Evidence.sha256))
        .join(Member, col(Member.id) == col(Evidence.member_id), isouter=True)
        .where(Evidence.plan_id == plan_id, col(Evidence.status).in_(LIVE))
        .order_by(col(Evidence.id).desc())
    )
    out: dict[tuple[int, int], list[Submission]] = defaultdict(list)
    for row, stored, by in (await session.exec(statement)).all():
        out[(row.indicator_id or 0, row.unit_id or 0)].append(
            Submission(
                id=row.id or 0,
                name=row.name,
                sha256=row.sha256,
                ext=stored.ext,
                size=stored.size,
                mime=stored.mime,
                status=row.status,
                at=row.at.replace(tzinfo=dt.UTC) if row.at.tzinfo is None else row.at,
                by=by or "",
                note=row.note,
                decision_note=row.decision_note,
            )
        )
    return out


async def waiting_review(session: AsyncSession, plan_id: str) -> list[Evidence]:
    """Submissions waiting for the office, oldest first."""
    statement = (
        select(Evidence).where(Evidence.plan_id == plan_id, Evidence.status == "pending").order_by(col(Evidence.id))
    )
    return list((await session.exec(statement)).all())
