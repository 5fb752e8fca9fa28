"""The database tables. Every report and status change is a new row: history is never overwritten.

Decimal figures are stored as text (SQLite has no exact decimal type), datetimes as aware UTC.
Several plans live side by side; every row names its plan.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC (tests pass their own clock instead)."""
    return dt.datetime.now(dt.UTC)


class PlanRow(SQLModel, table=True):
    """A loaded plan; `spec_json` is the checked plan file, the single source of its rules."""

    __tablename__ = "plan"
    id: str = Field(primary_key=True, max_length=48)
    name: str
    timezone: str = "Asia/Shanghai"
    start: dt.date
    end: dt.date
    spec_json: str
    source: str | None = None
    loaded_at: dt.datetime
    archived_at: dt.datetime | None = None
    """Set when the office archives the plan: it then sends nothing and accepts no reports."""


class UnitRow(SQLModel, table=True):
    """A unit (department) of a plan, or a group standing for several units."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("plan_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", index=True, max_length=48)
    name: str
    kind: str = "department"
    is_group: bool = False
    aliases: str = ""
    """Alternative names, separated by '|'."""


class GroupMember(SQLModel, table=True):
    """A unit a group expands to (groups of groups are flattened when the plan is loaded)."""

    __tablename__ = "group_member"
    group_id: int = Field(foreign_key="unit.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)


class TaskRow(SQLModel, table=True):
    """A task of a plan."""

    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", index=True, max_length=48)
    code: str
    title: str
    deadline: dt.date | None = None
    ongoing: bool = False
    position: int = 0


class Assignment(SQLModel, table=True):
    """One unit's share of a task, with its current status (the history is in ProgressEvent)."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("task_id", "unit_id"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    is_lead: bool = False
    status: str = "todo"
    status_at: dt.datetime | None = None
    done_at: dt.datetime | None = None


class ProgressEvent(SQLModel, table=True):
    """A status a unit recorded on an assignment: who, when, from which message, with what note."""

    __tablename__ = "progress_event"
    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    status: str
    note: str = ""
    member_id: int | None = Field(default=None, foreign_key="member.id")
    at: dt.datetime
    transport: str = ""
    chat_id: str = ""
    message_id: str = ""


class IndicatorRow(SQLModel, table=True):
    """A scored indicator or a pass/fail gate; its rule lives in the plan's spec."""

    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", index=True, max_length=48)
    code: str
    name: str
    kind: str = "scored"
    """'scored' or 'gate'."""
    max_points: str = "0"
    bonus: bool = False
    position: int = 0


class Responsibility(SQLModel, table=True):
    """A unit responsible for an indicator or gate (groups expanded), lead or not."""

    __tablename__ = "responsibility"
    indicator_id: int = Field(foreign_key="indicator.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    is_lead: bool = False


class Member(SQLModel, table=True):
    """A person bound to a plan through a chat identity: admin, leader or a unit's liaison."""

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("plan_id", "transport", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", index=True, max_length=48)
    transport: str
    user_id: str
    display_name: str = ""
    role: str
    """'admin', 'leader' or 'liaison'."""
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    chat_id: str = ""
    bound_at: dt.datetime


class Identity(SQLModel, table=True):
    """A chat user's preferences across plans: the plan they are working on and their language."""

    __tablename__ = "identity"
    transport: str = Field(primary_key=True)
    user_id: str = Field(primary_key=True)
    current_plan: str | None = None
    lang: str = "zh"


class Invite(SQLModel, table=True):
    """A single-use, expiring code that binds whoever presents it to a role (and unit)."""

    __tablename__ = "invite"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    plan_id: str = Field(foreign_key="plan.id", max_length=48)
    role: str
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None = None
    used_by: int | None = Field(default=None, foreign_key="member.id")


class Report(SQLModel, table=True):
    """A figure reported for an indicator. A correction is a new row; the latest one counts."""

    __tablename__ = "report"
    __table_args__ = (
        Index("ix_report_lookup", "plan_id", "indicator_id", "period", "item"),
        Index("ix_report_standing", "plan_id", "replaced_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", max_length=48)
    indicator_id: int = Field(foreign_key="indicator.id")
    period: str | None = None
    item: str | None = None
    value: str
    """The normalised Decimal, as text."""
    raw: str
    """What the person typed."""
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    member_id: int | None = Field(default=None, foreign_key="member.id")
    at: dt.datetime
    transport: str = ""
    chat_id: str = ""
    message_id: str = ""
    note: str = ""
    status: str | None = None
    """None: the figure counts. 'proposed': sent by a unit that does not own the figure, waiting for
    an owner; 'accepted' / 'rejected' once decided (an accepted proposal is copied into a new row
    that counts, so the latest counted row is always the current figure)."""
    decided_by: int | None = Field(default=None, foreign_key="member.id")
    decided_at: dt.datetime | None = None
    decision_note: str | None = None
    source_report: int | None = None
    """For a row written by accepting a proposal: the proposal's id."""
    replaced_at: dt.datetime | None = None
    """For a figure that counts: when a newer figure for the same place replaced it (None while it
    is the current figure). Kept with each report so that the current figures, and the figures as
    they stood at any moment, are read without grouping a plan's whole history (`models.reports`)."""


class AuditEntry(SQLModel, table=True):
    """Who did what, when: plan loads, binds, invites, reports, progress, refusals that matter."""

    __tablename__ = "audit"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: str | None = Field(default=None, index=True, max_length=48)
    at: dt.datetime
    member_id: int | None = None
    actor: str = ""
    action: str
    detail: str = ""


class ReminderRow(SQLModel, table=True):
    """A reminder in the outbox: due time, recipient, subject, and what became of it.

    The database is the source of truth: the scheduler only wakes the sender at the earliest
    pending due time. `key` makes each reminder unique, so recomputing never doubles one.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("plan_id", "key"),
        Index("ix_reminder_pending", "status", "due_at"),
        Index("ix_reminder_plan_due", "plan_id", "due_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", max_length=48)
    key: str
    kind: str
    due_at: dt.datetime
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    """None: to the leaders."""
    subject: str = ""
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id")
    digest_id: int | None = Field(default=None, foreign_key="digest.id")
    detail: str = "{}"
    status: str = "pending"
    """pending, sent, folded (into a catch-up, or an older week's digest_due into the newest),
    cancelled (no longer relevant), undeliverable, done (a digest_due row whose digest was composed)."""
    created_at: dt.datetime
    sent_at: dt.datetime | None = None
    folded_into: int | None = None
    attempts: int = 0
    last_error: str = ""
    claimed_by: str | None = Field(default=None, max_length=80)
    """The sender instance working on this row (several `duban run` may share one database)."""
    claimed_until: dt.datetime | None = None
    """Its lease: extended while it works; once past, another instance may take the row over."""


class Delivery(SQLModel, table=True):
    """A reminder's hand-over to one chat: written ahead as `sending`, then what came of it.

    States: `sending` (committed before the request left: after a crash it is in doubt and sent
    again), `sent` (confirmed, with the message id), `failed` (retryable; `pieces` were confirmed and
    are never sent again), `doubt` (the answer never came: retried once), `unconfirmed` (the retry
    was in doubt too: not sent a third time).
    """

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("reminder_id", "member_id"),
        Index("ix_delivery_message", "transport", "chat_id", "message_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="reminder.id")
    """Looked up through the unique (reminder_id, member_id) index: no index of its own."""
    member_id: int = Field(foreign_key="member.id")
    transport: str
    chat_id: str
    message_id: str
    at: dt.datetime
    state: str = Field(default="sent", sa_column_kwargs={"server_default": "sent"})
    pieces: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """How many pieces (picture, text parts) the chat service confirmed."""


class OutboxState(SQLModel, table=True):
    """How far ahead reminders of a plan have been written to the outbox (local date, inclusive)."""

    __tablename__ = "outbox_state"
    plan_id: str = Field(foreign_key="plan.id", primary_key=True, max_length=48)
    synced_until: dt.date
    policy_json: str = ""
    """The admin's changes to the plan's reminder policy (JSON), if any."""


class CalendarDay(SQLModel, table=True):
    """An office correction to the calendar: an extra holiday or a make-up working day."""

    __tablename__ = "calendar_day"
    plan_id: str = Field(foreign_key="plan.id", primary_key=True, max_length=48)
    day: dt.date = Field(primary_key=True)
    workday: bool
    note: str = ""
    member_id: int | None = None
    at: dt.datetime


class DigestRow(SQLModel, table=True):
    """A weekly digest as it was composed, so next week's change is measured against it exactly."""

    __tablename__ = "digest"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", index=True, max_length=48)
    at: dt.datetime
    week_start: dt.date
    week_end: dt.date
    total: str
    bonus_total: str
    points_json: str
    """Points per indicator code at that moment."""
    data_json: str
    """Everything the digest said, to render it in each reader's language."""
    chart: bytes | None = None


class ChatBlock(SQLModel, table=True):
    """A chat Duban can no longer reach (the bot was blocked, the chat deleted): not retried until
    the chat writes to Duban again."""

    __tablename__ = "chat_block"
    transport: str = Field(primary_key=True)
    chat_id: str = Field(primary_key=True)
    reason: str
    at: dt.datetime


class ButtonCode(SQLModel, table=True):
    """A button's command too long for a chat service's button data, kept under a short code.

    The code is derived from the command, so the same command always has the same code and a
    restart loses nothing; rows not issued for a while are pruned (`models.button_codes`).
    """

    __tablename__ = "button_code"
    code: str = Field(primary_key=True, max_length=32)
    command: str
    issued_at: dt.datetime = Field(index=True)


class InboundSeen(SQLModel, table=True):
    """An incoming message or event already taken in, by the service's own identity (WeCom's MsgId,
    or an event's sender, time and kind): a retry or a replay after a restart is recognised and
    ignored. Pruned after a week (`models.inbound`)."""

    __tablename__ = "inbound_seen"
    transport: str = Field(primary_key=True, max_length=16)
    key: str = Field(primary_key=True, max_length=200)
    at: dt.datetime = Field(index=True)


class EvidenceFile(SQLModel, table=True):
    """A file's content, kept once under its SHA-256 whoever sent it and however often: the name on
    disk comes from the hash and the sniffed type, never from what the sender called it."""

    __tablename__ = "evidence_file"
    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    mime: str
    ext: str = Field(max_length=8)
    stored_at: dt.datetime


class Evidence(SQLModel, table=True):
    """One submission of evidence (佐证材料): a file a unit handed in for an indicator or gate.

    `status`: 'unfiled' (received without a code: waiting for the sender to say which), 'pending'
    (waiting for the office), 'accepted', 'rejected', 'withdrawn'. Rows are never deleted; every
    change is an EvidenceEvent, so the history says who did what when.
    """

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_place", "plan_id", "indicator_id", "unit_id"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", max_length=48)
    indicator_id: int | None = Field(default=None, foreign_key="indicator.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    sha256: str = Field(foreign_key="evidence_file.sha256", max_length=64)
    name: str
    """The file name as the sender gave it: shown, never used as a path."""
    note: str = ""
    status: str = "pending"
    member_id: int | None = Field(default=None, foreign_key="member.id")
    at: dt.datetime
    transport: str = ""
    chat_id: str = ""
    message_id: str = ""
    decided_by: int | None = Field(default=None, foreign_key="member.id")
    decided_at: dt.datetime | None = None
    decision_note: str = ""


class EvidenceEvent(SQLModel, table=True):
    """A step in a submission's life: submitted, filed, accepted, rejected, withdrawn."""

    __tablename__ = "evidence_event"
    id: int | None = Field(default=None, primary_key=True)
    evidence_id: int = Field(foreign_key="evidence.id", index=True)
    action: str
    note: str = ""
    member_id: int | None = Field(default=None, foreign_key="member.id")
    at: dt.datetime


class InviteAttempt(SQLModel, table=True):
    """A failed invite code (unknown, used, expired) or an attempt refused while locked out, by who
    and where: counted to stop codes being guessed (`models.invite_limits`). Kept in the database so
    the limit holds across instances and restarts; rows older than the window are pruned. The code
    itself is never stored (a mistyped code may be one letter off a real one)."""

    __tablename__ = "invite_attempt"
    __table_args__ = (
        Index("ix_invite_attempt_user", "transport", "user_id", "at"),
        Index("ix_invite_attempt_chat", "transport", "chat_id", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    transport: str
    user_id: str
    chat_id: str
    at: dt.datetime = Field(index=True)
    outcome: str = Field(max_length=16)
    """'unknown', 'used', 'expired' (failures), or 'limited' (refused unread: not a failure)."""


class WebLink(SQLModel, table=True):
    """A one-time sign-in link to the live page, asked for with /web: valid for ten minutes, once.
    Only the token's SHA-256 is kept (the link itself is a secret, like a password)."""

    __tablename__ = "web_link"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None = None


class WebSession(SQLModel, table=True):
    """A browser signed in to the live page (by a link, Telegram or WeCom), as one member. The cookie
    holds the token; only its SHA-256 is kept. Ends when it expires or is revoked (/web logout)."""

    __tablename__ = "web_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    member_id: int = Field(foreign_key="member.id", index=True)
    via: str = Field(max_length=16)
    """How it signed in: link, telegram or wecom."""
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None
