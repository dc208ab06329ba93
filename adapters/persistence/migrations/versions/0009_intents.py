"""Intent records: each ship, cancel or split asked of TikTok is written down before the request
is sent and settled with its effect (done, refused, or cleared from TikTok's state).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = sa.DateTime(timezone=True)
DEFERRED = {"deferrable": True, "initially": "DEFERRED"}  # foreign keys are checked at commit


def upgrade() -> None:
    op.create_table(
        "intents",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("store_id", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("tiktok_order_id", sa.String(64), nullable=False),
        sa.Column("line_ids", sa.Text(), nullable=False),
        sa.Column("line_item_ids", sa.Text(), nullable=False),
        sa.Column("staying_line_item_ids", sa.Text(), nullable=False),
        sa.Column("carrier", sa.String(255), nullable=False, server_default=""),
        sa.Column("provider_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("tracking_number", sa.String(255), nullable=False, server_default=""),
        sa.Column("reason", sa.String(128), nullable=False, server_default=""),
        sa.Column("partial", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("part_order_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("result", sa.String(64), nullable=False, server_default=""),
        sa.Column("outcome", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("settled_at", UTC, nullable=True),
        sa.Column("answer_lost_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_intents_store_id_stores"), **DEFERRED),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intents")),
    )
    op.create_index("ix_intents_state_store_id", "intents", ["state", "store_id"])
    op.create_index("ix_intents_order_id", "intents", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_intents_order_id", "intents")
    op.drop_index("ix_intents_state_store_id", "intents")
    op.drop_table("intents")
