"""The web app's main orders page over 100,000 orders: server time per page, against a floor.

    .venv/bin/python -m benchmarks.web_orders [--orders 100000] [--repeat 15]

Seeds a SQLite file with N orders (1-3 lines each, a third FBT, over 90 days, 20 SKUs), signs in
to the web app and times GET /orders with the filters a seller uses. The app is driven in process
(httpx's ASGITransport) and timed by a wrapper around it, from the request entering the app to the
last byte of the response: the server's time (middleware, sign-in gate, queries, template).
The floor, measured in the same run, is the bare SQL of one page (the 50 newest orders, plain
sqlite3). Target: every page under 300 ms server time. Numbers are reported, never asserted;
results go to benchmarks/results/web_orders.json.
"""

import argparse
import json
import re
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
TARGET_MS = 300.0
EMAIL, PASSWORD = "bench@example.com", "bench password 1"


def seed(path: Path, n: int):  # type: ignore[no-untyped-def]
    from sqlalchemy import insert

    from adapters.container import Container
    from adapters.persistence import tables as t
    from adapters.settings import Settings
    from application.commands import CreateStore

    oms = Container(settings=Settings(_env_file=None, database_url=f"sqlite:///{path}",  # type: ignore[call-arg]
                                      session_secret=secrets.token_urlsafe(32)))
    stores = [oms.create_store()(CreateStore(name=name)) for name in ("Bench US", "Bench GB")]
    now = datetime.now(UTC)
    statuses = ("awaiting_fulfilment", "shipped", "shipped", "in_review", "cancelled")
    with oms.engine().begin() as db:
        for start in range(0, n, 5000):
            ids = range(start, min(n, start + 5000))
            db.execute(insert(t.orders), [
                {"id": f"ord_{i:08d}", "store_id": stores[i % 2], "tiktok_order_id": str(577_000_000_000_000_000 + i),
                 "split_index": 0, "fulfilled_by": "store" if i % 3 == 0 else "merchant",
                 "status": "shipped" if i % 3 == 0 else statuses[i % 5], "tiktok_status": "IN_TRANSIT",
                 "tiktok_update_time": 1, "created_at": now - timedelta(seconds=(n - i) * 77),
                 "delivery_option_id": "", "currency": "USD"} for i in ids])
            db.execute(insert(t.order_lines), [
                {"id": f"ln_{i}_{k}", "order_id": f"ord_{i:08d}", "store_id": stores[i % 2], "position": k,
                 "tiktok_line_item_id": f"{i}-{k}", "seller_sku": f"SKU-{(i + k) % 20:03d}", "sku_id": "1",
                 "product_sku": None, "quantity": 1, "status": "shipped", "sale_price": "9.99", "stock_released": True}
                for i in ids for k in range(1 + i % 3)])
    oms.accounts().create(EMAIL, PASSWORD)
    return oms, stores


def floor(path: Path, repeat: int) -> float:
    """The bare page query: 50 newest orders, their columns, plain sqlite3 (median ms)."""
    db = sqlite3.connect(path)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        db.execute("select id, tiktok_order_id, store_id, status, fulfilled_by, warehouse_id, created_at "
                   "from orders order by created_at desc, id desc limit 51").fetchall()
        times.append((time.perf_counter() - started) * 1000)
    db.close()
    return statistics.median(times)


class Timed:
    """ASGI wrapper: `last_ms` is the time the app took for the latest request."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.last_ms = 0.0

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        await self.app(scope, receive, send)
        self.last_ms = (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    import asyncio

    asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="tiktok-oms-web-bench-"))
    try:
        await _measure(args, work / "web.sqlite")
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the 100,000-order database, on error too


async def _measure(args: argparse.Namespace, path: Path) -> None:
    import httpx

    from tests.web.harness import oms_app

    started = time.perf_counter()
    oms, stores = seed(path, args.orders)
    print(f"seeded {args.orders:,} orders in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    app = Timed(oms_app(oms))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    login = (await client.get("/login")).text
    token = re.search(r'name="csrftoken" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    signed_in = await client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrftoken": token})
    assert signed_in.status_code == 303
    first = (await client.get("/orders")).text
    cursor = re.search(r'after=([^"&]+)" rel="next"', first).group(1)  # type: ignore[union-attr]
    today = datetime.now(UTC).date()
    cases = {
        "first page, no filter": "/orders",
        "Fulfilled By: Store": "/orders?fulfilled_by=store",
        "store + status Awaiting Fulfilment": f"/orders?store={stores[0]}&status=awaiting_fulfilment",
        "TikTok order id search": f"/orders?q={577_000_000_000_000_000 + args.orders // 2}",
        "SKU search": "/orders?q=SKU-007",
        "date range (last 30 days)": f"/orders?from={today - timedelta(days=30)}&to={today}",
        "second page (keyset cursor)": f"/orders?after={cursor}",
        "Fulfilled By: Store, oldest week": f"/orders?fulfilled_by=store&to={today - timedelta(days=80)}",
    }
    base = floor(path, args.repeat)
    report: dict[str, object] = {"orders": args.orders, "floor_ms": round(base, 2), "target_ms": TARGET_MS, "pages": {}}
    print(f"\nGET /orders over {args.orders:,} orders (median of {args.repeat}, server time)")
    print(f"floor (bare SQL of one page): {base:.2f} ms")
    for name, url in cases.items():
        await client.get(url)  # warm
        times = []
        for _ in range(args.repeat):
            response = await client.get(url)
            times.append(app.last_ms)
            assert response.status_code == 200, (url, response.status_code)
        median, worst = statistics.median(times), max(times)
        rows = response.text.count('href="/orders/ord_')
        report["pages"][name] = {"url": url, "median_ms": round(median, 1), "max_ms": round(worst, 1),  # type: ignore[index]
                                 "rows": rows, "ratio_to_floor": round(median / base, 1)}
        verdict = "ok" if median < TARGET_MS else "MISSED"
        print(f"  {name:<36} {median:7.1f} ms median, {worst:7.1f} ms max, {rows:3d} rows, "
              f"{median / base:6.1f}x floor  [{verdict}]")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "web_orders.json").write_text(json.dumps(report, indent=2))
    await client.aclose()
    oms.shutdown_resources()


if __name__ == "__main__":
    main()
