"""`tiktok-oms worker` as real processes on PostgreSQL against the sandbox over HTTP
(issue 10 items 2 and 7; STACK.md I-10, I-11, I-13).

- I-10: 3 workers, 20 stores: every store converges to the sandbox, no duplicate rows, and the
  sandbox's search log never shows two syncs of one store at once.
- I-11: a worker killed with SIGKILL in the middle of a sync: another worker finishes that store
  once the dead one's heartbeat is stale; nothing lost or duplicated.
- I-13: no webhook at all: the schedule alone brings later changes in.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from adapters.persistence import tables as t
from adapters.persistence.migrations import upgrade
from adapters.sandbox.app import create_app
from adapters.sandbox.faults import SEARCH_PATH, Fault
from adapters.sandbox.server import running_sandbox
from adapters.settings import Settings
from application.commands import BeginAuthorization, CompleteAuthorization, CreateStore
from tests.databases import Databases

pytestmark = [pytest.mark.postgres, pytest.mark.integration]

APP_KEY, APP_SECRET = "workers-app-key", "workers-app-secret"
REDIRECT = "http://127.0.0.1:8765/callback"
PAGE_CAP = 10  # TikTok pages hold 100; here 10, so that one sync is several requests
CONVERGE_DEADLINE = 120.0
STALL_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class SearchCall:
    shop_id: str
    first_page: bool
    last_page: bool
    at: float


class LoggedTikTok(TikTokShopModel):
    """The sandbox's model, answering small pages and logging every order search in order."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.searches: list[SearchCall] = []

    def search_orders(self, access_token: str, cipher: str, *, page_size: int, page_token: str | None, body: dict) -> dict:
        with self.lock:
            answer = super().search_orders(access_token, cipher, page_size=min(page_size, PAGE_CAP),
                                           page_token=page_token, body=body)
            shop = next(s.id for s in self.shops.values() if s.cipher == cipher)
            self.searches.append(SearchCall(shop, not page_token, not answer["next_page_token"], time.monotonic()))
            return answer

    def overlapping_syncs(self) -> list[str]:
        """Shops for which a sync began (a first page) while another was between its first and last page."""
        open_: set[str] = set()
        overlapping: list[str] = []
        with self.lock:
            calls = list(self.searches)
        for call in calls:
            if call.first_page:
                if call.shop_id in open_:
                    overlapping.append(call.shop_id)
                open_.add(call.shop_id)
            if call.last_page:
                open_.discard(call.shop_id)
        return overlapping


@contextmanager
def fresh_postgres(databases: Databases) -> Iterator[str]:
    with databases.fresh("postgresql", migrated=False) as url:
        upgrade(url)
        yield url


def connect_stores(oms: Container, model: TikTokShopModel, count: int) -> dict[str, str]:
    """`count` stores, each connected to its own sandbox shop; returns store id -> shop id."""
    found = {}
    for n in range(count):
        shop = model.add_shop(f"Shop {n:02d}", region="US")
        store_id = oms.create_store()(CreateStore(name=f"Store {n:02d}", region="US"))
        begun = oms.begin_authorization()(BeginAuthorization(store=store_id))
        redirect = model.approve(begun["authorization_url"], REDIRECT, shop_id=shop.id)
        oms.complete_authorization()(CompleteAuthorization(store=store_id, redirect_url=redirect))
        found[store_id] = shop.id
    return found


def place_orders(model: TikTokShopModel, shop_id: str, count: int) -> None:
    for n in range(count):
        model.place_order(shop_id, units=[(f"sku-{n % 3}", 1 + n % 2)])


def truth(model: TikTokShopModel, stores: dict[str, str]) -> dict[str, dict[str, str]]:
    with model.lock:
        return {store: {o["id"]: o["status"] for o in model.shops[shop].orders.values()} for store, shop in stores.items()}


def held(oms: Container) -> dict[str, dict[str, str]]:
    with oms.engine().connect() as connection:
        rows = connection.execute(select(t.orders.c.store_id, t.orders.c.tiktok_order_id, t.orders.c.tiktok_status))
        found: dict[str, dict[str, str]] = {}
        for store_id, order_id, status in rows:
            found.setdefault(store_id, {})[order_id] = status
        return found


def duplicates(oms: Container) -> int:
    with oms.engine().connect() as connection:
        rows = connection.execute(select(func.count()).select_from(t.orders)).scalar_one()
        distinct = connection.execute(
            select(func.count()).select_from(select(t.orders.c.store_id, t.orders.c.tiktok_order_id).distinct().subquery())
        ).scalar_one()
        lines = connection.execute(select(func.count()).select_from(t.order_lines)).scalar_one()
        distinct_lines = connection.execute(
            select(func.count(func.distinct(t.order_lines.c.tiktok_line_item_id)))).scalar_one()
        return int(rows - distinct + lines - distinct_lines)


def wait_until_converged(oms: Container, model: TikTokShopModel, stores: dict[str, str], workers: list[subprocess.Popen[str]],
                         deadline: float = CONVERGE_DEADLINE) -> None:
    end = time.monotonic() + deadline
    while True:
        expected = truth(model, stores)
        if held(oms) == {k: v for k, v in expected.items() if v}:
            return
        for worker in workers:
            if worker.poll() is not None:
                raise AssertionError(f"a worker exited ({worker.returncode}): {worker.stderr.read() if worker.stderr else ''}")
        if time.monotonic() > end:
            got = held(oms)
            missing = {s: len(set(v) - set(got.get(s, {}))) for s, v in expected.items() if set(v) - set(got.get(s, {}))}
            raise AssertionError(f"not converged within {deadline:.0f} s; orders missing per store: {missing}")
        time.sleep(0.2)


class Workers:
    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self._env = env
        self._log_dir = log_dir
        self.started: list[subprocess.Popen[str]] = []

    def start(self, name: str, **settings: str) -> subprocess.Popen[str]:
        """A worker process named `name`; `settings` override the rig's TIKTOK_* variables for it."""
        script = Path(sys.executable).parent / "tiktok-oms"
        log = open(self._log_dir / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen([str(script), "-v", "worker", "--concurrency", "2", "--name", name], env=self._env | settings,
                                   stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.started.append(process)
        return process

    def log(self, name: str) -> str:
        return (self._log_dir / f"{name}.log").read_text()

    def stop_all(self) -> list[int | None]:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = []
        for process in self.started:
            try:
                codes.append(process.wait(30))
            except subprocess.TimeoutExpired:
                process.kill()
                codes.append(process.wait(10))
        return codes


@pytest.fixture
def rig(databases: Databases, tmp_path: Path) -> Iterator[tuple[Container, LoggedTikTok, Workers, Any]]:
    model = LoggedTikTok(app_key=APP_KEY, app_secret=APP_SECRET, service_id="workers")
    app = create_app(model, redirect_url=REDIRECT)
    with ExitStack() as stack:
        url = stack.enter_context(fresh_postgres(databases))
        base = stack.enter_context(running_sandbox(app))
        settings = dict(
            TIKTOK_OMS_DATABASE_URL=url, TIKTOK_API_BASE_URL=base, TIKTOK_AUTH_BASE_URL=base,
            TIKTOK_AUTHORIZE_URL=f"{base}/open/authorize", TIKTOK_APP_KEY=APP_KEY, TIKTOK_APP_SECRET=APP_SECRET,
            TIKTOK_SERVICE_ID="workers", TIKTOK_OMS_SYNC_INTERVAL="2", TIKTOK_OMS_WORKER_HEARTBEAT="0.5",
            TIKTOK_OMS_WORKER_STALL_TIMEOUT=str(STALL_SECONDS), TIKTOK_OMS_JOB_ATTEMPTS="10",
        )
        oms = Container(settings=Settings(_env_file=None, **{k: v for k, v in settings.items()}))
        stack.callback(lambda: oms.engine().dispose())
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIKTOK_")} | settings
        workers = Workers(env, tmp_path)
        stack.callback(workers.stop_all)
        yield oms, model, workers, app


def test_i10_three_workers_converge_twenty_stores_without_overlap_or_duplicates(rig) -> None:  # type: ignore[no-untyped-def]
    oms, model, workers, _ = rig
    stores = connect_stores(oms, model, 20)
    for n, shop_id in enumerate(stores.values()):
        place_orders(model, shop_id, 15 + n)  # 2-4 pages each
    started = [workers.start(f"w{n}") for n in range(3)]

    wait_until_converged(oms, model, stores, started)
    # Changes after the first round come in by the schedule alone (I-13: there are no webhooks here).
    shops = list(stores.values())
    for shop_id in shops[:5]:
        order = next(iter(model.shops[shop_id].orders))
        model.buyer_cancels(order)
        place_orders(model, shop_id, 3)
    wait_until_converged(oms, model, stores, started)

    assert duplicates(oms) == 0
    assert model.overlapping_syncs() == []
    assert workers.stop_all() == [0, 0, 0]
    assert sum("oms.sync_store" in workers.log(f"w{n}") for n in range(3)) >= 2  # the work was shared


def test_i11_a_worker_killed_mid_sync_is_replaced_and_nothing_is_lost(rig) -> None:  # type: ignore[no-untyped-def]
    oms, model, workers, app = rig
    stores = connect_stores(oms, model, 1)
    (shop_id,) = stores.values()
    place_orders(model, shop_id, 45)  # 5 pages
    # The first page is taken from TikTok but answered late: the worker is killed while it waits.
    app.state.faults.add(Fault.slow(20.0, path=SEARCH_PATH, times=1))
    calls_before_slow = 1
    with model.lock:
        model.searches.clear()

    doomed = workers.start("doomed")
    end = time.monotonic() + 60
    while True:
        with model.lock:
            seen = len(model.searches)
        if seen >= calls_before_slow or time.monotonic() > end:
            break
        time.sleep(0.05)
    time.sleep(0.5)  # the slow request is now in flight
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(10)
    app.state.faults.clear()

    survivor = workers.start("survivor")
    wait_until_converged(oms, model, stores, [survivor])

    assert duplicates(oms) == 0
    assert "of a stalled worker" in workers.log("survivor")


def test_db_upgrade_installs_the_job_queue_and_a_worker_refuses_sqlite(databases: Databases, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from adapters.cli import main

    with databases.fresh("postgresql", migrated=False) as url:
        result = CliRunner().invoke(main, ["--database-url", url, "db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == "database is up to date"
        assert "installed the job queue's tables" in result.stderr
        again = CliRunner().invoke(main, ["--database-url", url, "db", "upgrade"])
        assert again.exit_code == 0 and "installed" not in again.stderr
        import psycopg

        from adapters.jobs.queue import conninfo

        with psycopg.connect(conninfo(url)) as connection:
            assert connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone() != (None,)

    refused = CliRunner().invoke(main, ["--database-url", f"sqlite:///{tmp_path / 'oms.sqlite'}", "worker"])
    assert refused.exit_code == 1
    assert "needs PostgreSQL" in refused.stderr and "serve" in refused.stderr


def test_a_webhook_on_postgresql_is_refreshed_by_a_worker(rig) -> None:  # type: ignore[no-untyped-def]
    """serve on PostgreSQL queues the refresh a webhook asks for; a worker runs it (no sync runs:
    the store was synced just before and its interval is an hour)."""
    import hashlib
    import hmac
    import json

    from starlette.testclient import TestClient

    from adapters.server.app import build_app
    from application.commands import SyncOrders

    oms, model, workers, _ = rig
    oms.settings().sync_interval_seconds = 3600.0
    stores = connect_stores(oms, model, 1)
    ((store_id, shop_id),) = stores.items()
    oms.sync_orders()(SyncOrders(store=store_id))
    placed = model.place_order(shop_id, units=[("sku-1", 1)])
    body = json.dumps({"type": 1, "tts_notification_id": "pg-1", "shop_id": shop_id, "timestamp": int(time.time()),
                       "data": {"order_id": placed["id"], "order_status": "AWAITING_SHIPMENT"}}).encode()
    signature = hmac.new(APP_SECRET.encode(), APP_KEY.encode() + body, hashlib.sha256).hexdigest()
    with TestClient(build_app(oms), base_url="http://127.0.0.1:8080") as serve:
        assert serve.post("/webhooks/tiktok", content=body, headers={"Authorization": signature}).status_code == 200
    with model.lock:
        model.searches.clear()

    # The worker's own interval, too: with the rig's 2 s it could sync the store before the refresh ran.
    worker = workers.start("refresher", TIKTOK_OMS_SYNC_INTERVAL="3600")
    wait_until_converged(oms, model, stores, [worker], deadline=60)

    assert "Job oms.refresh_order" in workers.log("refresher")
    assert model.searches == []  # it came by Get Order Detail, not by a sync
    oms.jobs().close()
