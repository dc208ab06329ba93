"""I-4, I-5, I-6, I-16: a sync that dies anywhere resumes from its last committed page and converges."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from adapters.clock import FixedClock
from tests.databases import Databases
from tests.reliability.harness import Canonical, Oms, Sandbox, SimulatedCrash

pytestmark = pytest.mark.integration


def test_i4_a_crash_after_page_k_resumes_at_page_k_plus_1_without_fetching_pages_1_to_k_again(
    oms: Oms, sandbox: Sandbox, uninterrupted: Callable[[Sandbox], Canonical]
) -> None:
    reference = uninterrupted(sandbox)
    pages, k = sandbox.pages(), 2
    searches = len(sandbox.model.searches)
    oms.crash_gateway(crash_at=k + 1)

    with pytest.raises(SimulatedCrash):
        oms.sync()

    left = oms.checkpoint()
    assert left is not None and left["window_end"] is not None and left["page_token"]
    assert oms.dump() == oms.truth(only=sandbox.first_pages(k))
    oms.heal()
    fetched_before, logged_before = sandbox.search_requests(), len(sandbox.search_codes())

    resumed = oms.sync()

    assert resumed.pages == pages - k
    assert sandbox.search_requests() - fetched_before == pages - k  # pages 1..k are not fetched again
    assert sandbox.search_codes()[logged_before:] == [(200, 0)] * (pages - k)  # the sandbox's own request log
    assert sandbox.model.searches[searches + k].page_token == left["page_token"]
    assert resumed.unchanged == 0  # nothing of pages 1..k read twice
    assert oms.dump() == reference == oms.truth()
    assert oms.checkpoint()["window_end"] is None  # type: ignore[index]


def test_i5_an_expired_page_token_makes_the_resumed_sync_read_its_window_again_from_the_start(
    oms: Oms, sandbox: Sandbox, clock: FixedClock
) -> None:
    sandbox.model.page_token_ttl = 60
    pages, k = sandbox.pages(), 2
    oms.crash_gateway(crash_at=k + 1)
    with pytest.raises(SimulatedCrash):
        oms.sync()
    left = oms.checkpoint()
    assert left is not None
    oms.heal()
    clock.advance(timedelta(minutes=5))  # the stored page token is now older than TikTok keeps it
    first = len(sandbox.model.searches)
    codes_before = len(sandbox.search_codes())

    resumed = oms.sync()

    tokens = [s.page_token for s in sandbox.model.searches[first:]]
    assert tokens[0] == left["page_token"] and tokens[1] is None  # refused, then the window's start
    assert sandbox.search_codes()[codes_before] == (200, 36009004)
    assert resumed.pages == pages
    assert resumed.unchanged == len(oms.truth(only=sandbox.first_pages(k)))  # read again, changed nothing
    closed = oms.checkpoint()
    assert closed is not None and closed["cursor"] == left["window_end"]  # the same window, never skipped ahead
    assert oms.dump() == oms.truth()


def test_i5_a_page_token_expiring_in_the_middle_of_a_sync_restarts_the_window_and_converges(
    oms: Oms, sandbox: Sandbox, clock: FixedClock
) -> None:
    sandbox.model.page_token_ttl = 60
    pages = sandbox.pages()
    sandbox.model.before_search(3, lambda: clock.advance(timedelta(minutes=2)))  # a slow seller's machine

    summary = oms.sync()

    assert summary.pages == 2 + pages  # two pages, the refused token, then the whole window
    assert sandbox.search_codes().count((200, 36009004)) == 1
    assert oms.dump() == oms.truth()
    assert oms.checkpoint()["window_end"] is None  # type: ignore[index]


def test_i6_a_failure_inside_a_page_transaction_keeps_neither_the_page_nor_its_checkpoint(
    oms: Oms, sandbox: Sandbox
) -> None:
    pages, k = sandbox.pages(), 3
    committed: list[dict[str, Any] | None] = []
    plan = oms.crash_on_commit(1 + k)  # the window opens, pages 1..k-1 commit, page k's transaction dies

    with pytest.raises(SimulatedCrash):
        oms.sync(progress=lambda _: committed.append(oms.checkpoint()))

    assert len(committed) == k - 1
    assert plan.orders_in_transaction == len(oms.truth(only=sandbox.first_pages(k)))  # page k was written...
    assert plan.checkpoint_in_transaction["page_token"] != committed[-1]["page_token"]  # type: ignore[index]
    assert oms.dump() == oms.truth(only=sandbox.first_pages(k - 1))  # ...and none of it kept
    assert oms.checkpoint() == committed[-1]
    oms.heal()
    fetched_before = sandbox.search_requests()

    resumed = oms.sync()

    assert sandbox.search_requests() - fetched_before == resumed.pages == pages - (k - 1)
    assert oms.dump() == oms.truth()


def test_i6_a_failure_after_the_last_page_before_the_cursor_moves_reads_the_window_again_with_no_loss(
    oms: Oms, sandbox: Sandbox, clock: FixedClock
) -> None:
    pages = sandbox.pages()
    oms.crash_on_commit(1 + pages + 1)  # open, every page, then the commit that would close the window

    with pytest.raises(SimulatedCrash):
        oms.sync()

    left = oms.checkpoint()
    assert left is not None and left["cursor"] == 0 and left["window_end"] is not None and left["page_token"] is None
    assert oms.dump() == oms.truth()
    oms.heal()
    clock.advance(timedelta(minutes=1))
    fetched_before = sandbox.search_requests()

    redone = oms.sync()

    assert sandbox.search_requests() - fetched_before == redone.pages == pages
    assert (redone.new, redone.updated) == (0, 0)
    closed = oms.checkpoint()
    assert closed is not None and closed["cursor"] == left["window_end"] and closed["window_end"] is None
    assert oms.dump() == oms.truth()


def test_i16_resuming_from_every_checkpoint_of_a_clean_run_gives_the_same_final_state(
    sandbox: Sandbox, dialect: str, databases: Databases
) -> None:
    pages = sandbox.pages()
    resumed_from: list[dict[str, Any] | None] = []  # what each search of the clean run starts from
    after_page: list[dict[str, Any] | None] = []
    with databases.fresh(dialect) as url:
        clean = Oms(sandbox, url)
        try:
            clean.setup_store()
            clean.crash_gateway(crash_at=None, before_search=lambda _: resumed_from.append(clean.checkpoint()))
            clean.sync(progress=lambda _: after_page.append(clean.checkpoint()))
            final = clean.dump()
        finally:
            clean.close()
    assert len(after_page) == len(resumed_from) == pages
    assert after_page[:-1] == resumed_from[1:]  # page k's committed checkpoint is where page k+1 starts
    checkpoints = [resumed_from[0], *after_page]
    assert final == sandbox.truth((True, final_start(sandbox)))

    for k, checkpoint in enumerate(checkpoints):
        with databases.fresh(dialect) as url:
            oms = Oms(sandbox, url)
            try:
                oms.setup_store()
                if k < pages:
                    oms.crash_gateway(crash_at=k + 1)  # dies with pages 1..k committed
                else:
                    oms.crash_on_commit(1 + pages + 1)  # every page committed, the window not yet closed
                with pytest.raises(SimulatedCrash):
                    oms.sync()
                assert oms.checkpoint() == checkpoint, f"after page {k}"
                oms.heal()
                fetched_before = sandbox.search_requests()

                oms.sync()

                assert sandbox.search_requests() - fetched_before == (pages - k if k < pages else pages)
                assert oms.dump() == final, f"resumed after page {k}"
            finally:
                oms.close()


def final_start(sandbox: Sandbox):  # type: ignore[no-untyped-def]
    assert sandbox.clock is not None
    return sandbox.clock.now().date().replace(day=1)
