"""Did the same-rows floor write what `orders sync` wrote? Row counts and key columns, table by table.

Generated ids (orders, lines, stores, warehouses) differ between two databases, so rows are
compared through what they stand for: orders by TikTok order id and split index, lines by TikTok
line item id, warehouses by name. Payloads are compared as text, and where the text differs, as
the JSON it holds (an OMS that keeps TikTok's bytes and one that re-serialises them agree).
"""

import json
from collections.abc import Iterator
from itertools import zip_longest
from typing import Any

from benchmarks.floors import BareDb

TABLES = ("orders", "order_lines", "order_line_components", "order_payloads", "stock_movements", "listings",
          "quarantine", "sync_checkpoints", "shipments")
KEYED = {
    "orders": "SELECT o.tiktok_order_id, o.split_index, o.parent_order_id IS NULL, o.fulfilled_by, o.status, "
              "o.tiktok_status, o.tiktok_update_time, o.created_at, o.address_name, o.address_line1, o.address_line2, "
              "o.address_city, o.address_region, o.address_postal_code, o.address_country, o.address_phone, "
              "o.delivery_option_id, o.currency, w.name, o.cancel_request_status, s.name "
              "FROM orders o JOIN stores s ON s.id = o.store_id LEFT JOIN warehouses w ON w.id = o.warehouse_id "
              "ORDER BY o.tiktok_order_id, o.split_index",
    "order_lines": "SELECT o.tiktok_order_id, l.position, l.tiktok_line_item_id, l.seller_sku, l.sku_id, l.product_sku, "
                   "l.quantity, l.status, l.sale_price, l.stock_released, l.product_name "
                   "FROM order_lines l JOIN orders o ON o.id = l.order_id ORDER BY l.tiktok_line_item_id",
    "listings": "SELECT s.name, l.seller_sku, l.product_sku FROM listings l JOIN stores s ON s.id = l.store_id "
                "ORDER BY s.name, l.seller_sku",
    "order_payloads": "SELECT p.tiktok_order_id, p.update_time, p.payload FROM order_payloads p "
                      "ORDER BY p.tiktok_order_id",
    "stock_movements": "SELECT w.name, m.product_sku, m.quantity, o.tiktok_order_id, l.tiktok_line_item_id, m.reason "
                       "FROM stock_movements m JOIN warehouses w ON w.id = m.warehouse_id "
                       "JOIN orders o ON o.id = m.order_id JOIN order_lines l ON l.id = m.line_id "
                       "ORDER BY l.tiktok_line_item_id, m.product_sku, m.reason",
}


def compare(db_a: str, db_b: str, *, limit: int = 5) -> list[str]:
    """The differences between two databases (SQLAlchemy URLs of one dialect); [] when they hold the same rows."""
    a, b = BareDb(db_a), BareDb(db_b)
    try:
        found: list[str] = []
        for table in TABLES:
            count_a, count_b = (db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for db in (a, b))
            if count_a != count_b:
                found.append(f"{table}: {count_a} rows against {count_b}")
        for table, query in KEYED.items():
            differing = 0
            for row_a, row_b in zip_longest(_rows(a, query), _rows(b, query)):
                if row_a != row_b and not _same_payload(table, row_a, row_b):
                    differing += 1
                    if differing <= limit:
                        found.append(f"{table}: {_short(row_a)} against {_short(row_b)}")
            if differing > limit:
                found.append(f"{table}: {differing - limit} more rows differ")
        return found
    finally:
        a.close()
        b.close()


def _rows(db: BareDb, query: str) -> Iterator[tuple[Any, ...]]:
    cursor = db.connection.cursor()
    cursor.execute(query)
    while batch := cursor.fetchmany(1000):
        yield from (tuple(row) for row in batch)
    db.done_reading()


def _same_payload(table: str, a: tuple[Any, ...] | None, b: tuple[Any, ...] | None) -> bool:
    if table != "order_payloads" or a is None or b is None or a[:2] != b[:2]:
        return False
    return bool(json.loads(_text(a[2])) == json.loads(_text(b[2])))


def _text(payload: Any) -> str | bytes:
    return bytes(payload) if isinstance(payload, memoryview) else payload


def _short(row: tuple[Any, ...] | None) -> str:
    return "(missing)" if row is None else repr(row)[:300]
