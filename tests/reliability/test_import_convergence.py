"""I-1, I-2, I-3: importing converges on TikTok's state, whatever the timing of TikTok's changes."""

from datetime import timedelta

import pytest

from adapters.clock import FixedClock
from adapters.sandbox.seed import CATALOG
from tests.reliability.harness import Oms, Sandbox

pytestmark = pytest.mark.integration


def test_i1_syncing_the_same_window_again_leaves_the_database_byte_for_byte_equal(oms: Oms, sandbox: Sandbox,
                                                                                clock: FixedClock) -> None:
    first = oms.sync()
    once = oms.table_bytes()
    assert first.pages == sandbox.pages() > 1 and first.new > 0 and first.skipped == 1  # the FBT order of last month
    assert oms.dump() == oms.truth()

    clock.advance(timedelta(minutes=1))
    again = oms.sync()  # the overlap reads the whole window again
    full = oms.sync(full=True)  # and the very same window, from the beginning of time

    assert (again.new, again.updated, full.new, full.updated) == (0, 0, 0, 0)
    assert again.unchanged == full.unchanged == first.new
    assert oms.table_bytes() == once
    assert oms.dump() == oms.truth()


def test_i2_an_older_version_of_an_order_never_overwrites_a_newer_one(oms: Oms, sandbox: Sandbox,
                                                                      clock: FixedClock) -> None:
    model = sandbox.model
    oms.sync()
    target = next(i for i in sandbox.in_page_order()
                  if model.find_order(i)["status"] == "AWAITING_SHIPMENT"
                  and model.find_order(i)["fulfillment_type"] == "FULFILLMENT_BY_SELLER")
    old = model.find_order(target)
    old_copy = {**old, "line_items": [dict(i) for i in old["line_items"]]}
    clock.advance(timedelta(minutes=10))
    model.buyer_cancels(target)
    cancelled_at = model.find_order(target)["update_time"]
    clock.advance(timedelta(minutes=10))
    for _ in range(2 * model.page_cap):  # newer orders: the cancelled version is read before the last page
        model.place_order(units=[("TEE-BLK-M", 1, CATALOG["TEE-BLK-M"][0])])

    # Out of order within one run: the newer version comes on its page, the old one on the last page.
    model.replay(old_copy)
    oms.sync()
    # A replayed page after the window moved on: only the stale copy is read.
    clock.advance(timedelta(hours=3))
    oms.sync()
    clock.advance(timedelta(minutes=1))
    model.replay(old_copy, on_search=len(model.searches) + 1)
    replayed = oms.sync()
    # And a full read where the stale copy arrives first and the newer one later.
    model.replay(old_copy, on_search=len(model.searches) + 1)
    oms.sync(full=True)

    assert replayed.unchanged == 1 and replayed.updated == 0
    assert oms.dump()[target][1:] == ("CANCELLED", tuple((i["id"], "cancelled") for i in sorted(old["line_items"], key=lambda i: i["id"])))
    assert oms.payload(target)["update_time"] == cancelled_at
    assert oms.payload(target)["status"] == "CANCELLED"
    assert oms.dump() == oms.truth()


def test_i3_orders_changed_during_a_sync_or_stamped_at_the_cursor_come_in_with_the_next_run(
    oms: Oms, sandbox: Sandbox, clock: FixedClock
) -> None:
    model = sandbox.model
    page_one = sandbox.in_page_order()[: model.page_cap]
    awaiting = [i for i in page_one if model.find_order(i)["status"] == "AWAITING_SHIPMENT"
                and model.find_order(i)["fulfillment_type"] == "FULFILLMENT_BY_SELLER"]
    same_second, next_second = awaiting[0], awaiting[1]
    placed: dict[str, str] = {}
    sku = ("CAP-NVY", 1, CATALOG["CAP-NVY"][0])

    def between_pages_1_and_2() -> None:
        # Within the second the sync started in: the change keeps its place before the page cursor...
        model.buyer_cancels(same_second)
        # ...while an order placed in that second sorts after it and is read on a later page.
        placed["in_window"] = model.place_order(units=[sku])["id"]

    def between_pages_2_and_3() -> None:
        clock.advance(timedelta(seconds=1))  # now == the window's end == the cursor once it closes
        model.shipped_elsewhere(next_second)
        placed["at_cursor"] = model.place_order(units=[sku])["id"]

    model.before_search(2, between_pages_1_and_2)
    model.before_search(3, between_pages_2_and_3)
    started = int(clock.timestamp())

    oms.sync()

    seen = oms.dump()
    cursor = oms.checkpoint()["cursor"]  # type: ignore[index]
    assert cursor == started + 1 == model.find_order(placed["at_cursor"])["update_time"]
    assert model.find_order(same_second)["update_time"] == started  # window_end - 1 s
    assert seen[same_second][1] == "AWAITING_SHIPMENT"  # this run could not see it: hence the overlap
    assert seen[next_second][1] == "AWAITING_SHIPMENT" and placed["at_cursor"] not in seen
    assert placed["in_window"] in seen

    clock.advance(timedelta(minutes=1))
    oms.sync()

    after = oms.dump()
    assert after[same_second][1] == "CANCELLED" and after[next_second][1] == "IN_TRANSIT"
    assert placed["at_cursor"] in after
    assert after == oms.truth()
