import pytest

from domain.exceptions import OrderLineQuantityIsOne
from domain.orders import LineStatus, OrderLine, OrderStatus
from tests.builders import a_line, an_fbt_order, an_order

pytestmark = pytest.mark.unit


class TestOrderStatus:
    def test_an_order_with_an_unmapped_listing_is_in_review(self) -> None:
        order = an_order(lines=[a_line(), a_line(seller_sku="mug-1", product_sku=None)])

        assert order.status is OrderStatus.IN_REVIEW
        assert order.unmapped_skus == ["mug-1"]

    def test_a_mapped_order_tiktok_holds_is_on_hold(self) -> None:
        assert an_order(tiktok_status="ON_HOLD").status is OrderStatus.ON_HOLD

    def test_an_order_not_paid_yet_is_on_hold_too(self) -> None:
        assert an_order(tiktok_status="UNPAID").status is OrderStatus.ON_HOLD

    def test_review_comes_before_hold(self) -> None:
        order = an_order(tiktok_status="ON_HOLD", lines=[a_line(product_sku=None)])

        assert order.status is OrderStatus.IN_REVIEW

    def test_a_mapped_open_merchant_order_awaits_fulfilment(self) -> None:
        assert an_order().status is OrderStatus.AWAITING_FULFILMENT

    def test_an_order_whose_live_lines_all_shipped_is_shipped(self) -> None:
        order = an_order(lines=[a_line(status=LineStatus.SHIPPED), a_line(status=LineStatus.CANCELLED)])

        assert order.status is OrderStatus.SHIPPED

    def test_an_order_with_every_line_cancelled_is_cancelled(self) -> None:
        order = an_order(lines=[a_line(status=LineStatus.CANCELLED), a_line(status=LineStatus.CANCELLED)])

        assert order.status is OrderStatus.CANCELLED

    def test_an_order_tiktok_cancelled_is_cancelled_with_its_open_lines(self) -> None:
        order = an_order(tiktok_status="CANCELLED", lines=[a_line(), a_line(status=LineStatus.SHIPPED)])

        assert order.status is OrderStatus.CANCELLED
        assert [line.status for line in order.lines] == [LineStatus.CANCELLED, LineStatus.SHIPPED]

    def test_a_mapped_fbt_order_is_shipped(self) -> None:
        assert an_fbt_order().status is OrderStatus.SHIPPED

    def test_a_mapped_fbt_order_is_shipped_even_while_tiktok_holds_it(self) -> None:
        assert an_fbt_order(tiktok_status="ON_HOLD").status is OrderStatus.SHIPPED

    def test_an_fbt_order_with_an_unmapped_listing_is_in_review(self) -> None:
        assert an_fbt_order(lines=[a_line(product_sku=None)]).status is OrderStatus.IN_REVIEW

    def test_a_partly_cancelled_order_keeps_its_live_lines_and_status(self) -> None:
        order = an_order(lines=[a_line(), a_line()])

        order.cancel_lines([order.lines[0]])

        assert order.status is OrderStatus.AWAITING_FULFILMENT
        assert [line.status for line in order.lines] == [LineStatus.CANCELLED, LineStatus.OPEN]
        assert order.live_lines == [order.lines[1]]

    def test_cancelling_the_last_live_lines_cancels_the_order(self) -> None:
        order = an_order(lines=[a_line(status=LineStatus.CANCELLED), a_line()])

        order.cancel_lines([order.lines[1]])

        assert order.status is OrderStatus.CANCELLED

    def test_a_cancelled_unmapped_line_no_longer_holds_the_order_in_review(self) -> None:
        order = an_order(lines=[a_line(), a_line(seller_sku="mug-1", product_sku=None)])

        order.cancel_lines([order.lines[1]])

        assert order.status is OrderStatus.AWAITING_FULFILMENT
        assert order.unmapped_skus == []


class TestOrderLine:
    @pytest.mark.parametrize("quantity", [0, 2, 5])
    def test_a_tiktok_line_always_holds_quantity_one(self, quantity: int) -> None:
        with pytest.raises(OrderLineQuantityIsOne, match=str(quantity)):
            OrderLine(id="ln_1", tiktok_line_item_id="item-1", seller_sku="tee", quantity=quantity)

    def test_a_line_is_found_by_its_id_or_its_tiktok_line_item_id(self) -> None:
        line = a_line(id="ln_1", tiktok_line_item_id="576-1")
        order = an_order(lines=[line, a_line()])

        assert order.find_line("ln_1") is line
        assert order.find_line("576-1") is line
        assert order.find_line("nope") is None


class TestMapListing:
    def test_mapping_the_last_listing_moves_a_merchant_order_to_awaiting_fulfilment(self) -> None:
        order = an_order(lines=[a_line(seller_sku="mug-1", product_sku=None), a_line(seller_sku="mug-1", product_sku=None)])

        changed = order.map_listing("mug-1", "MUG")

        assert changed
        assert order.status is OrderStatus.AWAITING_FULFILMENT
        assert {line.product_sku for line in order.lines} == {"MUG"}

    def test_mapping_the_last_listing_moves_an_fbt_order_to_shipped(self) -> None:
        order = an_fbt_order(lines=[a_line(seller_sku="mug-1", product_sku=None)])

        order.map_listing("mug-1", "MUG")

        assert order.status is OrderStatus.SHIPPED

    def test_mapping_an_unrelated_listing_changes_nothing(self) -> None:
        order = an_order(lines=[a_line(seller_sku="mug-1", product_sku=None)])

        assert not order.map_listing("tee", "TEE")
        assert order.status is OrderStatus.IN_REVIEW

    def test_unmapping_puts_an_open_merchant_order_back_in_review(self) -> None:
        order = an_order()

        assert order.map_listing("mug", None)
        assert order.status is OrderStatus.IN_REVIEW

    def test_unmapping_leaves_shipped_and_fbt_orders_as_they_were(self) -> None:
        shipped = an_order(lines=[a_line(seller_sku="mug", product_sku="MUG", status=LineStatus.SHIPPED)])
        fbt = an_fbt_order(lines=[a_line(seller_sku="mug", product_sku="MUG")])

        assert not shipped.map_listing("mug", None)
        assert not fbt.map_listing("mug", None)
        assert (shipped.status, shipped.lines[0].product_sku) == (OrderStatus.SHIPPED, "MUG")
        assert (fbt.status, fbt.lines[0].product_sku) == (OrderStatus.SHIPPED, "MUG")

    def test_unmapping_keeps_the_product_of_lines_already_shipped(self) -> None:
        order = an_order(
            lines=[a_line(seller_sku="mug", product_sku="MUG", status=LineStatus.SHIPPED), a_line(seller_sku="mug", product_sku="MUG")]
        )

        order.map_listing("mug", None)

        assert order.status is OrderStatus.IN_REVIEW
        assert [line.product_sku for line in order.lines] == ["MUG", None]
