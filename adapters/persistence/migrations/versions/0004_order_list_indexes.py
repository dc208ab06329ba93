"""The web app's order list: newest first by (created_at, id) for keyset pages, and SKU search
across stores.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_orders_created_at_id", "orders", ["created_at", "id"])
    op.create_index("ix_order_lines_seller_sku", "order_lines", ["seller_sku"])


def downgrade() -> None:
    op.drop_index("ix_order_lines_seller_sku", table_name="order_lines")
    op.drop_index("ix_orders_created_at_id", table_name="orders")
