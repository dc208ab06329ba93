import itertools
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from domain.imports import ImportOutcome, import_remote_order, unit_lines
from domain.orders import FulfilledBy, LineStatus, OrderStatus
from tests.builders import T0, a_remote_line, a_remote_order, a_store, an_address

pytestmark = pytest.mark.unit

MAPPED = {"tee-red-l": "TEE-RED-L", "mug": "MUG"}


def sequential_ids() -> Callable[[str], str]:
    counter = itertools.count(1)
    return lambda prefix: f"{prefix}_{next(counter)}"


class TestOneLinePerUnit:
    def test_tiktok_line_items_stay_one_line_each(self) -> None:
        remote = a_remote_order(lines=[a_remote_line(tiktok_line_item_id="i1"), a_remote_line(tiktok_line_item_id="i2")])

        assert [unit.tiktok_line_item_id for unit in unit_lines(remote)] == ["i1", "i2"]

    def test_an_input_that_claims_n_units_becomes_n_lines_with_stable_ids(self) -> None:
        remote = a_remote_order(lines=[a_remote_line(tiktok_line_item_id="i1", quantity=3)])

        units = unit_lines(remote)

        assert [unit.tiktok_line_item_id for unit in units] == ["i1-1", "i1-2", "i1-3"]
        assert {unit.quantity for unit in units} == {1}
        assert [u.tiktok_line_item_id for u in unit_lines(remote)] == [u.tiktok_line_item_id for u in units]

    def test_an_imported_order_holds_only_lines_of_quantity_one(self) -> None:
        remote = a_remote_order(lines=[a_remote_line(quantity=2), a_remote_line(seller_sku="mug")])

        order = import_remote_order(remote, store=a_store(), parts=[], mapping=MAPPED, new_id=sequential_ids()).created

        assert order is not None
        assert [(line.seller_sku, line.quantity) for line in order.lines] == [("tee-red-l", 1), ("tee-red-l", 1), ("mug", 1)]

    def test_importing_an_exploded_order_again_adds_no_line(self) -> None:
        remote = a_remote_order(lines=[a_remote_line(quantity=3)])
        store, new_id = a_store(), sequential_ids()
        order = import_remote_order(remote, store=store, parts=[], mapping=MAPPED, new_id=new_id).created
        assert order is not None

        result = import_remote_order(remote, store=store, parts=[order], mapping=MAPPED, new_id=new_id)

        assert result.outcome is ImportOutcome.UNCHANGED
        assert len(order.lines) == 3


class TestImportNewOrder:
    def test_a_merchant_order_is_created_with_tiktok_details(self) -> None:
        store = a_store(id="st_1", default_warehouse_id="wh_east")
        remote = a_remote_order(
            tiktok_order_id="576-1", update_time=1_234, lines=[a_remote_line(tiktok_line_item_id="i1", sku_id="sku-9")]
        )

        result = import_remote_order(remote, store=store, parts=[], mapping=MAPPED, new_id=sequential_ids())

        order = result.created
        assert result.outcome is ImportOutcome.NEW and order is not None
        assert (order.store_id, order.tiktok_order_id, order.fulfilled_by) == ("st_1", "576-1", FulfilledBy.MERCHANT)
        assert (order.tiktok_status, order.tiktok_update_time, order.created_at) == ("AWAITING_SHIPMENT", 1_234, T0)
        assert (order.warehouse_id, order.address, order.status) == ("wh_east", an_address(), OrderStatus.AWAITING_FULFILMENT)
        line = order.lines[0]
        assert (line.tiktok_line_item_id, line.sku_id, line.product_sku, line.status) == ("i1", "sku-9", "TEE-RED-L", LineStatus.OPEN)

    def test_an_order_with_an_unknown_listing_stays_in_review(self) -> None:
        remote = a_remote_order(lines=[a_remote_line(), a_remote_line(seller_sku="hat")])

        order = import_remote_order(remote, store=a_store(), parts=[], mapping=MAPPED, new_id=sequential_ids()).created

        assert order is not None and order.status is OrderStatus.IN_REVIEW
        assert order.unmapped_skus == ["hat"]

    def test_an_order_tiktok_holds_is_imported_on_hold(self) -> None:
        remote = a_remote_order(status="ON_HOLD", address=an_address(name="", line1="", city="", postal_code=""))

        order = import_remote_order(remote, store=a_store(), parts=[], mapping=MAPPED, new_id=sequential_ids()).created

        assert order is not None and order.status is OrderStatus.ON_HOLD

    @pytest.mark.parametrize("status", ["AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED"])
    def test_an_order_already_shipped_on_tiktok_is_imported_shipped(self, status: str) -> None:
        remote = a_remote_order(status=status)

        order = import_remote_order(remote, store=a_store(), parts=[], mapping=MAPPED, new_id=sequential_ids()).created

        assert order is not None and order.status is OrderStatus.SHIPPED
        assert {line.status for line in order.lines} == {LineStatus.SHIPPED}

    def test_an_order_already_cancelled_on_tiktok_is_imported_cancelled(self) -> None:
        remote = a_remote_order(status="CANCELLED")

        order = import_remote_order(remote, store=a_store(), parts=[], mapping=MAPPED, new_id=sequential_ids()).created

        assert order is not None and order.status is OrderStatus.CANCELLED


class TestImportFbtOrder:
    def test_a_store_with_fbt_import_disabled_skips_fbt_orders(self) -> None:
        result = import_remote_order(a_remote_order(fbt=True), store=a_store(), parts=[], mapping=MAPPED, new_id=sequential_ids())

        assert result.outcome is ImportOutcome.SKIPPED and result.created is None

    def test_fbt_orders_created_before_the_start_date_are_skipped(self) -> None:
        store = a_store(fbt_warehouse_id="wh_fbt", fbt_start=date(2026, 3, 15))
        remote = a_remote_order(fbt=True, created_at=T0 - timedelta(days=1))

        result = import_remote_order(remote, store=store, parts=[], mapping=MAPPED, new_id=sequential_ids())

        assert result.outcome is ImportOutcome.SKIPPED

    def test_a_mapped_fbt_order_is_imported_shipped_into_the_fbt_warehouse(self) -> None:
        store = a_store(default_warehouse_id="wh_east", fbt_warehouse_id="wh_fbt", fbt_start=date(2026, 3, 15))

        order = import_remote_order(a_remote_order(fbt=True), store=store, parts=[], mapping=MAPPED, new_id=sequential_ids()).created

        assert order is not None
        assert (order.fulfilled_by, order.warehouse_id, order.status) == (FulfilledBy.STORE, "wh_fbt", OrderStatus.SHIPPED)

    def test_an_fbt_order_with_an_unmapped_listing_is_imported_in_review(self) -> None:
        store = a_store(fbt_warehouse_id="wh_fbt")
        remote = a_remote_order(fbt=True, lines=[a_remote_line(seller_sku="hat")])

        order = import_remote_order(remote, store=store, parts=[], mapping=MAPPED, new_id=sequential_ids()).created

        assert order is not None and order.status is OrderStatus.IN_REVIEW
