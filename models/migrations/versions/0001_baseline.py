"""The baseline: Duban's schema as the code at commit f9b9085 created it, before migrations.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

The tables are written out here, frozen, not imported from `models.tables`: that module moves on
with every later revision, this one never changes. `baseline_metadata()` is also what a database
made before migrations is checked against (and brought up to) when `duban db upgrade` adopts it
(`models.schema`). Types are those SQLModel renders: strings as VARCHAR (with a length where the
model says `max_length`), datetimes as aware DATETIME / TIMESTAMP WITH TIME ZONE, bytes as
BLOB / BYTEA.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Every baseline table and index (the database holds none of them: see `models.schema`)."""
    baseline_metadata().create_all(op.get_bind(), checkfirst=False)


def downgrade() -> None:
    """Drops every baseline table, and so every row: only for a developer's scratch database."""
    baseline_metadata().drop_all(op.get_bind(), checkfirst=False)


def baseline_metadata() -> sa.MetaData:
    """The 24 tables of the baseline, with their keys, unique constraints and indexes."""
    metadata = sa.MetaData()
    sa.Table(
        "audit",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.String(48), nullable=True, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
    )
    sa.Table(
        "button_code",
        metadata,
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("command", sa.String(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    sa.Table(
        "chat_block",
        metadata,
        sa.Column("transport", sa.String(), primary_key=True),
        sa.Column("chat_id", sa.String(), primary_key=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "evidence_file",
        metadata,
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(), nullable=False),
        sa.Column("ext", sa.String(8), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "identity",
        metadata,
        sa.Column("transport", sa.String(), primary_key=True),
        sa.Column("user_id", sa.String(), primary_key=True),
        sa.Column("current_plan", sa.String(), nullable=True),
        sa.Column("lang", sa.String(), nullable=False),
    )
    sa.Table(
        "inbound_seen",
        metadata,
        sa.Column("transport", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    sa.Table(
        "plan",
        metadata,
        sa.Column("id", sa.String(48), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("spec_json", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
    )
    sa.Table(
        "calendar_day",
        metadata,
        sa.Column("plan_id", sa.String(48), sa.ForeignKey("plan.id"), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("workday", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "digest",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.String(48), sa.ForeignKey("plan.id"), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("week_end", sa.Date(), nullable=False),
        sa.Column("total", sa.String(), nullable=False),
        sa.Column("bonus_total", sa.String(), nullable=False),
        sa.Column("points_json", sa.String(), nullable=False),
        sa.Column("data_json", sa.String(), nullable=False),
        sa.Column("chart", sa.LargeBinary(), nullable=True),
    )
    sa.Table(
        "indicator",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.String(48), sa.ForeignKey("plan.id"), nullable=False, index=True),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("max_points", sa.String(), nullable=False),
        sa.Column("bonus", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.UniqueConstraint("plan_id", "code"),
    )
    sa.Table(
        "outbox_state",
        metadata,
        sa.Column("plan_id", sa.String(48), sa.ForeignKey("plan.id"), primary_key=True),
        sa.Column("synced_until", sa.Date(), nullable=False),
        sa.Column("policy_json", sa.String(), nullable=False),
    )
    sa.Table(
        "task",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.String(48), sa.ForeignKey("plan.id"), nullable=False, index=True),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("ongoing", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.UniqueConstraint("plan_id", "code"),
    )
    sa.Table(
        "unit",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.String(48), sa.ForeignKey("plan.id"), nullable=False, index=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column("aliases", sa.String(), nullable=False),
        sa.UniqueConstraint("plan_id", "name"),
    )
    sa.Table(
        "assignment",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=False, index=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False, index=True),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("task_id", "unit_id"),
    )
    sa.Table(
        "group_member",
        metadata,
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("unit.id"), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), primary_key=True),
    )
    sa.Table(
        "member",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.String(48), sa.ForeignKey("plan.id"), nullable=False, index=True),
        sa.Column("transport", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("plan_id", "transport", "user_id"),
    )
    sa.Table(
        "responsibility",
        metadata,
        sa.Column("indicator_id", sa.Integer(), sa.ForeignKey("indicator.id"), primary_key=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), primary_key=True),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
    )
    sa.Table(
        "evidence",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.String(48), sa.ForeignKey("plan.id"), nullable=False),
        sa.Column("indicator_id", sa.Integer(), sa.ForeignKey("indicator.id"), nullable=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("evidence_file.sha256"), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transport", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("decided_by", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(), nullable=False),
        sa.Index("ix_evidence_place", "plan_id", "indicator_id", "unit_id"),
    )
    sa.Table(
        "invite",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(), nullable=False, unique=True, index=True),
        sa.Column("plan_id", sa.String(48), sa.ForeignKey("plan.id"), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
    )
    sa.Table(
        "progress_event",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("assignment_id", sa.Integer(), sa.ForeignKey("assignment.id"), nullable=False, index=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transport", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
    )
    sa.Table(
        "reminder",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.String(48), sa.ForeignKey("plan.id"), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), sa.ForeignKey("assignment.id"), nullable=True),
        sa.Column("digest_id", sa.Integer(), sa.ForeignKey("digest.id"), nullable=True),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("folded_into", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=False),
        sa.UniqueConstraint("plan_id", "key"),
        sa.Index("ix_reminder_plan_due", "plan_id", "due_at"),
        sa.Index("ix_reminder_pending", "status", "due_at"),
    )
    sa.Table(
        "report",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.String(48), sa.ForeignKey("plan.id"), nullable=False),
        sa.Column("indicator_id", sa.Integer(), sa.ForeignKey("indicator.id"), nullable=False),
        sa.Column("period", sa.String(), nullable=True),
        sa.Column("item", sa.String(), nullable=True),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("raw", sa.String(), nullable=False),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transport", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=True),
        sa.Column("decided_by", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(), nullable=True),
        sa.Column("source_report", sa.Integer(), nullable=True),
        sa.Index("ix_report_lookup", "plan_id", "indicator_id", "period", "item"),
    )
    sa.Table(
        "delivery",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reminder_id", sa.Integer(), sa.ForeignKey("reminder.id"), nullable=False, index=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("transport", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(), nullable=False, server_default="sent"),
        sa.Column("pieces", sa.Integer(), nullable=False, server_default="0"),
        sa.UniqueConstraint("reminder_id", "member_id"),
        sa.Index("ix_delivery_message", "transport", "chat_id", "message_id"),
    )
    sa.Table(
        "evidence_event",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("evidence_id", sa.Integer(), sa.ForeignKey("evidence.id"), nullable=False, index=True),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    return metadata
