"""Virtual bundle lines keep the listings they are made of; FBT stock moves once per line and product.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_line_components",
        sa.Column("line_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("store_id", sa.String(64), nullable=False),
        sa.Column("seller_sku", sa.String(255), nullable=False),
        sa.Column("sku_id", sa.String(64), nullable=False),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("product_sku", sa.String(255), nullable=True),
        sa.CheckConstraint("quantity >= 1", name="ck_order_line_components_component_quantity_positive"),
        sa.ForeignKeyConstraint(["line_id"], ["order_lines.id"], name="fk_order_line_components_line_id_order_lines",
                                deferrable=True, initially="DEFERRED"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_order_line_components_order_id_orders",
                                deferrable=True, initially="DEFERRED"),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="fk_order_line_components_store_id_stores",
                                deferrable=True, initially="DEFERRED"),
        sa.ForeignKeyConstraint(["product_sku"], ["products.sku"],
                                name="fk_order_line_components_product_sku_products",
                                deferrable=True, initially="DEFERRED"),
        sa.PrimaryKeyConstraint("line_id", "position", name="pk_order_line_components"),
    )
    op.create_index("ix_order_line_components_order_id", "order_line_components", ["order_id"])
    op.create_index("ix_order_line_components_store_id_seller_sku", "order_line_components", ["store_id", "seller_sku"])
    with op.batch_alter_table("stock_movements") as batch:
        batch.drop_constraint("uq_stock_movements_line_id_reason", type_="unique")
        batch.create_unique_constraint("uq_stock_movements_line_id_product_sku_reason",
                                       ["line_id", "product_sku", "reason"])


def downgrade() -> None:
    with op.batch_alter_table("stock_movements") as batch:
        batch.drop_constraint("uq_stock_movements_line_id_product_sku_reason", type_="unique")
        batch.create_unique_constraint("uq_stock_movements_line_id_reason", ["line_id", "reason"])
    op.drop_index("ix_order_line_components_store_id_seller_sku", "order_line_components")
    op.drop_index("ix_order_line_components_order_id", "order_line_components")
    op.drop_table("order_line_components")
