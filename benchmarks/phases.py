"""The measured phases of the product; each runs in its own child process (see run.py).

Every phase returns plain numbers: seconds are wall time, cpu_seconds this process's CPU time
(user + system, all its threads) over the same span, server_cpu_seconds that of the PostgreSQL
server processes serving it (0 on SQLite); the machine is shared, so CPU time is the steadier.
"""

import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks import floors
from benchmarks.measure import peak_rss_mb, server_cpu_seconds
from benchmarks.shop import EPOCH, SKUS, BenchClock, fbt_start

STORE = "Bench"


def _container(url: str, app_key: str, app_secret: str, service_id: str, db_url: str):  # type: ignore[no-untyped-def]
    from dependency_injector import providers

    from adapters.container import Container
    from adapters.settings import Settings

    oms = Container(settings=Settings(
        _env_file=None, database_url=db_url, app_key=app_key, app_secret=app_secret, service_id=service_id,
        api_base_url=url, auth_base_url=url, authorize_url=f"{url}/open/authorize",
    ))
    oms.clock.override(providers.Object(BenchClock()))  # dates relative to a fixed epoch (shop.py)
    return oms


def _set_up_store(oms: Any) -> None:
    """The store the benchmark imports into: an FBT warehouse, FBT import on, every SKU mapped."""
    from application import commands as c

    oms.create_store()(c.CreateStore(name=STORE))
    oms.create_warehouse()(c.CreateWarehouse(name="Bench FBT", fbt=True, store=STORE))
    oms.configure_fbt_import()(c.ConfigureFbtImport(store=STORE, enable=True, start_date=fbt_start().date(),
                                                    warehouse="Bench FBT"))
    for sku in SKUS:
        oms.add_product()(c.AddProduct(sku=sku, name=sku))
        oms.map_listing()(c.MapListing(store=STORE, seller_sku=sku, product=sku))


def same_rows(url: str, app_key: str, app_secret: str, service_id: str, token: str, cipher: str,
              db_url: str) -> dict[str, Any]:
    """The same-rows floor (floors.same_rows) into a database set up like the sync's (same schema, store, listings)."""
    oms = _container(url, app_key, app_secret, service_id, db_url)
    _set_up_store(oms)
    oms.shutdown_resources()
    oms.engine().dispose()
    now = BenchClock().now().timestamp()
    return floors.same_rows(url, app_key, app_secret, token, cipher, db_url, STORE, lt=int(now) + 1, now=now)


def sync(url: str, app_key: str, app_secret: str, service_id: str, db_url: str) -> dict[str, Any]:
    """`orders sync` end to end, twice: the first import, then a sync right after it.

    HTTP client and gateway, payload validation, domain import, SQL adapter; the store is set up
    and authorized first (through the sandbox's authorization page), outside the timing.
    """
    from application import commands as c

    oms = _container(url, app_key, app_secret, service_id, db_url)
    _set_up_store(oms)
    begun = oms.begin_authorization()(c.BeginAuthorization(store=STORE))
    redirect = httpx.get(begun["authorization_url"], follow_redirects=False).headers["location"]
    oms.complete_authorization()(c.CompleteAuthorization(store=STORE, redirect_url=redirect))

    server = server_cpu_seconds(db_url)
    started, cpu = time.perf_counter(), time.process_time()
    summary = oms.sync_orders()(c.SyncOrders(store=STORE))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    server_cpu = server_cpu_seconds(db_url) - server
    server = server_cpu_seconds(db_url)
    started, cpu = time.perf_counter(), time.process_time()
    again = oms.sync_orders()(c.SyncOrders(store=STORE))
    second, second_cpu = time.perf_counter() - started, time.process_time() - cpu
    second_server_cpu = server_cpu_seconds(db_url) - server
    oms.shutdown_resources()
    oms.engine().dispose()
    imported = summary.new + summary.updated
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "server_cpu_seconds": server_cpu, "orders": imported, "orders_per_s": imported / seconds,
            "new": summary.new, "skipped": summary.skipped, "quarantined": summary.quarantined, "pages": summary.pages,
            "peak_rss_mb": peak_rss_mb(), "second_sync_seconds": second, "second_sync_cpu_seconds": second_cpu,
            "second_sync_server_cpu_seconds": second_server_cpu,
            "second_sync_new": again.new, "second_sync_updated": again.updated, "second_sync_pages": again.pages,
            "second_sync_orders_read": again.new + again.updated + again.unchanged + again.skipped}


def order_list(path: str, n: int) -> dict[str, Any]:
    """`tiktok-oms orders list --json` over n orders (1-3 lines each, a third FBT) as a CLI process.

    Times the whole process (start-up, imports, query, printing) until its output is read, with
    its CPU time; the floor in the same run is a bare Python process that reads the same orders
    and lines with sqlite3 and prints them with `json.dumps(indent=2)`.
    """
    from sqlalchemy import insert

    from adapters.container import Container
    from adapters.persistence import tables as t
    from adapters.settings import Settings
    from application.commands import CreateStore

    db_url = f"sqlite:///{path}"
    oms = Container(settings=Settings(_env_file=None, database_url=db_url))
    store = oms.create_store()(CreateStore(name="Bench"))
    epoch = datetime.fromtimestamp(EPOCH, UTC)
    with oms.engine().begin() as db:
        for start in range(0, n, 5000):
            ids = range(start, min(n, start + 5000))
            db.execute(insert(t.orders), [
                {"id": f"ord_{i:08d}", "store_id": store, "tiktok_order_id": str(577_000_000_000_000_000 + i),
                 "split_index": 0, "fulfilled_by": "store" if i % 3 == 0 else "merchant", "status": "shipped",
                 "tiktok_status": "IN_TRANSIT", "tiktok_update_time": 1, "created_at": epoch,
                 "delivery_option_id": "", "currency": "USD"} for i in ids])
            db.execute(insert(t.order_lines), [
                {"id": f"ln_{i:08d}_{k}", "order_id": f"ord_{i:08d}", "store_id": store, "position": k,
                 "tiktok_line_item_id": f"{i}-{k}", "seller_sku": "SKU-001", "sku_id": "1", "product_sku": None,
                 "quantity": 1, "status": "shipped", "sale_price": "9.99", "stock_released": True}
                for i in ids for k in range(1 + i % 3)])
    oms.shutdown_resources()
    oms.engine().dispose()
    cli = [str(Path(sys.executable).with_name("tiktok-oms")), "--database-url", db_url, "orders", "list", "--json"]
    seconds, cpu_seconds, out = _process(cli)
    floor = ("import json, sqlite3, sys\n"
             f"db = sqlite3.connect({path!r})\n"
             "orders = {r[0]: {'id': r[0], 'tiktok_order_id': r[1], 'status': r[2], 'fulfilled_by': r[3], "
             "'warehouse_id': r[4], 'created_at': r[5], 'lines': []} for r in db.execute("
             "'SELECT id, tiktok_order_id, status, fulfilled_by, warehouse_id, created_at FROM orders "
             "ORDER BY created_at, tiktok_order_id, split_index')}\n"
             "for r in db.execute('SELECT order_id, id, tiktok_line_item_id, seller_sku, product_sku, quantity, status "
             "FROM order_lines ORDER BY order_id, position'):\n"
             "    orders[r[0]]['lines'].append({'id': r[1], 'tiktok_line_item_id': r[2], 'seller_sku': r[3], "
             "'product_sku': r[4], 'quantity': r[5], 'status': r[6]})\n"
             "sys.stdout.write(json.dumps(list(orders.values()), indent=2))\n")
    floor_seconds, floor_cpu, floor_out = _process([sys.executable, "-c", floor])
    return {"orders": n, "listed": len(json.loads(out)), "seconds": seconds, "cpu_seconds": cpu_seconds,
            "bytes": len(out), "floor_seconds": floor_seconds, "floor_cpu_seconds": floor_cpu,
            "floor_bytes": len(floor_out)}


def _process(command: list[str]) -> tuple[float, float, bytes]:
    """Runs `command` to its end: (wall seconds, CPU seconds of the process, what it printed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(command, capture_output=True, check=True).stdout
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out
