"""Import at scale: `orders sync` against a floor measured in the same run.

    .venv/bin/python -m benchmarks.run [--orders 20000] [--no-postgres]

The sandbox (benchmark mode: pre-rendered pages) runs in this process; every measured phase runs
in a fresh child process so that its peak RSS is its own. Numbers are reported, never asserted.
"""

import argparse
import json
import math
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from adapters.sandbox.model import TikTokShopModel
from adapters.sandbox.app import create_app
from adapters.sandbox.server import running_sandbox
from benchmarks import phases
from benchmarks.shop import seed_large_shop

APP_KEY, APP_SECRET, SERVICE_ID = "bench-app-key", "bench-app-secret-0123456789abcdef", "bench-service"
RESULTS = Path(__file__).parent / "results"


def _child(target, *args):  # type: ignore[no-untyped-def]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(target, args)


def _pg_url() -> str | None:
    url = os.environ.get("TIKTOK_OMS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        import psycopg

        libpq = url.replace("postgresql+psycopg://", "postgresql://")
        name = f"tiktok_oms_bench_{os.getpid()}"
        with psycopg.connect(libpq, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        return url.rsplit("/", 1)[0] + "/" + name
    except Exception as exc:  # noqa: BLE001 — the benchmark reports, it does not fail
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None


def _drop_pg(url: str) -> None:
    import psycopg

    admin_url, name = url.rsplit("/", 1)
    with psycopg.connect(admin_url.replace("postgresql+psycopg://", "postgresql://") + "/test", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000, help="orders in the shop (up to 100,000)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--list-orders", type=int, default=100_000, help="orders for the order-list timing (0: skip)")
    args = parser.parse_args()
    n = min(args.orders, 100_000)
    work = Path(tempfile.mkdtemp(prefix="tiktok-oms-bench-"))
    report: dict[str, object] = {"orders": n}

    model = TikTokShopModel(app_key=APP_KEY, app_secret=APP_SECRET, service_id=SERVICE_ID)
    started = time.perf_counter()
    shop = seed_large_shop(model, n)
    small = TikTokShopModel(app_key=APP_KEY, app_secret=APP_SECRET, service_id=SERVICE_ID)
    seed_large_shop(small, n // 4)
    print(f"seeded {n} orders in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    app = create_app(model, benchmark=True)
    small_app = create_app(small, benchmark=True)
    with running_sandbox(app) as url, running_sandbox(small_app) as small_url:
        token = model.issue_grant(shop.id, ("seller.order.info",))["access_token"]
        floor = _child(phases.floor, url, APP_KEY, APP_SECRET, token, shop.cipher, str(work / "floor.sqlite"))
        report["floor"] = floor

        runs = [("sqlite", f"sqlite:///{work / 'sync.sqlite'}", app, url)]
        pg = None if args.no_postgres else _pg_url()
        if pg:
            runs.append(("postgresql", pg, app, url))
        for name, db_url, served, base in runs:
            served.state.requests.clear()
            result = _child(phases.sync, base, APP_KEY, APP_SECRET, SERVICE_ID, db_url)
            entries = served.state.requests.entries
            searches = sum(1 for e in entries if e.path.endswith("/orders/search"))
            result["authorization_calls"] = len(entries) - searches  # authorize page, token, shops
            result["search_calls_first_sync"] = result["pages"]
            result["search_calls_expected"] = math.ceil(n / 100)
            result["search_calls_second_sync"] = searches - result["pages"]
            report[f"sync_{name}"] = result
        small_result = _child(phases.sync, small_url, APP_KEY, APP_SECRET, SERVICE_ID, f"sqlite:///{work / 'small.sqlite'}")
        report["sync_sqlite_quarter"] = {"orders": n // 4, "peak_rss_mb": small_result["peak_rss_mb"]}
        if pg:
            _drop_pg(pg)
    if args.list_orders:
        report["order_list"] = _child(phases.order_list, str(work / "list.sqlite"), args.list_orders)
    _print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))


def _print(r: dict) -> None:  # type: ignore[type-arg]
    floor = r["floor"]
    print(f"\norders: {r['orders']}")
    print(f"floor (httpx + json + executemany into SQLite): {floor['seconds']:.2f} s, "
          f"{floor['orders_per_s']:,.0f} orders/s, peak RSS {floor['peak_rss_mb']:.0f} MB")
    for name in ("sqlite", "postgresql"):
        s = r.get(f"sync_{name}")
        if not s:
            continue
        print(f"orders sync into {name}: {s['seconds']:.2f} s, {s['orders_per_s']:,.0f} orders/s, "
              f"ratio sync/floor {s['seconds'] / floor['seconds']:.2f}, peak RSS {s['peak_rss_mb']:.0f} MB, "
              f"API calls: {s['search_calls_first_sync']} search (ceil(N/100) = {s['search_calls_expected']}) "
              f"+ {s['authorization_calls']} authorization, "
              f"second sync {s['second_sync_seconds']:.3f} s with {s['search_calls_second_sync']} search call(s)")
    q = r["sync_sqlite_quarter"]
    print(f"peak RSS at {q['orders']} orders: {q['peak_rss_mb']:.0f} MB (flatness check)")
    if "order_list" in r:
        o = r["order_list"]
        print(f"orders list --fulfilled-by store --json over {o['orders']} orders: "
              f"{o['seconds']:.2f} s in process ({o['cli_seconds']:.2f} s as a CLI process), {o['listed']} listed")


if __name__ == "__main__":
    main()
