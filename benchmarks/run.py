"""Import at scale: `orders sync` against two floors measured in the same run.

    .venv/bin/python -m benchmarks.run [--orders 20000] [--shapes lean,realistic] [--no-postgres] [--list-orders 100000]

The sandbox (benchmark mode: pre-rendered pages) runs in this process; every measured phase runs
in a fresh child process so that its peak RSS and CPU time are its own. For each payload shape
(lean: the sandbox's own orders; realistic: TikTok's sample order, reshaped per order: 4-8 KB of JSON) and
each database (SQLite, PostgreSQL), one after the other: the bare floor, the same-rows floor
(benchmarks/floors.py), then `orders sync` twice (the import, then a sync right after it); the
same-rows floor's database is then compared row by row with the sync's (benchmarks/rows.py).
Also: a sync right after importing N orders all updated within the last hour (issue 13 item 4),
peak RSS at N/4 orders, and `orders list --json` over 100,000 orders as a CLI process.
Numbers are reported, never asserted; results go to benchmarks/results/latest.json. The work
folder (SQLite files) and the PostgreSQL databases are removed at the end, on error too.
"""

import argparse
import json
import math
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapters.sandbox.app import create_app
from adapters.sandbox.model import TikTokShopModel
from adapters.sandbox.server import running_sandbox
from benchmarks import floors, phases, rows
from benchmarks.shop import SHAPES, BenchClock, seed_large_shop

APP_KEY, APP_SECRET, SERVICE_ID = "bench-app-key", "bench-app-secret-0123456789abcdef", "bench-service"
RESULTS = Path(__file__).parent / "results"
PG_URL = os.environ.get("TIKTOK_OMS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGETS = {"sqlite": 1.2, "postgresql": 1.3}  # sync / same-rows floor (issue 13)
RESYNC_TARGET = 0.05  # a sync right after an import: CPU share of the import's (issue 13 item 4)


def _in_child(target: Callable[..., Any], *args: Any) -> Any:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(target, args)


def _in_process(target: Callable[..., Any], *args: Any) -> Any:
    return target(*args)


class PostgresDatabases:
    """Fresh PostgreSQL databases, each dropped by `drop_all` (None from `create` when there is no server)."""

    def __init__(self, url: str = PG_URL) -> None:
        self._url = url
        self._created: list[str] = []

    def _admin(self):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(self._url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True,
                               connect_timeout=3)

    def create(self, label: str) -> str | None:
        name = f"tiktok_oms_bench_{os.getpid()}_{label}"
        try:
            with self._admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{name}"')
        except Exception as exc:  # noqa: BLE001 — the benchmark reports, it does not fail
            print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
            return None
        self._created.append(name)
        return self._url.rsplit("/", 1)[0] + "/" + name

    def drop_all(self) -> None:
        with self._admin() as admin:
            for name in self._created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created.clear()


def _pg_url() -> str | None:
    """A fresh PostgreSQL database for benchmarks.workers (dropped with `_drop_pg`)."""
    return PostgresDatabases().create(f"w{time.monotonic_ns() % 10**9}")


def _drop_pg(url: str) -> None:
    databases = PostgresDatabases()
    databases._created.append(url.rsplit("/", 1)[1])
    databases.drop_all()


def run(orders: int = 20_000, *, dialects: tuple[str, ...] = ("sqlite", "postgresql"), shapes: tuple[str, ...] = SHAPES, list_orders: int = 100_000,
        resync: bool = True, quarter: bool = True, isolate: bool = True, work_parent: str | None = None,
        keep_databases: bool = False) -> dict[str, Any]:
    """Runs the benchmark and returns its report; `isolate=False` runs the phases in this process (tests).

    `dialects` are the databases of the sync and its floors; the item-4 resync, the N/4 run and the
    order list use SQLite. Without a PostgreSQL server its cases are left out, with a note on stderr.
    """
    n = min(orders, 100_000)
    phase = _in_child if isolate else _in_process
    work = Path(tempfile.mkdtemp(prefix="tiktok-oms-bench-", dir=work_parent))
    pg = PostgresDatabases() if "postgresql" in dialects else None
    report: dict[str, Any] = {"orders": n, "work": str(work), "cases": {}}
    try:
        for shape in shapes:
            _shape(report, shape, n, phase, work, dialects, pg)
        if resync:
            report["resync_recent"] = _resync_recent(n, phase, work)
        if quarter:
            model = _model()
            seed_large_shop(model, n // 4)
            with running_sandbox(create_app(model, benchmark=True)) as url:
                small = phase(phases.sync, url, APP_KEY, APP_SECRET, SERVICE_ID, f"sqlite:///{work / 'quarter.sqlite'}")
            report["sync_sqlite_quarter"] = {"orders": n // 4, "peak_rss_mb": small["peak_rss_mb"]}
        if list_orders:
            report["order_list"] = phase(phases.order_list, str(work / "list.sqlite"), list_orders)
    finally:
        if pg is not None and not keep_databases:
            pg.drop_all()
        shutil.rmtree(work, ignore_errors=True)
    return report


def _model() -> TikTokShopModel:
    return TikTokShopModel(app_key=APP_KEY, app_secret=APP_SECRET, service_id=SERVICE_ID)


def _shape(report: dict[str, Any], shape: str, n: int, phase: Callable[..., Any], work: Path,
           dialects: tuple[str, ...], pg: PostgresDatabases | None) -> None:
    model = _model()
    started = time.perf_counter()
    shop = seed_large_shop(model, n, shape=shape)
    print(f"seeded {n} {shape} orders in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    app = create_app(model, benchmark=True)
    databases: list[tuple[str, Callable[[str], str | None]]] = []
    if "sqlite" in dialects:
        databases.append(("sqlite", lambda label: f"sqlite:///{work / f'{shape}_{label}.sqlite'}"))
    if pg is not None:
        databases.append(("postgresql", lambda label: pg.create(f"{shape}_{label}")))
    with running_sandbox(app) as url:
        token = model.issue_grant(shop.id, ("seller.order.info",))["access_token"]
        lt = int(BenchClock().now().timestamp()) + 1
        for dialect, database in databases:
            urls = {label: database(label) for label in ("bare", "same_rows", "sync")}
            if None in urls.values():
                continue
            case: dict[str, Any] = {"shape": shape, "database": dialect}
            case["bare"] = phase(floors.bare, url, APP_KEY, APP_SECRET, token, shop.cipher, urls["bare"], lt)
            case["same_rows"] = phase(phases.same_rows, url, APP_KEY, APP_SECRET, SERVICE_ID, token, shop.cipher,
                                      urls["same_rows"])
            app.state.requests.clear()
            result = phase(phases.sync, url, APP_KEY, APP_SECRET, SERVICE_ID, urls["sync"])
            searches = sum(1 for e in app.state.requests.entries if e.path.endswith("/orders/search"))
            result["authorization_calls"] = len(app.state.requests.entries) - searches
            result["search_calls_expected"] = math.ceil(n / 100)
            result["search_calls_second_sync"] = searches - result["pages"]
            case["sync"] = result
            case["differences"] = rows.compare(urls["same_rows"], urls["sync"])
            report["cases"][f"{shape}/{dialect}"] = case


def _resync_recent(n: int, phase: Callable[..., Any], work: Path) -> dict[str, Any]:
    """Issue 13 item 4: import N orders all updated within the last hour, then sync again at once."""
    model = _model()
    seed_large_shop(model, n, recent=True, seed=11)
    with running_sandbox(create_app(model, benchmark=True)) as url:
        result = phase(phases.sync, url, APP_KEY, APP_SECRET, SERVICE_ID, f"sqlite:///{work / 'recent.sqlite'}")
    return {"orders": n, "first_seconds": result["seconds"], "first_cpu_seconds": result["cpu_seconds"],
            "second_seconds": result["second_sync_seconds"], "second_cpu_seconds": result["second_sync_cpu_seconds"],
            "second_orders_read": result["second_sync_orders_read"], "second_pages": result["second_sync_pages"],
            "cpu_share": result["second_sync_cpu_seconds"] / result["cpu_seconds"], "target": RESYNC_TARGET}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000, help="orders in each shop (up to 100,000)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="payload shapes: lean, realistic or both")
    parser.add_argument("--list-orders", type=int, default=100_000, help="orders for the order-list timing (0: skip)")
    args = parser.parse_args()
    shapes = tuple(s for s in args.shapes.split(",") if s)
    if not set(shapes) <= set(SHAPES):
        parser.error(f"--shapes takes {', '.join(SHAPES)}")
    dialects = ("sqlite",) if args.no_postgres else ("sqlite", "postgresql")
    report = run(args.orders, dialects=dialects, shapes=shapes, list_orders=args.list_orders)
    report["load_average"] = os.getloadavg()
    print_report(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))


def print_report(r: dict[str, Any]) -> None:
    print(f"\norders per shop: {r['orders']}   (wall s / CPU s, the PostgreSQL server's included; ratios wall / CPU)")
    print(f"{'case':<22}{'sync':>15}{'same-rows floor':>18}{'bare floor':>15}{'sync/same-rows':>17}"
          f"{'target':>11}{'sync/bare':>12}{'RSS MB':>8}  rows")
    for name, c in r["cases"].items():
        s, f, b = c["sync"], c["same_rows"], c["bare"]
        ratio_wall, ratio_cpu = s["seconds"] / f["seconds"], _cpu(s) / _cpu(f)
        target = TARGETS[c["database"]]
        verdict = "ok" if ratio_cpu <= target else "MISSED"
        to_same = f"{ratio_wall:.2f} / {ratio_cpu:.2f}"
        to_bare = f"{s['seconds'] / b['seconds']:.1f} / {_cpu(s) / _cpu(b):.1f}"
        print(f"{name:<22}{_pair(s):>15}{_pair(f):>18}{_pair(b):>15}{to_same:>17}{target:>4} {verdict:<6}{to_bare:>12}"
              f"{s['peak_rss_mb']:>8.0f}  {'same' if not c['differences'] else 'DIFFER'}")
        for difference in c["differences"]:
            print(f"    {difference}")
        print(f"    {s['orders']} imported of {r['orders']} ({s['skipped']} skipped), floors {f['orders']} / {b['orders']}; "
              f"API calls: {s['pages']} search (ceil(N/100) = {s['search_calls_expected']}) + "
              f"{s['authorization_calls']} authorization; sync right after: {s['second_sync_seconds']:.3f} s, "
              f"{s['search_calls_second_sync']} search call(s); peak RSS floors {f['peak_rss_mb']:.0f} / {b['peak_rss_mb']:.0f} MB")
        if c["database"] == "postgresql":
            print(f"    of the CPU, the PostgreSQL server's: sync {s['server_cpu_seconds']:.2f} s, "
                  f"same-rows floor {f['server_cpu_seconds']:.2f} s, bare floor {b['server_cpu_seconds']:.2f} s")
    if "resync_recent" in r:
        q = r["resync_recent"]
        verdict = "ok" if q["cpu_share"] < q["target"] else "MISSED"
        print(f"sync right after importing {q['orders']} orders updated within the last hour (SQLite): "
              f"{q['second_seconds']:.2f} s / {q['second_cpu_seconds']:.2f} s CPU, {q['second_orders_read']} orders read "
              f"again in {q['second_pages']} pages; the import {q['first_seconds']:.2f} s / {q['first_cpu_seconds']:.2f} s CPU; "
              f"CPU share {q['cpu_share']:.1%} (target < {q['target']:.0%}: {verdict})")
    if "sync_sqlite_quarter" in r:
        q = r["sync_sqlite_quarter"]
        print(f"peak RSS of the sync at {q['orders']} orders: {q['peak_rss_mb']:.0f} MB (flatness check)")
    if "order_list" in r:
        o = r["order_list"]
        print(f"tiktok-oms orders list --json over {o['orders']} orders, as a CLI process: {o['seconds']:.2f} s / "
              f"{o['cpu_seconds']:.2f} s CPU, {o['listed']} orders, {o['bytes'] / 1e6:.1f} MB printed; floor (python, "
              f"sqlite3, json.dumps indent=2): {o['floor_seconds']:.2f} s / {o['floor_cpu_seconds']:.2f} s CPU, "
              f"{o['floor_bytes'] / 1e6:.1f} MB; ratio {o['seconds'] / o['floor_seconds']:.1f} / "
              f"{o['cpu_seconds'] / o['floor_cpu_seconds']:.1f}")
    if "load_average" in r:
        print("load average during the run: " + ", ".join(f"{x:.1f}" for x in r["load_average"]))


def _cpu(m: dict[str, Any]) -> float:
    """CPU seconds of an import: the importing process's, plus the PostgreSQL server's serving it."""
    return float(m["cpu_seconds"] + m.get("server_cpu_seconds", 0.0))


def _pair(m: dict[str, Any]) -> str:
    return f"{m['seconds']:.2f} / {_cpu(m):.2f}"


if __name__ == "__main__":
    main()
