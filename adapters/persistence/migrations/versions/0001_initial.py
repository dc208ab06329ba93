"""The initial schema: directory, orders, inventory and sync bookkeeping.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
NAME = sa.String(255)
ENUM = sa.String(32)
UTC = sa.DateTime(timezone=True)
_ADDRESS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")
_STORE_TO_WAREHOUSE = ("default_warehouse_id", "fbt_warehouse_id")
DEFERRED = {"deferrable": True, "initially": "DEFERRED"}  # foreign keys are checked at commit


def _address() -> list[sa.Column]:
    return [sa.Column(f"address_{part}", NAME, nullable=False, server_default="") for part in _ADDRESS]


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("sku", NAME, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_products")),
    )
    op.create_table(
        "stores",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("region", sa.String(8), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("default_warehouse_id", ID, nullable=True),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("shop_id", ID, nullable=True),
        sa.Column("shop_cipher", NAME, nullable=True),
        sa.Column("shop_name", NAME, nullable=True),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("access_token_expires_at", UTC, nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("refresh_token_expires_at", UTC, nullable=True),
        sa.Column("granted_scopes", sa.Text(), nullable=True),
        sa.Column("fbt_enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("fbt_start_date", sa.Date(), nullable=True),
        sa.Column("fbt_warehouse_id", ID, nullable=True),
        sa.Column("pending_state", NAME, nullable=True),
        sa.Column("pending_since", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stores")),
        sa.UniqueConstraint("name", name=op.f("uq_stores_name")),
    )
    op.create_table(
        "warehouses",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("type", ENUM, nullable=False),
        sa.Column("store_id", ID, nullable=True),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_warehouses_store_id_stores"), **DEFERRED),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouses")),
        sa.UniqueConstraint("name", name=op.f("uq_warehouses_name")),
    )
    # Stores and warehouses refer to each other: the store side is added once both exist.
    with op.batch_alter_table("stores") as batch:
        for column in _STORE_TO_WAREHOUSE:
            batch.create_foreign_key(
                f"fk_stores_{column}_warehouses", "warehouses", [column], ["id"], **DEFERRED
            )
    op.create_table(
        "listings",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("seller_sku", NAME, nullable=False),
        sa.Column("product_sku", NAME, nullable=True),
        sa.ForeignKeyConstraint(
            ["product_sku"], ["products.sku"], name=op.f("fk_listings_product_sku_products"), **DEFERRED
        ),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_listings_store_id_stores"), **DEFERRED),
        sa.PrimaryKeyConstraint("store_id", "seller_sku", name=op.f("pk_listings")),
    )
    op.create_table(
        "order_payloads",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("tiktok_order_id", ID, nullable=False),
        sa.Column("update_time", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_order_payloads_store_id_stores"), **DEFERRED
        ),
        sa.PrimaryKeyConstraint("store_id", "tiktok_order_id", name=op.f("pk_order_payloads")),
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("tiktok_order_id", NAME, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_quarantine_store_id_stores"), **DEFERRED),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
    )
    op.create_index(op.f("ix_quarantine_store_id"), "quarantine", ["store_id"])
    op.create_table(
        "sync_checkpoints",
        sa.Column("store_id", ID, nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=True),
        sa.Column("window_end", sa.BigInteger(), nullable=True),
        sa.Column("page_token", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_sync_checkpoints_store_id_stores"), **DEFERRED
        ),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_sync_checkpoints")),
    )
    op.create_table(
        "orders",
        sa.Column("id", ID, nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("tiktok_order_id", ID, nullable=False),
        sa.Column("split_index", sa.Integer(), nullable=False),
        sa.Column("parent_order_id", ID, nullable=True),
        sa.Column("fulfilled_by", ENUM, nullable=False),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("tiktok_status", sa.String(32), nullable=False),
        sa.Column("tiktok_update_time", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        *_address(),
        sa.Column("delivery_option_id", ID, nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("warehouse_id", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_order_id"], ["orders.id"], name=op.f("fk_orders_parent_order_id_orders"), **DEFERRED
        ),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_orders_store_id_stores"), **DEFERRED),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_orders_warehouse_id_warehouses"), **DEFERRED
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint(
            "store_id", "tiktok_order_id", "split_index", name=op.f("uq_orders_store_id_tiktok_order_id_split_index")
        ),
    )
    for column in ("created_at", "fulfilled_by", "status", "tiktok_order_id"):
        op.create_index(op.f(f"ix_orders_{column}"), "orders", [column])
    op.create_table(
        "order_lines",
        sa.Column("id", ID, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("store_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tiktok_line_item_id", ID, nullable=False),
        sa.Column("seller_sku", NAME, nullable=False),
        sa.Column("sku_id", ID, nullable=False),
        sa.Column("product_sku", NAME, nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", ENUM, nullable=False),
        sa.Column("sale_price", sa.String(40), nullable=False),
        sa.Column("stock_released", sa.Boolean(), nullable=False),
        sa.CheckConstraint("quantity = 1", name=op.f("ck_order_lines_quantity_is_one")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders"), **DEFERRED),
        sa.ForeignKeyConstraint(
            ["product_sku"], ["products.sku"], name=op.f("fk_order_lines_product_sku_products"), **DEFERRED
        ),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_order_lines_store_id_stores"), **DEFERRED),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint(
            "store_id", "tiktok_line_item_id", name=op.f("uq_order_lines_store_id_tiktok_line_item_id")
        ),
    )
    op.create_index(op.f("ix_order_lines_order_id"), "order_lines", ["order_id"])
    op.create_index(op.f("ix_order_lines_store_id_seller_sku"), "order_lines", ["store_id", "seller_sku"])
    op.create_table(
        "returns",
        sa.Column("id", ID, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("line_ids", sa.Text(), nullable=False),
        *_address(),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_returns_order_id_orders"), **DEFERRED),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns")),
    )
    op.create_index(op.f("ix_returns_order_id"), "returns", ["order_id"])
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("package_id", ID, nullable=False),
        sa.Column("line_ids", sa.Text(), nullable=False),
        sa.Column("warehouse_id", ID, nullable=False),
        sa.Column("carrier", NAME, nullable=False),
        sa.Column("tracking_number", NAME, nullable=False),
        sa.Column("shipped_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_shipments_order_id_orders"), **DEFERRED),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_shipments_warehouse_id_warehouses"), **DEFERRED
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    op.create_index(op.f("ix_shipments_order_id"), "shipments", ["order_id"])
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("warehouse_id", ID, nullable=False),
        sa.Column("product_sku", NAME, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("order_id", ID, nullable=False),
        sa.Column("line_id", ID, nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"], ["order_lines.id"], name=op.f("fk_stock_movements_line_id_order_lines"), **DEFERRED
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_stock_movements_order_id_orders"), **DEFERRED
        ),
        sa.ForeignKeyConstraint(
            ["product_sku"], ["products.sku"], name=op.f("fk_stock_movements_product_sku_products"), **DEFERRED
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_stock_movements_warehouse_id_warehouses"), **DEFERRED
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
        sa.UniqueConstraint("line_id", name=op.f("uq_stock_movements_line_id")),
    )


def downgrade() -> None:
    with op.batch_alter_table("stores") as batch:
        for column in _STORE_TO_WAREHOUSE:
            batch.drop_constraint(f"fk_stores_{column}_warehouses", type_="foreignkey")
    for table in (
        "stock_movements", "shipments", "returns", "order_lines", "orders", "sync_checkpoints",
        "quarantine", "order_payloads", "listings", "warehouses", "stores", "products",
    ):
        op.drop_table(table)
