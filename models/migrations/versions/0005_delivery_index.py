"""Drop `ix_delivery_reminder_id`: the unique (reminder_id, member_id) index already serves it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24

Every delivery the sender records is written to each of the table's indexes; lookups by reminder
(the sender's "what was delivered before", the digest and status counts) use the leading column of
the unique constraint's index just as well. No data changes.
"""

from __future__ import annotations

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Drop the index (a database adopted before migrations may lack it: then nothing to do)."""
    op.execute("DROP INDEX IF EXISTS ix_delivery_reminder_id")


def downgrade() -> None:
    """Create it again."""
    op.create_index("ix_delivery_reminder_id", "delivery", ["reminder_id"])
