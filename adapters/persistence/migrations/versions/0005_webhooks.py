"""Webhooks: the deliveries received (deduplicated by TikTok's notification id), the order refreshes
they ask for, and the warning that a store's TikTok authorization ends soon.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("stores") as batch:
        batch.add_column(sa.Column("authorization_ends_at", UTC, nullable=True))
        batch.add_column(sa.Column("authorization_warning", sa.Text(), nullable=True))
    op.create_table(
        "webhook_notifications",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("store_id", sa.String(64), nullable=False),
        sa.Column("type", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTC, nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_notifications"),
    )
    op.create_index("ix_webhook_notifications_received_at", "webhook_notifications", ["received_at"])
    op.create_table(
        "order_refresh_requests",
        sa.Column("store_id", sa.String(64), nullable=False),
        sa.Column("tiktok_order_id", sa.String(64), nullable=False),
        sa.Column("requested_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("store_id", "tiktok_order_id", name="pk_order_refresh_requests"),
    )


def downgrade() -> None:
    op.drop_table("order_refresh_requests")
    op.drop_index("ix_webhook_notifications_received_at", "webhook_notifications")
    op.drop_table("webhook_notifications")
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("authorization_warning")
        batch.drop_column("authorization_ends_at")
