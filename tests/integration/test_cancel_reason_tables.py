"""Issue 8 item 1: the OMS's and the simulator's cancel-reason tables were written apart from
TikTok's cancel-reasons page; they must agree, so that a slip in one is caught by the other."""

import calendar
from datetime import date

import pytest

from adapters.sandbox.model import seller_cancel_reasons
from domain.cancellation import SELLER_CANCEL_REASONS, reason_names

pytestmark = pytest.mark.integration

MARKETS = ["US", "GB", "UK", "JP", "ID", "MY", "PH", "SG", "TH", "VN", "MX", "BR", "ES", "IE", "FR", "DE", "IT"]
DAYS = [date(2024, 2, 29), date(2024, 3, 1), date(2025, 8, 30), date(2025, 8, 31), date(2026, 11, 27)]


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("status", ["UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "IN_TRANSIT", "CANCELLED"])
@pytest.mark.parametrize("market", MARKETS)
def test_the_oms_sends_exactly_the_names_the_simulator_accepts(market: str, status: str, day: date) -> None:
    oms = set(reason_names(status, market, day).values())
    simulator = set(seller_cancel_reasons(status, market.replace("UK", "GB"), calendar.timegm(day.timetuple())))
    assert oms == simulator


def test_every_market_tiktok_lists_has_a_table() -> None:
    assert set(SELLER_CANCEL_REASONS) == set(MARKETS) - {"UK"}
