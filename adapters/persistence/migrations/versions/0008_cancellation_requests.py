"""Orders keep the buyer's latest cancellation request (pending until the seller answers it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

UTC = sa.DateTime(timezone=True)

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("cancel_request_status", sa.String(16), nullable=True))
        batch.add_column(sa.Column("cancel_requested_at", UTC, nullable=True))
        batch.add_column(sa.Column("cancel_request_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("cancel_request_reason", sa.String(255), nullable=True))
        batch.add_column(sa.Column("cancel_request_reason_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("cancel_request_respond_by", UTC, nullable=True))
        batch.add_column(sa.Column("cancel_request_line_item_ids", sa.Text(), nullable=True))
        batch.add_column(sa.Column("cancel_request_decision", sa.String(255), nullable=True))
        batch.create_index("ix_orders_cancel_request_status", ["cancel_request_status"])


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_index("ix_orders_cancel_request_status")
        for name in ("cancel_request_decision", "cancel_request_line_item_ids", "cancel_request_respond_by",
                     "cancel_request_reason_text", "cancel_request_reason", "cancel_request_id",
                     "cancel_requested_at", "cancel_request_status"):
            batch.drop_column(name)
