"""Commands racing on PostgreSQL (read committed, many writers): no lost update, no lost grant."""

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from adapters.clock import FixedClock, seconds_of
from adapters.sandbox.inprocess import InProcessTikTokShop
from adapters.sandbox.model import TikTokShopModel
from adapters.persistence.engine import make_engine, make_session_factory
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from application.commands import BeginAuthorization, CompleteAuthorization, CreateStore
from application.handlers.authorize_store import BeginAuthorizationHandler, CompleteAuthorizationHandler
from application.handlers.create_store import CreateStoreHandler
from application.tiktok_session import ShopSession
from domain.catalog import Product
from domain.orders import FulfilledBy, LineStatus, Order, OrderLine, OrderStatus, Shipment
from domain.stores import Grant, Store, StoreStatus
from domain.warehouses import Warehouse
from tests.builders import T0
from tests.databases import Databases

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.usefixtures("mappers")]
NOW = datetime(2026, 3, 15, tzinfo=UTC)


@pytest.fixture
def factory(databases: Databases) -> Iterator[sessionmaker[Session]]:
    with databases.fresh("postgresql") as url:
        engine = make_engine(url)
        yield make_session_factory(engine)
        engine.dispose()


def an_order_of_two_lines(factory: sessionmaker[Session]) -> None:
    with SqlAlchemyUnitOfWork(factory) as uow:
        uow.stores.add(Store(id="st1", name="S"))
        uow.warehouses.add(Warehouse(id="wh1", name="East"))
        uow.products.add(Product(sku="A", name="A"))
        lines = [OrderLine(id=f"l{n}", tiktok_line_item_id=f"i{n}", seller_sku="a", product_sku="A") for n in (1, 2)]
        uow.orders.add(Order(id="o1", store_id="st1", tiktok_order_id="T1", fulfilled_by=FulfilledBy.MERCHANT,
                             lines=lines, created_at=NOW, warehouse_id="wh1"))
        uow.commit()


def test_a_sync_page_that_only_read_an_order_does_not_undo_a_shipment_committed_meanwhile(
    factory: sessionmaker[Session],
) -> None:
    an_order_of_two_lines(factory)
    page = SqlAlchemyUnitOfWork(factory).__enter__()
    page.orders.parts("st1", ["T1"])  # a sync page reads the order and finds nothing to change

    with SqlAlchemyUnitOfWork(factory) as ship:
        order = ship.orders.get("o1")
        assert order is not None
        order.record_shipment(Shipment("pkg1", ("l1", "l2"), "wh1", "USPS", "9400", NOW))
        ship.commit()
    page.commit()
    page.__exit__(None, None, None)

    with SqlAlchemyUnitOfWork(factory) as uow:
        order = uow.orders.get("o1")
        assert order is not None
        assert (order.status, [l.status for l in order.lines]) == (OrderStatus.SHIPPED, [LineStatus.SHIPPED] * 2)
        assert len(order.shipments) == 1


def test_a_sync_page_that_only_read_an_order_does_not_undo_a_split_committed_meanwhile(
    factory: sessionmaker[Session],
) -> None:
    an_order_of_two_lines(factory)
    page = SqlAlchemyUnitOfWork(factory).__enter__()
    page.orders.parts("st1", ["T1"])

    with SqlAlchemyUnitOfWork(factory) as split:
        order = split.orders.get("o1")
        assert order is not None
        split.orders.add(order.split(["l2"], new_order_id="o2", split_index=1, by_sku_only=False))
        split.commit()
    page.commit()
    page.__exit__(None, None, None)

    with SqlAlchemyUnitOfWork(factory) as uow:
        kept, part = uow.orders.get("o1"), uow.orders.get("o2")
        assert kept is not None and part is not None
        assert ([l.id for l in kept.lines], [l.id for l in part.lines]) == (["l1"], ["l2"])


class SlowRefresh(InProcessTikTokShop):
    def refresh(self, refresh_token: str) -> Grant:
        time.sleep(0.3)  # long enough for the other process to be waiting on the store
        return super().refresh(refresh_token)


def test_two_processes_due_for_a_refresh_at_once_refresh_once_and_both_stay_connected(
    factory: sessionmaker[Session],
) -> None:
    clock = FixedClock(T0)
    model = TikTokShopModel(now=seconds_of(clock))
    model.add_shop("Shop")
    tiktok = SlowRefresh(model, authorize_url="https://auth.example/authorize")
    store_id = CreateStoreHandler(SqlAlchemyUnitOfWork(factory))(CreateStore(name="S"))
    begun = BeginAuthorizationHandler(SqlAlchemyUnitOfWork(factory), tiktok, clock)(BeginAuthorization(store="S"))
    redirect = model.approve(begun["authorization_url"], "http://127.0.0.1:8765/callback")
    CompleteAuthorizationHandler(SqlAlchemyUnitOfWork(factory), tiktok, clock)(
        CompleteAuthorization(store="S", redirect_url=redirect)
    )
    clock.advance(timedelta(days=6, hours=12))  # inside the refresh margin
    outcomes: list[str] = []

    def process() -> None:
        try:
            ShopSession(SqlAlchemyUnitOfWork(factory), tiktok, clock).connection(store_id)
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test compares
            outcomes.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert outcomes == ["ok", "ok"]
    assert [call for call, _ in model.calls].count("token_refresh") == 1
    with SqlAlchemyUnitOfWork(factory) as uow:
        store = uow.stores.get(store_id)
        assert store is not None and store.status is StoreStatus.CONNECTED
