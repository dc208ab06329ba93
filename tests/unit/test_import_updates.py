import itertools
from dataclasses import replace

import pytest

from domain.imports import ImportOutcome, RemoteOrder, import_remote_order
from domain.orders import LineStatus, Order, OrderStatus
from domain.stores import Store
from tests.builders import a_remote_line, a_remote_order, a_store, an_address

pytestmark = pytest.mark.unit

MAPPED = {"tee-red-l": "TEE-RED-L", "mug": "MUG"}
_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}_{next(_ids)}"


def imported(remote: RemoteOrder, store: Store | None = None) -> Order:
    order = import_remote_order(remote, store=store or a_store(), parts=[], mapping=MAPPED, new_id=new_id).created
    assert order is not None
    return order


def two_tees(**kwargs: object) -> RemoteOrder:
    lines = [a_remote_line(tiktok_line_item_id="i1"), a_remote_line(tiktok_line_item_id="i2")]
    return a_remote_order(tiktok_order_id="576-1", lines=lines, **kwargs)  # type: ignore[arg-type]


def reimport(remote: RemoteOrder, *parts: Order) -> ImportOutcome:
    return import_remote_order(remote, store=a_store(), parts=list(parts), mapping=MAPPED, new_id=new_id).outcome


class TestNewestWins:
    def test_importing_the_same_version_again_changes_nothing(self) -> None:
        remote = two_tees(update_time=100)
        order = imported(remote)

        assert reimport(remote, order) is ImportOutcome.UNCHANGED
        assert [line.tiktok_line_item_id for line in order.lines] == ["i1", "i2"]

    def test_an_older_version_never_overwrites_a_newer_one(self) -> None:
        order = imported(two_tees(update_time=200, status="IN_TRANSIT"))

        outcome = reimport(two_tees(update_time=100, status="AWAITING_SHIPMENT"), order)

        assert outcome is ImportOutcome.UNCHANGED
        assert (order.tiktok_status, order.tiktok_update_time, order.status) == ("IN_TRANSIT", 200, OrderStatus.SHIPPED)

    def test_a_version_with_the_same_update_time_is_applied(self) -> None:
        order = imported(two_tees(update_time=100))

        outcome = reimport(two_tees(update_time=100, status="CANCELLED"), order)

        assert outcome is ImportOutcome.UPDATED
        assert order.status is OrderStatus.CANCELLED

    def test_a_newer_version_is_applied(self) -> None:
        order = imported(two_tees(update_time=100))

        assert reimport(two_tees(update_time=101, status="IN_TRANSIT"), order) is ImportOutcome.UPDATED
        assert (order.tiktok_update_time, order.status) == (101, OrderStatus.SHIPPED)


class TestChangesMadeOnTikTok:
    def test_a_buyer_cancellation_cancels_the_order(self) -> None:
        order = imported(two_tees(update_time=100))

        reimport(two_tees(update_time=200, status="CANCELLED"), order)

        assert order.status is OrderStatus.CANCELLED
        assert {line.status for line in order.lines} == {LineStatus.CANCELLED}

    def test_a_line_cancelled_on_tiktok_is_cancelled_and_the_rest_goes_on(self) -> None:
        order = imported(two_tees(update_time=100))
        lines = [a_remote_line(tiktok_line_item_id="i1", status="CANCELLED"), a_remote_line(tiktok_line_item_id="i2")]

        reimport(a_remote_order(tiktok_order_id="576-1", update_time=200, lines=lines), order)

        assert [line.status for line in order.lines] == [LineStatus.CANCELLED, LineStatus.OPEN]
        assert order.status is OrderStatus.AWAITING_FULFILMENT

    def test_a_shipment_made_elsewhere_ships_the_open_lines(self) -> None:
        order = imported(two_tees(update_time=100))

        reimport(two_tees(update_time=200, status="IN_TRANSIT"), order)

        assert order.status is OrderStatus.SHIPPED
        assert {line.status for line in order.lines} == {LineStatus.SHIPPED}

    def test_an_address_released_after_the_hold_reaches_the_order(self) -> None:
        order = imported(two_tees(update_time=100, status="ON_HOLD", address=an_address(name="", line1="", postal_code="")))
        assert order.status is OrderStatus.ON_HOLD

        reimport(two_tees(update_time=200, status="AWAITING_SHIPMENT", address=an_address()), order)

        assert order.status is OrderStatus.AWAITING_FULFILMENT
        assert order.address == an_address() and order.address.is_complete

    def test_a_new_line_on_a_known_order_is_added_once(self) -> None:
        order = imported(two_tees(update_time=100))
        grown = replace(two_tees(update_time=200), lines=(*two_tees().lines, a_remote_line(tiktok_line_item_id="i3", seller_sku="hat")))

        reimport(grown, order)
        reimport(grown, order)

        assert [line.tiktok_line_item_id for line in order.lines] == ["i1", "i2", "i3"]
        assert order.status is OrderStatus.IN_REVIEW

    def test_an_update_reaches_every_part_of_a_split_order(self) -> None:
        order = imported(two_tees(update_time=100))
        part = order.split(["i2"], new_order_id="ord_part", split_index=1, by_sku_only=False)

        outcome = reimport(two_tees(update_time=200, status="IN_TRANSIT"), part, order)

        assert outcome is ImportOutcome.UPDATED
        assert order.status is part.status is OrderStatus.SHIPPED
        assert (len(order.lines), len(part.lines)) == (1, 1)

    def test_a_new_line_of_a_split_order_joins_the_original_part(self) -> None:
        order = imported(two_tees(update_time=100))
        part = order.split(["i2"], new_order_id="ord_part", split_index=1, by_sku_only=False)
        grown = replace(two_tees(update_time=200), lines=(*two_tees().lines, a_remote_line(tiktok_line_item_id="i3")))

        reimport(grown, part, order)

        assert [line.tiktok_line_item_id for line in order.lines] == ["i1", "i3"]
        assert [line.tiktok_line_item_id for line in part.lines] == ["i2"]

    def test_a_line_shipped_on_tiktok_is_shipped_in_the_oms(self) -> None:
        order = imported(two_tees(update_time=100))
        lines = [a_remote_line(tiktok_line_item_id="i1", status="AWAITING_COLLECTION"), a_remote_line(tiktok_line_item_id="i2")]

        reimport(a_remote_order(tiktok_order_id="576-1", status="PARTIALLY_SHIPPING", update_time=200, lines=lines), order)

        assert [line.status for line in order.lines] == [LineStatus.SHIPPED, LineStatus.OPEN]
        assert order.status is OrderStatus.AWAITING_FULFILMENT
