"""After downtime: reminders too old to send one by one become one catch-up message per recipient.

Recent ones (due the same local day, or within the grace period) stay pending and are sent as
usual. Digests are never folded: a missed digest is composed and sent once, the newest only (see
the engine). Rows another live instance holds (its lease still running) are left alone: that
instance is sending them, and folding them would send them twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import ReminderRow
from reminders.claims import free_for
from reminders.policy import DIGEST_DUE
from reminders.recipients import PlanViews

NEVER_FOLDED = ("digest", DIGEST_DUE)


async def fold_missed(
    session: AsyncSession, views: PlanViews, now: dt.datetime, grace: dt.timedelta, instance: str
) -> int:
    """Fold what is too old to send and free for `instance` (see `reminders.claims.free_for`);
    returns how many reminders were folded."""
    rows = (
        await session.exec(
            select(ReminderRow)
            .where(
                ReminderRow.status == "pending",
                col(ReminderRow.due_at) < now,
                col(ReminderRow.kind).not_in(NEVER_FOLDED),
                free_for(instance, now),
            )
            .order_by(col(ReminderRow.due_at), col(ReminderRow.id))
            .with_for_update(skip_locked=True)  # PostgreSQL: a row being claimed right now is not ours
        )
    ).all()
    groups: dict[tuple[str, int | None], list[ReminderRow]] = defaultdict(list)
    for row in rows:
        zone = (await views.get(session, row.plan_id)).zone
        same_day = row.due_at.astimezone(zone).date() == now.astimezone(zone).date()
        if not same_day and now - row.due_at > grace:
            groups[(row.plan_id, row.unit_id)].append(row)
    folded = 0
    for (plan_id, unit_id), old in groups.items():
        folded += await _fold(session, views, plan_id, unit_id, old, now)
    return folded


async def _fold(
    session: AsyncSession, views: PlanViews, plan_id: str, unit_id: int | None, old: list[ReminderRow], now: dt.datetime
) -> int:
    zone = (await views.get(session, plan_id)).zone
    items = [{"day": r.due_at.astimezone(zone).date().isoformat(), "kind": r.kind, "subject": r.subject} for r in old]
    catch_up = ReminderRow(
        plan_id=plan_id,
        key=f"catch_up:{unit_id}:{now.isoformat()}",
        kind="catch_up",
        due_at=now,
        unit_id=unit_id,
        subject="catch_up",
        detail=json.dumps({"items": items}, ensure_ascii=False),
        created_at=now,
    )
    session.add(catch_up)
    await session.flush()
    for row in old:
        row.status, row.folded_into = "folded", catch_up.id
        session.add(row)
    return len(old)
