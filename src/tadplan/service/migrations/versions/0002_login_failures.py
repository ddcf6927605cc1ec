"""login failures of emails without an account (slowed as a real account's are)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 01:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("email_sha256", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email_sha256"),
    )


def downgrade() -> None:
    op.drop_table("login_failures")
