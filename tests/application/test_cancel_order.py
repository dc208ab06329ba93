from datetime import timedelta

import pytest

from application.commands import AssignWarehouse, CancelOrder, ShipOrder, SplitOrder
from application.errors import ApplicationError, TikTokRefused
from domain.exceptions import (
    CancelReasonNotAllowed,
    FbtOrderNotActionable,
    OrderNotCancellable,
    PartialCancellationNotInMarket,
    PartialCancellationRequiresOutOfStock,
    UnknownLines,
)
from domain.orders import LineStatus, Order, OrderStatus
from tests.application.world import World


def statuses(world: World, order: Order) -> list[LineStatus]:
    return [line.status for line in world.order(order.id).lines]


class TestFullCancellation:
    def test_cancelling_every_line_uses_any_seller_reason_tiktok_accepts(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 2)])

        cancel_id = world.cancel_order(CancelOrder(order=order.id, reason="wrong-price"))

        assert world.model.cancellations == [{
            "cancel_id": cancel_id, "order_id": order.tiktok_order_id, "reason": "seller_cancel_reason_wrong_price",
            "line_item_ids": [line.tiktok_line_item_id for line in order.lines],
        }]
        assert world.order(order.id).status is OrderStatus.CANCELLED
        assert world.model.find_order(order.tiktok_order_id)["status"] == "CANCELLED"

    def test_an_order_can_be_found_by_its_tiktok_order_id(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("mug", 1)])

        world.cancel_order(CancelOrder(order=order.tiktok_order_id, reason="buyer-requested"))

        assert world.order(order.id).status is OrderStatus.CANCELLED
        assert world.model.cancellations[0]["reason"] == "seller_cancel_paid_reason_buyer_requested_cancellation"

    def test_an_order_tiktok_holds_can_be_cancelled(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("mug", 1)], status="ON_HOLD")

        world.cancel_order(CancelOrder(order=order.id, reason="address-not-deliverable"))

        assert world.order(order.id).status is OrderStatus.CANCELLED
        assert world.model.cancellations[0]["reason"] == "seller_cancel_paid_reason_address_not_deliver"

    def test_the_lines_left_after_a_partial_cancel_can_be_cancelled_with_any_reason(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 2)])
        world.cancel_order(CancelOrder(order=order.id, lines=[order.lines[0].id], reason="out-of-stock"))

        world.cancel_order(CancelOrder(order=order.id, reason="wrong-price"))

        assert world.order(order.id).status is OrderStatus.CANCELLED
        assert [c["reason"] for c in world.model.cancellations] == ["seller_cancel_reason_out_of_stock", "seller_cancel_reason_wrong_price"]

    def test_an_order_not_paid_yet_uses_tiktoks_unpaid_reason_names(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("mug", 1)], status="UNPAID")

        world.cancel_order(CancelOrder(order=order.id, reason="wrong-price"))

        assert world.order(order.id).status is OrderStatus.CANCELLED
        assert world.model.cancellations[0]["reason"] == "seller_cancel_unpaid_reason_wrong_price"

    def test_a_uk_store_sends_the_uk_reason_names(self, world: World) -> None:
        store = world.ready(region="GB", name="TikTok UK")
        order = world.imported(store, [("mug", 1)])

        world.cancel_order(CancelOrder(order=order.id, reason="wrong-price"))

        assert world.model.cancellations[0]["reason"] == "seller_cancel_reason_wrong_price_uk"

    def test_a_uk_store_cannot_cancel_as_buyer_requested(self, world: World) -> None:
        store = world.ready(region="GB", name="TikTok UK")
        order = world.imported(store, [("mug", 1)])

        with pytest.raises(CancelReasonNotAllowed, match="allowed: out-of-stock, wrong-price, address-not-deliverable"):
            world.cancel_order(CancelOrder(order=order.id, reason="buyer-requested"))

        assert world.calls("cancel") == 0 and world.order(order.id).status is OrderStatus.AWAITING_FULFILMENT


class TestPartialCancellation:
    def test_some_lines_are_cancelled_as_out_of_stock_while_the_rest_go_on(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 2), ("mug", 1)])
        tee = order.lines[0]

        world.cancel_order(CancelOrder(order=order.id, lines=[tee.tiktok_line_item_id], reason="out-of-stock"))

        assert statuses(world, order) == [LineStatus.CANCELLED, LineStatus.OPEN, LineStatus.OPEN]
        assert world.order(order.id).status is OrderStatus.AWAITING_FULFILMENT
        assert world.model.cancellations[0]["line_item_ids"] == [tee.tiktok_line_item_id]
        assert world.model.find_order(order.tiktok_order_id)["status"] == "AWAITING_SHIPMENT"

    @pytest.mark.parametrize("reason", ["wrong-price", "address-not-deliverable", "buyer-requested"])
    def test_any_other_reason_is_refused_before_anything_is_sent_to_tiktok(self, world: World, reason: str) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 2)])

        with pytest.raises(PartialCancellationRequiresOutOfStock, match="out-of-stock"):
            world.cancel_order(CancelOrder(order=order.id, lines=[order.lines[0].id], reason=reason))

        assert world.calls("cancel") == 0 and statuses(world, order) == [LineStatus.OPEN] * 2

    def test_a_market_outside_the_us_and_uk_cannot_cancel_part_of_an_order(self, world: World) -> None:
        store = world.ready(region="DE", name="TikTok DE")
        order = world.imported(store, [("tee-red-l", 2)])

        with pytest.raises(PartialCancellationNotInMarket, match="DE"):
            world.cancel_order(CancelOrder(order=order.id, lines=[order.lines[0].id], reason="out-of-stock"))
        world.cancel_order(CancelOrder(order=order.id, reason="wrong-price"))

        assert world.order(order.id).status is OrderStatus.CANCELLED
        assert [c["reason"] for c in world.model.cancellations] == ["seller_cancel_reason_wrong_price"]

    def test_a_uk_store_cancels_part_of_an_order_with_its_reason_name(self, world: World) -> None:
        store = world.ready(region="GB", name="TikTok UK")
        order = world.imported(store, [("tee-red-l", 2)])

        world.cancel_order(CancelOrder(order=order.id, lines=[order.lines[1].id], reason="out-of-stock"))

        assert statuses(world, order) == [LineStatus.OPEN, LineStatus.CANCELLED]
        assert world.model.cancellations[0]["reason"] == "seller_cancel_reason_out_of_stock_uk"

    def test_cancelling_a_whole_part_of_a_split_order_is_a_partial_cancellation(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)])
        mug = order.lines[1]
        part_id = world.split_order(SplitOrder(order=order.id, lines=[mug.id]))

        with pytest.raises(PartialCancellationRequiresOutOfStock):
            world.cancel_order(CancelOrder(order=part_id, reason="wrong-price"))
        world.cancel_order(CancelOrder(order=part_id, reason="out-of-stock"))

        assert world.model.cancellations[0]["line_item_ids"] == [mug.tiktok_line_item_id]
        assert world.order(part_id).status is OrderStatus.CANCELLED
        assert world.order(order.id).status is OrderStatus.AWAITING_FULFILMENT

    def test_the_part_left_after_the_other_part_shipped_can_only_go_as_out_of_stock(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)])
        part_id = world.split_order(SplitOrder(order=order.id, lines=[order.lines[1].id]))
        world.assign_warehouse(AssignWarehouse(order=part_id, warehouse="West"))
        world.ship_order(ShipOrder(order=part_id, carrier="USPS", tracking="9400"))

        with pytest.raises(PartialCancellationRequiresOutOfStock):
            world.cancel_order(CancelOrder(order=order.id, reason="wrong-price"))
        world.cancel_order(CancelOrder(order=order.id, reason="out-of-stock"))

        assert world.order(order.id).status is OrderStatus.CANCELLED
        assert world.order(part_id).status is OrderStatus.SHIPPED
        assert world.model.cancellations[0]["line_item_ids"] == [order.lines[0].tiktok_line_item_id]

    def test_lines_that_are_not_open_lines_of_the_order_are_refused(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 2)])

        with pytest.raises(UnknownLines, match="ln_nope"):
            world.cancel_order(CancelOrder(order=order.id, lines=["ln_nope"], reason="out-of-stock"))

        assert world.calls("cancel") == 0


class TestCancellationRefused:
    def test_an_fbt_order_cannot_be_cancelled(self, world: World) -> None:
        store = world.ready()
        world.with_fbt_import()
        order = world.imported(store, [("mug", 1)], fbt=True)

        with pytest.raises(FbtOrderNotActionable, match="processed by TikTok"):
            world.cancel_order(CancelOrder(order=order.id, reason="out-of-stock"))

        assert world.calls("cancel") == 0 and world.order(order.id).status is OrderStatus.SHIPPED

    def test_a_shipped_order_cannot_be_cancelled(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("mug", 1)], status="IN_TRANSIT")

        with pytest.raises(OrderNotCancellable, match="shipped"):
            world.cancel_order(CancelOrder(order=order.id, reason="out-of-stock"))

        assert world.calls("cancel") == 0

    def test_a_cancellation_tiktok_refuses_leaves_the_order_unchanged(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 2)])
        world.clock.advance(timedelta(minutes=5))
        world.model.shipped_elsewhere(order.tiktok_order_id)

        with pytest.raises(TikTokRefused, match="cannot be cancelled"):
            world.cancel_order(CancelOrder(order=order.id, reason="wrong-price"))

        assert statuses(world, order) == [LineStatus.OPEN] * 2
        assert world.order(order.id).status is OrderStatus.AWAITING_FULFILMENT and world.model.cancellations == []

    def test_a_split_order_is_cancelled_by_part_id_not_its_shared_tiktok_id(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)])
        part_id = world.split_order(SplitOrder(order=order.id, lines=[order.lines[1].id]))

        with pytest.raises(ApplicationError, match=f"use one of their ids: .*{part_id}"):
            world.cancel_order(CancelOrder(order=order.tiktok_order_id, reason="out-of-stock"))

        assert world.calls("cancel") == 0
