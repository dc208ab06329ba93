"""`tiktok-oms worker`: the OMS's jobs on procrastinate (≥ 3.10), in the OMS's own PostgreSQL.

Jobs (STACK.md §2.4, §9):
- `oms.sync_store(store_id)`: an incremental order sync of one store, deferred with
  `lock="store:<id>"` (never two jobs of one store at once, across every worker on every machine)
  and `queueing_lock="sync:<id>"` (at most one waiting: asking again is dropped, no pile-up).
- `oms.refresh_order(store_id, tiktok_order_id)`: the targeted refresh a webhook asked for, under
  the same store lock, `queueing_lock="refresh:<store>:<order>"`.
- `oms.tick` (periodic): asks for a sync of each connected store due after
  `TIKTOK_OMS_SYNC_INTERVAL` seconds, and re-sends refreshes whose job was lost.
- `oms.token_upkeep` (periodic): refreshes access tokens before they expire.
- `oms.retry_stalled_jobs` (periodic): jobs of a worker whose heartbeat stopped (killed, machine
  lost) go back to the queue and run on another worker.
Transient failures are retried with exponential backoff; a failure only the seller can fix
(re-authorize) or that can never work is not (`adapters.jobs.outcomes`).
"""

import logging
import threading
from typing import TYPE_CHECKING, Any

import procrastinate
from procrastinate import RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued, UniqueViolation
from procrastinate.jobs import Status
from sqlalchemy import make_url

from adapters.jobs.outcomes import is_permanent

if TYPE_CHECKING:
    from adapters.container import Container

log = logging.getLogger(__name__)

SYNC_TASK = "oms.sync_store"
REFRESH_TASK = "oms.refresh_order"
# Queues, so that `worker --queues` can dedicate workers (e.g. webhook refreshes apart from syncs).
SYNC_QUEUE, REFRESH_QUEUE, UPKEEP_QUEUE = "sync", "refresh", "upkeep"
QUEUES = (SYNC_QUEUE, REFRESH_QUEUE, UPKEEP_QUEUE)


class OmsRetry(RetryStrategy):
    """procrastinate's exponential backoff (wait 2, 4, 8, 16 … s), never for a permanent failure."""

    def get_retry_decision(self, *, exception: BaseException, job: Any) -> Any:
        if is_permanent(exception):
            return None
        return super().get_retry_decision(exception=exception, job=job)


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _cron_every(seconds: float) -> str:
    """A 6-field cron (croniter's form: seconds last) firing about every `seconds`, rounded down to
    a step that divides the minute, hour or day evenly (1 s … 24 h)."""
    whole = max(1, int(seconds))

    def step(value: int, unit: int) -> int:
        return max(d for d in range(1, unit + 1) if unit % d == 0 and d <= max(1, value))

    if whole < 60:
        return f"* * * * * */{step(whole, 60)}"
    if whole < 3600:
        return f"*/{step(whole // 60, 60)} * * * * 0"
    return f"0 */{step(whole // 3600, 24)} * * * 0"


def build_queue_app(container: "Container") -> procrastinate.App:
    """The procrastinate app with the OMS's tasks bound to `container` (handlers, settings)."""
    settings = container.settings()
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(settings.database_url)))
    retry = OmsRetry(max_attempts=settings.job_attempts, exponential_wait=2)

    @app.task(name=SYNC_TASK, queue=SYNC_QUEUE, retry=retry)
    def sync_store(store_id: str) -> str:
        return container.run_store_sync()(store_id)

    @app.task(name=REFRESH_TASK, queue=REFRESH_QUEUE, retry=retry)
    def refresh_order(store_id: str, tiktok_order_id: str) -> str:
        return container.refresh_order()(store_id, tiktok_order_id)

    @app.periodic(cron=_cron_every(settings.scheduler_tick_seconds), periodic_id="tick")
    @app.task(name="oms.tick", queue=UPKEEP_QUEUE, queueing_lock="oms.tick")
    def tick(timestamp: int) -> str:
        due = container.schedule_syncs()()
        return f"{len(due)} store(s) due"

    @app.periodic(cron=_cron_every(settings.token_upkeep_seconds), periodic_id="token_upkeep")
    @app.task(name="oms.token_upkeep", queue=UPKEEP_QUEUE, queueing_lock="oms.token_upkeep")
    def token_upkeep(timestamp: int) -> str:
        return "; ".join(f"{r.store}: {r.outcome}" for r in container.keep_tokens_fresh()()) or "no store"

    @app.periodic(cron=_cron_every(max(1.0, settings.worker_stall_seconds / 2)), periodic_id="retry_stalled")
    @app.task(name="oms.retry_stalled_jobs", queue=UPKEEP_QUEUE, queueing_lock="oms.retry_stalled_jobs", pass_context=True)
    async def retry_stalled_jobs(context: procrastinate.JobContext, timestamp: int) -> str:
        stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=settings.worker_stall_seconds)
        count = 0
        for job in stalled:
            try:
                await app.job_manager.retry_job(job)
                log.warning("job %s (%s) of a stalled worker sent back to the queue", job.id, job.task_name)
            except UniqueViolation:
                # The same work already waits in the queue (its queueing lock): that one does it.
                await app.job_manager.finish_job(job, status=Status.FAILED, delete_job=False)
                log.warning("job %s (%s) of a stalled worker given up: the same job already waits in the queue",
                            job.id, job.task_name)
            count += 1
        return f"{count} stalled job(s) recovered"

    return app


class ProcrastinateJobs:
    """`BackgroundJobs` that defers to the PostgreSQL queue; any worker runs the jobs."""

    def __init__(self, app: procrastinate.App, *, database_url: str | None = None, opened: bool = False) -> None:
        """`opened=True` when the app is already open (inside a worker, opened by the worker);
        otherwise the first deferral installs the queue's tables if they are missing (`database_url`)."""
        self._app = app
        self._database_url = database_url
        self._opened = opened
        self._lock = threading.Lock()

    def _open(self) -> None:
        with self._lock:  # webhooks defer from several request threads at once
            if not self._opened:
                if self._database_url:
                    ensure_schema(self._database_url)
                self._app.open()
                self._opened = True

    def sync_store_soon(self, store_id: str) -> None:
        self._defer(SYNC_TASK, f"store:{store_id}", f"sync:{store_id}", store_id=store_id)

    def refresh_order_soon(self, store_id: str, tiktok_order_id: str) -> None:
        self._defer(REFRESH_TASK, f"store:{store_id}", f"refresh:{store_id}:{tiktok_order_id}",
                    store_id=store_id, tiktok_order_id=tiktok_order_id)

    def _defer(self, task: str, lock: str, queueing_lock: str, **kwargs: str) -> None:
        self._open()
        try:
            self._app.tasks[task].configure(lock=lock, queueing_lock=queueing_lock).defer(**kwargs)
        except AlreadyEnqueued:
            pass  # one is already waiting: it will see the newest state when it runs

    def close(self) -> None:
        if self._opened:
            self._app.close()
            self._opened = False


def ensure_schema(database_url: str) -> bool:
    """Install procrastinate's tables in the OMS's PostgreSQL database unless they are there.
    Returns True when it installed them. Safe to run from several processes at once."""
    import psycopg

    with psycopg.connect(conninfo(database_url), autocommit=True) as connection:
        # One installer at a time; the others find the tables when they get the lock.
        connection.execute("SELECT pg_advisory_lock(hashtextextended('tiktok-oms:procrastinate-schema', 0))")
        try:
            row = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if row and row[0] is not None:
                return False
            from procrastinate.schema import SchemaManager

            connection.execute(SchemaManager.get_schema())
            return True
        finally:
            connection.execute("SELECT pg_advisory_unlock(hashtextextended('tiktok-oms:procrastinate-schema', 0))")
