import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from domain.orders import OrderLine
from tiktok_world import ORDER, Outcome, attempt, order_view, parts_of, warehouse_id

pytestmark = pytest.mark.bdd

scenarios("merchant_orders.feature")


@given(parsers.parse('TikTok\'s line item of order "{order}" claims quantity {quantity:d}'))
def _(order: str, quantity: int, model: TikTokShopModel) -> None:
    model.find_order(order)["line_items"][0]["quantity"] = quantity


@when(parsers.parse("an order line is made with quantity {quantity:d}"), target_fixture="outcome")
def _(quantity: int) -> Outcome:
    return attempt(lambda: OrderLine(id="ln-1", tiktok_line_item_id="1", seller_sku="tee-red-l", quantity=quantity))


@then(parsers.parse('order "{order}" has {count:d} lines of quantity 1'))
def _(order: str, count: int, container: Container) -> None:
    lines = order_view(container, order)["lines"]
    assert [line["quantity"] for line in lines] == [1] * count


@then(parsers.parse('each line of order "{order}" has its own TikTok line item'))
def _(order: str, container: Container) -> None:
    items = [line["tiktok_line_item_id"] for line in order_view(container, order)["lines"]]
    assert all(items) and len(set(items)) == len(items)


@then(parsers.parse('part {part:d} of order "{order}" is linked to part 1 as the same TikTok order'))
def _(part: int, order: str, container: Container) -> None:
    parts = parts_of(container, order)
    assert parts[part - 1]["parent_order_id"] == parts[0]["id"]
    assert parts[part - 1]["tiktok_order_id"] == parts[0]["tiktok_order_id"] == order


@then(parsers.re(rf'{ORDER} was shipped from "(?P<warehouse>[^"]+)" with "(?P<carrier>[^"]+)"'))
def _(order: str, part: str | None, warehouse: str, carrier: str, container: Container) -> None:
    [shipment] = order_view(container, order, part)["shipments"]
    assert (shipment["warehouse_id"], shipment["carrier"]) == (warehouse_id(container, warehouse), carrier)


@then(parsers.re(rf'TikTok\'s package "(?P<tracking>[^"]+)" holds exactly the line items of {ORDER}'))
def _(tracking: str, order: str, part: str | None, container: Container, model: TikTokShopModel) -> None:
    [package] = [p for p in model.packages if p["tracking_number"] == tracking]
    view = order_view(container, order, part)
    assert package["order_id"] == view["tiktok_order_id"]
    assert sorted(package["line_item_ids"]) == sorted(line["tiktok_line_item_id"] for line in view["lines"])
