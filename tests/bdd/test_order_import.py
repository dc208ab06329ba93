import copy
from collections.abc import Callable
from datetime import timedelta

import pytest
from pytest_bdd import given, parsers, scenarios, then

from adapters.clock import FixedClock
from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from tiktok_world import order_view

pytestmark = pytest.mark.bdd

scenarios("order_import.feature")

ADDRESS_FIELDS = ("name", "line1", "city", "postal_code", "country")


def _change_on_tiktok(model: TikTokShopModel, clock: FixedClock, order: str, change: Callable[[str], None]) -> dict:
    """Make a change a minute later, so it carries a newer update_time; return the order as it was."""
    before = copy.deepcopy(model.find_order(order))
    clock.advance(timedelta(minutes=1))
    change(order)
    return before


@given(parsers.parse('the buyer has cancelled order "{order}" on TikTok'), target_fixture="before_change")
def _(order: str, fixed_clock: FixedClock, model: TikTokShopModel) -> dict:
    return _change_on_tiktok(model, fixed_clock, order, model.buyer_cancels)


@given(parsers.parse('order "{order}" has been shipped outside the OMS'), target_fixture="before_change")
def _(order: str, fixed_clock: FixedClock, model: TikTokShopModel) -> dict:
    return _change_on_tiktok(model, fixed_clock, order, model.shipped_elsewhere)


@given(parsers.parse('TikTok has released the hold on order "{order}"'), target_fixture="before_change")
def _(order: str, fixed_clock: FixedClock, model: TikTokShopModel) -> dict:
    return _change_on_tiktok(model, fixed_clock, order, model.release_hold)


@given(parsers.parse('TikTok\'s search lags and returns order "{order}" as it was before that change'))
def _(order: str, before_change: dict, model: TikTokShopModel) -> None:
    model.shop().orders[order] = before_change


@then(parsers.parse('every line of order "{order}" is "{status}"'))
def _(order: str, status: str, container: Container) -> None:
    assert {line["status"] for line in order_view(container, order)["lines"]} == {status}


@then(parsers.parse('order "{order}" ships to "{address}"'))
def _(order: str, address: str, container: Container) -> None:
    given = order_view(container, order)["address"]
    assert ", ".join(given[field] for field in ADDRESS_FIELDS) == address


@then(parsers.parse('order "{order}" has no address yet'))
def _(order: str, container: Container) -> None:
    assert not any(order_view(container, order)["address"][field] for field in ADDRESS_FIELDS)


@then(parsers.parse('TikTok shipped order "{order}" in package "{tracking}"'))
def _(order: str, tracking: str, container: Container, model: TikTokShopModel) -> None:
    [package] = [p for p in model.packages if p["tracking_number"] == tracking]
    lines = order_view(container, order)["lines"]
    assert package["order_id"] == order
    assert package["line_item_ids"] == [line["tiktok_line_item_id"] for line in lines]
