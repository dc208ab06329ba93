import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from application.commands import AnswerCancellationRequest, ShipOrder
from tiktok_world import Outcome, attempt, names, order_view

pytestmark = pytest.mark.bdd

scenarios("buyer_cancellation_requests.feature")


@given(parsers.parse('the buyer of order "{order}" asks TikTok to cancel it'))
def _(order: str, model: TikTokShopModel) -> None:
    model.buyer_requests_cancellation(order)


@given(parsers.parse('the buyer of order "{order}" withdraws the request'))
def _(order: str, model: TikTokShopModel) -> None:
    model.buyer_withdraws_cancellation(order)


@when(parsers.parse('the seller ships order "{order}" despite the request with "{carrier}" tracking "{tracking}"'),
      target_fixture="outcome")
def _(order: str, carrier: str, tracking: str, container: Container) -> Outcome:
    command = ShipOrder(order=order, carrier=carrier, tracking=tracking, despite_cancel_request=True)
    return attempt(container.ship_order(), command)


@when(parsers.parse('the seller approves the cancellation request of order "{order}"'), target_fixture="outcome")
def _(order: str, container: Container) -> Outcome:
    return attempt(container.answer_cancellation_request(), AnswerCancellationRequest(order=order, decision="approve"))


@when(parsers.parse('the seller rejects the cancellation request of order "{order}"'), target_fixture="outcome")
def _(order: str, container: Container) -> Outcome:
    return attempt(container.answer_cancellation_request(), AnswerCancellationRequest(order=order, decision="reject"))


@when(parsers.parse('the seller rejects the cancellation request of order "{order}" with reason "{reason}"'),
      target_fixture="outcome")
def _(order: str, reason: str, container: Container) -> Outcome:
    command = AnswerCancellationRequest(order=order, decision="reject", reason=reason)
    return attempt(container.answer_cancellation_request(), command)


@then(parsers.parse('order "{order}" has a "{status}" cancellation request'))
def _(order: str, status: str, container: Container) -> None:
    assert order_view(container, order)["cancellation_request"]["status"] == status


@then(parsers.parse('the orders with a "{status}" cancellation request are "{orders}"'))
def _(status: str, orders: str, container: Container) -> None:
    listed = container.queries().orders(cancellation_request=status)
    assert sorted(o["tiktok_order_id"] for o in listed) == sorted(names(orders))


@then(parsers.parse('no order has a "{status}" cancellation request'))
def _(status: str, container: Container) -> None:
    assert container.queries().orders(cancellation_request=status) == []


@then(parsers.parse('TikTok no longer lists the request of order "{order}" as pending'))
def _(order: str, model: TikTokShopModel) -> None:
    assert model.find_order(order)["is_buyer_request_cancel"] is False
    assert not [r for r in model.cancellation_records.values()
                if r["order_id"] == order and r["cancel_status"] == "CANCELLATION_REQUEST_PENDING"]
