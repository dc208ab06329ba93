"""One sync of a store at a time (issue 10 item 3; STACK.md I-10): the guards behind it, on each
kind of database, across threads and processes, and released when the holder dies."""

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.persistence.engine import make_engine
from adapters.sync_guard import AdvisorySyncGuard, FileSyncGuard, ThreadSyncGuard, sync_guard_for
from application.errors import SyncAlreadyRunning
from tests.databases import Databases

pytestmark = pytest.mark.integration


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def guard_factory(request: pytest.FixtureRequest, databases: Databases, tmp_path: Path) -> Iterator[object]:
    if request.param == "memory":
        shared = ThreadSyncGuard()
        yield lambda: shared
        return
    with databases.fresh(request.param) as url:
        engine = make_engine(url)
        try:
            if request.param == "sqlite":
                assert isinstance(sync_guard_for(engine), FileSyncGuard)
                yield lambda: sync_guard_for(engine)  # a new guard each time: like another process
            else:
                assert isinstance(sync_guard_for(engine), AdvisorySyncGuard)
                yield lambda: sync_guard_for(engine)
        finally:
            engine.dispose()


def test_a_second_holder_of_one_store_is_refused_and_another_store_is_free(guard_factory) -> None:  # type: ignore[no-untyped-def]
    first, second = guard_factory(), guard_factory()
    with first.hold("st_a"):
        with pytest.raises(SyncAlreadyRunning):
            with second.hold("st_a"):
                pass
        with second.hold("st_b"):
            pass
    with second.hold("st_a"):  # released when the first ended
        pass


def test_threads_racing_for_one_store_never_hold_it_together(guard_factory) -> None:  # type: ignore[no-untyped-def]
    inside = 0
    most = 0
    refused = 0
    lock = threading.Lock()

    def race() -> None:
        nonlocal inside, most, refused
        for _ in range(20):
            try:
                with guard_factory().hold("st_race"):
                    with lock:
                        inside += 1
                        most = max(most, inside)
                    time.sleep(0.001)
                    with lock:
                        inside -= 1
            except SyncAlreadyRunning:
                with lock:
                    refused += 1

    threads = [threading.Thread(target=race) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert most == 1


def _hold_forever(database_file: str, ready: "multiprocessing.synchronize.Event") -> None:
    with FileSyncGuard(database_file).hold("st_dead"):
        ready.set()
        time.sleep(60)


def test_a_lock_file_holder_killed_with_sigkill_releases_the_store(tmp_path: Path) -> None:
    database = str(tmp_path / "oms.sqlite")
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    holder = context.Process(target=_hold_forever, args=(database, ready))
    holder.start()
    try:
        assert ready.wait(20)
        with pytest.raises(SyncAlreadyRunning):
            with FileSyncGuard(database).hold("st_dead"):
                pass
        os.kill(holder.pid or 0, signal.SIGKILL)
        holder.join(10)
        with FileSyncGuard(database).hold("st_dead"):
            pass
    finally:
        if holder.is_alive():
            holder.kill()
