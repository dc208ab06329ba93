"""I-17: TikTok's new fields never fail an import; an unreadable order is set aside, the rest commits."""

import json

import pytest

from adapters.sandbox.faults import MALFORMED_ORDER, Fault
from tests.reliability.harness import STORE, Oms, Sandbox

pytestmark = pytest.mark.integration


def add_fields_tiktok_may_add_tomorrow(sandbox: Sandbox) -> None:
    with sandbox.model.lock:
        for order in sandbox.model.shop().orders.values():
            order["x_livestream_attribution"] = {"room_id": "7301", "host": {"id": 9, "tags": ["a", "b"]}}
            order["payment"]["x_platform_discount_v2"] = "0.10"
            order["recipient_address"]["x_geo"] = [34.02, -118.39]
            for item in order["line_items"]:
                item["x_bundle_ref"] = None
                item["x_combo"] = [{"sku": "nested"}]


def test_i17_unknown_fields_are_kept_and_a_malformed_order_is_set_aside_while_its_page_commits(
    oms: Oms, sandbox: Sandbox
) -> None:
    add_fields_tiktok_may_add_tomorrow(sandbox)
    sandbox.faults.at(2, Fault.malformed_order())  # page 2 carries an order the OMS cannot read
    bad = str(MALFORMED_ORDER["id"])

    result = oms.cli("orders", "sync", STORE)

    assert result.exit_code == 3, result.output  # partial
    assert f"set aside: {bad}: line_items: List should have at least 1 item" in result.stderr
    assert "1 set aside" in result.stdout
    (record,) = oms.quarantined()
    assert record["tiktok_order_id"] == bad and record["reason"].startswith("line_items:")
    assert json.loads(record["raw"])["status"] == "AWAITING_PICKUP"
    some = sandbox.in_page_order()[sandbox.model.page_cap]  # an order of page 2 itself
    assert oms.payload(some)["x_livestream_attribution"]["host"]["tags"] == ["a", "b"]  # raw payload kept
    assert oms.checkpoint()["window_end"] is None  # type: ignore[index]
    assert bad not in oms.dump()
    assert oms.dump() == oms.truth()


def test_i17_an_order_that_stays_malformed_on_tiktok_is_set_aside_once_however_often_it_is_read(
    oms: Oms, sandbox: Sandbox
) -> None:
    now = sandbox.model.now()
    broken = {"id": "576000000000000999", "status": "SHIPPED_BY_PIGEON", "create_time": now, "update_time": now,
              "line_items": [{"id": "576000000000009991", "seller_sku": "TEE-BLK-M"}]}
    sandbox.model.shop().orders[broken["id"]] = broken

    first = oms.cli("orders", "sync", STORE)
    once = oms.table_bytes()
    again = oms.cli("orders", "sync", STORE)  # the overlap reads it again

    assert first.exit_code == again.exit_code == 3
    assert "unknown order status 'SHIPPED_BY_PIGEON'" in again.stderr
    assert [q["tiktok_order_id"] for q in oms.quarantined()] == [broken["id"]]
    assert oms.table_bytes() == once  # I-1 holds with a quarantined order too
    truth = oms.truth()
    del truth[broken["id"]]
    assert oms.dump() == truth
