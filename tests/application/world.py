from datetime import date

from adapters.clock import FixedClock, seconds_of
from adapters.memory.repositories import InMemoryDatabase, InMemoryUnitOfWork
from adapters.sandbox.inprocess import InProcessTikTokShop
from adapters.sandbox.model import SimShop, TikTokShopModel
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
from application.handlers.add_product import AddProductHandler
from application.handlers.assign_warehouse import AssignWarehouseHandler
from application.handlers.authorize_store import BeginAuthorizationHandler, CompleteAuthorizationHandler
from application.handlers.cancel_order import CancelOrderHandler
from application.handlers.configure_fbt_import import ConfigureFbtImportHandler
from application.handlers.create_return import CreateReturnHandler
from application.handlers.create_store import CreateStoreHandler
from application.handlers.create_warehouse import CreateWarehouseHandler
from application.handlers.disconnect_store import DisconnectStoreHandler
from application.handlers.map_listing import MapListingHandler, UnmapListingHandler
from application.handlers.queries import Queries
from application.handlers.ship_order import ShipOrderHandler
from application.handlers.split_order import SplitOrderHandler
from application.handlers.sync_orders import SyncOrdersHandler, SyncSummary
from domain.orders import Order
from domain.stores import Store
from tests.builders import T0

AUTHORIZE_URL = "https://services.tiktokshop.test/open/authorize"
REDIRECT_URL = "http://127.0.0.1:8765/callback"


class World:
    """The OMS over the in-memory adapter, with TikTok's side simulated in process (reached through the
    production client and gateway); one clock for both."""

    def __init__(self, *, page_token_ttl: int | None = None) -> None:
        self.clock = FixedClock(T0)
        self.db = InMemoryDatabase()
        self.uow = InMemoryUnitOfWork(self.db)
        self.model = TikTokShopModel(now=seconds_of(self.clock), page_token_ttl=page_token_ttl)
        self.tiktok: HttpxTikTokShop = InProcessTikTokShop(self.model, authorize_url=AUTHORIZE_URL)
        self.shops: dict[str, SimShop] = {}

    # --- handlers, built directly over the fakes ------------------------------------------------

    @property
    def create_store(self) -> CreateStoreHandler:
        return CreateStoreHandler(uow=self.uow)

    @property
    def create_warehouse(self) -> CreateWarehouseHandler:
        return CreateWarehouseHandler(uow=self.uow)

    @property
    def add_product(self) -> AddProductHandler:
        return AddProductHandler(uow=self.uow)

    @property
    def begin_authorization(self) -> BeginAuthorizationHandler:
        return BeginAuthorizationHandler(uow=self.uow, tiktok=self.tiktok, clock=self.clock)

    @property
    def complete_authorization(self) -> CompleteAuthorizationHandler:
        return CompleteAuthorizationHandler(uow=self.uow, tiktok=self.tiktok, clock=self.clock)

    @property
    def disconnect_store(self) -> DisconnectStoreHandler:
        return DisconnectStoreHandler(uow=self.uow)

    @property
    def configure_fbt_import(self) -> ConfigureFbtImportHandler:
        return ConfigureFbtImportHandler(uow=self.uow, clock=self.clock)

    @property
    def map_listing(self) -> MapListingHandler:
        return MapListingHandler(uow=self.uow, clock=self.clock)

    @property
    def unmap_listing(self) -> UnmapListingHandler:
        return UnmapListingHandler(uow=self.uow)

    @property
    def sync_orders(self) -> SyncOrdersHandler:
        return SyncOrdersHandler(uow=self.uow, tiktok=self.tiktok, clock=self.clock)

    @property
    def split_order(self) -> SplitOrderHandler:
        return SplitOrderHandler(uow=self.uow, tiktok=self.tiktok, clock=self.clock)

    @property
    def assign_warehouse(self) -> AssignWarehouseHandler:
        return AssignWarehouseHandler(uow=self.uow)

    @property
    def ship_order(self) -> ShipOrderHandler:
        return ShipOrderHandler(uow=self.uow, tiktok=self.tiktok, clock=self.clock)

    @property
    def cancel_order(self) -> CancelOrderHandler:
        return CancelOrderHandler(uow=self.uow, tiktok=self.tiktok, clock=self.clock)

    @property
    def create_return(self) -> CreateReturnHandler:
        return CreateReturnHandler(uow=self.uow, clock=self.clock)

    @property
    def queries(self) -> Queries:
        return Queries(uow=self.uow)

    # --- arranging ---------------------------------------------------------------------------

    def connected_store(self, name: str = "TikTok US", *, region: str = "US", default_warehouse: str | None = None) -> Store:
        shop = self.model.add_shop(f"{name} shop", region=region)
        store_id = self.create_store(CreateStore(name=name, region=region, default_warehouse=default_warehouse))
        self.shops[store_id] = shop
        started = self.begin_authorization(BeginAuthorization(store=name))
        redirect = self.model.approve(started["authorization_url"], REDIRECT_URL, shop_id=shop.id)
        self.complete_authorization(CompleteAuthorization(store=name, redirect_url=redirect))
        return self.store(name)

    def ready(self, *, region: str = "US", name: str = "TikTok US") -> Store:
        """A connected store whose tee and mug listings are mapped, and two standard warehouses."""
        self.create_warehouse(CreateWarehouse(name="East"))
        self.create_warehouse(CreateWarehouse(name="West"))
        store = self.connected_store(name, region=region)
        self.mapped(store.name, "tee-red-l", "TEE-RED-L")
        self.mapped(store.name, "mug", "MUG")
        return store

    def with_fbt_import(self, store: str = "TikTok US", *, start: date | None = None) -> str:
        warehouse_id = self.create_warehouse(CreateWarehouse(name=f"FBT {store}", fbt=True, store=store))
        self.configure_fbt_import(
            ConfigureFbtImport(store=store, enable=True, start_date=start or T0.date().replace(day=1), warehouse=warehouse_id)
        )
        return warehouse_id

    def mapped(self, store: str, seller_sku: str, product_sku: str) -> None:
        if product_sku not in self.db.products:
            self.add_product(AddProduct(sku=product_sku, name=product_sku.title()))
        self.map_listing(MapListing(store=store, seller_sku=seller_sku, product=product_sku))

    def place(self, store: Store, units: list[tuple[str, int]], **kwargs: object) -> str:
        return str(self.model.place_order(self.shops[store.id].id, units=units, **kwargs)["id"])  # type: ignore[arg-type]

    def sync(self, store: str = "TikTok US", *, full: bool = False) -> SyncSummary:
        return self.sync_orders(SyncOrders(store=store, full=full))

    def imported(self, store: Store, units: list[tuple[str, int]], **kwargs: object) -> Order:
        tiktok_id = self.place(store, units, **kwargs)
        self.sync(store.name)
        (order,) = self.parts(tiktok_id)
        return order

    # --- reading end state -------------------------------------------------------------------

    def store(self, name: str = "TikTok US") -> Store:
        return next(s for s in self.db.stores.values() if s.name == name)

    def order(self, order_id: str) -> Order:
        return self.db.orders[order_id]

    def parts(self, tiktok_order_id: str) -> list[Order]:
        return sorted((o for o in self.db.orders.values() if o.tiktok_order_id == tiktok_order_id), key=lambda o: o.split_index)

    def calls(self, op: str) -> int:
        return sum(1 for name, _ in self.model.calls if name == op)
