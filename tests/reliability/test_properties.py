"""I-2 as a property and I-19 as a model-based test (hypothesis), in process and on SQLite files.

- I-2: whatever order the versions of one TikTok order arrive in (duplicates included), the
  stored order is the newest version: the one with the greatest `update_time`.
- I-19: any interleaving of {TikTok changes orders, a sync runs, a sync crashes at a random
  point, a webhook is delivered / duplicated / dropped}, followed by one clean sync, leaves the
  database equal to TikTok's state. (After a crash, the first sync only finishes the interrupted
  window, as domain/sync.py intends; the clean sync is the one after it.)

TikTok is the sandbox model reached through the production client and gateway over the
in-process transport (adapters/sandbox/inprocess.py); the OMS is the container on a fresh
migrated SQLite file per example. Examples are few and `deadline=None` keeps a slow machine from
failing them: the file runs in seconds.
"""

import itertools
import json
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from dependency_injector import providers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import event, select

from adapters.clock import FixedClock, seconds_of
from adapters.container import Container
from adapters.persistence import tables as t
from adapters.persistence.engine import make_engine, make_session_factory
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from adapters.sandbox.app import create_app
from adapters.sandbox.inprocess import InProcessTikTokShop
from adapters.sandbox.model import TikTokShopModel
from adapters.settings import Settings
from application.commands import BeginAuthorization, CompleteAuthorization, CreateStore, CreateWarehouse, ReceiveWebhook, SyncOrders
from application.order_import import import_orders
from application.ports import OrderPage
from domain.stores import Connection
from tests.builders import T0, a_connected_store, a_remote_line, a_remote_order
from tests.databases import Databases

pytestmark = pytest.mark.integration

FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# --- I-2: newest wins, as a property -----------------------------------------------------------

# Versions of one order as TikTok moves it along, each with its (increasing) update_time.
PATHS = {
    "shipped": ["UNPAID", "AWAITING_SHIPMENT", "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED"],
    "cancelled": ["UNPAID", "AWAITING_SHIPMENT", "CANCELLED"],
    "on hold": ["ON_HOLD", "AWAITING_SHIPMENT", "IN_TRANSIT"],
}
LINE_STATUS = {"CANCELLED": "CANCELLED", "IN_TRANSIT": "IN_TRANSIT", "DELIVERED": "DELIVERED", "COMPLETED": "COMPLETED"}


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[str, list[int], list[int]]:
    """(the path, update_times of its versions, the order they arrive in: each at least once, some twice)."""
    path = draw(st.sampled_from(sorted(PATHS)))
    count = len(PATHS[path])
    gaps = draw(st.lists(st.integers(0, 5), min_size=count - 1, max_size=count - 1))  # 0: same second
    times = list(itertools.accumulate([1_000, *gaps]))
    arrival = draw(st.permutations(range(count)))
    again = draw(st.lists(st.sampled_from(range(count)), max_size=3))
    spots = draw(st.lists(st.integers(0, count), min_size=len(again), max_size=len(again)))
    order = list(arrival)
    for version, spot in zip(again, spots):
        order.insert(spot, version)
    return path, times, order


def version(tiktok_order_id: str, statuses: list[str], index: int, update_time: int) -> Any:
    status = statuses[index]
    lines = [a_remote_line(tiktok_line_item_id=f"{tiktok_order_id}-{n}", seller_sku="tee-red-l",
                           status=LINE_STATUS.get(status, "AWAITING_SHIPMENT"), sale_price=Decimal("19.99"))
             for n in range(2)]
    return a_remote_order(tiktok_order_id=tiktok_order_id, status=status, update_time=update_time, lines=lines)


@pytest.fixture
def i2_database(databases: Databases) -> Iterator[tuple[Any, str]]:
    """One SQLite file for every example of the test (each example imports a new order id)."""
    with databases.fresh("sqlite") as url:
        engine = make_engine(url)
        uow = SqlAlchemyUnitOfWork(make_session_factory(engine))
        store = a_connected_store(name="I-2 Shop")
        with uow:
            uow.session.add(store)
            uow.commit()
        yield engine, store.id
        engine.dispose()


@FEW
@given(case=deliveries(), n=st.integers(0, 10**9))
def test_i2_whatever_the_arrival_order_the_stored_order_is_the_newest_version(
        i2_database: tuple[Any, str], case: tuple[str, list[int], list[int]], n: int) -> None:
    engine, store_id = i2_database
    path, times, arrival = case
    statuses = PATHS[path]
    tiktok_order_id = f"576{n:010d}{len(arrival)}{path[0]}"
    uow = SqlAlchemyUnitOfWork(make_session_factory(engine))
    with uow:
        if uow.orders.parts(store_id, [tiktok_order_id]).get(tiktok_order_id):
            return  # the same id drawn twice: the property is about fresh orders
    for index in arrival:
        with uow:
            import_orders(uow, store_id, OrderPage([version(tiktok_order_id, statuses, index, times[index])], None), T0)
            uow.commit()

    newest = max(range(len(times)), key=lambda i: (times[i], i))  # the last of equal times is TikTok's latest
    newest_time = times[newest]
    with uow:
        [stored] = uow.orders.parts(store_id, [tiktok_order_id])[tiktok_order_id]
        assert stored.tiktok_update_time == newest_time
        # Among versions of the newest second, TikTok's status at that second is one of theirs.
        assert stored.tiktok_status in {statuses[i] for i in range(len(times)) if times[i] == newest_time}
        if all(times[i] < newest_time for i in range(len(times)) if i != newest):
            assert stored.tiktok_status == statuses[newest]


# --- I-19: model-based convergence -------------------------------------------------------------


class Crash(Exception):
    """The process dies here (raised where a real crash would stop the sync)."""


class PagedTikTok(TikTokShopModel):
    """TikTok's model with small pages, so a sync reads several and can crash between them."""

    page_cap = 2

    def search_orders(self, access_token: str, cipher: str, *, page_size: int, page_token: str | None,
                      body: dict) -> dict:
        return super().search_orders(access_token, cipher, page_size=min(page_size, self.page_cap),
                                     page_token=page_token, body=body)


class CrashingTikTok(InProcessTikTokShop):
    """The production gateway in process; `crash_at` makes the n-th page read (or its answer) die."""

    crash_at: tuple[int, bool] | None = None  # (page number, after TikTok answered)
    pages = 0

    def search_orders(self, conn: Connection, **kwargs: Any) -> OrderPage:
        self.pages += 1
        if self.crash_at is not None and self.crash_at[0] == self.pages and not self.crash_at[1]:
            raise Crash(f"crash before reading page {self.pages}")
        page = super().search_orders(conn, **kwargs)
        if self.crash_at is not None and self.crash_at[0] == self.pages:
            raise Crash(f"crash after TikTok answered page {self.pages}")
        return page


class Jobs:
    """Background jobs as the webhook handler asks for them; the machine runs the refreshes."""

    def __init__(self) -> None:
        self.refreshes: list[tuple[str, str]] = []

    def refresh_order_soon(self, store_id: str, order_id: str) -> None:
        self.refreshes.append((store_id, order_id))

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


STORE = "I-19 Shop"
REDIRECT = "http://127.0.0.1:8765/callback"


class Convergence(RuleBasedStateMachine):
    def __init__(self, databases: Databases) -> None:
        super().__init__()
        self.stack = ExitStack()
        url = self.stack.enter_context(databases.fresh("sqlite"))
        self.clock = FixedClock(T0)
        self.model = PagedTikTok(now=seconds_of(self.clock))
        self.shop = self.model.add_shop(f"{STORE} on TikTok", region="GB")  # GB: addresses are not masked
        self.container = Container(settings=Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
        self.container.clock.override(providers.Object(self.clock))
        self.tiktok = CrashingTikTok(self.model, authorize_url="https://services.tiktokshop.test/open/authorize",
                                     app=create_app(self.model, redirect_url=REDIRECT))
        self.container.tiktok.override(providers.Object(self.tiktok))
        self.jobs = Jobs()
        self.container.jobs.override(providers.Object(self.jobs))
        self.commits_until_crash: int | None = None  # the n-th commit of a sync dies after its writes
        event.listen(self.container.session_factory(), "before_commit", self._maybe_crash_in_commit)
        self.notifications = itertools.count(1)
        self.sent: list[dict[str, Any]] = []  # webhooks TikTok sent and the OMS may not have received yet

    def _maybe_crash_in_commit(self, session: Any) -> None:
        if self.commits_until_crash is None:
            return
        self.commits_until_crash -= 1
        if self.commits_until_crash == 0:
            self.commits_until_crash = None
            session.flush()  # every write is in the transaction; the commit never happens
            raise Crash("crash inside a transaction, after its writes, before its commit")

    def teardown(self) -> None:
        self.commits_until_crash = None
        self.container.engine().dispose()
        self.stack.close()

    # --- arranging ---

    @initialize()
    def connect(self) -> None:
        c = self.container
        c.create_warehouse()(CreateWarehouse(name="Main"))
        c.create_store()(CreateStore(name=STORE, region="GB", currency="GBP", default_warehouse="Main"))
        started = c.begin_authorization()(BeginAuthorization(store=STORE))
        redirect = self.model.approve(started["authorization_url"], REDIRECT, shop_id=self.shop.id)
        c.complete_authorization()(CompleteAuthorization(store=STORE, redirect_url=redirect))

    # --- TikTok's side ---

    def _open_orders(self) -> list[str]:
        return sorted(i for i, o in self.shop.orders.items() if o["status"] == "AWAITING_SHIPMENT")

    def _changed(self, order_id: str) -> None:
        self.clock.advance(timedelta(seconds=1))
        self.sent.append({"order_id": order_id, "id": f"n-{next(self.notifications)}",
                          "timestamp": int(self.clock.now().timestamp())})

    @rule(units=st.integers(1, 3))
    def tiktok_places_an_order(self, units: int) -> None:
        self.clock.advance(timedelta(seconds=1))
        order = self.model.place_order(self.shop.id, units=[("tee-red-l", units)])
        self._changed(order["id"])

    @precondition(lambda self: bool(self._open_orders()))
    @rule(pick=st.integers(0, 10**6))
    def the_buyer_cancels(self, pick: int) -> None:
        open_orders = self._open_orders()
        order_id = open_orders[pick % len(open_orders)]
        self.clock.advance(timedelta(seconds=1))
        self.model.buyer_cancels(order_id)
        self._changed(order_id)

    @precondition(lambda self: bool(self._open_orders()))
    @rule(pick=st.integers(0, 10**6))
    def the_seller_ships_in_seller_center(self, pick: int) -> None:
        open_orders = self._open_orders()
        order_id = open_orders[pick % len(open_orders)]
        self.clock.advance(timedelta(seconds=1))
        self.model.shipped_elsewhere(order_id)
        self._changed(order_id)

    # --- the OMS's side ---

    @rule(minutes=st.integers(0, 30))
    def a_sync_runs(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))
        self.tiktok.crash_at, self.tiktok.pages = None, 0
        self.container.sync_orders()(SyncOrders(store=STORE))

    @rule(where=st.sampled_from(["before a page", "after TikTok answered", "inside a commit"]), n=st.integers(1, 4))
    def a_sync_crashes(self, where: str, n: int) -> None:
        self.clock.advance(timedelta(minutes=1))
        self.tiktok.pages = 0
        if where == "inside a commit":
            self.commits_until_crash = n
        else:
            self.tiktok.crash_at = (n, where == "after TikTok answered")
        try:
            self.container.sync_orders()(SyncOrders(store=STORE))
        except Crash:
            pass
        finally:
            self.tiktok.crash_at, self.commits_until_crash = None, None

    @precondition(lambda self: bool(self.sent))
    @rule(how=st.sampled_from(["delivered", "duplicated", "dropped"]), pick=st.integers(0, 10**6))
    def a_webhook(self, how: str, pick: int) -> None:
        sent = self.sent.pop(pick % len(self.sent))
        if how == "dropped":
            return
        data = {"order_id": sent["order_id"], "order_status": self.model.find_order(sent["order_id"])["status"]}
        body = {"type": 1, "tts_notification_id": sent["id"], "shop_id": self.shop.id,
                "timestamp": sent["timestamp"], "data": data}
        for _ in range(2 if how == "duplicated" else 1):
            self.container.receive_webhook()(ReceiveWebhook(
                notification_id=sent["id"], type=1, shop_id=self.shop.id, timestamp=sent["timestamp"],
                data=data, raw=json.dumps(body)))
        while self.jobs.refreshes:
            store_id, order_id = self.jobs.refreshes.pop(0)
            self.container.refresh_order()(store_id, order_id)

    # --- the promise ---

    def truth(self) -> dict[str, tuple[str, tuple[tuple[str, str], ...]]]:
        return {order_id: (order["status"], tuple(sorted((item["id"], _line(order, item)) for item in order["line_items"])))
                for order_id, order in self.shop.orders.items()}

    def stored(self) -> dict[str, tuple[str, tuple[tuple[str, str], ...]]]:
        query = (select(t.orders.c.tiktok_order_id, t.orders.c.tiktok_status, t.order_lines.c.tiktok_line_item_id,
                        t.order_lines.c.status)
                 .select_from(t.orders.join(t.order_lines, t.order_lines.c.order_id == t.orders.c.id)))
        found: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        with self.container.engine().connect() as connection:
            for tiktok_id, status, item, line_status in connection.execute(query):
                found.setdefault(tiktok_id, (status, []))[1].append((item, line_status.value))
        return {i: (status, tuple(sorted(lines))) for i, (status, lines) in found.items()}

    @invariant()
    def nothing_stored_that_tiktok_does_not_have(self) -> None:
        truth, stored = self.truth(), self.stored()
        assert set(stored) <= set(truth)

    def window_interrupted(self) -> bool:
        with self.container.engine().connect() as connection:
            return connection.execute(select(t.sync_checkpoints.c.window_end)).scalar() is not None

    def converged_after_a_clean_sync(self) -> None:
        self.tiktok.crash_at, self.commits_until_crash = None, None
        if self.window_interrupted():
            # The first sync after a crash finishes the interrupted window (up to the moment it was
            # opened); what TikTok changed after that comes with the next one (domain/sync.py).
            self.clock.advance(timedelta(minutes=1))
            self.container.sync_orders()(SyncOrders(store=STORE))
        self.clock.advance(timedelta(minutes=1))
        self.container.sync_orders()(SyncOrders(store=STORE))
        assert self.stored() == self.truth()


def _line(order: dict[str, Any], item: dict[str, Any]) -> str:
    if item.get("display_status") == "CANCELLED" or order["status"] == "CANCELLED":
        return "cancelled"
    if order["status"] in ("AWAITING_SHIPMENT", "AWAITING_COLLECTION", "UNPAID", "ON_HOLD") and \
            item.get("display_status") in (None, "AWAITING_SHIPMENT", "AWAITING_COLLECTION", "UNPAID", "ON_HOLD"):
        return "open"
    return "shipped"


def test_i19_any_interleaving_then_a_clean_sync_converges_on_tiktoks_state(databases: Databases) -> None:
    class Checked(Convergence):
        def teardown(self) -> None:
            try:
                self.converged_after_a_clean_sync()
            finally:
                super().teardown()

    run_state_machine_as_test(
        lambda: Checked(databases),
        settings=settings(max_examples=15, stateful_step_count=12, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]),
    )
