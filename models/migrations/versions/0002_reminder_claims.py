"""Claims on outbox rows: several instances on one database, each due row sent by one of them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

`reminder.claimed_by` names the instance working on a row, `reminder.claimed_until` its lease
(`reminders.claims`). Both nullable: existing rows are unclaimed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add the two columns (batch mode: SQLite rebuilds the table)."""
    with op.batch_alter_table("reminder") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("reminder") as batch:
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
