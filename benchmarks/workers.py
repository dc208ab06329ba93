"""Always on at scale: N `tiktok-oms worker` processes × M stores against the sandbox, on PostgreSQL.

    .venv/bin/python -m benchmarks.workers [--workers 3] [--stores 50] [--orders 200]

The sandbox runs in this process (over HTTP on 127.0.0.1). M stores are connected, each to its
own shop of `--orders` orders; one sync job per store is queued, then N workers are started and
timed until every store holds every order. The floor, measured in the same run into a second
database, is one process syncing the same stores one after the other (`orders sync --all`).
Reported: time to converge, orders/s overall, API calls per store, peak RSS per worker.
Numbers are reported, never asserted.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from adapters.persistence import tables as t
from adapters.persistence.migrations import upgrade
from adapters.sandbox.app import create_app
from adapters.sandbox.server import running_sandbox
from adapters.settings import Settings
from application.commands import BeginAuthorization, CompleteAuthorization, CreateStore
from benchmarks.run import _drop_pg, _pg_url

APP_KEY, APP_SECRET, SERVICE_ID = "bench-app-key", "bench-app-secret-0123456789abcdef", "bench-service"
REDIRECT = "http://127.0.0.1:8765/callback"
RESULTS = Path(__file__).parent / "results"
SKUS = ("TEE-BLK-M", "TEE-WHT-L", "MUG-11OZ", "CAP-NVY", "TOTE-NAT")


def _settings(url: str, base: str) -> dict[str, str]:
    return dict(TIKTOK_OMS_DATABASE_URL=url, TIKTOK_API_BASE_URL=base, TIKTOK_AUTH_BASE_URL=base,
                TIKTOK_AUTHORIZE_URL=f"{base}/open/authorize", TIKTOK_APP_KEY=APP_KEY, TIKTOK_APP_SECRET=APP_SECRET,
                TIKTOK_SERVICE_ID=SERVICE_ID, TIKTOK_OMS_SYNC_INTERVAL="3600")


def _connect(oms: Container, model: TikTokShopModel, shop_ids: list[str]) -> list[str]:
    stores = []
    for n, shop_id in enumerate(shop_ids):
        store_id = oms.create_store()(CreateStore(name=f"Bench {n:03d}", region="US"))
        begun = oms.begin_authorization()(BeginAuthorization(store=store_id))
        redirect = model.approve(begun["authorization_url"], REDIRECT, shop_id=shop_id)
        oms.complete_authorization()(CompleteAuthorization(store=store_id, redirect_url=redirect))
        stores.append(store_id)
    return stores


def _orders_held(oms: Container) -> int:
    with oms.engine().connect() as connection:
        return int(connection.execute(select(func.count(func.distinct(t.orders.c.tiktok_order_id)))).scalar_one())


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--stores", type=int, default=50)
    parser.add_argument("--orders", type=int, default=200, help="orders per store")
    parser.add_argument("--concurrency", type=int, default=2, help="jobs per worker at once")
    args = parser.parse_args()
    total = args.stores * args.orders

    model = TikTokShopModel(app_key=APP_KEY, app_secret=APP_SECRET, service_id=SERVICE_ID)
    shop_ids = []
    for n in range(args.stores):
        shop = model.add_shop(f"Bench Shop {n:03d}", region="US")
        shop_ids.append(shop.id)
        for k in range(args.orders):
            model.place_order(shop.id, units=[(SKUS[k % len(SKUS)], 1 + k % 3)], created=model.now() - 3600 - k)
    app = create_app(model, redirect_url=REDIRECT)
    floor_db, queue_db = _pg_url(), _pg_url()  # two fresh databases, each with its own name
    if floor_db is None or queue_db is None:
        sys.exit("this benchmark needs PostgreSQL (TIKTOK_OMS_TEST_PG_URL)")
    report: dict[str, object] = {"workers": args.workers, "stores": args.stores, "orders_per_store": args.orders,
                                 "orders": total, "concurrency": args.concurrency}
    work = Path(tempfile.mkdtemp(prefix="tiktok-oms-workers-"))
    try:
        with running_sandbox(app) as base:
            # The floor: one process, one store after the other.
            upgrade(floor_db)
            floor = Container(settings=Settings(_env_file=None, **_settings(floor_db, base)))
            _connect(floor, model, shop_ids)
            app.state.requests.clear()
            started = time.perf_counter()
            done = subprocess.run([str(Path(sys.executable).parent / "tiktok-oms"), "orders", "sync", "--all"],
                                  env={k: v for k, v in os.environ.items() if not k.startswith("TIKTOK_")}
                                  | _settings(floor_db, base), capture_output=True, text=True, check=False)
            floor_seconds = time.perf_counter() - started
            if done.returncode != 0 or _orders_held(floor) != total:
                sys.exit(f"the floor did not import everything: {done.stderr[-500:]}")
            report["floor"] = {"seconds": round(floor_seconds, 2), "orders_per_s": round(total / floor_seconds),
                               "api_calls": len(app.state.requests.entries)}
            floor.engine().dispose()

            # N workers sharing one queue.
            upgrade(queue_db)
            oms = Container(settings=Settings(_env_file=None, **_settings(queue_db, base)))
            stores = _connect(oms, model, shop_ids)
            from adapters.jobs.queue import ProcrastinateJobs, build_queue_app, ensure_schema

            ensure_schema(queue_db)
            jobs = ProcrastinateJobs(build_queue_app(oms))
            for store_id in stores:
                jobs.sync_store_soon(store_id)
            jobs.close()
            app.state.requests.clear()
            env = {k: v for k, v in os.environ.items() if not k.startswith("TIKTOK_")} | _settings(queue_db, base)
            script = str(Path(sys.executable).parent / "tiktok-oms")
            started = time.perf_counter()
            workers = [subprocess.Popen([script, "-v", "worker", "--concurrency", str(args.concurrency), "--name", f"bench{n}"],
                                        env=env, stdout=open(work / f"w{n}.log", "w"), stderr=subprocess.STDOUT)
                       for n in range(args.workers)]
            while _orders_held(oms) < total:
                if any(w.poll() is not None for w in workers):
                    sys.exit(f"a worker exited; see {work}")
                time.sleep(0.05)
            seconds = time.perf_counter() - started
            rss = [round(_peak_rss_mb(w.pid), 1) for w in workers]
            for w in workers:
                w.send_signal(signal.SIGTERM)
            for w in workers:
                w.wait(60)
            per_shop = Counter(e.shop_id for e in app.state.requests.entries if e.shop_id)
            calls = sorted(per_shop.values())
            report["workers_run"] = {
                "seconds_to_converge": round(seconds, 2), "orders_per_s": round(total / seconds),
                "ratio_to_floor": round(seconds / floor_seconds, 2),
                "api_calls_per_store": {"min": calls[0], "median": calls[len(calls) // 2], "max": calls[-1]},
                "api_calls_per_store_expected": -(-args.orders // 100),
                "peak_rss_mb_per_worker": rss,
                "jobs_per_worker": [open(work / f"w{n}.log").read().count("Job oms.sync_store") for n in range(args.workers)],
            }
            oms.engine().dispose()
    finally:
        for url in (floor_db, queue_db):
            try:
                _drop_pg(url)
            except Exception as exc:  # noqa: BLE001 — the benchmark reports, it does not fail
                print(f"could not drop {url.rsplit('/', 1)[1]}: {exc}", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)  # the workers' logs; kept when a worker failed (see above)
    _print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "workers-latest.json").write_text(json.dumps(report, indent=2))


def _print(r: dict) -> None:  # type: ignore[type-arg]
    f, w = r["floor"], r["workers_run"]
    print(f"\n{r['workers']} workers x {r['stores']} stores x {r['orders_per_store']} orders = {r['orders']} orders")
    print(f"floor (one process, store after store): {f['seconds']:.2f} s, {f['orders_per_s']:,} orders/s")
    print(f"workers: converged in {w['seconds_to_converge']:.2f} s, {w['orders_per_s']:,} orders/s, "
          f"ratio to floor {w['ratio_to_floor']:.2f}")
    c = w["api_calls_per_store"]
    print(f"API calls per store: min {c['min']}, median {c['median']}, max {c['max']} "
          f"(search pages needed: {w['api_calls_per_store_expected']})")
    print(f"peak RSS per worker: {', '.join(f'{m:.0f} MB' for m in w['peak_rss_mb_per_worker'])}")
    print(f"sync jobs per worker: {w['jobs_per_worker']}")


if __name__ == "__main__":
    main()
