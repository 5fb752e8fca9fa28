"""What a command gets besides the request: the database session, the clock, the plan, the speaker.

Built by the router for one message; one database unit of work per message, rolled back when the
command refuses, so a refused request changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from config.i18n import translate
from config.plan_schema import Plan
from handlers.types import Request, UserError
from models.database import Database
from models.evidence_store import EvidenceStore
from models.tables import Member, PlanRow, UnitRow

Clock = Callable[[], dt.datetime]
log = logging.getLogger(__name__)


class ChangeSignal:
    """Tells whoever listens that a request committed a change (a policy, the calendar, a plan, a
    report, a notice queued): the reminder engine re-plans and sends at once instead of at its next
    idle wake-up. Listeners are plain callables; they must not block."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every committed change from now on."""
        self._listeners.append(listener)

    def notify(self) -> None:
        """A change was committed. A listener that fails is logged; the request has succeeded anyway."""
        for listener in self._listeners:
            try:
                listener()
            except Exception:
                log.exception("a change listener failed")


@dataclass
class WebAddress:
    """Where the live page is served, as people's browsers reach it ('' while no server runs it):
    `duban run` fills it in once its HTTP server listens."""

    base: str = ""
    telegram_button: bool = False
    """Whether Telegram may show the page as a Mini App button (it takes https addresses only)."""


@dataclass(frozen=True)
class Services:
    """Dependencies shared by every command: passed in, never global."""

    db: Database
    clock: Clock
    changes: ChangeSignal = field(default_factory=ChangeSignal, compare=False)
    """Notified by the router after a request committed a change."""
    evidence: EvidenceStore = field(default_factory=lambda: EvidenceStore(Path("data/evidence")), compare=False)
    """Where evidence files are kept (the settings' DUBAN_EVIDENCE_DIR in `duban run`)."""
    web: WebAddress = field(default_factory=WebAddress, compare=False)
    """The live page's address, once served."""


@dataclass
class Ctx:
    """One message's world."""

    services: Services
    session: AsyncSession
    request: Request
    now: dt.datetime
    lang: str
    plan_row: PlanRow | None = None
    plan: Plan | None = None
    member: Member | None = None
    unit: UnitRow | None = None

    def t(self, key: str, **params: Any) -> str:
        """A message in the speaker's language."""
        return translate(self.lang, key, **params)

    @property
    def zone(self) -> ZoneInfo:
        """The plan's time zone (Asia/Shanghai by default)."""
        return ZoneInfo(self.plan.timezone if self.plan else "Asia/Shanghai")

    @property
    def today(self) -> dt.date:
        """Today in the plan's time zone."""
        return self.local(self.now).date()

    def local(self, moment: dt.datetime) -> dt.datetime:
        """A stored UTC time in the plan's time zone, for display."""
        return moment.astimezone(self.zone)

    def need_plan(self) -> tuple[PlanRow, Plan]:
        """The plan this message is about, or a polite refusal."""
        if self.plan_row is None or self.plan is None:
            raise UserError("no_plan")
        return self.plan_row, self.plan

    def need_active_plan(self) -> tuple[PlanRow, Plan]:
        """The plan, which must not be archived: an archived plan is read-only."""
        row, plan = self.need_plan()
        if row.archived_at is not None:
            raise UserError("plan_archived", plan=plan.id)
        return row, plan

    def need_member(self) -> Member:
        """The speaker as a member of the plan, or a polite refusal."""
        self.need_plan()
        if self.member is None:
            raise UserError("not_member")
        return self.member

    def need_admin(self) -> Member:
        """The speaker, who must be the plan's admin."""
        member = self.need_member()
        if member.role != "admin":
            raise UserError("admin_only")
        return member

    @property
    def is_admin(self) -> bool:
        """Whether the speaker administers the plan."""
        return self.member is not None and self.member.role == "admin"

    @property
    def reads_all(self) -> bool:
        """Admins and leaders see the whole plan; liaisons see their unit's part."""
        return self.member is not None and self.member.role in ("admin", "leader")

    @property
    def actor(self) -> str:
        """The speaker as written in the audit log."""
        return f"{self.request.transport}:{self.request.user_id}"
