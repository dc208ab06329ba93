from dataclasses import dataclass
from datetime import date
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
    """The seller's cancel reasons, in the OMS's words; TikTok's names depend on market and status."""

    OUT_OF_STOCK = "out-of-stock"
    WRONG_PRICE = "wrong-price"
    ADDRESS_NOT_DELIVERABLE = "address-not-deliverable"
    BUYER_REQUESTED = "buyer-requested"
    BUYER_DID_NOT_PAY = "buyer-did-not-pay"  # UNPAID orders only
    POTENTIAL_FRAUD = "potential-fraud"  # JP only: "Order with high chance of cancellation / refund"


_R = CancelReason
# TikTok's seller cancel reasons by market and order status. Source: TikTok Shop Partner Center,
# "Cancel reasons" (https://partner.tiktokshop.com/docv2/page/cancel-reasons, mirrored in
# lazykern/ecommerce-api-docs data/raw/tiktok/api-reference/return-and-refund/cancel-reasons.json,
# page updated 2025-10-24), tables "Seller Initiates Cancel Reason". There is no API for them.
# Each market: (UNPAID reasons, ON_HOLD / AWAITING_SHIPMENT reasons).
_Table = tuple[dict[CancelReason, str], dict[CancelReason, str]]
_DEFAULT: _Table = (  # US, and the EU markets ES, IE, FR, DE, IT
    {
        _R.OUT_OF_STOCK: "seller_cancel_unpaid_reason_out_of_stock",
        _R.WRONG_PRICE: "seller_cancel_unpaid_reason_wrong_price",
        _R.BUYER_DID_NOT_PAY: "seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed",
        _R.BUYER_REQUESTED: "seller_cancel_unpaid_reason_buyer_requested_cancellation",
    },
    {
        _R.OUT_OF_STOCK: "seller_cancel_reason_out_of_stock",
        _R.WRONG_PRICE: "seller_cancel_reason_wrong_price",
        _R.ADDRESS_NOT_DELIVERABLE: "seller_cancel_paid_reason_address_not_deliver",
        _R.BUYER_REQUESTED: "seller_cancel_paid_reason_buyer_requested_cancellation",
    },
)


def _only(table: _Table, unpaid: tuple[CancelReason, ...], paid: tuple[CancelReason, ...]) -> _Table:
    return {r: table[0][r] for r in unpaid}, {r: table[1][r] for r in paid}


_SEA = _only(  # ID, MY, TH, VN: no "buyer requested"
    _DEFAULT,
    (_R.OUT_OF_STOCK, _R.WRONG_PRICE, _R.BUYER_DID_NOT_PAY),
    (_R.OUT_OF_STOCK, _R.WRONG_PRICE, _R.ADDRESS_NOT_DELIVERABLE),
)
_LATAM_PAID = (_R.OUT_OF_STOCK, _R.BUYER_REQUESTED, _R.ADDRESS_NOT_DELIVERABLE)  # MX, BR: no pricing error once paid
SELLER_CANCEL_REASONS: dict[str, _Table] = {
    "US": _DEFAULT,
    **{eu: _DEFAULT for eu in ("ES", "IE", "FR", "DE", "IT")},
    "GB": (  # the UK: _uk names, and no "buyer requested"
        {
            _R.OUT_OF_STOCK: "seller_cancel_unpaid_reason_out_of_stock_uk",
            _R.WRONG_PRICE: "seller_cancel_unpaid_reason_wrong_price_uk",
            _R.BUYER_DID_NOT_PAY: "seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed_uk",
        },
        {
            _R.OUT_OF_STOCK: "seller_cancel_reason_out_of_stock_uk",
            _R.WRONG_PRICE: "seller_cancel_reason_wrong_price_uk",
            _R.ADDRESS_NOT_DELIVERABLE: "seller_cancel_paid_reason_address_not_deliver_uk",
        },
    ),
    "JP": (_DEFAULT[0], {**_DEFAULT[1], _R.POTENTIAL_FRAUD: "seller_cancel_order_reason_potential_fraud"}),
    "ID": _SEA,
    "MY": _SEA,
    "TH": _SEA,
    "VN": _SEA,
    "PH": _DEFAULT,
    "SG": (  # SG: no "buyer did not pay", no "buyer requested", its own address reason name
        {r: _DEFAULT[0][r] for r in (_R.OUT_OF_STOCK, _R.WRONG_PRICE)},
        {
            _R.OUT_OF_STOCK: "seller_cancel_reason_out_of_stock",
            _R.WRONG_PRICE: "seller_cancel_reason_wrong_price",
            _R.ADDRESS_NOT_DELIVERABLE: "seller_cancel_unable_to_deliver_to_buyer_address",
        },
    ),
    "MX": _only(_DEFAULT, (_R.OUT_OF_STOCK, _R.BUYER_DID_NOT_PAY, _R.BUYER_REQUESTED), _LATAM_PAID),
    "BR": _only(_DEFAULT, (_R.OUT_OF_STOCK, _R.WRONG_PRICE, _R.BUYER_DID_NOT_PAY, _R.BUYER_REQUESTED), _LATAM_PAID),
}


@dataclass(frozen=True, slots=True)
class ReasonRemoval:
    """A seller reason TikTok withdrew from some markets from a given day (its changelog)."""

    markets: frozenset[str]
    reason: CancelReason
    since: date
    source: str


# The cancel-reasons page still lists these; TikTok's changelog withdrew them.
REASON_REMOVALS = (
    ReasonRemoval(
        frozenset({"ID", "SG", "TH", "VN", "PH"}), _R.ADDRESS_NOT_DELIVERABLE, date(2024, 3, 1),
        "changelog order-cancellation/removal-of-unable-to-deliver-to-buyer-address-as-a-cancellation-"
        "reason-in-id-vn-th-sg-ph-markets (2023-12-22; local sellers)",
    ),
    ReasonRemoval(
        frozenset({"ID", "PH", "VN", "MY", "TH", "SG"}), _R.ADDRESS_NOT_DELIVERABLE, date(2025, 8, 31),
        "changelog order-cancellation/sea-market-onlythree-seller-initiates-cancel-reasons-will-be-changed "
        "(2025-07-15; local-to-local sellers)",
    ),
)
# Partial (item-level) cancellation: only out of stock, only in the US and UK (TIKTOK_API.md 4.3).
PARTIAL_CANCEL_MARKETS = frozenset({"US", "GB"})
# Seller cancellations of a paid order that has not shipped. (The US also allows AWAITING_COLLECTION,
# but the OMS counts such an order as shipped already.)
PAID_STATUSES = frozenset({"ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"})


def _removed(reason: CancelReason, code: str, on: date | None) -> ReasonRemoval | None:
    return next(
        (r for r in REASON_REMOVALS if code in r.markets and r.reason is reason and (on is None or on >= r.since)),
        None,
    )


def reason_names(tiktok_status: str, region: str, on: date | None = None) -> dict[CancelReason, str]:
    """The seller reasons TikTok accepts for an order in `tiktok_status` in the market of `region`,
    with TikTok's reason name for each, as of the day `on` (None: with every known removal).

    A market TikTok's table does not list gets the US/EU default table.
    """
    code = market(region)
    unpaid, paid = SELLER_CANCEL_REASONS.get(code, _DEFAULT)
    if tiktok_status == "UNPAID":
        table = unpaid
    elif tiktok_status in PAID_STATUSES:
        table = paid
    else:
        return {}
    return {reason: name for reason, name in table.items() if _removed(reason, code, on) is None}


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

    @property
    def bundle_line_item_ids(self) -> list[str] | None:
        """The virtual bundle lines of a partial cancellation: TikTok needs each unit inside them."""
        bundles = [line.tiktok_line_item_id for line in self.lines if line.is_bundle] if self.partial else []
        return bundles or None


def plan_cancellation(
    order: Order,
    *,
    line_refs: list[str] | None,
    reason: CancelReason,
    region: str,
    sibling_parts: tuple[Order, ...] = (),
    today: date | None = None,
) -> CancellationRequest:
    """R6/R7: decide, before anything is sent to TikTok, whether and how to cancel.

    `region` is the store's market; `today` picks which of TikTok's dated reason removals apply
    (None: all of them). Raises a DomainError naming the reasons allowed when TikTok would refuse.
    """
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
    status = order.tiktok_status
    names = reason_names(status, region, today)
    if reason not in names:
        if not names:
            raise OrderNotCancellable(f"TikTok does not let sellers cancel an order in status {status}")
        allowed = [r.value for r in names]
        code = market(region)
        removal = _removed(reason, code, today)
        if removal is not None:
            why = f"TikTok withdrew the reason {reason.value!r} in {code} from {removal.since.isoformat()}"
            raise CancelReasonNotAllowed(reason.value, status, allowed, why=why)
        if any(reason in reason_names(status, other, date.min) for other in SELLER_CANCEL_REASONS):
            why = f"TikTok does not offer the reason {reason.value!r} to sellers in {code} for an order in status {status}"
            raise CancelReasonNotAllowed(reason.value, status, allowed, why=why)
        raise CancelReasonNotAllowed(reason.value, status, allowed)
    return CancellationRequest(order.tiktok_order_id, names[reason], tuple(lines), partial)
