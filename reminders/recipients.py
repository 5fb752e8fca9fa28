"""Who receives a reminder, and how to reach them: per plan, the bound members on running transports.

Read once per send pass (a pass of thousands of reminders asks the same few questions per plan).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from config.plan_schema import ReminderSettings, in_quiet_hours
from models.notices import ADMINS, LEADERS, NOTICE
from models.people import blocked_chats
from models.plans import get_plan
from models.tables import Identity, Member, ReminderRow, UnitRow
from reminders.state import effective_policy

TO_ADMINS = ("calendar_warning", "chat_blocked")
WECOM_PEOPLE = "wecom"
"""The transport whose chat ids are WeCom user ids."""


@dataclass(frozen=True)
class Recipient:
    """A member who should receive a reminder, and how to reach them."""

    member_id: int
    transport: str
    chat_id: str
    lang: str


@dataclass
class PlanView:
    """Per plan, for one pass: policy, zone, unit names and who receives what."""

    policy: ReminderSettings
    zone: ZoneInfo
    units: dict[int, str]
    by_unit: dict[int, list[Recipient]]
    leaders: list[Recipient]
    admins: list[Recipient]
    by_member: dict[int, Recipient] = field(default_factory=dict)
    wecom_ids: dict[int, list[str]] = field(default_factory=dict)
    """Per unit, its liaisons' WeCom user ids, whether or not the WeCom app runs: a unit's group
    robot @-mentions them."""

    def recipients(self, row: ReminderRow) -> list[Recipient]:
        """Everyone a reminder goes to (each once)."""
        if row.kind == NOTICE:
            return self._audience(json.loads(row.detail).get("audience", []))
        if row.kind in TO_ADMINS:
            return self.admins
        if row.unit_id is None:
            return self.leaders + [a for a in self.admins if a not in self.leaders]
        return self.by_unit.get(row.unit_id, [])

    def quiet(self, moment: dt.datetime) -> bool:
        """Whether it is night for this plan at `moment`: its reminders wait, other plans' do not."""
        local = moment.astimezone(self.zone).time()
        return in_quiet_hours(local, self.policy.quiet_start, self.policy.quiet_end)

    def _audience(self, audience: list[str]) -> list[Recipient]:
        """A notice's recipients: admins, leaders, a unit's liaisons, single members; each once."""
        found: list[Recipient] = []
        for entry in audience:
            kind, _, ident = entry.partition(":")
            if kind == ADMINS:
                found += self.admins
            elif kind == LEADERS:
                found += self.leaders
            elif kind == "unit" and ident.isdigit():
                found += self.by_unit.get(int(ident), [])
            elif kind == "member" and ident.isdigit() and int(ident) in self.by_member:
                found.append(self.by_member[int(ident)])
        return list(dict.fromkeys(found))


class PlanViews:
    """Plan views for one pass, read on first use; `clear()` between passes."""

    def __init__(self, transports: Collection[str]) -> None:
        self.transports = list(transports)
        self._views: dict[str, PlanView] = {}

    def clear(self) -> None:
        """Forget everything: the next pass reads bindings and policies afresh."""
        self._views.clear()

    def cached(self, plan_id: str) -> PlanView:
        """A view already read in this pass."""
        return self._views[plan_id]

    async def get(self, session: AsyncSession, plan_id: str) -> PlanView:
        """The plan's view, read once per pass."""
        if plan_id not in self._views:
            self._views[plan_id] = await self._read(session, plan_id)
        return self._views[plan_id]

    async def _read(self, session: AsyncSession, plan_id: str) -> PlanView:
        found = await get_plan(session, plan_id)
        assert found is not None
        plan = found[1]
        units = {
            u.id or 0: u.name for u in (await session.exec(select(UnitRow).where(UnitRow.plan_id == plan_id))).all()
        }
        running = select(Identity).where(col(Identity.transport).in_(self.transports))
        langs = {(i.transport, i.user_id): i.lang for i in (await session.exec(running)).all()}
        view = PlanView(
            await effective_policy(session, plan), ZoneInfo(plan.timezone), units, defaultdict(list), [], []
        )
        blocked = await blocked_chats(session)
        in_binding_order = select(Member).where(Member.plan_id == plan_id).order_by(col(Member.id))
        for m in (await session.exec(in_binding_order)).all():
            if m.transport == WECOM_PEOPLE and m.role == "liaison" and m.unit_id is not None and m.chat_id:
                view.wecom_ids.setdefault(m.unit_id, []).append(m.chat_id)
            if m.transport not in self.transports or not m.chat_id or (m.transport, m.chat_id) in blocked:
                continue
            who = Recipient(m.id or 0, m.transport, m.chat_id, langs.get((m.transport, m.user_id), "zh"))
            view.by_member[who.member_id] = who
            if m.role == "liaison" and m.unit_id is not None:
                view.by_unit[m.unit_id].append(who)
            elif m.role == "leader":
                view.leaders.append(who)
            elif m.role == "admin":
                view.admins.append(who)
        return view
