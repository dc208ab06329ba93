"""The work that runs by itself (scheduler, job queue): which stores to sync, token upkeep, and
the targeted refresh of one order a webhook named."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from application.commands import SyncOrders
from application.errors import (ApplicationError, StoreNeedsReauthorization, StoreNotConnected, SyncAlreadyRunning,
                                TokensUnreadable)
from application.ports import BackgroundJobs, Clock, TikTokShop, UnitOfWork
from application.handlers.webhooks import DEDUP_RETENTION
from application.order_import import SyncSummary, import_orders
from application.tiktok_session import ShopSession

log = logging.getLogger(__name__)

# TikTok's own warning (webhook type 7) starts 30 days before the authorization ends
# (TIKTOK_API.md §2.2); token upkeep warns from the same moment.
AUTHORIZATION_WARNING = timedelta(days=30)
# A refresh request no job has picked up after this long (its enqueue was lost) is sent again.
REFRESH_REQUEUE_AFTER = timedelta(seconds=60)


class ScheduleSyncs:
    """The scheduler's tick: asks for a sync of every connected store whose last sync started at
    least `interval_seconds` ago (never synced, finished, or interrupted), and again for order
    refreshes whose job was lost. Returns the ids of the stores asked for.

    The queue drops a request for a store that already has one waiting, so ticking more often
    than the interval never piles up syncs.
    """

    def __init__(self, uow: UnitOfWork, jobs: BackgroundJobs, clock: Clock, interval_seconds: float) -> None:
        self._uow = uow
        self._jobs = jobs
        self._clock = clock
        self._interval = interval_seconds

    def __call__(self) -> list[str]:
        now = self._clock.now()
        due: list[str] = []
        with self._uow:
            for store in self._uow.stores.list():
                if not store.is_connected:
                    continue
                checkpoint = self._uow.checkpoints.get(store.id)
                # A window's end is the second its sync started, + 1: the last finished window's
                # (the cursor), or the one in flight. A sync running now is not asked for again; one
                # interrupted (a crash) is, once it is an interval old, and resumes where it stopped.
                if checkpoint is None:
                    due.append(store.id)
                    continue
                started = (checkpoint.window_end if checkpoint.window_end is not None else checkpoint.cursor) - 1
                if now.timestamp() - started >= self._interval:
                    due.append(store.id)
            stale = self._uow.refresh_requests.pending(requested_before=now - REFRESH_REQUEUE_AFTER)
            # Delivery ids are kept well past TikTok's last retry (S-2), then dropped.
            if self._uow.webhooks.forget_before(now - DEDUP_RETENTION):
                self._uow.commit()
        for store_id in due:
            self._jobs.sync_store_soon(store_id)
        for store_id, order_id in stale:
            self._jobs.refresh_order_soon(store_id, order_id)
        return due


@dataclass(frozen=True, slots=True)
class UpkeepResult:
    store: str
    outcome: str


class KeepTokensFresh:
    """
    - Every connected store's access token is refreshed before it expires (within a day of it),
      whether or not a sync runs; the new pair is stored before anything uses it.
    - A refused refresh puts that store back to Disconnected with the reason.
    - An authorization (refresh token) ending within 30 days raises the same warning as
      TikTok's webhook type 7.
    One store's failure never stops the others'.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock
        self._session = ShopSession(uow, tiktok, clock)

    def __call__(self) -> list[UpkeepResult]:
        with self._uow:
            stores = [(s.id, s.name) for s in self._uow.stores.list() if s.is_connected]
        results = []
        for store_id, name in stores:
            try:
                self._session.connection(store_id)
                outcome = "ok"
            except TokensUnreadable as exc:  # still connected: restoring the key is enough
                outcome = f"tokens unreadable: {exc}"
            except StoreNeedsReauthorization as exc:
                outcome = f"disconnected: {exc}"
            except StoreNotConnected:
                continue
            except ApplicationError as exc:  # TikTok unreachable, storage: the next run tries again
                outcome = f"failed: {exc}"
            with self._uow:
                store = self._uow.stores.get(store_id)
                if store is not None and store.connection is not None:
                    ends = store.connection.refresh_token_expires_at
                    if ends - self._clock.now() <= AUTHORIZATION_WARNING and store.warn_authorization_ends(ends, None):
                        self._uow.commit()
                        outcome += f"; authorization ends {ends.date().isoformat()}"
            if not outcome.startswith("ok"):
                log.warning("token upkeep for store %s: %s", name, outcome)
            results.append(UpkeepResult(name, outcome))
        return results


class RefreshOrderHandler:
    """A targeted refresh: the order as Get Order Detail describes it now replaces the stored one
    (newer only, R16), then the refresh request is marked done. A store no longer connected drops
    its requests (the next authorization starts with a sync)."""

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock
        self._session = ShopSession(uow, tiktok, clock)

    def __call__(self, store_id: str, tiktok_order_id: str) -> str:
        started = self._clock.now()
        with self._uow:
            store = self._uow.stores.get(store_id)
            if store is None or not store.is_connected:
                self._uow.refresh_requests.done(store_id, tiktok_order_id, started)
                self._uow.commit()
                return "store not connected"
        page = self._session.call(store_id, lambda conn: self._tiktok.order_details(conn, [tiktok_order_id]))
        with self._uow:
            self._uow.lock_store(store_id)
            summary = import_orders(self._uow, store_id, page, self._clock.now())
            self._uow.refresh_requests.done(store_id, tiktok_order_id, started)
            self._uow.commit()
        return summary.describe()


class SyncInterrupted(Exception):
    """Raised between pages when the process is stopping: the sync resumes there next time."""


class SyncStoreJob:
    """One scheduled sync of a store, as a job runs it: returns a one-line outcome.

    Another sync of the store already running is not a failure here (it imports the same orders);
    `should_stop()` is asked after every committed page, to stop with the process.
    """

    def __init__(self, sync: Callable[..., SyncSummary]) -> None:
        self._sync = sync

    def __call__(self, store_id: str, should_stop: Callable[[], bool] | None = None) -> str:
        def progress(summary: SyncSummary) -> None:
            if should_stop is not None and should_stop():
                raise SyncInterrupted()

        try:
            summary = self._sync(SyncOrders(store=store_id), progress=progress)
        except SyncAlreadyRunning:
            return "skipped: another sync of this store is running"
        return f"synced: {summary.describe()}"
