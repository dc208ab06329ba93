from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from adapters.persistence.types import DecimalText, EncryptedToken, EnumValue, StringTuple, UtcDateTime
from domain import limits
from domain.intents import IntentKind, IntentState
from domain.orders import FulfilledBy, LineStatus, OrderStatus
from domain.stores import StoreStatus
from domain.warehouses import WarehouseType

# Named constraints: Alembic's batch mode can only drop or alter what has a name, and the
# unit of work maps a unique violation to its business meaning by that name.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Lengths come from the one table the commands check input against (domain/limits.py).
ID = String(limits.ID)
NAME = String(limits.NAME)
SKU = String(limits.SKU)


def _address(prefix: str) -> list[Column]:
    parts = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")
    return [Column(f"{prefix}_{part}", String(limits.ADDRESS_FIELD), nullable=False, server_default="") for part in parts]


def _ref(target: str, **options: bool) -> ForeignKey:
    # Checked at commit, not row by row: the unit of work then never has to insert a store
    # before its warehouse (they refer to each other) or an order before its products.
    return ForeignKey(target, deferrable=True, initially="DEFERRED", **options)


def _warehouse_ref(name: str) -> Column:
    return Column(name, ID, _ref("warehouses.id", use_alter=True), nullable=True)


stores = Table(
    "stores",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", NAME, nullable=False),
    Column("region", String(8), nullable=False),
    Column("currency", String(8), nullable=False),
    _warehouse_ref("default_warehouse_id"),
    Column("status", EnumValue(StoreStatus), nullable=False),
    Column("status_reason", Text, nullable=True),
    # The connection TikTok granted; the two tokens are secrets and live in their own columns.
    Column("shop_id", ID, nullable=True),
    Column("shop_cipher", NAME, nullable=True),
    Column("shop_name", NAME, nullable=True),
    Column("access_token", EncryptedToken, nullable=True),  # Fernet-encrypted (S-6)
    Column("access_token_expires_at", UtcDateTime, nullable=True),
    Column("refresh_token", EncryptedToken, nullable=True),
    Column("refresh_token_expires_at", UtcDateTime, nullable=True),
    Column("granted_scopes", StringTuple, nullable=True),
    Column("fbt_enabled", Boolean, nullable=False, server_default=false()),
    Column("fbt_start_date", Date, nullable=True),
    _warehouse_ref("fbt_warehouse_id"),
    Column("pending_state", NAME, nullable=True),
    Column("pending_since", UtcDateTime, nullable=True),
    Column("authorization_ends_at", UtcDateTime, nullable=True),
    Column("authorization_warning", Text, nullable=True),
    UniqueConstraint("name"),
)

warehouses = Table(
    "warehouses",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", NAME, nullable=False),
    Column("type", EnumValue(WarehouseType), nullable=False),
    Column("store_id", ID, _ref("stores.id"), nullable=True),
    UniqueConstraint("name"),
)

products = Table(
    "products",
    metadata,
    Column("sku", SKU, primary_key=True),
    Column("name", NAME, nullable=False),
)

listings = Table(
    "listings",
    metadata,
    Column("store_id", ID, _ref("stores.id"), primary_key=True),
    Column("seller_sku", SKU, primary_key=True),
    Column("product_sku", SKU, _ref("products.sku"), nullable=True),
)

orders = Table(
    "orders",
    metadata,
    Column("id", ID, primary_key=True),
    Column("store_id", ID, _ref("stores.id"), nullable=False),
    Column("tiktok_order_id", ID, nullable=False),
    Column("split_index", Integer, nullable=False),
    Column("parent_order_id", ID, _ref("orders.id"), nullable=True),
    Column("fulfilled_by", EnumValue(FulfilledBy), nullable=False),
    Column("status", EnumValue(OrderStatus), nullable=False),
    Column("tiktok_status", String(limits.STATUS), nullable=False),
    Column("tiktok_update_time", BigInteger, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    *_address("address"),
    Column("delivery_option_id", ID, nullable=False),
    Column("currency", String(limits.CURRENCY), nullable=False),
    Column("warehouse_id", ID, _ref("warehouses.id"), nullable=True),
    # The buyer's latest cancellation request (all null: never asked).
    Column("cancel_request_status", String(16), nullable=True),
    Column("cancel_requested_at", UtcDateTime, nullable=True),
    Column("cancel_request_id", ID, nullable=True),
    Column("cancel_request_reason", NAME, nullable=True),
    Column("cancel_request_reason_text", Text, nullable=True),
    Column("cancel_request_respond_by", UtcDateTime, nullable=True),
    Column("cancel_request_line_item_ids", StringTuple, nullable=True),
    Column("cancel_request_decision", NAME, nullable=True),
    # Split parts share the TikTok order id; the split index tells them apart.
    UniqueConstraint("store_id", "tiktok_order_id", "split_index"),
    Index(None, "tiktok_order_id"),
    Index(None, "status"),
    Index(None, "fulfilled_by"),
    Index(None, "created_at"),
    Index(None, "created_at", "id"),  # the web order list: newest first, keyset pages
    Index(None, "cancel_request_status"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", ID, primary_key=True),
    Column("order_id", ID, _ref("orders.id"), nullable=False),
    # Not part of the domain line: it makes a TikTok line item unique within its store.
    Column("store_id", ID, _ref("stores.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("tiktok_line_item_id", ID, nullable=False),
    Column("seller_sku", SKU, nullable=False),
    Column("sku_id", ID, nullable=False),
    Column("product_sku", SKU, _ref("products.sku"), nullable=True),
    Column("quantity", Integer, nullable=False),
    Column("status", EnumValue(LineStatus), nullable=False),
    Column("sale_price", DecimalText, nullable=False),
    Column("stock_released", Boolean, nullable=False),
    Column("product_name", NAME, nullable=False, server_default=""),
    UniqueConstraint("store_id", "tiktok_line_item_id"),
    CheckConstraint("quantity = 1", name="quantity_is_one"),  # R3: TikTok lines are single units
    Index(None, "order_id"),
    Index(None, "store_id", "seller_sku"),
    Index(None, "seller_sku"),  # the web order list's SKU search across stores
)

# The listings a virtual bundle line is made of: what is mapped, and what leaves stock.
order_line_components = Table(
    "order_line_components",
    metadata,
    Column("line_id", ID, _ref("order_lines.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("order_id", ID, _ref("orders.id"), nullable=False),
    Column("store_id", ID, _ref("stores.id"), nullable=False),
    Column("seller_sku", NAME, nullable=False),
    Column("sku_id", ID, nullable=False),
    Column("product_id", ID, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("product_sku", NAME, _ref("products.sku"), nullable=True),
    CheckConstraint("quantity >= 1", name="component_quantity_positive"),
    Index(None, "order_id"),
    Index(None, "store_id", "seller_sku"),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", ID, _ref("orders.id"), nullable=False),
    Column("package_id", ID, nullable=False),
    Column("line_ids", StringTuple, nullable=False),
    Column("warehouse_id", ID, _ref("warehouses.id"), nullable=False),
    Column("carrier", String(limits.CARRIER), nullable=False),
    Column("tracking_number", String(limits.TRACKING_NUMBER), nullable=False),
    Column("shipped_at", UtcDateTime, nullable=False),
    Index(None, "order_id"),
)

returns = Table(
    "returns",
    metadata,
    Column("id", ID, primary_key=True),
    Column("order_id", ID, _ref("orders.id"), nullable=False),
    Column("line_ids", StringTuple, nullable=False),
    *_address("address"),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "order_id"),
)

stock_movements = Table(
    "stock_movements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("warehouse_id", ID, _ref("warehouses.id"), nullable=False),
    Column("product_sku", SKU, _ref("products.sku"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("order_id", ID, _ref("orders.id"), nullable=False),
    Column("line_id", ID, _ref("order_lines.id"), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    # A unit leaves stock once, and comes back at most once (a bundle: once per component product).
    UniqueConstraint("line_id", "product_sku", "reason"),
)

sync_checkpoints = Table(
    "sync_checkpoints",
    metadata,
    Column("store_id", ID, _ref("stores.id"), primary_key=True),
    Column("cursor", BigInteger, nullable=False),
    Column("window_start", BigInteger, nullable=True),
    Column("window_end", BigInteger, nullable=True),
    Column("page_token", Text, nullable=True),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("store_id", ID, _ref("stores.id"), nullable=False),
    Column("tiktok_order_id", NAME, nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Index(None, "store_id"),
)

order_payloads = Table(
    "order_payloads",
    metadata,
    Column("store_id", ID, _ref("stores.id"), primary_key=True),
    Column("tiktok_order_id", ID, primary_key=True),
    Column("update_time", BigInteger, nullable=False),
    Column("payload", Text, nullable=False),
)

# Seller accounts of the web app (adapters/web): the e-mail signs in, the hash is argon2id's
# encoded string (algorithm, parameters and salt included), never the password.
users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("email", NAME, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("email"),
)

# TikTok webhook deliveries, one row per tts_notification_id: the primary key deduplicates them.
webhook_notifications = Table(
    "webhook_notifications",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("store_id", ID, nullable=False),
    Column("type", Integer, nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("payload", Text, nullable=False),
    Index(None, "received_at"),
)

# Orders a webhook asked to refresh; written in the webhook's transaction, dropped by the refresh.
order_refresh_requests = Table(
    "order_refresh_requests",
    metadata,
    Column("store_id", ID, primary_key=True),
    Column("tiktok_order_id", ID, primary_key=True),
    Column("requested_at", UtcDateTime, nullable=False),
)

# What the OMS asked TikTok to change (ship, cancel, split), written before the request is sent
# and settled with its effect; a pending one is settled from TikTok's state (domain/intents.py).
intents = Table(
    "intents",
    metadata,
    Column("id", ID, primary_key=True),  # the idempotency key
    Column("kind", EnumValue(IntentKind), nullable=False),
    Column("store_id", ID, _ref("stores.id"), nullable=False),
    Column("order_id", ID, nullable=False),
    Column("tiktok_order_id", ID, nullable=False),
    Column("line_ids", StringTuple, nullable=False),
    Column("line_item_ids", StringTuple, nullable=False),
    Column("staying_line_item_ids", StringTuple, nullable=False),
    Column("carrier", String(limits.CARRIER), nullable=False, server_default=""),
    Column("provider_id", ID, nullable=False, server_default=""),
    Column("tracking_number", String(limits.TRACKING_NUMBER), nullable=False, server_default=""),
    Column("reason", String(limits.CANCEL_REASON), nullable=False, server_default=""),
    Column("partial", Boolean, nullable=False, server_default=false()),
    Column("part_order_id", ID, nullable=False, server_default=""),
    Column("state", EnumValue(IntentState), nullable=False),
    Column("result", ID, nullable=False, server_default=""),
    Column("outcome", Text, nullable=False, server_default=""),
    Column("created_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime, nullable=True),
    Column("answer_lost_at", UtcDateTime, nullable=True),
    Index(None, "state", "store_id"),
    Index(None, "order_id"),
)
