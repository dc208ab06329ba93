"""Issue 9: a sync always ends, whatever TikTok's paging says; a looping token is never progress."""

import pytest

from adapters.sandbox.faults import Fault
from tests.reliability.harness import STORE, Oms, Sandbox

pytestmark = pytest.mark.integration


def test_a_page_token_that_repeats_stops_the_sync_with_a_clear_error_and_is_not_kept(
    oms: Oms, sandbox: Sandbox
) -> None:
    sandbox.faults.add(Fault.repeat_token(times=1000))  # every follow-up page names itself next

    result = oms.cli("orders", "sync", STORE)

    assert result.exit_code == 1, result.output
    assert "page token repeats" in result.stderr and "Traceback" not in result.output
    assert sandbox.search_requests() <= 3  # page 1, page 2 (which repeats), nothing more
    checkpoint = oms.checkpoint()
    assert checkpoint is not None and checkpoint["page_token"] is None  # the looping token is not progress
    assert checkpoint["cursor"] == 0  # the window did not close

    sandbox.faults.clear()
    again = oms.cli("orders", "sync", STORE)  # TikTok heals: the next sync reads the window from its start

    assert again.exit_code == 0, again.output
    assert oms.dump() == oms.truth()


@pytest.mark.parametrize("total_count", ["lots", None, -3, 2.5, {"n": 1}])
def test_a_total_count_of_any_type_is_ignored(oms: Oms, sandbox: Sandbox, total_count: object) -> None:
    sandbox.faults.add(Fault.total_count(total_count, times=1000))

    result = oms.cli("orders", "sync", STORE)

    assert result.exit_code == 0, result.output
    assert oms.dump() == oms.truth()


def test_more_pages_than_the_total_count_can_fill_stop_the_sync(oms: Oms, sandbox: Sandbox) -> None:
    sandbox.faults.add(Fault.total_count(0, times=1000))  # TikTok claims an empty window, yet pages on

    result = oms.cli("orders", "sync", STORE)

    assert result.exit_code == 1, result.output
    assert "pages for a window of 0 orders" in result.stderr
    checkpoint = oms.checkpoint()
    assert checkpoint is not None and checkpoint["page_token"] is None
