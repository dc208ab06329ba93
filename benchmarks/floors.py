"""The two floors `orders sync` is measured against, each in its own child process (see run.py).

- bare: every search page fetched with plain httpx, parsed with `json`, and five columns of each
  order and four of each line inserted into two bare tables (`executemany` on SQLite, COPY on
  PostgreSQL).
- same rows: the same pages fetched and parsed, and exactly the rows `orders sync` writes (orders,
  lines, payloads, FBT stock movements, the checkpoint) written with bare `sqlite3` / `psycopg`
  into the product's own schema, made by its migrations (its indexes, keys and deferred foreign
  keys), one transaction per page with the checkpoint, like the sync (`executemany` on SQLite,
  COPY on PostgreSQL). It decides only what the
  benchmark's orders need (mapped or unknown listings, FBT or merchant, one unit per line item,
  no bundles), with the domain's rules written out by hand; `benchmarks.rows.compare` checks in
  every run that it wrote what the sync wrote.

Both return {"seconds", "cpu_seconds", "server_cpu_seconds", "orders", "orders_per_s", "peak_rss_mb"};
seconds are wall time of the import alone (not the set-up), cpu_seconds this process's CPU time
over it, server_cpu_seconds that of the PostgreSQL server processes serving it (0 on SQLite).
"""

import json
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx

from adapters.tiktok.signing import sign
from application.lookup import new_id
from benchmarks.measure import peak_rss_mb, server_cpu_seconds

SEARCH = "/order/202309/orders/search"
SHIPPED_ON_TIKTOK = frozenset({"AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED"})
HELD_BY_TIKTOK = frozenset({"ON_HOLD", "UNPAID"})


def search_pages(url: str, app_key: str, app_secret: str, token: str, cipher: str, *, ge: int, lt: int
                 ) -> Iterator[dict[str, Any]]:
    """Every page of Search Orders over [ge, lt), 100 orders a page, as parsed JSON (`data`)."""
    body = json.dumps({"update_time_ge": ge, "update_time_lt": lt}, separators=(",", ":")).encode()
    page_token = ""
    with httpx.Client(timeout=30) as http:
        while True:
            query = {"app_key": app_key, "timestamp": str(int(time.time())), "shop_cipher": cipher, "page_size": "100",
                     "sort_field": "update_time", "sort_order": "ASC"}
            if page_token:
                query["page_token"] = page_token
            query["sign"] = sign(app_secret, SEARCH, query, body)
            answer = http.post(url + SEARCH, params=query, content=body,
                               headers={"x-tts-access-token": token, "content-type": "application/json"})
            data = json.loads(answer.content)["data"]
            yield data
            page_token = data.get("next_page_token") or ""
            if not page_token:
                return


class BareDb:
    """A DBAPI connection to a SQLAlchemy-style URL (sqlite:///path or postgresql+psycopg://...)."""

    def __init__(self, db_url: str) -> None:
        self.sqlite = db_url.startswith("sqlite")
        if self.sqlite:
            self.connection: Any = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
            # As the product's engine does (adapters/persistence/engine.py).
            self.connection.execute("PRAGMA foreign_keys=ON")
            self.connection.execute("PRAGMA journal_mode=WAL")
        else:
            import psycopg

            self.connection = psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://"))

    def sql(self, text: str) -> str:
        return text if self.sqlite else text.replace("?", "%s")

    def begin(self) -> None:
        if self.sqlite:
            self.connection.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self.sqlite:
            self.connection.execute("COMMIT")
        else:
            self.connection.commit()

    def done_reading(self) -> None:
        """Ends the transaction a read opened (psycopg opens one; sqlite3 here reads in autocommit)."""
        if not self.sqlite:
            self.connection.rollback()

    def execute(self, text: str, params: tuple[Any, ...] = ()) -> Any:
        return self.connection.execute(self.sql(text), params)

    def many(self, text: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.sqlite:
            self.connection.executemany(text, rows)
            return
        # PostgreSQL: COPY, which measured 20-25 % less CPU than a pipelined executemany and
        # 40 % less than one multi-row VALUES statement per page (5,000 orders, 2026-11-30).
        head = text.partition(" VALUES ")[0].removeprefix("INSERT INTO ")
        table, _, columns = head.partition(" ")
        with self.connection.cursor().copy(f"COPY {table} {columns} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def stamp(self, seconds: float) -> Any:
        """A UTC instant as the product stores it: SQLAlchemy's text on SQLite, timestamptz on PostgreSQL."""
        moment = datetime.fromtimestamp(seconds, UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else moment

    def close(self) -> None:
        self.connection.close()


def bare(url: str, app_key: str, app_secret: str, token: str, cipher: str, db_url: str, lt: int) -> dict[str, Any]:
    """The least any import can do: fetch every page, parse it, insert bare rows into two bare tables."""
    db = BareDb(db_url)
    db.begin()
    for statement in ("CREATE TABLE orders (id TEXT PRIMARY KEY, status TEXT, fulfillment_type TEXT, "
                      "create_time BIGINT, update_time BIGINT)",
                      "CREATE TABLE lines (id TEXT PRIMARY KEY, order_id TEXT, seller_sku TEXT, status TEXT)"):
        db.execute(statement)
    db.commit()
    server = server_cpu_seconds(db_url)
    started, cpu = time.perf_counter(), time.process_time()
    count = 0
    for data in search_pages(url, app_key, app_secret, token, cipher, ge=0, lt=lt):
        orders = data["orders"]
        db.begin()
        db.many("INSERT INTO orders VALUES (?,?,?,?,?)",
                [(o["id"], o["status"], o["fulfillment_type"], o["create_time"], o["update_time"]) for o in orders])
        db.many("INSERT INTO lines VALUES (?,?,?,?)",
                [(i["id"], o["id"], i["seller_sku"], i["display_status"]) for o in orders for i in o["line_items"]])
        db.commit()
        count += len(orders)
    return _result(count, started, cpu, db, db_url, server)


def same_rows(url: str, app_key: str, app_secret: str, token: str, cipher: str, db_url: str, store_name: str,
              lt: int, now: float) -> dict[str, Any]:
    """The product's own rows for every order of the shop, into its schema, written with bare DBAPI.

    The store `store_name` (with its warehouses, products and listings) must exist in `db_url`;
    `lt` ends the search window and `now` (Unix seconds) stamps the stock movements.
    """
    db = BareDb(db_url)
    store = db.execute("SELECT id, default_warehouse_id, fbt_warehouse_id, fbt_enabled, fbt_start_date FROM stores "
                       "WHERE name = ?", (store_name,)).fetchone()
    store_id, default_warehouse, fbt_warehouse, fbt_enabled, fbt_start = store
    if isinstance(fbt_start, str):
        fbt_start = date.fromisoformat(fbt_start)
    db.done_reading()
    server = server_cpu_seconds(db_url)
    started, cpu = time.perf_counter(), time.process_time()
    # Read once per import and kept current, as issue 13 asks of the sync.
    mapping: dict[str, str | None] = dict(db.execute("SELECT seller_sku, product_sku FROM listings WHERE store_id = ?",
                                                     (store_id,)).fetchall())
    db.done_reading()
    db.begin()
    db.execute("INSERT INTO sync_checkpoints (store_id, cursor, window_start, window_end) VALUES (?, 0, 0, ?)",
               (store_id, lt))
    db.commit()
    moved_at = db.stamp(now)
    count = 0
    insert_order = ("INSERT INTO orders (id, store_id, tiktok_order_id, split_index, fulfilled_by, status, tiktok_status, "
                    "tiktok_update_time, created_at, address_name, address_line1, address_line2, address_city, "
                    "address_region, address_postal_code, address_country, address_phone, delivery_option_id, currency, "
                    "warehouse_id) VALUES (" + ",".join(["?"] * 20) + ")")
    insert_line = ("INSERT INTO order_lines (id, order_id, store_id, position, tiktok_line_item_id, seller_sku, sku_id, "
                   "product_sku, quantity, status, sale_price, stock_released, product_name) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
    insert_payload = "INSERT INTO order_payloads (store_id, tiktok_order_id, update_time, payload) VALUES (?,?,?,?)"
    insert_movement = ("INSERT INTO stock_movements (warehouse_id, product_sku, quantity, order_id, line_id, reason, at) "
                       "VALUES (?,?,?,?,?,?,?)")
    insert_listing = "INSERT INTO listings (store_id, seller_sku, product_sku) VALUES (?,?,?)"
    for data in search_pages(url, app_key, app_secret, token, cipher, ge=0, lt=lt):
        orders, lines, payloads, movements, listings = [], [], [], [], []
        for o in data["orders"]:
            fbt = o["fulfillment_type"] == "FULFILLMENT_BY_TIKTOK"
            created = o["create_time"]
            if fbt and not (fbt_enabled and fbt_start is not None
                            and datetime.fromtimestamp(created, UTC).date() >= fbt_start):
                continue  # R9: before the store's FBT import start
            order_id, tiktok_status = new_id("ord"), "CANCELLED" if o["status"] == "CANCEL" else o["status"]
            warehouse = fbt_warehouse if fbt else default_warehouse
            rows, unmapped, live, shipped = [], False, False, True
            for position, item in enumerate(o["line_items"]):
                sku = (item.get("seller_sku") or "").strip() or item.get("sku_id", "")
                if sku not in mapping:
                    mapping[sku] = None
                    listings.append((store_id, sku, None))
                product = mapping[sku]
                shown = item.get("display_status", "")
                status = ("cancelled" if shown in ("CANCELLED", "CANCEL") else
                          "shipped" if shown in SHIPPED_ON_TIKTOK or tiktok_status in SHIPPED_ON_TIKTOK else "open")
                if status != "cancelled":
                    live = True
                    unmapped = unmapped or product is None
                    shipped = shipped and status == "shipped"
                name, variant = (item.get("product_name") or "").strip(), (item.get("sku_name") or "").strip()
                rows.append([new_id("ln"), order_id, store_id, position, item["id"], sku, item.get("sku_id", ""),
                             product, 1, status, str(Decimal(item.get("sale_price") or "0")), False,
                             f"{name} ({variant})" if name and variant and variant != name else name or variant])
            if not live or tiktok_status == "CANCELLED":
                order_status, open_to = "cancelled", "cancelled"
            elif unmapped:
                order_status, open_to = "in_review", None
            elif fbt or shipped:
                order_status, open_to = "shipped", "shipped"
            else:
                order_status, open_to = ("on_hold" if tiktok_status in HELD_BY_TIKTOK else "awaiting_fulfilment"), None
            for row in rows:
                if open_to and row[9] == "open":
                    row[9] = open_to
                if fbt and warehouse and order_status == "shipped" and row[9] == "shipped" and row[7] is not None:
                    row[11] = True  # R15: an FBT unit leaves stock once shipped
                    movements.append((warehouse, row[7], -1, order_id, row[0], "fbt_sale", moved_at))
            lines += rows
            a = o.get("recipient_address") or {}
            levels = {d.get("address_level", ""): d.get("address_name", "") for d in a.get("district_info") or ()}
            orders.append((
                order_id, store_id, o["id"], 0, "store" if fbt else "merchant", order_status, tiktok_status,
                o["update_time"], db.stamp(created),
                a.get("name") or " ".join(p for p in (a.get("first_name", ""), a.get("last_name", "")) if p),
                a.get("address_line1") or a.get("address_detail", ""), a.get("address_line2", ""),
                levels.get("L3") or a.get("post_town") or levels.get("L2", ""), levels.get("L1", ""),
                a.get("postal_code", ""), a.get("region_code") or levels.get("L0", ""), a.get("phone_number", ""),
                o.get("delivery_option_id", ""), (o.get("payment") or {}).get("currency") or "USD", warehouse,
            ))
            payloads.append((store_id, o["id"], o["update_time"], json.dumps(o, separators=(",", ":"))))
        db.begin()
        db.many(insert_listing, listings)
        db.many(insert_order, orders)
        db.many(insert_line, [tuple(row) for row in lines])
        db.many(insert_payload, payloads)
        db.many(insert_movement, movements)
        db.execute("UPDATE sync_checkpoints SET page_token = ? WHERE store_id = ?",
                   (data.get("next_page_token") or None, store_id))
        db.commit()
        count += len(orders)
    db.begin()
    db.execute("UPDATE sync_checkpoints SET cursor = ?, window_start = NULL, window_end = NULL, page_token = NULL "
               "WHERE store_id = ?", (lt, store_id))
    db.commit()
    return _result(count, started, cpu, db, db_url, server)


def _result(count: int, started: float, cpu: float, db: BareDb, db_url: str, server: float) -> dict[str, Any]:
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    server_cpu = server_cpu_seconds(db_url) - server
    db.close()
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "server_cpu_seconds": server_cpu, "orders": count,
            "orders_per_s": count / seconds, "peak_rss_mb": peak_rss_mb()}
