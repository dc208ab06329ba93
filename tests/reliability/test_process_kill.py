"""I-4 for real: `kill -9` of `tiktok-oms orders sync` in the middle of a sync, then a rerun."""

import json
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from adapters.sandbox.faults import Fault
from tests.databases import Databases
from tests.reliability.harness import STORE, Canonical, Cli, Oms, Sandbox, sandbox_running

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

PAGE_CAP = 10
SLOW = 1.5  # seconds the sandbox holds page k+1 back: the process is killed while it waits


@pytest.fixture
def live_sandbox() -> Iterator[Sandbox]:
    """On the real clock: the CLI process signs its requests with the time of day."""
    with sandbox_running(clock=None, orders=26, page_cap=PAGE_CAP) as running:
        yield running


def test_i4_a_sync_killed_after_page_k_resumes_at_page_k_plus_1_and_matches_an_uninterrupted_run(
    live_sandbox: Sandbox, dialect: str, databases: Databases, tmp_path: Path,
    uninterrupted: Callable[[Sandbox], Canonical],
) -> None:
    sandbox = live_sandbox
    reference = uninterrupted(sandbox)
    pages, k = sandbox.pages(), 2
    assert pages >= k + 2
    with databases.fresh(dialect) as url:
        oms = Oms(sandbox, url)
        try:
            oms.setup_store()
            cli = Cli(sandbox, url, tmp_path)
            first = len(sandbox.model.searches)
            sandbox.faults.at(k + 1, Fault.slow(SLOW))

            running = cli.start("orders", "sync", STORE)
            deadline = time.monotonic() + 30
            while not sandbox.faults.fired.wait(timeout=0.02):
                if running.poll() is not None or time.monotonic() > deadline:
                    if running.poll() is None:
                        Cli.kill(running)
                    out, err = running.communicate(timeout=10)
                    pytest.fail(f"page {k + 1} was never asked for: exit {running.returncode}\n{out}\n{err}")
            assert Cli.kill(running) == -signal.SIGKILL

            left = oms.checkpoint()
            assert left is not None and left["window_end"] is not None and left["page_token"]
            assert oms.dump() == oms.truth(only=sandbox.first_pages(k))  # pages 1..k survived the kill
            fetched_before = sandbox.search_requests()

            rerun = cli.run("orders", "sync", STORE, "--json")

            assert rerun.returncode == 0, rerun.stderr
            assert json.loads(rerun.stdout)["pages"] == pages - k
            assert sandbox.search_requests() - fetched_before == pages - k  # pages 1..k not fetched again
            assert sandbox.model.searches[first + k + 1].page_token == left["page_token"]
            assert oms.dump() == reference == oms.truth()
            assert oms.checkpoint()["window_end"] is None  # type: ignore[index]
        finally:
            oms.close()
