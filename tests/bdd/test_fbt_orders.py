import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from application.commands import ConfigureFbtImport, CreateWarehouse
from tiktok_world import Outcome, attempt, names, order_view, warehouse_id

pytestmark = pytest.mark.bdd

scenarios("fbt_orders.feature")


@when(
    parsers.parse('the seller enables FBT import from "{day}" into "{warehouse}"'),
    target_fixture="outcome",
)
def _(day: str, warehouse: str, store: str, container: Container) -> Outcome:
    command = ConfigureFbtImport(store=store, enable=True, start_date=day, warehouse=warehouse)
    return attempt(container.configure_fbt_import(), command)


@when(parsers.parse('the seller creates an FBT warehouse "{name}" without a store'), target_fixture="outcome")
def _(name: str, container: Container) -> Outcome:
    return attempt(container.create_warehouse(), CreateWarehouse(name=name, fbt=True))


@when(parsers.parse('the seller lists the orders fulfilled by "{fulfilled_by}"'), target_fixture="outcome")
def _(fulfilled_by: str, container: Container) -> Outcome:
    return attempt(lambda: container.queries().orders(fulfilled_by=fulfilled_by))


@when("the seller asks for the sales report", target_fixture="outcome")
def _(container: Container) -> Outcome:
    return attempt(lambda: container.queries().sales())


@then(parsers.parse('store "{store}" does not import FBT orders'))
def _(store: str, container: Container) -> None:
    assert container.queries().store(store)["fbt_import"] == {"enabled": False, "start_date": None, "warehouse_id": None}


@then(parsers.parse('store "{store}" imports FBT orders from "{day}" into "{warehouse}"'))
def _(store: str, day: str, warehouse: str, container: Container) -> None:
    expected = {"enabled": True, "start_date": day, "warehouse_id": warehouse_id(container, warehouse)}
    assert container.queries().store(store)["fbt_import"] == expected


@then(parsers.parse('order "{order}" has no warehouse'))
def _(order: str, container: Container) -> None:
    assert order_view(container, order)["warehouse_id"] is None


@then(parsers.parse('order "{order}" is fulfilled by "{fulfilled_by}"'))
def _(order: str, fulfilled_by: str, container: Container) -> None:
    assert order_view(container, order)["fulfilled_by"] == fulfilled_by


@then(parsers.parse('the list shows exactly the orders "{orders}"'))
def _(orders: str, outcome: Outcome) -> None:
    assert sorted(o["tiktok_order_id"] for o in outcome.result) == sorted(names(orders))


@then("the sales report shows")
def _(datatable: list[list[str]], outcome: Outcome) -> None:
    header, *rows = datatable
    assert [[str(row[column]) for column in header] for row in outcome.result["sales"]] == rows


@given(parsers.parse('TikTok\'s package of order "{order}" has left the FBT warehouse'))
def _(order: str, model: TikTokShopModel) -> None:
    model.shipped_elsewhere(order)


@given(parsers.parse('TikTok has cancelled order "{order}" with the system reason "{reason}"'))
def _(order: str, reason: str, model: TikTokShopModel) -> None:
    model.system_cancels(order, reason)


@then(parsers.parse('the FBT stock of "{product}" in "{warehouse}" is {quantity:d}'))
def _(product: str, warehouse: str, quantity: int, container: Container) -> None:
    stock = container.queries().sales()["fbt_stock"]
    found = sum(s["quantity"] for s in stock if (s["warehouse"], s["product_sku"]) == (warehouse, product))
    assert found == quantity
