"""Issue 8 item 1: TikTok's seller cancel reasons differ by market (and some were withdrawn on a date)."""

from datetime import date

import pytest

from domain.cancellation import CancelReason, plan_cancellation, reason_names
from domain.exceptions import CancelReasonNotAllowed
from domain.orders import Order
from tests.builders import a_line, an_order

pytestmark = pytest.mark.unit

R = CancelReason
TODAY = date(2026, 11, 27)


def order(status: str = "AWAITING_SHIPMENT") -> Order:
    return an_order(tiktok_order_id="576-1", lines=[a_line(id="ln_1")], tiktok_status=status)


@pytest.mark.parametrize(
    ("region", "reason"),
    [
        ("SG", R.ADDRESS_NOT_DELIVERABLE),
        *[(m, R.BUYER_REQUESTED) for m in ("SG", "ID", "MY", "TH", "VN")],
        ("MX", R.WRONG_PRICE),
        ("BR", R.WRONG_PRICE),
        ("GB", R.BUYER_REQUESTED),
        ("US", R.POTENTIAL_FRAUD),
    ],
)
def test_a_reason_the_market_does_not_offer_is_refused_naming_the_allowed_ones(region: str, reason: CancelReason) -> None:
    with pytest.raises(CancelReasonNotAllowed) as refused:
        plan_cancellation(order(), line_refs=None, reason=reason, region=region, today=TODAY)
    message = str(refused.value)
    assert f"'{reason.value}'" in message and region in message
    allowed = [r.value for r in reason_names("AWAITING_SHIPMENT", region, TODAY)]
    assert message.endswith("allowed: " + ", ".join(allowed))
    assert reason.value not in allowed


@pytest.mark.parametrize(
    ("region", "status", "reason", "name"),
    [
        ("SG", "AWAITING_SHIPMENT", R.WRONG_PRICE, "seller_cancel_reason_wrong_price"),
        ("PH", "AWAITING_SHIPMENT", R.BUYER_REQUESTED, "seller_cancel_paid_reason_buyer_requested_cancellation"),
        ("MX", "AWAITING_SHIPMENT", R.BUYER_REQUESTED, "seller_cancel_paid_reason_buyer_requested_cancellation"),
        ("MX", "AWAITING_SHIPMENT", R.ADDRESS_NOT_DELIVERABLE, "seller_cancel_paid_reason_address_not_deliver"),
        ("BR", "UNPAID", R.WRONG_PRICE, "seller_cancel_unpaid_reason_wrong_price"),
        ("JP", "AWAITING_SHIPMENT", R.POTENTIAL_FRAUD, "seller_cancel_order_reason_potential_fraud"),
        ("JP", "ON_HOLD", R.BUYER_REQUESTED, "seller_cancel_paid_reason_buyer_requested_cancellation"),
        ("UK", "UNPAID", R.BUYER_DID_NOT_PAY, "seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed_uk"),
        ("ID", "UNPAID", R.BUYER_DID_NOT_PAY, "seller_cancel_unpaid_reason_buyer_hasnt_paid_within_time_allowed"),
        ("IT", "AWAITING_SHIPMENT", R.ADDRESS_NOT_DELIVERABLE, "seller_cancel_paid_reason_address_not_deliver"),
    ],
)
def test_each_market_sends_its_own_reason_name(region: str, status: str, reason: CancelReason, name: str) -> None:
    plan = plan_cancellation(order(status), line_refs=None, reason=reason, region=region, today=TODAY)
    assert plan.reason_name == name


@pytest.mark.parametrize(
    ("region", "day", "offered"),
    [
        ("SG", date(2024, 2, 29), True),
        ("SG", date(2024, 3, 1), False),
        ("ID", date(2024, 3, 1), False),
        ("PH", date(2024, 3, 1), False),
        ("MY", date(2024, 3, 1), True),
        ("MY", date(2025, 8, 30), True),
        ("MY", date(2025, 8, 31), False),
        ("TH", date(2025, 8, 31), False),
        ("US", date(2025, 8, 31), True),
        ("MX", date(2025, 8, 31), True),
    ],
)
def test_address_not_deliverable_follows_tiktoks_dated_removals(region: str, day: date, offered: bool) -> None:
    assert (R.ADDRESS_NOT_DELIVERABLE in reason_names("AWAITING_SHIPMENT", region, day)) is offered


def test_a_withdrawn_reason_says_since_when() -> None:
    with pytest.raises(CancelReasonNotAllowed, match="withdrew the reason 'address-not-deliverable' in MY from 2025-08-31"):
        plan_cancellation(order(), line_refs=None, reason=R.ADDRESS_NOT_DELIVERABLE, region="MY", today=TODAY)


def test_after_every_removal_the_sea_markets_keep_what_tiktok_still_lists() -> None:
    assert list(reason_names("AWAITING_SHIPMENT", "SG")) == [R.OUT_OF_STOCK, R.WRONG_PRICE]
    assert list(reason_names("AWAITING_SHIPMENT", "PH")) == [R.OUT_OF_STOCK, R.WRONG_PRICE, R.BUYER_REQUESTED]
    assert list(reason_names("UNPAID", "SG")) == [R.OUT_OF_STOCK, R.WRONG_PRICE]


def test_only_the_us_rejects_a_buyers_cancellation_request_by_shipping() -> None:
    from domain.markets import shipping_rejects_cancel_request

    assert shipping_rejects_cancel_request("us") and not shipping_rejects_cancel_request("UK")
    assert not shipping_rejects_cancel_request("MY")
