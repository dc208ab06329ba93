import warnings
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, datetime, timedelta

import pytest
from dependency_injector import providers
from pytest_bdd import given, parsers, then, when

from adapters.clock import FixedClock, seconds_of
from adapters.sandbox.app import create_app
from adapters.tiktok.client import TikTokHttpClient
from adapters.tiktok.gateway import HttpxTikTokShop
from adapters.persistence.engine import make_engine, make_session_factory
from adapters.persistence.mapping import map_tables, unmap_tables
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from adapters.settings import Settings
from application.commands import (
    AddProduct,
    AssignWarehouse,
    CancelOrder,
    ConfigureFbtImport,
    CreateWarehouse,
    MapListing,
    ShipOrder,
    SplitOrder,
    SyncOrders,
)
from tests.databases import SQL_DIALECTS, Databases
from tiktok_world import (
    ORDER,
    SHOP_NAME,
    TODAY,
    Outcome,
    TikTokSnapshot,
    attempt,
    connect_store,
    line_counts,
    midday,
    names,
    order_ref,
    order_view,
    parts_of,
    pick_lines,
    units,
    warehouse_id,
)

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2; this project pins httpx 0.28
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

RULES = 18
SANDBOX = "http://127.0.0.1"  # the sandbox app in process (plain http is for loopback only)


def pytest_configure(config: pytest.Config) -> None:
    # pytest-bdd turns every feature tag into a marker, and the suite runs with --strict-markers.
    for n in range(1, RULES + 1):
        config.addinivalue_line("markers", f"R{n}: scenario of SPEC.md rule R{n}")


@pytest.fixture
def fixed_clock() -> FixedClock:
    return FixedClock(TODAY)


@pytest.fixture(params=["memory", "sandbox", *SQL_DIALECTS], autouse=True)
def storage(request: pytest.FixtureRequest, databases: Databases) -> Iterator[tuple[str, str | None]]:
    """Every scenario runs on the in-memory adapter, on SQLite and on PostgreSQL, and once more
    with TikTok reached over HTTP: the real gateway and client against the sandbox app."""
    if request.param in ("memory", "sandbox"):
        yield request.param, None
        return
    with databases.fresh(request.param) as url:
        yield request.param, url


@pytest.fixture
def container(fixed_clock: FixedClock, storage: tuple[str, str | None]) -> Iterator[Container]:
    kind, url = storage
    c = Container(settings=Settings(_env_file=None, in_memory=True))
    with c.clock.override(fixed_clock), ExitStack() as stack:
        if kind == "sandbox":
            model = c.tiktok_model()
            http = stack.enter_context(TestClient(create_app(model), base_url=SANDBOX))
            client = TikTokHttpClient(http, app_key=model.app_key, app_secret=model.app_secret, api_base_url=SANDBOX,
                                      auth_base_url=SANDBOX, now=seconds_of(fixed_clock))
            gateway = HttpxTikTokShop(client, service_id=model.service_id, authorize_url=f"{SANDBOX}/open/authorize")
            stack.enter_context(c.tiktok.override(gateway))
        if url is not None:
            map_tables()
            stack.callback(unmap_tables)
            engine = make_engine(url)
            stack.callback(engine.dispose)
            stack.enter_context(
                c.uow.override(providers.Factory(SqlAlchemyUnitOfWork, session_factory=make_session_factory(engine)))
            )
        yield c


@pytest.fixture
def model(container: Container) -> TikTokShopModel:
    """TikTok's side, reading time from the same fixed clock; the seller has one shop there."""
    tiktok = container.tiktok_model()
    tiktok.add_shop(SHOP_NAME)
    return tiktok


# --- Given: the seller's directory --------------------------------------------------------------


@given(parsers.parse('today is "{day}"'))
def _(day: str, fixed_clock: FixedClock) -> None:
    today = date.fromisoformat(day)
    fixed_clock.at = fixed_clock.at.replace(year=today.year, month=today.month, day=today.day)


@given(parsers.parse('a connected TikTok store "{name}"'), target_fixture="store")
def _(name: str, container: Container, model: TikTokShopModel) -> str:
    connect_store(container, model, name)
    return name


@given(parsers.parse('a connected TikTok store "{name}" in market "{market}"'), target_fixture="store")
def _(name: str, market: str, container: Container, model: TikTokShopModel) -> str:
    shop = model.add_shop(f"{name} shop", region=market)
    connect_store(container, model, name, region=market, shop_id=shop.id)
    return name


@given(parsers.parse('a warehouse "{name}"'))
def _(name: str, container: Container) -> None:
    container.create_warehouse()(CreateWarehouse(name=name))


@given(parsers.parse('an FBT warehouse "{name}" for store "{store}"'))
def _(name: str, store: str, container: Container) -> None:
    container.create_warehouse()(CreateWarehouse(name=name, fbt=True, store=store))


@given(parsers.parse('the seller sells the products "{skus}"'))
def _(skus: str, container: Container) -> None:
    for sku in names(skus):
        container.add_product()(AddProduct(sku=sku, name=sku))


@given(parsers.parse('the listing "{seller_sku}" is mapped to product "{product}"'))
def _(seller_sku: str, product: str, store: str, container: Container) -> None:
    if not any(p["sku"] == product for p in container.queries().products()):
        container.add_product()(AddProduct(sku=product, name=product))
    container.map_listing()(MapListing(store=store, seller_sku=seller_sku, product=product))


@given(parsers.parse('FBT import is enabled from "{day}" into "{warehouse}"'))
def _(day: str, warehouse: str, store: str, container: Container) -> None:
    container.configure_fbt_import()(
        ConfigureFbtImport(store=store, enable=True, start_date=day, warehouse=warehouse)
    )


# --- Given: TikTok's side -----------------------------------------------------------------------


@given(parsers.parse('TikTok has merchant order "{order}" for "{wanted}"'))
def _(order: str, wanted: str, model: TikTokShopModel) -> None:
    model.place_order(order_id=order, units=units(wanted))


@given(parsers.parse('TikTok has merchant order "{order}" in status {status:w} for "{wanted}"'))
def _(order: str, status: str, wanted: str, model: TikTokShopModel) -> None:
    model.place_order(order_id=order, units=units(wanted), status=status)


@given(parsers.parse('TikTok has merchant order "{order}" in {market:w} for "{wanted}"'))
def _(order: str, market: str, wanted: str, model: TikTokShopModel) -> None:
    shop = next(s for s in model.shops.values() if s.region == market)
    model.place_order(shop.id, order_id=order, units=units(wanted))


@given(parsers.parse('TikTok has FBT order "{order}" for "{wanted}"'))
def _(order: str, wanted: str, model: TikTokShopModel) -> None:
    model.place_order(order_id=order, units=units(wanted), fbt=True)


@given(parsers.parse('TikTok has FBT order "{order}" created on {day:ti} for "{wanted}"'))
def _(order: str, day: datetime, wanted: str, model: TikTokShopModel) -> None:
    model.place_order(order_id=order, units=units(wanted), fbt=True, created=midday(day))


@given(parsers.parse('the buyer has cancelled order "{order}" on TikTok'))
def _(order: str, fixed_clock: FixedClock, model: TikTokShopModel) -> None:
    fixed_clock.advance(timedelta(minutes=1))  # a later change carries a newer update_time
    model.buyer_cancels(order)


@given(parsers.parse('"{bundle}" is a virtual bundle of "{wanted}"'))
def _(bundle: str, wanted: str, model: TikTokShopModel) -> None:
    model.define_bundle(bundle, units(wanted))


@given("the orders have been imported", target_fixture="tiktok_before")
def _(store: str, container: Container, model: TikTokShopModel) -> TikTokSnapshot:
    container.sync_orders()(SyncOrders(store=store))
    return TikTokSnapshot.of(model)


# --- Given: what the seller already did ---------------------------------------------------------


@given(parsers.parse('"{wanted}" has been split off order "{order}"'))
def _(wanted: str, order: str, container: Container) -> None:
    container.split_order()(SplitOrder(order=order, lines=pick_lines(order_view(container, order), wanted)))


@given(parsers.re(rf'{ORDER} is routed to warehouse "(?P<warehouse>[^"]+)"'))
def _(order: str, part: str | None, warehouse: str, container: Container) -> None:
    container.assign_warehouse()(AssignWarehouse(order=order_ref(container, order, part), warehouse=warehouse))


@given(parsers.parse('order "{order}" has been shipped from "{warehouse}"'))
def _(order: str, warehouse: str, container: Container) -> None:
    container.assign_warehouse()(AssignWarehouse(order=order, warehouse=warehouse))
    container.ship_order()(ShipOrder(order=order, carrier="USPS", tracking=f"9400-{order}"))


@given(parsers.parse('"{wanted}" of order "{order}" has been cancelled as out of stock'))
def _(wanted: str, order: str, container: Container) -> None:
    lines = pick_lines(order_view(container, order), wanted)
    container.cancel_order()(CancelOrder(order=order, lines=lines, reason="out-of-stock"))


# --- When ---------------------------------------------------------------------------------------


@when("the OMS imports the orders", target_fixture="outcome")
def _(store: str, container: Container) -> Outcome:
    return attempt(container.sync_orders(), SyncOrders(store=store))


@when("the OMS imports every order again", target_fixture="outcome")
def _(store: str, container: Container) -> Outcome:
    return attempt(container.sync_orders(), SyncOrders(store=store, full=True))


@when(parsers.parse('the seller splits "{wanted}" off order "{order}"'), target_fixture="outcome")
def _(wanted: str, order: str, container: Container) -> Outcome:
    lines = pick_lines(order_view(container, order), wanted)
    return attempt(container.split_order(), SplitOrder(order=order, lines=lines))


@when(parsers.parse('the seller assigns order "{order}" to warehouse "{warehouse}"'), target_fixture="outcome")
def _(order: str, warehouse: str, container: Container) -> Outcome:
    return attempt(container.assign_warehouse(), AssignWarehouse(order=order, warehouse=warehouse))


@when(
    parsers.re(rf'the seller ships {ORDER} with "(?P<carrier>[^"]+)" tracking "(?P<tracking>[^"]+)"'),
    target_fixture="outcome",
)
def _(order: str, part: str | None, carrier: str, tracking: str, container: Container) -> Outcome:
    command = ShipOrder(order=order_ref(container, order, part), carrier=carrier, tracking=tracking)
    return attempt(container.ship_order(), command)


@when(
    parsers.re(rf'the seller cancels every line of {ORDER} with reason "(?P<reason>[^"]+)"'),
    target_fixture="outcome",
)
def _(order: str, part: str | None, reason: str, container: Container) -> Outcome:
    return attempt(container.cancel_order(), CancelOrder(order=order_ref(container, order, part), reason=reason))


# --- Then ---------------------------------------------------------------------------------------


@then(parsers.parse('it is refused, saying "{message}"'))
def _(outcome: Outcome, message: str) -> None:
    assert outcome.error is not None, f"expected a refusal, got {outcome.result!r}"
    assert message in str(outcome.error)


@then("it succeeds")
def _(outcome: Outcome) -> None:
    assert outcome.error is None, str(outcome.error)


@then("nothing was sent to TikTok after the import")
def _(tiktok_before: TikTokSnapshot, model: TikTokShopModel) -> None:
    assert TikTokSnapshot.of(model) == tiktok_before


@then(parsers.re(rf'{ORDER} is "(?P<status>[a-z_]+)"'))
def _(order: str, part: str | None, status: str, container: Container) -> None:
    assert order_view(container, order, part)["status"] == status


@then(parsers.re(rf'{ORDER} holds "(?P<wanted>[^"]+)"'))
def _(order: str, part: str | None, wanted: str, container: Container) -> None:
    assert line_counts(order_view(container, order, part)) == dict(units(wanted))


@then(parsers.parse('order "{order}" is in {count:d} parts'))
def _(order: str, count: int, container: Container) -> None:
    assert len(parts_of(container, order)) == count


@then(parsers.parse('order "{order}" is not split'))
def _(order: str, container: Container) -> None:
    assert len(parts_of(container, order)) == 1


@then(parsers.parse('the stock of "{product}" in "{warehouse}" went down by {count:d}'))
def _(count: int, product: str, warehouse: str, container: Container) -> None:
    stock = container.queries().sales()["fbt_stock"]
    assert [(s["warehouse"], s["product_sku"], s["quantity"]) for s in stock] == [(warehouse, product, -count)]


@then(parsers.parse('the FBT stock of "{warehouse}" went down by "{wanted}"'))
def _(warehouse: str, wanted: str, container: Container) -> None:
    stock = container.queries().sales()["fbt_stock"]
    assert sorted((s["warehouse"], s["product_sku"], s["quantity"]) for s in stock) == sorted(
        (warehouse, product, -count) for product, count in units(wanted)
    )


@then(parsers.parse('the OMS holds exactly the orders "{orders}"'))
def _(orders: str, container: Container) -> None:
    assert sorted(o["tiktok_order_id"] for o in container.queries().orders()) == sorted(names(orders))


@then(parsers.parse('order "{order}" is assigned to warehouse "{warehouse}"'))
def _(order: str, warehouse: str, container: Container) -> None:
    assert order_view(container, order)["warehouse_id"] == warehouse_id(container, warehouse)
