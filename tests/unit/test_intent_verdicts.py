"""Reading TikTok's order to tell whether a ship, cancel or split whose answer was lost was applied (I-9)."""

from dataclasses import replace

import pytest

from domain import limits
from domain.exceptions import NotStorable
from domain.imports import RemoteLine, RemoteOrder
from domain.intents import Intent, IntentKind, judge
from tests.builders import T0, a_remote_line, a_remote_order


def a_line(item: str, status: str = "AWAITING_SHIPMENT", **fields: str) -> RemoteLine:
    return replace(a_remote_line(tiktok_line_item_id=item, status=status), **fields)


def an_order(*lines: RemoteLine, status: str = "AWAITING_SHIPMENT") -> RemoteOrder:
    return a_remote_order(tiktok_order_id="5761", lines=list(lines), status=status)


def an_intent(kind: IntentKind, items: tuple[str, ...] = ("i1", "i2"), **fields: object) -> Intent:
    return Intent(id="k", kind=kind, store_id="st", order_id="ord", tiktok_order_id="5761", line_ids=("l1", "l2")[:len(items)],
                  line_item_ids=items, created_at=T0, **fields)  # type: ignore[arg-type]


SHIP = an_intent(IntentKind.SHIP, carrier="USPS", provider_id="7117858858072016686", tracking_number="9400")


class TestShip:
    def test_applied_when_every_line_shipped_in_one_package_with_its_tracking_number(self) -> None:
        remote = an_order(*(a_line(i, "AWAITING_COLLECTION", package_id="p1", tracking_number="9400") for i in ("i1", "i2")))

        assert (judge(SHIP, remote).applied, judge(SHIP, remote).result) == (True, "p1")

    def test_not_applied_while_the_lines_wait_to_ship(self) -> None:
        verdict = judge(SHIP, an_order(a_line("i1"), a_line("i2")))

        assert not verdict.applied and "still to ship" in verdict.why

    def test_shipped_with_another_tracking_number_is_someone_elses_shipment(self) -> None:
        remote = an_order(*(a_line(i, "IN_TRANSIT", package_id="p9", tracking_number="1Z9") for i in ("i1", "i2")))

        verdict = judge(SHIP, remote)

        assert not verdict.applied and "another tracking number (1Z9)" in verdict.why

    def test_an_order_tiktok_does_not_list_was_not_shipped(self) -> None:
        assert not judge(SHIP, None).applied

    def test_a_unit_of_a_legacy_multi_unit_line_is_found_by_its_unit_id(self) -> None:
        shipped = replace(a_line("i", "AWAITING_COLLECTION", package_id="p1", tracking_number="9400"), quantity=2)

        assert judge(replace(SHIP, line_item_ids=("i-1", "i-2")), an_order(shipped)).result == "p1"


def test_a_cancellation_is_applied_when_every_line_is_cancelled() -> None:
    cancel = an_intent(IntentKind.CANCEL, ("i2",), reason="seller_cancel_reason_out_of_stock", partial=True)

    assert judge(cancel, an_order(a_line("i1"), a_line("i2", "CANCELLED"))).applied
    assert not judge(cancel, an_order(a_line("i1"), a_line("i2"))).applied


def test_a_split_is_applied_when_the_moving_lines_have_a_package_of_their_own() -> None:
    split = an_intent(IntentKind.SPLIT, ("i2",), staying_line_item_ids=("i1",), part_order_id="ord_2")

    assert judge(split, an_order(a_line("i1", package_id="p1"), a_line("i2", package_id="p2"))).result == "p2"
    assert not judge(split, an_order(a_line("i1", package_id="p1"), a_line("i2", package_id="p1"))).applied


@pytest.mark.parametrize(("fields", "words"), [
    ({"tracking_number": "9" * (limits.TRACKING_NUMBER + 1)}, "tracking number is 256 characters long"),
    ({"tracking_number": "94\n00"}, "tracking number contains control characters (\\n)"),
    ({"carrier": "C" * (limits.CARRIER + 1)}, "carrier is 256 characters long"),
])
def test_what_the_oms_cannot_keep_is_refused_when_the_intent_is_made(fields: dict, words: str) -> None:
    with pytest.raises(NotStorable, match=r"cannot ship: the .*nothing was sent to TikTok") as refused:
        an_intent(IntentKind.SHIP, **fields)

    assert words in str(refused.value)
