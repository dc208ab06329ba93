"""The reliability rig: TikTok's sandbox over real HTTP on 127.0.0.1, the OMS wired by its own container.

- `Sandbox`: the sandbox app served by uvicorn, over a `ScriptedTikTok` (TikTok's model with test
  hooks) and a `FaultPlan` (faults by request number). Its `truth()` is what the OMS should hold.
- `Oms`: the container with SQL storage and the HTTP gateway, its clock replaced (stamina's testing
  mode, tests/conftest.py, keeps retries from really waiting); `dump()` is the same canonical shape read from the
  database, `table_bytes()` the byte-for-byte dump of every imported row.
- Crash points: `CrashingGateway` (dies instead of fetching a page), `CrashingSession` (dies inside
  a transaction, after its writes, before its commit).
"""

import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from dependency_injector import providers
from sqlalchemy import Connection as SqlConnection
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from adapters.cli import main
from adapters.clock import FixedClock, seconds_of
from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from adapters.persistence import tables as t
from adapters.sandbox.app import create_app
from adapters.sandbox.faults import SEARCH_PATH, Fault, FaultSchedule
from adapters.sandbox.seed import CATALOG, seed_demo_shop
from adapters.sandbox.server import running_sandbox
from adapters.settings import Settings
from adapters.tiktok.client import TikTokHttpClient, open_http_client
from adapters.tiktok.gateway import HttpxTikTokShop
from application.commands import (
    AddProduct,
    BeginAuthorization,
    CompleteAuthorization,
    ConfigureFbtImport,
    CreateStore,
    CreateWarehouse,
    MapListing,
    SyncOrders,
)
from application.handlers.sync_orders import SyncSummary
from application.ports import OrderPage
from domain.imports import SHIPPED_ON_TIKTOK
from domain.stores import Connection

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
STORE = "TikTok US"
APP_KEY = "rel-app-key-7f3a"
# Distinctive, and changed by URL-encoding, so that S-5 also looks for its encoded forms.
APP_SECRET = "rel/S3cr3t+Zq9x=app-8c1e"
SERVICE_ID = "rel-service"
REDIRECT_URL = "http://127.0.0.1:8765/callback"
PAGE_CAP = 5  # TikTok pages hold up to 100; the sandbox here answers 5 at most, so 25 orders make 5 pages
SEEDED = 16  # random orders on top of the demo shop's 9 fixed ones
MAX_WAIT = 30.0

# (tiktok_order_id) -> (OMS order rows, TikTok status, ((line item id, line status), ...))
Canonical = dict[str, tuple[int, str, tuple[tuple[str, str], ...]]]


class SimulatedCrash(Exception):
    """The process dies at this point (a crash point armed by a test)."""


@dataclass(frozen=True, slots=True)
class SearchSeen:
    page_token: str | None
    access_token: str
    next_page_token: str = ""


class ScriptedTikTok(TikTokShopModel):
    """TikTok's model with what reliability tests script on top of it.

    - Pages hold at most `page_cap` orders (TikTok may answer fewer than asked).
    - `before_search(n, action)`: TikTok changes between page requests (run before the n-th search
      that reaches the model, counting from 1).
    - `replay(old, on_search=n | None)`: an old copy of an order, served again with the n-th search
      page (None: the next last page), as a stale or out-of-order delivery would.
    - `issued`: every token pair TikTok ever handed out (refreshing drops the old pair from the model).
    """

    def __init__(self, *, page_cap: int = PAGE_CAP, **options: Any) -> None:
        super().__init__(**options)
        self.page_cap = page_cap
        self.searches: list[SearchSeen] = []
        self.issued: list[dict] = []
        self._actions: dict[int, list[Callable[[], None]]] = {}
        self._replays: list[tuple[dict, int | None]] = []

    def before_search(self, n: int, action: Callable[[], None]) -> None:
        self._actions.setdefault(n, []).append(action)

    def replay(self, old: dict, *, on_search: int | None = None) -> None:
        self._replays.append((json.loads(json.dumps(old)), on_search))

    def search_orders(self, access_token: str, cipher: str, *, page_size: int, page_token: str | None,
                      body: dict) -> dict:
        with self.lock:
            n = len(self.searches) + 1
            self.searches.append(SearchSeen(page_token, access_token))
            for action in self._actions.pop(n, []):
                action()
            page = super().search_orders(access_token, cipher, page_size=min(page_size, self.page_cap),
                                         page_token=page_token, body=body)
            self.searches[-1] = SearchSeen(page_token, access_token, page["next_page_token"])
            for old, on in list(self._replays):
                if on == n or (on is None and not page["next_page_token"]):
                    page["orders"].append(old)
                    self._replays.remove((old, on))
            return page

    def _issue(self, shop_ids: tuple[str, ...], scopes: tuple[str, ...]) -> dict:
        grant = super()._issue(shop_ids, scopes)
        self.issued.append(dict(grant))
        return grant

    def secrets(self) -> set[str]:
        """Every secret TikTok's side knows of: app secret, auth codes, access and refresh tokens."""
        with self.lock:
            found = {self.app_secret, *self._codes, *self._access, *self._refresh}
            for grant in self.issued:
                found |= {grant["access_token"], grant["refresh_token"]}
            return found


class FaultPlan(FaultSchedule):
    """Faults by request number on one path (1-based, counted as requests arrive), plus the usual queue."""

    def __init__(self, path: str = SEARCH_PATH) -> None:
        super().__init__()
        self.path = path
        self.seen = 0
        self.hits: list[tuple[int, str]] = []
        self.fired = threading.Event()
        self._plan: dict[int, Fault] = {}

    def at(self, n: int, fault: Fault) -> None:
        """Fault the n-th request from now on the path."""
        with self._lock:
            self._plan[self.seen + n] = fault

    def take(self, path: str) -> Fault | None:
        if path.startswith(self.path):
            with self._lock:
                self.seen += 1
                fault = self._plan.pop(self.seen, None)
                if fault is not None:
                    self.hits.append((self.seen, fault.kind))
            if fault is not None:
                self.fired.set()
                return fault
        return super().take(path)


class QueryRecorder:
    """ASGI middleware keeping every query string the sandbox received (S-5 reads the `sign` values)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.queries: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.queries.append(scope.get("query_string", b"").decode("latin-1"))
        await self.app(scope, receive, send)


@dataclass
class Sandbox:
    model: ScriptedTikTok
    app: Any
    faults: FaultPlan
    recorder: QueryRecorder
    url: str
    clock: FixedClock | None

    @property
    def shop_id(self) -> str:
        return self.model.shop().id

    def search_requests(self) -> int:
        """Search requests that reached the sandbox so far (faulted ones included)."""
        return self.faults.seen

    def search_codes(self) -> list[tuple[int, int | None]]:
        return [(e.status, e.code) for e in self.app.state.requests.entries if e.path == SEARCH_PATH]

    def paths(self) -> list[str]:
        return self.app.state.requests.paths()

    def in_page_order(self) -> list[str]:
        """TikTok's order ids as a full search pages them: by (update_time, id)."""
        with self.model.lock:
            orders = sorted(self.model.shop().orders.values(), key=lambda o: (o["update_time"], o["id"]))
            return [o["id"] for o in orders]

    def pages(self) -> int:
        return math.ceil(len(self.in_page_order()) / self.model.page_cap)

    def first_pages(self, k: int) -> set[str]:
        return set(self.in_page_order()[: k * self.model.page_cap])

    def truth(self, fbt: tuple[bool, date | None], only: set[str] | None = None) -> Canonical:
        """What the store should hold: TikTok's orders, FBT ones as its FBT import settings allow."""
        enabled, start = fbt
        expected: Canonical = {}
        with self.model.lock:
            for order in self.model.shop().orders.values():
                if only is not None and order["id"] not in only:
                    continue
                if order.get("fulfillment_type") == "FULFILLMENT_BY_TIKTOK":
                    created = datetime.fromtimestamp(order["create_time"], UTC).date()
                    if not (enabled and start is not None and created >= start):
                        continue
                lines = tuple(sorted((i["id"], _line_status(order, i)) for i in order["line_items"]))
                expected[order["id"]] = (1, order["status"], lines)
        return expected


def _line_status(order: dict, item: dict) -> str:
    if item.get("display_status") == "CANCELLED":
        return "cancelled"
    if item.get("display_status") in SHIPPED_ON_TIKTOK or order["status"] in SHIPPED_ON_TIKTOK:
        return "shipped"
    return "open"


@contextmanager
def sandbox_running(*, clock: FixedClock | None, orders: int = SEEDED, page_cap: int = PAGE_CAP) -> Iterator[Sandbox]:
    """A seeded sandbox on 127.0.0.1; with `clock` TikTok's time is the test's, else the real time."""
    model = ScriptedTikTok(app_key=APP_KEY, app_secret=APP_SECRET, service_id=SERVICE_ID, page_cap=page_cap,
                           now=seconds_of(clock) if clock else time.time)
    seed_demo_shop(model, orders=orders)
    app = create_app(model, redirect_url=REDIRECT_URL)
    app.state.faults = faults = FaultPlan()
    recorder = QueryRecorder(app)
    with running_sandbox(recorder) as url:
        yield Sandbox(model, app, faults, recorder, url, clock)


class CrashingGateway(HttpxTikTokShop):
    """TikTok's HTTP gateway, except that the process dies instead of sending search number `crash_at`.

    `before_search(n)` runs before every search (a test reads the database there); no `crash_at`, no crash.
    """

    def __init__(self, client: TikTokHttpClient, url: str, *, crash_at: int | None,
                 before_search: Callable[[int], None] | None = None) -> None:
        super().__init__(client, service_id=SERVICE_ID, authorize_url=f"{url}/open/authorize")
        self.crash_at = crash_at
        self.calls = 0
        self._before = before_search

    def search_orders(self, conn: Connection, **kwargs: Any) -> OrderPage:  # type: ignore[override]
        self.calls += 1
        if self._before is not None:
            self._before(self.calls)
        if self.calls == self.crash_at:
            raise SimulatedCrash(f"crashed instead of fetching search page {self.calls}")
        return super().search_orders(conn, **kwargs)


@dataclass
class CommitPlan:
    """Which commit (counted over every session of the factory, from 1) dies, and what it had written."""

    crash_at: int
    commits: int = 0
    orders_in_transaction: int | None = None
    checkpoint_in_transaction: dict | None = None


class CrashingSession(Session):
    """A session whose armed commit flushes every write into the transaction, then dies before committing."""

    def commit(self) -> None:
        plan: CommitPlan | None = self.info.get("plan")
        if plan is not None:
            plan.commits += 1
            if plan.commits == plan.crash_at:
                self.flush()
                plan.orders_in_transaction = self.scalar(select(func.count(t.orders.c.tiktok_order_id.distinct())))
                row = self.execute(select(t.sync_checkpoints)).mappings().first()
                plan.checkpoint_in_transaction = dict(row) if row else None
                raise SimulatedCrash(f"crashed inside the transaction of commit {plan.commits}")
        super().commit()


class Oms:
    """The OMS as the CLI builds it (SQL + HTTP gateway), pointed at the sandbox."""

    def __init__(self, sandbox: Sandbox, database_url: str, *, read_timeout: float = 5.0,
                 max_attempts: int = 5) -> None:
        self.sandbox = sandbox
        self.database_url = database_url
        self.clock = sandbox.clock
        self.settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=database_url, app_key=APP_KEY, app_secret=APP_SECRET, service_id=SERVICE_ID,
            redirect_url=REDIRECT_URL, api_base_url=sandbox.url, auth_base_url=sandbox.url,
            authorize_url=f"{sandbox.url}/open/authorize", http_timeout_seconds=read_timeout,
        )
        self.container = Container(settings=self.settings)
        if self.clock is not None:
            self.container.clock.override(providers.Object(self.clock))
        self.http = open_http_client(read_timeout)
        self.client = TikTokHttpClient(
            self.http, app_key=APP_KEY, app_secret=APP_SECRET, api_base_url=sandbox.url, auth_base_url=sandbox.url,
            now=self.clock.timestamp if self.clock else time.time,
            max_attempts=max_attempts, max_wait=MAX_WAIT,
        )
        self.container.tiktok_client.override(providers.Object(self.client))
        self.engine: Engine = self.container.engine()

    # --- setting the store up -------------------------------------------------------------------

    def today(self) -> date:
        return (self.clock.now() if self.clock else datetime.now(UTC)).date()

    def setup_store(self, *, fbt: bool = True, browser: bool = True) -> None:
        """A connected store; FBT orders imported from the 1st of this month; the catalog's SKUs mapped."""
        c = self.container
        c.create_warehouse()(CreateWarehouse(name="Main"))
        c.create_store()(CreateStore(name=STORE, default_warehouse="Main"))
        self.authorize(browser=browser)
        if fbt:
            warehouse = c.create_warehouse()(CreateWarehouse(name="FBT US", fbt=True, store=STORE))
            c.configure_fbt_import()(
                ConfigureFbtImport(store=STORE, enable=True, start_date=self.today().replace(day=1), warehouse=warehouse)
            )
        for sku, (_, name) in CATALOG.items():
            c.add_product()(AddProduct(sku=sku, name=name))
            c.map_listing()(MapListing(store=STORE, seller_sku=sku, product=sku))

    def authorize(self, *, browser: bool = True) -> None:
        """The seller opens TikTok's page, grants, and the OMS completes with the redirect.

        `browser`: the page is fetched over HTTP (else the seller's grant is played on the model
        directly, so that no request but the OMS's own shows up in the logs).
        """
        begun = self.container.begin_authorization()(BeginAuthorization(store=STORE))
        if browser:
            answer = self.http.get(begun["authorization_url"], follow_redirects=False)
            assert answer.status_code == 302, answer.text
            redirect = answer.headers["location"]
        else:
            redirect = self.sandbox.model.approve(begun["authorization_url"], REDIRECT_URL)
        self.container.complete_authorization()(CompleteAuthorization(store=STORE, redirect_url=redirect))

    # --- running ------------------------------------------------------------------------------------

    def sync(self, *, full: bool = False, progress: Callable[[SyncSummary], None] | None = None) -> SyncSummary:
        return self.container.sync_orders()(SyncOrders(store=STORE, full=full), progress=progress)

    def cli(self, *args: str) -> Result:
        """`tiktok-oms ARGS` in process, on this container."""
        return CliRunner().invoke(main, list(args), obj=lambda **extra: self.container)

    def crash_gateway(self, *, crash_at: int | None, before_search: Callable[[int], None] | None = None) -> CrashingGateway:
        gateway = CrashingGateway(self.client, self.sandbox.url, crash_at=crash_at, before_search=before_search)
        self.container.tiktok.override(providers.Object(gateway))
        return gateway

    def crash_on_commit(self, n: int) -> CommitPlan:
        plan = CommitPlan(crash_at=n)
        factory = sessionmaker(bind=self.engine, class_=CrashingSession, expire_on_commit=False, info={"plan": plan})
        self.container.session_factory.override(providers.Object(factory))
        return plan

    def heal(self) -> None:
        """The next process: the real gateway and sessions again."""
        self.container.tiktok.reset_override()
        self.container.session_factory.reset_override()

    # --- reading what the database holds ---------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[SqlConnection]:
        # A plain read: on SQLite it must not ask for the write lock a sync in progress may hold.
        with self.engine.connect() as conn:
            yield conn.execution_options(sqlite_begin_mode="DEFERRED")

    def store_row(self) -> dict[str, Any]:
        with self._reading() as conn:
            return dict(conn.execute(select(t.stores).where(t.stores.c.name == STORE)).mappings().one())

    def checkpoint(self) -> dict[str, Any] | None:
        """The store's sync checkpoint: cursor, window_start, window_end, page_token."""
        c = t.sync_checkpoints.c
        with self._reading() as conn:
            row = conn.execute(select(c.cursor, c.window_start, c.window_end, c.page_token)).mappings().first()
            return dict(row) if row else None

    def fbt(self) -> tuple[bool, date | None]:
        row = self.store_row()
        return bool(row["fbt_enabled"]), row["fbt_start_date"]

    def truth(self, only: set[str] | None = None) -> Canonical:
        return self.sandbox.truth(self.fbt(), only)

    def dump(self) -> Canonical:
        """Every OMS order by TikTok id: how many rows, TikTok status, and each line with its status."""
        query = (
            select(t.orders.c.tiktok_order_id, t.orders.c.id, t.orders.c.tiktok_status,
                   t.order_lines.c.tiktok_line_item_id, t.order_lines.c.status)
            .select_from(t.orders.outerjoin(t.order_lines, t.order_lines.c.order_id == t.orders.c.id))
        )
        rows: dict[str, set[str]] = {}
        status: dict[str, str] = {}
        lines: dict[str, list[tuple[str, str]]] = {}
        with self._reading() as conn:
            for tiktok_id, order_id, tiktok_status, item_id, line_status in conn.execute(query):
                rows.setdefault(tiktok_id, set()).add(order_id)
                status[tiktok_id] = tiktok_status
                if item_id is not None:
                    lines.setdefault(tiktok_id, []).append((item_id, line_status.value))
        return {i: (len(rows[i]), status[i], tuple(sorted(lines.get(i, [])))) for i in rows}

    def table_bytes(self) -> bytes:
        """Every row the import writes or reads, in key order, as bytes (I-1)."""
        dumped = (t.stores, t.warehouses, t.products, t.listings, t.orders, t.order_lines, t.stock_movements,
                  t.order_payloads, t.quarantine, t.shipments, t.returns)
        with self._reading() as conn:
            dump = {
                table.name: [[str(v) for v in row] for row in conn.execute(select(table).order_by(*table.primary_key))]
                for table in dumped
            }
        return json.dumps(dump, sort_keys=True).encode()

    def quarantined(self) -> list[dict[str, Any]]:
        with self._reading() as conn:
            return [dict(r) for r in conn.execute(select(t.quarantine).order_by(t.quarantine.c.id)).mappings()]

    def payload(self, tiktok_order_id: str) -> dict[str, Any]:
        with self._reading() as conn:
            row = conn.execute(
                select(t.order_payloads.c.update_time, t.order_payloads.c.payload)
                .where(t.order_payloads.c.tiktok_order_id == tiktok_order_id)
            ).one()
        return {"update_time": row.update_time, **json.loads(row.payload)}

    def close(self) -> None:
        self.container.tiktok.reset_override()
        self.container.session_factory.reset_override()
        self.engine.dispose()
        self.http.close()


# --- the CLI as a separate process -------------------------------------------------------------------


def cli_command() -> list[str]:
    script = Path(sys.executable).parent / "tiktok-oms"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from adapters.cli import main; main()"]


def cli_env(sandbox: Sandbox, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIKTOK_", "PYTEST_"))}
    env.update(
        PYTHONPATH=str(ROOT), TIKTOK_OMS_DATABASE_URL=database_url, TIKTOK_APP_KEY=APP_KEY, TIKTOK_APP_SECRET=APP_SECRET,
        TIKTOK_SERVICE_ID=SERVICE_ID, TIKTOK_REDIRECT_URL=REDIRECT_URL, TIKTOK_API_BASE_URL=sandbox.url,
        TIKTOK_AUTH_BASE_URL=sandbox.url, TIKTOK_AUTHORIZE_URL=f"{sandbox.url}/open/authorize",
    )
    return env


@dataclass
class Cli:
    """`tiktok-oms` in its own process (the installed entry point), against the sandbox and a database."""

    sandbox: Sandbox
    database_url: str
    cwd: Path  # no stray .env is read from the project folder
    transcripts: list[str] = field(default_factory=list)

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([*cli_command(), *args], cwd=self.cwd, env=cli_env(self.sandbox, self.database_url),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*cli_command(), *args], cwd=self.cwd, env=cli_env(self.sandbox, self.database_url),
                              capture_output=True, text=True, timeout=timeout)
        self.transcripts += [done.stdout, done.stderr]
        return done

    @staticmethod
    def kill(process: subprocess.Popen[str]) -> int:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()
        return process.returncode

