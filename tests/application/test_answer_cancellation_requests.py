"""Issue 8 item 7: a buyer's cancellation request is imported, shown, warned about and answered."""

import pytest

from application.commands import AnswerCancellationRequest, AssignWarehouse, ShipOrder
from application.errors import (
    NoPendingCancellationRequest,
    PendingCancellationRequest,
    RejectReasonRequired,
    TikTokRefused,
)
from application.handlers.cancellation_requests import AnswerCancellationRequestHandler
from domain.cancellation_requests import RequestStatus
from domain.orders import LineStatus, OrderStatus
from domain.stores import Store
from tests.application.gateways import any_world, case  # noqa: F401  (fixture)
from tests.application.world import World

CASE = "buyer-cancel-request-pending.json"
CASE_ID = "576900000000001301"
PACKED = "seller_reject_apply_product_has_been_packed"


def answer(world: World) -> AnswerCancellationRequestHandler:
    return AnswerCancellationRequestHandler(uow=world.uow, tiktok=world.tiktok, clock=world.clock)


def with_the_case(world: World) -> Store:
    """The recorded order, with TikTok's request behind its flag, imported into a routed store."""
    store = world.ready()
    world.mapped(store.name, "TEE-BLK-M", "TEE-BLK-M")
    world.model.put_order(case(CASE), shop_id=world.shops[store.id].id)
    world.model.buyer_requests_cancellation(CASE_ID)
    world.sync(store.name)
    world.assign_warehouse(AssignWarehouse(order=CASE_ID, warehouse="East"))
    return store


def test_a_pending_request_is_imported_with_tiktoks_reason_and_deadline_and_listed(any_world: World) -> None:
    world = any_world
    store = world.ready()
    world.model.put_order(case(CASE), shop_id=world.shops[store.id].id)
    world.model.put_order({**case(CASE), "id": "576900000000009999", "is_buyer_request_cancel": False,
                           "request_cancel_time": None}, shop_id=world.shops[store.id].id)
    world.model.buyer_requests_cancellation(CASE_ID)

    summary = world.sync(store.name)

    assert summary.cancellation_requests == 1
    view = world.queries.order(CASE_ID)
    request = view["cancellation_request"]
    assert request["status"] == "pending"
    assert request["requested_at"] == "2026-03-15T10:53:20+00:00"  # the case's request_cancel_time
    assert request["cancel_id"] and request["reason_text"] == "Order created by mistake"
    assert request["respond_by"] is not None
    listed = world.queries.orders(cancellation_request="pending")
    assert [o["tiktok_order_id"] for o in listed] == [CASE_ID]
    assert listed[0]["cancellation_request"] == {"status": "pending", "requested_at": "2026-03-15T10:53:20+00:00"}
    others = [o for o in world.queries.orders() if o["tiktok_order_id"] != CASE_ID]
    assert [o["cancellation_request"] for o in others] == [None]


def test_the_order_flag_alone_makes_a_pending_request(any_world: World) -> None:
    world = any_world
    store = world.ready()
    world.model.put_order(case(CASE), shop_id=world.shops[store.id].id)  # flagged; TikTok lists nothing yet

    world.sync(store.name)

    request = world.queries.order(CASE_ID)["cancellation_request"]
    assert (request["status"], request["cancel_id"]) == ("pending", None)
    with pytest.raises(NoPendingCancellationRequest, match="TikTok lists no pending cancellation request"):
        answer(world)(AnswerCancellationRequest(order=CASE_ID, decision="approve"))


def test_shipping_an_order_with_a_pending_request_is_refused_until_the_seller_insists(any_world: World) -> None:
    world = any_world
    with_the_case(world)
    before = len(world.model.packages)

    with pytest.raises(PendingCancellationRequest, match="the buyer asked to cancel TikTok order 576900000000001301"):
        world.ship_order(ShipOrder(order=CASE_ID, carrier="USPS", tracking="9400111"))
    assert len(world.model.packages) == before  # nothing was sent

    world.ship_order(ShipOrder(order=CASE_ID, carrier="USPS", tracking="9400111", despite_cancel_request=True))

    (order,) = world.parts(CASE_ID)
    assert order.status is OrderStatus.SHIPPED
    assert order.cancellation_request is not None
    assert (order.cancellation_request.status, order.cancellation_request.decision) == (RequestStatus.REJECTED, "shipped")
    assert world.model.find_order(CASE_ID)["is_buyer_request_cancel"] is False  # TikTok rejected it (US)


def test_approving_cancels_the_order_on_tiktok_and_in_the_oms(any_world: World) -> None:
    world = any_world
    with_the_case(world)

    answer(world)(AnswerCancellationRequest(order=CASE_ID, decision="approve"))

    (order,) = world.parts(CASE_ID)
    assert order.status is OrderStatus.CANCELLED
    assert [line.status for line in order.lines] == [LineStatus.CANCELLED]
    assert order.cancellation_request is not None and order.cancellation_request.status is RequestStatus.APPROVED
    assert world.model.find_order(CASE_ID)["status"] == "CANCELLED"
    world.sync()  # TikTok's word agrees
    assert world.queries.order(CASE_ID)["cancellation_request"]["status"] == "approved"


def test_rejecting_needs_one_of_tiktoks_reasons_and_then_lets_the_order_ship(any_world: World) -> None:
    world = any_world
    with_the_case(world)
    reject = answer(world)

    with pytest.raises(RejectReasonRequired, match=f"{PACKED} \\(Product has been packed\\)"):
        reject(AnswerCancellationRequest(order=CASE_ID, decision="reject"))
    with pytest.raises(RejectReasonRequired, match="does not offer the reject reason 'because'"):
        reject(AnswerCancellationRequest(order=CASE_ID, decision="reject", reason="because"))
    assert world.model.find_order(CASE_ID)["is_buyer_request_cancel"] is True  # nothing was sent

    done = reject(AnswerCancellationRequest(order=CASE_ID, decision="reject", reason="product has been packed"))

    assert done.reason == PACKED
    (order,) = world.parts(CASE_ID)
    assert order.status is OrderStatus.AWAITING_FULFILMENT
    assert order.cancellation_request is not None and order.cancellation_request.decision == PACKED
    world.sync()
    assert world.queries.order(CASE_ID)["cancellation_request"]["status"] == "rejected"
    world.ship_order(ShipOrder(order=CASE_ID, carrier="USPS", tracking="9400111"))  # no warning any more
    with pytest.raises(NoPendingCancellationRequest):
        reject(AnswerCancellationRequest(order=CASE_ID, decision="reject", reason=PACKED))


def test_a_request_the_buyer_withdraws_is_closed_on_the_next_import(any_world: World) -> None:
    world = any_world
    with_the_case(world)

    world.model.buyer_withdraws_cancellation(CASE_ID)
    world.sync()

    assert world.queries.order(CASE_ID)["cancellation_request"]["status"] == "closed"
    assert world.queries.orders(cancellation_request="pending") == []


def test_outside_the_us_an_order_with_a_pending_request_is_not_shipped_even_when_insisting(any_world: World) -> None:
    world = any_world
    store = world.ready(region="GB", name="TikTok UK")
    order = world.imported(store, [("tee-red-l", 1)])
    world.model.buyer_requests_cancellation(order.tiktok_order_id)
    world.sync(store.name)
    world.assign_warehouse(AssignWarehouse(order=order.id, warehouse="East"))

    for insist in (False, True):
        with pytest.raises(PendingCancellationRequest, match="TikTok does not ship an order while its buyer waits"):
            world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="9400111", despite_cancel_request=insist))

    reasons = world.tiktok.reject_reasons(world.store("TikTok UK").connection,  # type: ignore[arg-type]
                                          cancel_id=world.order(order.id).cancellation_request.cancel_id)  # type: ignore[union-attr]
    assert "order_manage_list_action_respond_popup_reject_reason_buyer_agree_uk" in {r.name for r in reasons}


def test_tiktok_refuses_to_ship_while_a_request_is_pending_outside_the_us(any_world: World) -> None:
    # The simulator's own rule, met by a seller who shipped from a stale OMS.
    world = any_world
    store = world.ready(region="GB", name="TikTok UK")
    order = world.imported(store, [("tee-red-l", 1)])
    world.assign_warehouse(AssignWarehouse(order=order.id, warehouse="East"))
    world.model.buyer_requests_cancellation(order.tiktok_order_id)  # not imported yet

    with pytest.raises(TikTokRefused, match="21011007"):
        world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="9400111"))
