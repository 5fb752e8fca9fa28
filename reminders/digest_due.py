"""Weekly digests through the outbox: a `digest_due` row per plan and week becomes the week's digest.

The sync plans the rows (`reminders.outbox`), so a digest follows policy and calendar changes at once
and survives downtime like any reminder. When a row falls due the engine calls `compose_due`: the
newest week's digest of each plan is composed, stored with its chart and queued for everyone (the
sender then delivers it in the same pass); older weeks' rows, missed while Duban was down, are marked
folded into it. The sender never delivers a `digest_due` row itself.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import defaultdict
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.database import Database
from models.plans import get_plan
from models.tables import ReminderRow
from models.upsert import insert_missing
from reminders.chart import render_chart
from reminders.policy import DIGEST_DUE, digest_week
from reminders.weekly import collect_digest, enqueue_digest


async def due_weeks(db: Database, now: dt.datetime) -> dict[str, list[int]]:
    """Per plan, the ids of its pending `digest_due` rows that fell due, newest first (a holiday may
    push one week's digest onto the next week's day: the later week counts as the newer)."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(ReminderRow.id, ReminderRow.plan_id)
                .where(ReminderRow.kind == DIGEST_DUE, ReminderRow.status == "pending", col(ReminderRow.due_at) <= now)
                .order_by(col(ReminderRow.plan_id), col(ReminderRow.due_at).desc(), col(ReminderRow.key).desc())
            )
        ).all()
    by_plan: dict[str, list[int]] = defaultdict(list)
    for row_id, plan_id in rows:
        by_plan[plan_id].append(row_id or 0)
    return dict(by_plan)


async def compose_due(db: Database, plan_id: str, ids: list[int], now: dt.datetime) -> bool:
    """Compose the digest of `ids[0]` (the newest due week) and fold the older weeks into it; False
    when nothing was composed (the plan is archived, or another pass composed the week already).

    The data is read in one short transaction, the chart drawn in a worker thread outside any
    transaction (half a second of matplotlib would freeze the bot), and the digest stored in a second
    transaction that first claims the week's row: a row no longer pending is never composed again.
    """
    async with db.session() as session:
        found = await get_plan(session, plan_id)
        if found is None or found[0].archived_at is not None:
            await _settle(session, ids, status="cancelled", last_error="plan archived")
            return False
        plan = found[1]
        data = await collect_digest(session, plan, now)
    chart = await asyncio.to_thread(render_chart, data)
    async with db.session() as session:
        claim = update(ReminderRow).where(col(ReminderRow.id) == ids[0], col(ReminderRow.status) == "pending")
        if (await session.exec(claim.values(status="done"))).rowcount != 1:
            return False
        digest = await enqueue_digest(session, plan, data, chart, now)
        await session.exec(update(ReminderRow).where(col(ReminderRow.id) == ids[0]).values(digest_id=digest.id))
        await _settle(session, ids[1:], status="folded", folded_into=ids[0])
    return True


async def bring_forward(db: Database, plan_id: str, now: dt.datetime) -> bool:
    """Make this week's digest of a plan due now (moving its row, or writing it); False when the
    week's digest was composed already, or the plan is archived or unknown."""
    async with db.session() as session:
        found = await get_plan(session, plan_id)
        if found is None or found[0].archived_at is not None:
            return False
        week = digest_week(now.astimezone(ZoneInfo(found[1].timezone)).date())
        key = f"{DIGEST_DUE}:{week}"
        row = (
            await session.exec(select(ReminderRow).where(ReminderRow.plan_id == plan_id, ReminderRow.key == key))
        ).first()
        if row is None:
            await insert_missing(session, ReminderRow, [_week_row(plan_id, key, week, now)], ("plan_id", "key"))
            return True
        if row.status not in ("pending", "cancelled"):
            return False
        row.status, row.due_at = "pending", now
        session.add(row)
    return True


def _week_row(plan_id: str, key: str, week: str, now: dt.datetime) -> dict[str, object]:
    return {
        "plan_id": plan_id,
        "key": key,
        "kind": DIGEST_DUE,
        "due_at": now,
        "unit_id": None,
        "subject": week,
        "detail": json.dumps({"week": week}),
        "status": "pending",
        "created_at": now,
        "attempts": 0,
        "last_error": "",
    }


async def _settle(session: AsyncSession, ids: list[int], **values: object) -> None:
    """Mark still-pending `digest_due` rows (cancelled with their plan, or folded into a newer week)."""
    if ids:
        pending = col(ReminderRow.status) == "pending"
        await session.exec(update(ReminderRow).where(col(ReminderRow.id).in_(ids), pending).values(**values))
