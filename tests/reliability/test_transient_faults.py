"""I-7, I-8: TikTok's transient failures are retried with bounded, Retry-After-aware backoff."""

import email.utils
from collections.abc import Iterator
from datetime import timedelta

import pytest

from adapters.clock import FixedClock
from adapters.sandbox.faults import Fault
from tests.reliability.harness import MAX_WAIT, STORE, Oms, Sandbox
from tests.retries import Retries, recorded_retries

pytestmark = pytest.mark.integration

READ_TIMEOUT = 1.0


@pytest.fixture
def retries() -> Iterator[Retries]:
    with recorded_retries() as recorded:
        yield recorded


@pytest.fixture
def read_timeout() -> float:
    return READ_TIMEOUT  # short, so that a slow answer times the read out quickly


def test_i7_every_kind_of_transient_failure_is_retried_and_the_sync_completes(oms: Oms, sandbox: Sandbox,
                                                                               retries: Retries) -> None:
    pages = sandbox.pages()
    assert pages >= 4
    script = [  # request number -> fault; the others are answered
        (1, Fault.rate_limited(retry_after=2)), (2, Fault.unavailable()),  # page 1 at the 3rd attempt
        (4, Fault.slow(READ_TIMEOUT + 1.0)), (5, Fault.drop()),  # page 2: read timeout, connection dropped
        (7, Fault.truncated()), (8, Fault.error_code(36009002)),  # page 3: cut JSON, HTTP 200 + "too many requests"
        (10, Fault.error_code(36009003)),  # page 4: HTTP 200 + "internal error"
    ]
    for n, fault in script:
        sandbox.faults.at(n, fault)

    summary = oms.sync()

    assert [n for n, _ in sandbox.faults.hits] == [n for n, _ in script]
    assert summary.pages == pages
    assert sandbox.search_requests() == pages + len(script)
    assert len(retries) == len(script)
    assert retries.waits[0] == 2  # the 429's Retry-After; the others wait stamina's backoff
    assert retries.waits[1:] == [None] * (len(script) - 1)
    assert oms.checkpoint()["window_end"] is None  # type: ignore[index]
    assert oms.dump() == oms.truth()


def test_i7_when_retries_run_out_the_cli_says_so_in_one_line_keeps_the_checkpoint_and_a_rerun_completes(
    oms: Oms, sandbox: Sandbox, clock: FixedClock, retries: Retries
) -> None:
    pages = sandbox.pages()
    for n in range(2, 2 + 5):  # page 2: five attempts (the client's bound), five 503s
        sandbox.faults.at(n, Fault.unavailable())

    failed = oms.cli("orders", "sync", STORE)

    assert failed.exit_code == 1
    assert failed.stdout == ""
    assert failed.stderr.count("\n") == 1 and failed.stderr.startswith(
        "error: TikTok did not complete POST /order/202309/orders/search after 5 attempt(s): TikTok failed:"
    ), failed.stderr
    assert len(retries) == 4
    left = oms.checkpoint()
    assert left is not None and left["window_end"] is not None
    assert left["page_token"] == sandbox.model.searches[0].next_page_token  # page 1's, intact
    assert oms.dump() == oms.truth(only=sandbox.first_pages(1))
    clock.advance(timedelta(minutes=1))
    fetched_before = sandbox.search_requests()

    rerun = oms.cli("orders", "sync", STORE)

    assert rerun.exit_code == 0, rerun.output
    assert sandbox.search_requests() - fetched_before == pages - 1
    assert oms.dump() == oms.truth()


def test_i8_retry_after_is_honoured_and_capped(oms: Oms, sandbox: Sandbox, clock: FixedClock,
                                               retries: Retries) -> None:
    in_12_seconds = email.utils.format_datetime(clock.now() + timedelta(seconds=12), usegmt=True)
    sandbox.faults.at(1, Fault.rate_limited(retry_after=7))
    sandbox.faults.at(2, Fault.rate_limited(retry_after=in_12_seconds))  # the HTTP-date form
    sandbox.faults.at(3, Fault.rate_limited(retry_after=100_000))  # far beyond any sensible wait

    oms.sync()

    assert [round(s, 3) for s in retries.waits] == [7.0, 12.0, MAX_WAIT]  # type: ignore[arg-type]
    assert oms.dump() == oms.truth()
