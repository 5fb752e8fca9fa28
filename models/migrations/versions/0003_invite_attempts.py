"""Failed invite codes, counted per person and per chat so that codes cannot be guessed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

`invite_attempt` holds each failed `/bind` (unknown, used or expired code) and each attempt refused
while locked out, with who sent it and from which chat (`models.invite_limits`). A new, empty table:
existing data is untouched.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the table and its three indexes."""
    op.create_table(
        "invite_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("transport", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
    )
    op.create_index("ix_invite_attempt_at", "invite_attempt", ["at"])
    op.create_index("ix_invite_attempt_user", "invite_attempt", ["transport", "user_id", "at"])
    op.create_index("ix_invite_attempt_chat", "invite_attempt", ["transport", "chat_id", "at"])


def downgrade() -> None:
    """Drop it again (the counts of the last quarter of an hour are lost, nothing else)."""
    op.drop_table("invite_attempt")
