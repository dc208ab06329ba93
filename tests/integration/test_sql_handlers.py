"""The application's own flows over every adapter: memory, SQLite and PostgreSQL must agree."""

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from adapters.clock import FixedClock, seconds_of
from adapters.memory.repositories import InMemoryDatabase, InMemoryUnitOfWork
from adapters.sandbox.inprocess import InProcessTikTokShop
from adapters.sandbox.model import TikTokShopModel
from adapters.persistence import tables
from adapters.persistence.engine import make_engine, make_session_factory
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from application.commands import (
    AddProduct,
    AssignWarehouse,
    BeginAuthorization,
    CancelOrder,
    CompleteAuthorization,
    ConfigureFbtImport,
    CreateReturn,
    CreateStore,
    CreateWarehouse,
    MapListing,
    ShipOrder,
    SplitOrder,
    SyncOrders,
    UnmapListing,
)
from application.errors import AlreadyExists, ApplicationError
from application.handlers.add_product import AddProductHandler
from application.handlers.assign_warehouse import AssignWarehouseHandler
from application.handlers.authorize_store import BeginAuthorizationHandler, CompleteAuthorizationHandler
from application.handlers.cancel_order import CancelOrderHandler
from application.handlers.configure_fbt_import import ConfigureFbtImportHandler
from application.handlers.create_return import CreateReturnHandler
from application.handlers.create_store import CreateStoreHandler
from application.handlers.create_warehouse import CreateWarehouseHandler
from application.handlers.map_listing import MapListingHandler, UnmapListingHandler
from application.handlers.queries import Queries
from application.handlers.ship_order import ShipOrderHandler
from application.handlers.split_order import SplitOrderHandler
from application.handlers.sync_orders import SyncOrdersHandler, SyncSummary
from application.ports import OrderPage, UnitOfWork
from domain.stores import Connection
from tests.builders import T0
from tests.databases import SQL_DIALECTS, Databases

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("mappers")]

REDIRECT_URL = "http://127.0.0.1:8765/callback"


class ReplayingTikTokShop(InProcessTikTokShop):
    """TikTok as modelled, except that pages put in `replays` are served first (stale deliveries)."""

    def __init__(self, model: TikTokShopModel) -> None:
        super().__init__(model, authorize_url="https://services.tiktokshop.test/open/authorize")
        self.replays: list[OrderPage] = []
        self.served: list[OrderPage] = []

    def search_orders(self, conn: Connection, **kwargs: Any) -> OrderPage:
        page = self.replays.pop(0) if self.replays else super().search_orders(conn, **kwargs).read()
        self.served.append(page)
        return page


class Oms:
    """The handlers the CLI runs, over one unit of work, with TikTok's side modelled in process."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.clock = FixedClock(T0)
        self.model = TikTokShopModel(now=seconds_of(self.clock))
        self.tiktok = tiktok = ReplayingTikTokShop(self.model)
        self.queries = Queries(uow)
        self.create_store = CreateStoreHandler(uow)
        self.create_warehouse = CreateWarehouseHandler(uow)
        self.add_product = AddProductHandler(uow)
        self.begin = BeginAuthorizationHandler(uow, tiktok, self.clock)
        self.complete = CompleteAuthorizationHandler(uow, tiktok, self.clock)
        self.fbt_import = ConfigureFbtImportHandler(uow, self.clock)
        self.map_listing = MapListingHandler(uow, self.clock)
        self.unmap_listing = UnmapListingHandler(uow)
        self.sync_orders = SyncOrdersHandler(uow, tiktok, self.clock)
        self.split = SplitOrderHandler(uow, tiktok, self.clock)
        self.assign = AssignWarehouseHandler(uow)
        self.ship = ShipOrderHandler(uow, tiktok, self.clock)
        self.cancel = CancelOrderHandler(uow, tiktok, self.clock)
        self.create_return = CreateReturnHandler(uow, self.clock)

    def connected_store(self, name: str = "TikTok US") -> str:
        shop = self.model.add_shop(f"{name} shop")
        self.create_warehouse(CreateWarehouse(name="East"))
        store_id: str = self.create_store(CreateStore(name=name, default_warehouse="East"))
        started = self.begin(BeginAuthorization(store=name))
        self.complete(CompleteAuthorization(store=name, redirect_url=self.model.approve(started["state"], REDIRECT_URL, shop_id=shop.id)))
        return store_id

    def sync(self, *, full: bool = False) -> SyncSummary:
        self.clock.advance(timedelta(minutes=1))
        return self.sync_orders(SyncOrders(store="TikTok US", full=full))

    def parts(self, tiktok_order_id: str) -> list[dict[str, Any]]:
        listed = [o for o in self.queries.orders() if o["tiktok_order_id"] == tiktok_order_id]
        return [self.queries.order(o["id"]) for o in listed]


@pytest.fixture(params=["memory", *SQL_DIALECTS])
def oms(request: pytest.FixtureRequest, databases: Databases) -> Iterator[Oms]:
    if request.param == "memory":
        yield Oms(InMemoryUnitOfWork(InMemoryDatabase()))
        return
    with databases.fresh(request.param) as url:
        engine = make_engine(url)
        yield Oms(SqlAlchemyUnitOfWork(make_session_factory(engine)))
        engine.dispose()


def canonical_dump(uow: UnitOfWork) -> bytes:
    """Every imported row, in key order, as bytes (I-1)."""
    if isinstance(uow, SqlAlchemyUnitOfWork):
        with uow:
            dump = {
                table.name: [list(map(str, row)) for row in uow.session.execute(select(table).order_by(*table.primary_key))]
                for table in (tables.orders, tables.order_lines, tables.listings, tables.stock_movements, tables.order_payloads)
            }
    else:
        dump = {"orders": Queries(uow).orders()}
    return json.dumps(dump, sort_keys=True, default=str).encode()


class TestDirectoryAndAuthorization:
    def test_an_authorized_store_is_connected_to_its_shop_and_keeps_working_tokens(self, oms: Oms) -> None:
        oms.connected_store()
        oms.model.place_order(units=[("mug", 1)])

        store = oms.queries.store("TikTok US")
        summary = oms.sync()

        assert (store["status"], store["shop"]["name"], store["default_warehouse_id"]) == (
            "connected", "TikTok US shop", oms.queries.warehouses()[0]["id"],
        )
        assert summary.new == 1

    def test_a_refused_authorization_leaves_the_store_disconnected_and_says_why(self, oms: Oms) -> None:
        oms.model.add_shop("TikTok US shop")
        oms.create_store(CreateStore(name="TikTok US"))
        started = oms.begin(BeginAuthorization(store="TikTok US"))

        with pytest.raises(ApplicationError, match="did not grant access"):
            oms.complete(CompleteAuthorization(store="TikTok US", redirect_url=oms.model.approve(started["state"], REDIRECT_URL, deny=True)))

        store = oms.queries.store("TikTok US")
        assert store["status"] == "disconnected" and "did not grant access" in store["status_reason"]

    def test_a_second_store_with_a_taken_name_is_refused(self, oms: Oms) -> None:
        oms.create_store(CreateStore(name="TikTok US"))

        with pytest.raises(AlreadyExists, match="store already exists: TikTok US"):
            oms.create_store(CreateStore(name="TikTok US"))

        assert [s["name"] for s in oms.queries.stores()] == ["TikTok US"]


class TestOrderLifecycle:
    def test_orders_are_imported_mapped_split_shipped_cancelled_returned_and_reported(self, oms: Oms) -> None:
        oms.connected_store()
        fbt_wh = oms.create_warehouse(CreateWarehouse(name="FBT US", fbt=True, store="TikTok US"))
        oms.fbt_import(ConfigureFbtImport(store="TikTok US", enable=True, start_date=T0.date().replace(day=1), warehouse=fbt_wh))
        merchant = oms.model.place_order(units=[("tee", 3), ("mug", 1)])["id"]
        fbt = oms.model.place_order(units=[("tee", 2)], fbt=True)["id"]

        oms.sync()
        assert [o["status"] for o in oms.queries.orders()] == ["in_review", "in_review"]
        for sku, name in (("TEE", "Tee"), ("MUG", "Mug")):
            oms.add_product(AddProduct(sku=sku, name=name))
            oms.map_listing(MapListing(store="TikTok US", seller_sku=sku.lower(), product=sku))
        (original,) = oms.parts(merchant)
        assert [o["status"] for o in oms.parts(merchant) + oms.parts(fbt)] == ["awaiting_fulfilment", "shipped"]
        assert [len(o["lines"]) for o in oms.parts(merchant) + oms.parts(fbt)] == [4, 2]  # R3: one line per unit

        part_id = oms.split(SplitOrder(order=original["id"], lines=[original["lines"][3]["id"]]))
        oms.assign(AssignWarehouse(order=part_id, warehouse="East"))
        oms.ship(ShipOrder(order=part_id, carrier="UPS", tracking="1Z999"))
        oms.cancel(CancelOrder(order=original["id"], lines=[original["lines"][0]["id"]], reason="out-of-stock"))
        oms.create_return(CreateReturn(order=part_id, lines=[original["lines"][3]["id"]]))
        oms.unmap_listing(UnmapListing(store="TikTok US", seller_sku="tee"))

        before, part = oms.parts(merchant)
        assert (before["status"], [l["status"] for l in before["lines"]]) == ("in_review", ["cancelled", "open", "open"])
        assert (part["status"], part["parent_order_id"], part["shipments"][0]["carrier"]) == ("shipped", before["id"], "UPS")
        assert oms.queries.order(part_id)["returns"][0]["address"]["city"] == "Culver City"
        assert [l["product_sku"] for l in oms.parts(fbt)[0]["lines"]] == ["TEE", "TEE"]  # FBT history is kept
        report = oms.queries.sales()
        assert [(r["fulfilled_by"], r["orders"], r["units"], r["revenue"]) for r in report["sales"]] == [
            ("merchant", 1, 3, "59.97"), ("store", 1, 2, "39.98"),
        ]
        assert [(s["warehouse"], s["product_sku"], s["quantity"]) for s in report["fbt_stock"]] == [("FBT US", "TEE", -2)]


class TestImportIsIdempotentAndNewestWins:
    def test_syncing_again_leaves_every_order_and_line_byte_for_byte_the_same(self, oms: Oms) -> None:
        oms.connected_store()
        oms.add_product(AddProduct(sku="MUG", name="Mug"))
        oms.map_listing(MapListing(store="TikTok US", seller_sku="mug", product="MUG"))
        for units in ([("tee", 3)], [("mug", 2), ("tee", 1)], [("mug", 1)]):
            oms.model.place_order(units=units)
        oms.sync()
        first = canonical_dump(oms.uow)

        oms.sync()
        oms.sync(full=True)

        assert canonical_dump(oms.uow) == first
        assert len(oms.queries.orders()) == 3

    def test_an_older_version_of_an_order_never_overwrites_a_newer_one(self, oms: Oms) -> None:
        oms.connected_store()
        tiktok_id = oms.model.place_order(units=[("mug", 2)])["id"]
        oms.sync()
        stale = oms.tiktok.served[-1]
        oms.clock.advance(timedelta(minutes=5))
        oms.model.buyer_cancels(tiktok_id)
        oms.sync()

        oms.tiktok.replays.append(stale)
        summary = oms.sync(full=True)

        (order,) = oms.parts(tiktok_id)
        assert summary.unchanged >= 1
        assert order["status"] == "cancelled" and order["tiktok_status"] == "CANCELLED"
        if isinstance(oms.uow, SqlAlchemyUnitOfWork):
            with oms.uow:
                payload = oms.uow.orders.payload(order["store_id"], tiktok_id)
            assert isinstance(payload, dict) and payload["status"] == "CANCELLED"

    def test_changes_made_on_tiktok_reach_the_order_on_the_next_sync(self, oms: Oms) -> None:
        oms.connected_store()
        for sku in ("TEE", "MUG"):
            oms.add_product(AddProduct(sku=sku, name=sku.title()))
            oms.map_listing(MapListing(store="TikTok US", seller_sku=sku.lower(), product=sku))
        held = oms.model.place_order(units=[("tee", 1)], status="ON_HOLD")["id"]
        elsewhere = oms.model.place_order(units=[("mug", 1)])["id"]
        oms.sync()
        assert [oms.parts(i)[0]["status"] for i in (held, elsewhere)] == ["on_hold", "awaiting_fulfilment"]

        oms.model.release_hold(held)
        oms.model.shipped_elsewhere(elsewhere)
        oms.sync()

        assert [oms.parts(i)[0]["status"] for i in (held, elsewhere)] == ["awaiting_fulfilment", "shipped"]
        assert oms.parts(held)[0]["address"]["city"] == "Culver City"
