"""The current figures kept with each report: `report.replaced_at`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

A counted report is current until a newer report for the same place (indicator, period, item)
replaces it; `replaced_at` records that moment. The current figures of a plan are its counted
reports with no `replaced_at`, and the figures as they stood at a moment T are those written by T
and not replaced by T, so neither needs to group the plan's whole history. The index
`ix_report_standing (plan_id, replaced_at)` serves both. Existing rows are filled in from their
history: each counted report is replaced at the time of the next counted report of its place.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

BACKFILL = """
UPDATE report SET replaced_at = (
    SELECT later.at FROM report AS later
    WHERE later.indicator_id = report.indicator_id
      AND (later.period = report.period OR (later.period IS NULL AND report.period IS NULL))
      AND (later.item = report.item OR (later.item IS NULL AND report.item IS NULL))
      AND later.status IS NULL
      AND later.id > report.id
    ORDER BY later.id
    LIMIT 1
)
WHERE status IS NULL
"""


def upgrade() -> None:
    """Add the column (batch mode: SQLite rebuilds the table), fill it in, and index it."""
    with op.batch_alter_table("report") as batch:
        batch.add_column(sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(BACKFILL)
    op.create_index("ix_report_standing", "report", ["plan_id", "replaced_at"])


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("ix_report_standing", table_name="report")
    with op.batch_alter_table("report") as batch:
        batch.drop_column("replaced_at")
