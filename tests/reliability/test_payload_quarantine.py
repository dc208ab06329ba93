"""I-17: TikTok's new fields never fail an import; an unreadable order is set aside, the rest commits."""

import json

import pytest
from sqlalchemy import select

from adapters.persistence import tables as t

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


def a_copy_of_an_order(sandbox: Sandbox, new_id: str, *, on_page: int = 1, same_lines: bool = False) -> dict:
    """One of the sandbox's orders (from the given page) under a new id: well-formed, new lines
    unless `same_lines` (then it repeats another order's TikTok line item ids)."""
    source = sandbox.model.shop().orders[sandbox.in_page_order()[(on_page - 1) * sandbox.model.page_cap]]
    order = json.loads(json.dumps(source))
    order["id"] = new_id
    if not same_lines:
        for n, item in enumerate(order["line_items"]):
            item["id"] = f"{new_id}{n}"
    return order


def test_i9_an_identifier_with_a_nul_is_set_aside_and_free_text_is_cleaned_the_same_on_both_databases(
    oms: Oms, sandbox: Sandbox
) -> None:
    sku = a_copy_of_an_order(sandbox, "576000000000000801")
    sku["line_items"][0]["seller_sku"] = "TEE-\x00BLK"
    text = a_copy_of_an_order(sandbox, "576000000000000802")
    text["recipient_address"]["name"] = "Ada\x00 Lovelace\n"
    text["line_items"][0]["product_name"] = "Logo\x00 Tee\tshirt"
    sandbox.faults.at(1, Fault.malformed_order(sku))
    sandbox.faults.at(2, Fault.malformed_order(text))

    result = oms.cli("orders", "sync", STORE)

    assert result.exit_code == 3, result.output
    assert "set aside: 576000000000000801: lines[0].seller_sku: contains control characters (\\x00)" in result.stderr
    assert [q["tiktok_order_id"] for q in oms.quarantined()] == ["576000000000000801"]
    assert "TEE-\\u0000BLK" in oms.quarantined()[0]["raw"]  # TikTok's order kept as sent
    with oms._reading() as conn:
        (name,) = conn.execute(select(t.orders.c.address_name).where(t.orders.c.tiktok_order_id == text["id"])).one()
        (product,) = conn.execute(select(t.order_lines.c.product_name).join(t.orders)
                                  .where(t.orders.c.tiktok_order_id == text["id"])).first()
    assert (name, product.split(" (")[0]) == ("Ada Lovelace", "Logo Tee shirt")
    truth = oms.truth()
    assert {k: v for k, v in oms.dump().items() if k != text["id"]} == truth


def test_i9_an_over_long_field_is_set_aside_with_its_reason_on_both_databases(oms: Oms, sandbox: Sandbox) -> None:
    long = a_copy_of_an_order(sandbox, "576000000000000803")
    long["line_items"][0]["seller_sku"] = "X" * 300
    sandbox.faults.at(1, Fault.malformed_order(long))

    result = oms.cli("orders", "sync", STORE)

    assert result.exit_code == 3, result.output
    assert "576000000000000803: lines[0].seller_sku: longer than 255 characters (300)" in result.stderr
    assert oms.dump() == oms.truth()


def test_i9_an_order_the_database_refuses_is_set_aside_and_the_rest_of_its_page_commits(
    oms: Oms, sandbox: Sandbox
) -> None:
    # TikTok sends on page 2 an order that repeats the line item ids of an order of page 1: the
    # database's unique key on (store, line item) refuses it, whatever the checks before let through.
    twin = a_copy_of_an_order(sandbox, "576000000000000804", same_lines=True)
    sandbox.faults.at(2, Fault.malformed_order(twin))

    result = oms.cli("orders", "sync", STORE)

    assert result.exit_code == 3, result.output
    (record,) = oms.quarantined()
    assert record["tiktok_order_id"] == twin["id"] and record["reason"] == ("the database refused it: another order already holds one of its line item "
                                                                            "ids (TikTok's line ids are unique in a shop)")
    assert oms.dump() == oms.truth()  # every other order of page 2 is in
    assert oms.checkpoint()["window_end"] is None  # type: ignore[index]
