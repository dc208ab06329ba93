"""Order lines keep TikTok's product name, so a gift line without a seller SKU reads as a product.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("product_name", sa.String(255), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("product_name")
