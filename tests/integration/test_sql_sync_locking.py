"""A sync waiting on TikTok must not keep SQLite's single writer slot: the seller keeps working."""

from collections.abc import Iterator

import pytest

from adapters.clock import FixedClock, seconds_of
from adapters.sandbox.inprocess import InProcessTikTokShop
from adapters.sandbox.model import TikTokShopModel
from adapters.persistence.engine import make_engine, make_session_factory
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from application.commands import AddProduct, BeginAuthorization, CompleteAuthorization, CreateStore, SyncOrders
from application.handlers.add_product import AddProductHandler
from application.handlers.authorize_store import BeginAuthorizationHandler, CompleteAuthorizationHandler
from application.handlers.create_store import CreateStoreHandler
from application.handlers.sync_orders import SyncOrdersHandler
from application.ports import OrderPage
from domain.stores import Connection
from tests.builders import T0
from tests.databases import Databases

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("mappers")]


class SellerWorksWhileTikTokAnswers(InProcessTikTokShop):
    """While a page is on its way, another process adds a product to the same SQLite file."""

    def __init__(self, model: TikTokShopModel, other_process: AddProductHandler) -> None:
        super().__init__(model, authorize_url="https://auth.example/authorize")
        self.other_process = other_process
        self.added: list[str] = []

    def search_orders(self, conn: Connection, **kwargs: object) -> OrderPage:  # type: ignore[override]
        sku = f"SKU-{len(self.added)}"
        self.added.append(self.other_process(AddProduct(sku=sku, name=sku)))
        return super().search_orders(conn, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def sqlite_url(databases: Databases) -> Iterator[str]:
    with databases.fresh("sqlite") as url:
        yield url


def test_a_sync_waiting_for_a_page_leaves_the_database_writable_for_other_commands(sqlite_url: str) -> None:
    clock = FixedClock(T0)
    model = TikTokShopModel(now=seconds_of(clock))
    model.add_shop("Shop")
    for _ in range(150):
        model.place_order(units=[("tee", 1)])
    sync_engine, other_engine = make_engine(sqlite_url), make_engine(sqlite_url, busy_timeout=0.5)
    uow = SqlAlchemyUnitOfWork(make_session_factory(sync_engine))
    tiktok = SellerWorksWhileTikTokAnswers(model, AddProductHandler(SqlAlchemyUnitOfWork(make_session_factory(other_engine))))
    CreateStoreHandler(uow)(CreateStore(name="S"))
    begun = BeginAuthorizationHandler(uow, tiktok, clock)(BeginAuthorization(store="S"))
    redirect = model.approve(begun["authorization_url"], "http://127.0.0.1:8765/callback")
    CompleteAuthorizationHandler(uow, tiktok, clock)(CompleteAuthorization(store="S", redirect_url=redirect))

    summary = SyncOrdersHandler(uow, tiktok, clock)(SyncOrders(store="S"))

    assert (summary.new, summary.pages) == (150, 2)
    assert tiktok.added == ["SKU-0", "SKU-1"]
    sync_engine.dispose()
    other_engine.dispose()
