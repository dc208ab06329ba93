from collections import Counter

import pytest
from pytest_bdd import parsers, scenarios, then, when

from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from application.commands import CancelOrder
from application.errors import TikTokRefused
from tiktok_world import Outcome, attempt, order_view, pick_lines, tiktok_line_items, units

pytestmark = pytest.mark.bdd

scenarios("order_cancellation.feature")


def _skus_of(model: TikTokShopModel, order: str, line_item_ids: list[str]) -> Counter[str]:
    items = model.find_order(order)["line_items"]
    return Counter(item["seller_sku"] for item in items if item["id"] in line_item_ids)


@when(
    parsers.parse('the seller cancels "{wanted}" of order "{order}" with reason "{reason}"'),
    target_fixture="outcome",
)
def _(wanted: str, order: str, reason: str, container: Container) -> Outcome:
    lines = pick_lines(order_view(container, order), wanted)
    return attempt(container.cancel_order(), CancelOrder(order=order, lines=lines, reason=reason))


@when(
    parsers.parse('TikTok is asked directly to cancel "{wanted}" of order "{order}" with reason "{reason_name}"'),
    target_fixture="outcome",
)
def _(wanted: str, order: str, reason_name: str, store: str, container: Container) -> Outcome:
    view = order_view(container, order)
    items = tiktok_line_items(view, pick_lines(view, wanted))
    with container.uow() as uow:
        connection = uow.stores.by_name(store).connection
    gateway = container.tiktok()
    return attempt(lambda: gateway.cancel(connection, order_id=order, reason_name=reason_name, line_item_ids=items))


@then(parsers.parse('order "{order}" has {cancelled:d} cancelled and {open:d} open lines'))
def _(order: str, cancelled: int, open: int, container: Container) -> None:
    statuses = Counter(line["status"] for line in order_view(container, order)["lines"])
    assert (statuses["cancelled"], statuses["open"]) == (cancelled, open)


@then(parsers.parse('TikTok was asked to cancel "{wanted}" of order "{order}" with reason "{reason}"'))
def _(wanted: str, order: str, reason: str, model: TikTokShopModel) -> None:
    cancellation = [c for c in model.cancellations if c["order_id"] == order][-1]
    assert cancellation["reason"] == reason
    assert _skus_of(model, order, cancellation["line_item_ids"]) == dict(units(wanted))


@then(parsers.parse("TikTok refuses it with code {code:d}"))
def _(code: int, outcome: Outcome) -> None:
    assert isinstance(outcome.error, TikTokRefused), outcome
    assert outcome.error.code == code


@then(parsers.parse('TikTok has cancelled no line item of order "{order}"'))
def _(order: str, model: TikTokShopModel) -> None:
    assert all(item["display_status"] != "CANCELLED" for item in model.find_order(order)["line_items"])
    assert not model.cancellations


@then(parsers.parse('TikTok\'s package "{tracking}" holds "{wanted}" of order "{order}"'))
def _(tracking: str, wanted: str, order: str, model: TikTokShopModel) -> None:
    [package] = [p for p in model.packages if p["tracking_number"] == tracking]
    assert package["order_id"] == order
    assert _skus_of(model, order, package["line_item_ids"]) == dict(units(wanted))


@then(parsers.parse('the refusal names the allowed reasons "{reasons}"'))
def _(reasons: str, outcome: Outcome) -> None:
    assert str(outcome.error).endswith(f"allowed: {reasons}")


@then(parsers.parse('TikTok cancelled each of the {count:d} units inside the bundle line of order "{order}"'))
def _(count: int, order: str, model: TikTokShopModel) -> None:
    (bundle,) = [i for i in model.find_order(order)["line_items"] if i.get("sub_item_info")]
    assert bundle["display_status"] == "CANCELLED"
    assert [u["display_status"] for u in bundle["sub_item_info"]] == ["CANCELLED"] * count
