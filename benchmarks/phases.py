"""The measured phases; each runs in its own child process (see run.py)."""

import json
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from adapters.tiktok.signing import sign
from benchmarks.shop import SKUS

SEARCH = "/order/202309/orders/search"


def _peak_rss_mb() -> float:
    # VmHWM belongs to this process image; ru_maxrss would carry over the parent's peak (fork/exec).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def floor(url: str, app_key: str, app_secret: str, token: str, cipher: str, path: str) -> dict:
    """The least any import can do: fetch every page, parse it, insert bare rows."""
    db = sqlite3.connect(path)
    db.executescript(
        "PRAGMA journal_mode=WAL;"
        "CREATE TABLE orders (id TEXT PRIMARY KEY, status TEXT, fulfillment_type TEXT, create_time INT, update_time INT);"
        "CREATE TABLE lines (id TEXT PRIMARY KEY, order_id TEXT, seller_sku TEXT, status TEXT);"
    )
    started = time.perf_counter()
    count, token_page = 0, ""
    body = json.dumps({"update_time_ge": 0, "update_time_lt": int(time.time()) + 1}, separators=(",", ":")).encode()
    with httpx.Client(timeout=30) as http:
        while True:
            query = {"app_key": app_key, "timestamp": str(int(time.time())), "shop_cipher": cipher, "page_size": "100",
                     "sort_field": "update_time", "sort_order": "ASC"}
            if token_page:
                query["page_token"] = token_page
            query["sign"] = sign(app_secret, SEARCH, query, body)
            data = http.post(url + SEARCH, params=query, content=body,
                             headers={"x-tts-access-token": token, "content-type": "application/json"}).json()["data"]
            orders = data["orders"]
            db.executemany("INSERT INTO orders VALUES (?,?,?,?,?)",
                           [(o["id"], o["status"], o["fulfillment_type"], o["create_time"], o["update_time"]) for o in orders])
            db.executemany("INSERT INTO lines VALUES (?,?,?,?)",
                           [(i["id"], o["id"], i["seller_sku"], i["display_status"]) for o in orders for i in o["line_items"]])
            db.commit()
            count += len(orders)
            token_page = data.get("next_page_token") or ""
            if not token_page:
                break
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "orders": count, "orders_per_s": count / seconds, "peak_rss_mb": _peak_rss_mb()}


def _container(url: str, app_key: str, app_secret: str, service_id: str, db_url: str):  # type: ignore[no-untyped-def]
    from adapters.container import Container
    from adapters.settings import Settings

    return Container(settings=Settings(
        _env_file=None, database_url=db_url, app_key=app_key, app_secret=app_secret, service_id=service_id,
        api_base_url=url, auth_base_url=url, authorize_url=f"{url}/open/authorize",
    ))


def sync(url: str, app_key: str, app_secret: str, service_id: str, db_url: str) -> dict:
    """`orders sync` end to end: HTTP adapter, pydantic payloads, domain import, SQL adapter."""
    from application import commands as c

    oms = _container(url, app_key, app_secret, service_id, db_url)
    oms.create_store()(c.CreateStore(name="Bench"))
    oms.create_warehouse()(c.CreateWarehouse(name="Bench FBT", fbt=True, store="Bench"))
    first = datetime.now(UTC).date().replace(day=1)
    oms.configure_fbt_import()(c.ConfigureFbtImport(store="Bench", enable=True, start_date=first, warehouse="Bench FBT"))
    for sku in SKUS:
        oms.add_product()(c.AddProduct(sku=sku, name=sku))
        oms.map_listing()(c.MapListing(store="Bench", seller_sku=sku, product=sku))
    begun = oms.begin_authorization()(c.BeginAuthorization(store="Bench"))
    redirect = httpx.get(begun["authorization_url"], follow_redirects=False).headers["location"]
    oms.complete_authorization()(c.CompleteAuthorization(store="Bench", redirect_url=redirect))

    started = time.perf_counter()
    summary = oms.sync_orders()(c.SyncOrders(store="Bench"))
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = oms.sync_orders()(c.SyncOrders(store="Bench"))
    second = time.perf_counter() - started
    oms.shutdown_resources()
    imported = summary.new + summary.updated + summary.unchanged + summary.skipped
    return {"seconds": seconds, "orders": imported, "orders_per_s": imported / seconds, "new": summary.new,
            "skipped": summary.skipped, "pages": summary.pages, "peak_rss_mb": _peak_rss_mb(), "second_sync_seconds": second,
            "second_sync_new": again.new}


def order_list(path: str, n: int) -> dict:
    """`orders list --fulfilled-by store --json` over n orders, a third of them FBT."""
    from sqlalchemy import insert

    from adapters.container import Container
    from adapters.persistence import tables as t
    from adapters.settings import Settings
    from application.commands import CreateStore

    db_url = f"sqlite:///{path}"
    oms = Container(settings=Settings(_env_file=None, database_url=db_url))
    store = oms.create_store()(CreateStore(name="Bench"))
    now = datetime.now(UTC)
    with oms.engine().begin() as db:
        for start in range(0, n, 5000):
            ids = range(start, min(n, start + 5000))
            db.execute(insert(t.orders), [
                {"id": f"ord_{i}", "store_id": store, "tiktok_order_id": str(577_000_000_000_000_000 + i),
                 "split_index": 0, "fulfilled_by": "store" if i % 3 == 0 else "merchant", "status": "shipped",
                 "tiktok_status": "IN_TRANSIT", "tiktok_update_time": 1, "created_at": now,
                 "delivery_option_id": "", "currency": "USD"} for i in ids])
            db.execute(insert(t.order_lines), [
                {"id": f"ln_{i}_{k}", "order_id": f"ord_{i}", "store_id": store, "position": k,
                 "tiktok_line_item_id": f"{i}-{k}", "seller_sku": "SKU-001", "sku_id": "1", "product_sku": None,
                 "quantity": 1, "status": "shipped", "sale_price": "9.99", "stock_released": True}
                for i in ids for k in range(1 + i % 3)])
    from adapters.cli.output import to_json

    started = time.perf_counter()
    listed = to_json(oms.queries().orders(fulfilled_by="store"))  # the document the CLI prints
    seconds = time.perf_counter() - started
    cli = Path(sys.executable).with_name("tiktok-oms")
    started = time.perf_counter()
    out = subprocess.run([str(cli), "--database-url", db_url, "orders", "list", "--fulfilled-by", "store", "--json"],
                         capture_output=True, check=True).stdout
    cli_seconds = time.perf_counter() - started
    return {"orders": n, "listed": len(json.loads(out)), "seconds": seconds, "cli_seconds": cli_seconds,
            "bytes": len(listed)}
