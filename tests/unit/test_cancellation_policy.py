import pytest

from domain.cancellation import CancelReason, plan_cancellation
from domain.exceptions import (
    PartialCancellationNeedsPaidOrder,
    CancelReasonNotAllowed,
    FbtOrderNotActionable,
    OrderNotCancellable,
    PartialCancellationNotInMarket,
    PartialCancellationRequiresOutOfStock,
    UnknownLines,
)
from domain.orders import LineStatus, Order
from tests.builders import a_line, an_fbt_order, an_order

pytestmark = pytest.mark.unit

R = CancelReason


def three_lines(**kwargs: object) -> Order:
    lines = [a_line(id="ln_1", tiktok_line_item_id="i1"), a_line(id="ln_2", tiktok_line_item_id="i2"), a_line(id="ln_3")]
    return an_order(tiktok_order_id="576-1", lines=lines, **kwargs)  # type: ignore[arg-type]


class TestFullCancellation:
    @pytest.mark.parametrize(
        ("reason", "name"),
        [
            (R.OUT_OF_STOCK, "seller_cancel_reason_out_of_stock"),
            (R.WRONG_PRICE, "seller_cancel_reason_wrong_price"),
            (R.ADDRESS_NOT_DELIVERABLE, "seller_cancel_paid_reason_address_not_deliver"),
            (R.BUYER_REQUESTED, "seller_cancel_paid_reason_buyer_requested_cancellation"),
        ],
    )
    @pytest.mark.parametrize("status", ["AWAITING_SHIPMENT", "ON_HOLD"])
    @pytest.mark.parametrize("region", ["US", "DE", "FR"])
    def test_a_paid_order_may_use_any_seller_reason(self, reason: CancelReason, name: str, status: str, region: str) -> None:
        plan = plan_cancellation(three_lines(tiktok_status=status), line_refs=None, reason=reason, region=region)

        assert (plan.tiktok_order_id, plan.reason_name, plan.partial) == ("576-1", name, False)
        assert plan.line_item_ids is None and len(plan.lines) == 3

    @pytest.mark.parametrize(
        ("reason", "name"),
        [
            (R.OUT_OF_STOCK, "seller_cancel_unpaid_reason_out_of_stock"),
            (R.WRONG_PRICE, "seller_cancel_unpaid_reason_wrong_price"),
            (R.BUYER_REQUESTED, "seller_cancel_unpaid_reason_buyer_requested_cancellation"),
        ],
    )
    def test_an_unpaid_order_uses_the_unpaid_reason_names(self, reason: CancelReason, name: str) -> None:
        plan = plan_cancellation(three_lines(tiktok_status="UNPAID"), line_refs=None, reason=reason, region="US")

        assert plan.reason_name == name

    def test_an_unpaid_order_cannot_be_cancelled_as_address_not_deliverable(self) -> None:
        with pytest.raises(CancelReasonNotAllowed, match="allowed: out-of-stock, wrong-price, buyer-did-not-pay, buyer-requested"):
            plan_cancellation(three_lines(tiktok_status="UNPAID"), line_refs=None, reason=R.ADDRESS_NOT_DELIVERABLE, region="US")

    @pytest.mark.parametrize(
        ("status", "reason", "name"),
        [
            ("AWAITING_SHIPMENT", R.OUT_OF_STOCK, "seller_cancel_reason_out_of_stock_uk"),
            ("AWAITING_SHIPMENT", R.WRONG_PRICE, "seller_cancel_reason_wrong_price_uk"),
            ("ON_HOLD", R.ADDRESS_NOT_DELIVERABLE, "seller_cancel_paid_reason_address_not_deliver_uk"),
            ("UNPAID", R.OUT_OF_STOCK, "seller_cancel_unpaid_reason_out_of_stock_uk"),
            ("UNPAID", R.WRONG_PRICE, "seller_cancel_unpaid_reason_wrong_price_uk"),
        ],
    )
    @pytest.mark.parametrize("region", ["GB", "UK"])
    def test_the_uk_uses_its_own_reason_names(self, status: str, reason: CancelReason, name: str, region: str) -> None:
        plan = plan_cancellation(three_lines(tiktok_status=status), line_refs=None, reason=reason, region=region)

        assert plan.reason_name == name

    @pytest.mark.parametrize("status", ["AWAITING_SHIPMENT", "UNPAID"])
    def test_the_uk_has_no_buyer_requested_reason_for_sellers(self, status: str) -> None:
        with pytest.raises(CancelReasonNotAllowed, match="buyer-requested") as refused:
            plan_cancellation(three_lines(tiktok_status=status), line_refs=None, reason=R.BUYER_REQUESTED, region="GB")

        assert "buyer-requested" not in str(refused.value).split("allowed:")[1]

    def test_choosing_every_open_line_is_a_full_cancellation(self) -> None:
        plan = plan_cancellation(three_lines(), line_refs=["ln_1", "ln_2", "ln_3"], reason=R.WRONG_PRICE, region="US")

        assert not plan.partial and plan.line_item_ids is None

    def test_the_lines_left_after_an_earlier_partial_cancel_can_be_cancelled_with_any_reason(self) -> None:
        order = three_lines()
        order.cancel_lines([order.lines[0]])

        plan = plan_cancellation(order, line_refs=None, reason=R.BUYER_REQUESTED, region="US")

        assert not plan.partial and [line.id for line in plan.lines] == ["ln_2", "ln_3"]


class TestPartialCancellation:
    def test_some_lines_can_be_cancelled_as_out_of_stock(self) -> None:
        plan = plan_cancellation(three_lines(), line_refs=["ln_1", "i2"], reason=R.OUT_OF_STOCK, region="US")

        assert plan.partial
        assert (plan.reason_name, plan.line_item_ids) == ("seller_cancel_reason_out_of_stock", ["i1", "i2"])

    def test_the_uk_cancels_part_of_an_order_with_its_own_reason_name(self) -> None:
        plan = plan_cancellation(three_lines(), line_refs=["ln_1"], reason=R.OUT_OF_STOCK, region="GB")

        assert plan.partial and plan.reason_name == "seller_cancel_reason_out_of_stock_uk"

    def test_an_unpaid_order_cannot_be_cancelled_in_part(self) -> None:
        with pytest.raises(PartialCancellationNeedsPaidOrder, match="only once it is paid; this one is UNPAID"):
            plan_cancellation(three_lines(tiktok_status="UNPAID"), line_refs=["ln_1"], reason=R.OUT_OF_STOCK, region="US")

    @pytest.mark.parametrize("reason", [R.WRONG_PRICE, R.ADDRESS_NOT_DELIVERABLE, R.BUYER_REQUESTED])
    def test_any_other_reason_is_refused_naming_out_of_stock(self, reason: CancelReason) -> None:
        with pytest.raises(PartialCancellationRequiresOutOfStock, match="must give the reason out-of-stock"):
            plan_cancellation(three_lines(), line_refs=["ln_1"], reason=reason, region="US")

    @pytest.mark.parametrize("region", ["DE", "FR", "MY", "ID"])
    def test_only_the_us_and_uk_allow_cancelling_part_of_an_order(self, region: str) -> None:
        with pytest.raises(PartialCancellationNotInMarket, match=region):
            plan_cancellation(three_lines(), line_refs=["ln_1"], reason=R.OUT_OF_STOCK, region=region)

    def test_another_part_of_a_split_order_makes_cancelling_a_whole_part_partial(self) -> None:
        order = three_lines()
        part = order.split(["ln_3"], new_order_id="ord_2", split_index=1, by_sku_only=False)

        with pytest.raises(PartialCancellationRequiresOutOfStock):
            plan_cancellation(part, line_refs=None, reason=R.WRONG_PRICE, region="US", sibling_parts=(order,))
        plan = plan_cancellation(part, line_refs=None, reason=R.OUT_OF_STOCK, region="US", sibling_parts=(order,))

        assert plan.partial and plan.line_item_ids == [part.lines[0].tiktok_line_item_id]

    def test_a_cancelled_sibling_part_does_not_make_a_cancel_partial(self) -> None:
        order = three_lines()
        part = order.split(["ln_3"], new_order_id="ord_2", split_index=1, by_sku_only=False)
        order.cancel_lines(order.lines)

        plan = plan_cancellation(part, line_refs=None, reason=R.WRONG_PRICE, region="US", sibling_parts=(order,))

        assert not plan.partial

    def test_lines_already_shipped_make_cancelling_the_rest_partial(self) -> None:
        order = an_order(
            tiktok_status="PARTIALLY_SHIPPING", lines=[a_line(status=LineStatus.SHIPPED), a_line(id="ln_open")]
        )

        plan = plan_cancellation(order, line_refs=None, reason=R.OUT_OF_STOCK, region="US")

        assert plan.partial and [line.id for line in plan.lines] == ["ln_open"]

    def test_lines_that_are_not_open_are_refused_by_name(self) -> None:
        order = an_order(lines=[a_line(id="ln_shipped", status=LineStatus.SHIPPED), a_line()])

        with pytest.raises(UnknownLines, match="ln_shipped, ln_nope"):
            plan_cancellation(order, line_refs=["ln_shipped", "ln_nope"], reason=R.OUT_OF_STOCK, region="US")


class TestNotCancellable:
    def test_an_fbt_order_cannot_be_cancelled(self) -> None:
        with pytest.raises(FbtOrderNotActionable, match="cannot cancel an FBT order"):
            plan_cancellation(an_fbt_order(), line_refs=None, reason=R.OUT_OF_STOCK, region="US")

    def test_a_shipped_order_cannot_be_cancelled(self) -> None:
        order = an_order(lines=[a_line(status=LineStatus.SHIPPED)])

        with pytest.raises(OrderNotCancellable, match="the order is shipped"):
            plan_cancellation(order, line_refs=None, reason=R.OUT_OF_STOCK, region="US")

    def test_a_cancelled_order_cannot_be_cancelled_again(self) -> None:
        with pytest.raises(OrderNotCancellable, match="the order is cancelled"):
            plan_cancellation(an_order(tiktok_status="CANCELLED"), line_refs=None, reason=R.OUT_OF_STOCK, region="US")

    @pytest.mark.parametrize("status", ["IN_TRANSIT", "DELIVERED"])
    def test_an_open_order_tiktok_no_longer_lets_sellers_cancel_is_refused(self, status: str) -> None:
        with pytest.raises(OrderNotCancellable, match=status):
            plan_cancellation(an_order(tiktok_status=status), line_refs=None, reason=R.OUT_OF_STOCK, region="US")
