from dataclasses import dataclass
from enum import Enum

from domain.exceptions import (
    CancelReasonNotAllowed,
    FbtOrderNotActionable,
    OrderNotCancellable,
    PartialCancellationNeedsPaidOrder,
    PartialCancellationNotInMarket,
    PartialCancellationRequiresOutOfStock,
)
from domain.markets import market
from domain.orders import Order, OrderLine


class CancelReason(str, Enum):
    OUT_OF_STOCK = "out-of-stock"
    WRONG_PRICE = "wrong-price"
    ADDRESS_NOT_DELIVERABLE = "address-not-deliverable"
    BUYER_REQUESTED = "buyer-requested"


_UNPAID = {
    CancelReason.OUT_OF_STOCK: "seller_cancel_unpaid_reason_out_of_stock",
    CancelReason.WRONG_PRICE: "seller_cancel_unpaid_reason_wrong_price",
    CancelReason.BUYER_REQUESTED: "seller_cancel_unpaid_reason_buyer_requested_cancellation",
}
_PAID = {
    CancelReason.OUT_OF_STOCK: "seller_cancel_reason_out_of_stock",
    CancelReason.WRONG_PRICE: "seller_cancel_reason_wrong_price",
    CancelReason.ADDRESS_NOT_DELIVERABLE: "seller_cancel_paid_reason_address_not_deliver",
    CancelReason.BUYER_REQUESTED: "seller_cancel_paid_reason_buyer_requested_cancellation",
}
_UNPAID_UK = {
    CancelReason.OUT_OF_STOCK: "seller_cancel_unpaid_reason_out_of_stock_uk",
    CancelReason.WRONG_PRICE: "seller_cancel_unpaid_reason_wrong_price_uk",
}
_PAID_UK = {
    CancelReason.OUT_OF_STOCK: "seller_cancel_reason_out_of_stock_uk",
    CancelReason.WRONG_PRICE: "seller_cancel_reason_wrong_price_uk",
    CancelReason.ADDRESS_NOT_DELIVERABLE: "seller_cancel_paid_reason_address_not_deliver_uk",
}
# TikTok's seller cancel reasons by order status and market (partner.tiktokshop.com, cancel-reasons).
PARTIAL_CANCEL_MARKETS = frozenset({"US", "GB"})
# Seller cancellations of a paid order that has not shipped. (The US also allows AWAITING_COLLECTION,
# but the OMS counts such an order as shipped already.)
PAID_STATUSES = frozenset({"ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"})


def reason_names(tiktok_status: str, region: str) -> dict[CancelReason, str]:
    uk = market(region) == "GB"
    if tiktok_status == "UNPAID":
        return _UNPAID_UK if uk else _UNPAID
    if tiktok_status in PAID_STATUSES:
        return _PAID_UK if uk else _PAID
    return {}


@dataclass(frozen=True, slots=True)
class CancellationRequest:
    """What TikTok is asked: a whole order, or (partial) some of its line items."""

    tiktok_order_id: str
    reason_name: str
    lines: tuple[OrderLine, ...]
    partial: bool

    @property
    def line_item_ids(self) -> list[str] | None:
        return [line.tiktok_line_item_id for line in self.lines] if self.partial else None


def plan_cancellation(
    order: Order,
    *,
    line_refs: list[str] | None,
    reason: CancelReason,
    region: str,
    sibling_parts: tuple[Order, ...] = (),
) -> CancellationRequest:
    """R6/R7: decide, before anything is sent to TikTok, whether and how to cancel."""
    if order.is_fbt:
        raise FbtOrderNotActionable("cancel")
    if not order.is_open:
        raise OrderNotCancellable(f"the order is {order.status.value.replace('_', ' ')}")
    lines = order.pick_open_lines(line_refs, "cancel") if line_refs else order.open_lines
    if not lines:
        raise OrderNotCancellable("the order has no open lines")
    remaining = [
        line for part in [order, *sibling_parts] for line in part.live_lines if line not in lines
    ]
    partial = bool(remaining)
    if partial:
        if reason is not CancelReason.OUT_OF_STOCK:
            raise PartialCancellationRequiresOutOfStock(reason.value)
        if market(region) not in PARTIAL_CANCEL_MARKETS:
            raise PartialCancellationNotInMarket(region)
        if order.tiktok_status not in PAID_STATUSES:
            raise PartialCancellationNeedsPaidOrder(order.tiktok_status)
    names = reason_names(order.tiktok_status, region)
    if reason not in names:
        if not names:
            raise OrderNotCancellable(f"TikTok does not let sellers cancel an order in status {order.tiktok_status}")
        raise CancelReasonNotAllowed(reason.value, order.tiktok_status, [r.value for r in names])
    return CancellationRequest(order.tiktok_order_id, names[reason], tuple(lines), partial)
