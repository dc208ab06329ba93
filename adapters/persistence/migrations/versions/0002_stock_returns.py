"""A unit of an FBT order cancelled after it left stock comes back: one movement per line and reason.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stock_movements") as batch:
        batch.drop_constraint("uq_stock_movements_line_id", type_="unique")
        batch.create_unique_constraint("uq_stock_movements_line_id_reason", ["line_id", "reason"])


def downgrade() -> None:
    with op.batch_alter_table("stock_movements") as batch:
        batch.drop_constraint("uq_stock_movements_line_id_reason", type_="unique")
        batch.create_unique_constraint("uq_stock_movements_line_id", ["line_id"])
