"""Single-machine mode: the scheduled jobs and the queue inside `tiktok-oms serve` (APScheduler).

Same promises as the PostgreSQL queue, within one process:
- one job of a store runs at a time (a lock per store, like procrastinate's `lock`);
- at most one sync of a store waits to run (a queueing lock: asking again while one waits is a
  no-op), and the same for each order refresh;
- a job that fails for a transient reason runs again after a growing delay (5 s, 10 s, 20 s …,
  `attempts` tries in all); one that needs the seller (re-authorize) or can never work does not.
"""

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from adapters.jobs.outcomes import is_permanent

log = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 5.0
RETRY_MAX_SECONDS = 300.0


class Stopping(Exception):
    """Raised between pages when the process is stopping: the sync resumes there next time."""


class InProcessJobs:
    """`BackgroundJobs` on an APScheduler `BackgroundScheduler` with a small thread pool.

    `run_sync(store_id, should_stop)` and `run_refresh(store_id, order_id)` do the work;
    `tick()` and `upkeep()` are run every `tick_seconds` and `upkeep_seconds` once `start()`ed.
    """

    def __init__(
        self,
        *,
        run_sync: Callable[[str, Callable[[], bool]], object],
        run_refresh: Callable[[str, str], object],
        tick: Callable[[], object],
        upkeep: Callable[[], object],
        tick_seconds: float,
        upkeep_seconds: float,
        workers: int = 2,
        attempts: int = 5,
    ) -> None:
        self._run_sync = run_sync
        self._run_refresh = run_refresh
        self._tick = tick
        self._upkeep = upkeep
        self._tick_seconds = tick_seconds
        self._upkeep_seconds = upkeep_seconds
        self._attempts = attempts
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=UTC,
        )
        self._lock = threading.Lock()
        self._waiting: set[str] = set()
        self._store_locks: dict[str, threading.Lock] = {}
        self._stopping = threading.Event()

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self, *, periodic: bool = True) -> None:
        """Start the scheduler; with `periodic`, the tick (syncs due) and token upkeep run at once
        and then every `tick_seconds` / `upkeep_seconds`."""
        if self._scheduler.running:
            return
        self._stopping.clear()
        if periodic:
            now = datetime.now(UTC)
            self._scheduler.add_job(self._guarded, "interval", seconds=self._tick_seconds, args=("tick", self._tick),
                                    id="tick", next_run_time=now)
            self._scheduler.add_job(self._guarded, "interval", seconds=self._upkeep_seconds,
                                    args=("token upkeep", self._upkeep), id="upkeep", next_run_time=now)
        self._scheduler.start()

    def stop(self) -> None:
        """Stop taking work, ask running syncs to stop after their current page, wait for them."""
        if not self._scheduler.running:
            return
        self._stopping.set()
        # Pause, then drop what waits (the next start's tick asks again): APScheduler must not be
        # handing a due job to an executor that is shutting down.
        self._scheduler.pause()
        self._scheduler.remove_all_jobs()
        self._scheduler.shutdown(wait=True)

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    # --- BackgroundJobs ----------------------------------------------------------------------

    def sync_store_soon(self, store_id: str) -> None:
        self._submit(f"sync:{store_id}", store_id, self._sync, (store_id,))

    def refresh_order_soon(self, store_id: str, tiktok_order_id: str) -> None:
        self._submit(f"refresh:{store_id}:{tiktok_order_id}", store_id, self._run_refresh, (store_id, tiktok_order_id))

    # --- inside -------------------------------------------------------------------------------

    def _sync(self, store_id: str) -> object:
        return self._run_sync(store_id, self._stopping.is_set)

    def _submit(self, key: str, store_id: str, work: Callable[..., object], args: tuple[Any, ...],
                attempt: int = 1, delay: float = 0.0) -> None:
        with self._lock:
            if key in self._waiting or not self._scheduler.running or self._stopping.is_set():
                return
            self._waiting.add(key)
        self._scheduler.add_job(self._run, "date", run_date=datetime.now(UTC) + timedelta(seconds=delay),
                                args=(key, store_id, work, args, attempt))

    def _run(self, key: str, store_id: str, work: Callable[..., object], args: tuple[Any, ...], attempt: int) -> None:
        with self._lock:
            store_lock = self._store_locks.setdefault(store_id, threading.Lock())
        with store_lock:  # one job of a store at a time; others wait here, still "queued"
            with self._lock:
                self._waiting.discard(key)
            if self._stopping.is_set():
                return
            try:
                outcome = work(*args)
                log.info("job %s: %s", key, outcome)
            except Stopping:
                log.info("job %s stopped with the process; it resumes where it stopped", key)
            except Exception as exc:  # a job never takes the scheduler down
                if is_permanent(exc) or attempt >= self._attempts:
                    log.warning("job %s failed for good (attempt %d): %s", key, attempt, _line(exc))
                    return
                wait = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (attempt - 1))
                log.warning("job %s failed (attempt %d), retrying in %.0f s: %s", key, attempt, wait, _line(exc))
                self._submit(key, store_id, work, args, attempt + 1, wait)

    def _guarded(self, name: str, work: Callable[[], object]) -> None:
        try:
            work()
        except Exception as exc:
            log.warning("%s failed: %s", name, _line(exc))


def _line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
