import pytest

from domain.exceptions import (
    FbtOrderNotActionable,
    InReviewOrderCannotBeShipped,
    MerchantOrderCannotUseFbtWarehouse,
    NoLinesChosen,
    OnHoldOrderCannotBeShipped,
    OrderNotOpen,
    SplitBelowSkuLevel,
    SplitMustLeaveLinesOnEachPart,
    UnknownLines,
    WarehouseRequiredToShip,
)
from domain.orders import LineStatus, OrderStatus
from tests.builders import a_line, a_warehouse, an_fbt_order, an_fbt_warehouse, an_order

pytestmark = pytest.mark.unit


class TestSplitOrder:
    def test_chosen_lines_move_to_a_new_order_linked_to_the_original(self) -> None:
        tee, mug = a_line(id="ln_tee"), a_line(id="ln_mug", seller_sku="mug", product_sku="MUG")
        order = an_order(id="ord_1", lines=[tee, mug], warehouse_id="wh_1")

        part = order.split(["ln_mug"], new_order_id="ord_2", split_index=1, by_sku_only=False)

        assert order.lines == [tee] and part.lines == [mug]
        assert (part.id, part.parent_order_id, part.split_index) == ("ord_2", "ord_1", 1)
        assert (part.tiktok_order_id, part.store_id, part.warehouse_id) == (order.tiktok_order_id, order.store_id, "wh_1")
        assert order.status is part.status is OrderStatus.AWAITING_FULFILMENT

    def test_checking_a_split_names_the_lines_that_would_move_and_moves_none(self) -> None:
        order = an_order(lines=[a_line(), a_line(id="ln_2")])

        moving = order.lines_to_split_off(["ln_2"], by_sku_only=False)

        assert [line.id for line in moving] == ["ln_2"] and len(order.lines) == 2

    def test_lines_can_be_chosen_by_their_tiktok_line_item_id(self) -> None:
        order = an_order(lines=[a_line(), a_line(tiktok_line_item_id="576-2")])

        part = order.split(["576-2"], new_order_id="ord_2", split_index=1, by_sku_only=False)

        assert [line.tiktok_line_item_id for line in part.lines] == ["576-2"]

    def test_a_part_split_again_links_to_the_first_order(self) -> None:
        order = an_order(id="ord_1", lines=[a_line(), a_line(), a_line(id="ln_3")])
        part = order.split([order.lines[1].id, "ln_3"], new_order_id="ord_2", split_index=1, by_sku_only=False)

        third = part.split(["ln_3"], new_order_id="ord_3", split_index=2, by_sku_only=False)

        assert third.parent_order_id == "ord_1"
        assert [len(o.lines) for o in (order, part, third)] == [1, 1, 1]

    def test_each_part_keeps_at_least_one_line(self) -> None:
        order = an_order()

        with pytest.raises(SplitMustLeaveLinesOnEachPart):
            order.split([line.id for line in order.lines], new_order_id="ord_2", split_index=1, by_sku_only=False)

        assert len(order.lines) == 2

    def test_cancelled_lines_do_not_count_as_a_line_left_behind(self) -> None:
        order = an_order(lines=[a_line(status=LineStatus.CANCELLED), a_line(id="ln_open"), a_line(id="ln_2")])
        order.cancel_lines([order.lines[2]])

        with pytest.raises(SplitMustLeaveLinesOnEachPart):
            order.split(["ln_open"], new_order_id="ord_2", split_index=1, by_sku_only=False)

    def test_unknown_or_closed_lines_are_refused_by_name(self) -> None:
        order = an_order(lines=[a_line(), a_line(id="ln_gone", status=LineStatus.CANCELLED), a_line()])

        with pytest.raises(UnknownLines, match="ln_nope, ln_gone"):
            order.split(["ln_nope", "ln_gone"], new_order_id="ord_2", split_index=1, by_sku_only=False)

        assert len(order.lines) == 3

    def test_no_lines_chosen_is_refused(self) -> None:
        order = an_order()

        with pytest.raises(NoLinesChosen):
            order.split([], new_order_id="ord_2", split_index=1, by_sku_only=False)

        assert len(order.lines) == 2

    def test_where_tiktok_splits_before_shipping_units_of_one_sku_stay_together(self) -> None:
        order = an_order(lines=[a_line(id="ln_1", sku_id="sku-tee"), a_line(sku_id="sku-tee"), a_line(sku_id="sku-mug")])

        with pytest.raises(SplitBelowSkuLevel, match="tee-red-l"):
            order.split(["ln_1"], new_order_id="ord_2", split_index=1, by_sku_only=True)

        assert len(order.lines) == 3

    def test_where_tiktok_splits_before_shipping_a_whole_sku_can_move(self) -> None:
        order = an_order(lines=[a_line(id="ln_1", sku_id="sku-tee"), a_line(id="ln_2", sku_id="sku-tee"), a_line(sku_id="sku-mug")])

        part = order.split(["ln_1", "ln_2"], new_order_id="ord_2", split_index=1, by_sku_only=True)

        assert [line.id for line in part.lines] == ["ln_1", "ln_2"]

    def test_an_fbt_order_cannot_be_split(self) -> None:
        order = an_fbt_order(lines=[a_line(), a_line()])

        with pytest.raises(FbtOrderNotActionable, match="cannot split an FBT order"):
            order.split([order.lines[0].id], new_order_id="ord_2", split_index=1, by_sku_only=False)

        assert len(order.lines) == 2

    def test_a_shipped_order_cannot_be_split(self) -> None:
        order = an_order(lines=[a_line(status=LineStatus.SHIPPED), a_line(status=LineStatus.SHIPPED)])

        with pytest.raises(OrderNotOpen, match="cannot split an order that is shipped"):
            order.split([order.lines[0].id], new_order_id="ord_2", split_index=1, by_sku_only=False)

        assert len(order.lines) == 2


class TestAssignWarehouse:
    def test_an_open_merchant_order_is_routed_to_a_standard_warehouse(self) -> None:
        order, warehouse = an_order(), a_warehouse()

        order.assign_warehouse(warehouse)

        assert order.warehouse_id == warehouse.id

    def test_a_merchant_order_can_never_be_routed_to_an_fbt_warehouse(self) -> None:
        order = an_order(warehouse_id="wh_east")

        with pytest.raises(MerchantOrderCannotUseFbtWarehouse, match="FBT warehouse"):
            order.assign_warehouse(an_fbt_warehouse(store_id=order.store_id))

        assert order.warehouse_id == "wh_east"

    def test_an_fbt_order_cannot_be_routed(self) -> None:
        order = an_fbt_order(warehouse_id="wh_fbt")

        with pytest.raises(FbtOrderNotActionable, match="route"):
            order.assign_warehouse(a_warehouse())

        assert order.warehouse_id == "wh_fbt"

    def test_a_cancelled_order_cannot_be_routed(self) -> None:
        order = an_order(tiktok_status="CANCELLED")

        with pytest.raises(OrderNotOpen, match="cancelled"):
            order.assign_warehouse(a_warehouse())

        assert order.warehouse_id is None


class TestLinesToShip:
    def test_a_routed_order_awaiting_fulfilment_ships_its_open_lines(self) -> None:
        order = an_order(lines=[a_line(), a_line(status=LineStatus.CANCELLED), a_line()], warehouse_id="wh_1")

        assert order.lines_to_ship() == [order.lines[0], order.lines[2]]

    def test_an_order_tiktok_still_holds_cannot_be_shipped(self) -> None:
        with pytest.raises(OnHoldOrderCannotBeShipped, match="ON_HOLD"):
            an_order(tiktok_status="ON_HOLD", warehouse_id="wh_1").lines_to_ship()

    def test_an_order_not_paid_yet_cannot_be_shipped(self) -> None:
        with pytest.raises(OnHoldOrderCannotBeShipped, match="UNPAID, not paid yet"):
            an_order(tiktok_status="UNPAID", warehouse_id="wh_1").lines_to_ship()

    def test_an_order_in_review_cannot_be_shipped_and_names_the_unmapped_listings(self) -> None:
        order = an_order(lines=[a_line(seller_sku="mug-1", product_sku=None)], warehouse_id="wh_1")

        with pytest.raises(InReviewOrderCannotBeShipped, match="mug-1"):
            order.lines_to_ship()

    def test_an_order_needs_a_warehouse_to_ship(self) -> None:
        with pytest.raises(WarehouseRequiredToShip):
            an_order(warehouse_id=None).lines_to_ship()

    def test_an_fbt_order_cannot_be_shipped(self) -> None:
        with pytest.raises(FbtOrderNotActionable, match="cannot ship an FBT order"):
            an_fbt_order().lines_to_ship()

    def test_a_cancelled_order_cannot_be_shipped(self) -> None:
        with pytest.raises(OrderNotOpen, match="cannot ship an order that is cancelled"):
            an_order(tiktok_status="CANCELLED", warehouse_id="wh_1").lines_to_ship()
