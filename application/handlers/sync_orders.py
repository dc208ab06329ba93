from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from application.commands import SyncOrders
from application.errors import (
    PageTokenExpired,
    StorageRefused,
    StoreNotConnected,
    SyncAlreadyRunning,
    SyncDoesNotEnd,
)
from application.intents import settle_store
from application.lookup import find_store
from application.order_import import SyncSummary, import_orders, raw_text
from application.ports import Clock, OrderPage, Rejected, SyncGuard, TikTokShop, UnitOfWork
from application.handlers.cancellation_requests import CancellationRequestImporter
from application.tiktok_session import ShopSession
from domain.stores import Store
from domain.sync import DEEP_WINDOW_SECONDS, OVERLAP_SECONDS, PageWalk, SyncCheckpoint, SyncStalled

PAGE_SIZE = 100


class SyncOrdersHandler:
    """
    - Imports the orders TikTok changed since the last sync (with an overlap), page by page.
    - Each page's orders and the checkpoint commit together, so a crash resumes where it stopped.
    - One sync of a store at a time: a second one, from any process, stops at once with
      `SyncAlreadyRunning` instead of importing part of the window.
    - Importing again never duplicates; an older version never overwrites a newer one (R16).
    - FBT orders come in only as the store's FBT import settings allow (R9), into its FBT warehouse.
    - Orders with an unmapped listing stay in review; unknown listings are registered unmapped (R12).
    - A malformed order, or one the database refuses, is set aside with its reason; the rest of
      its page commits.
    - An order the OMS already holds in the version TikTok sends (same update_time, same bytes)
      costs no parsing and no write.
    - A sync always ends: TikTok's paging going round in circles stops it with `SyncDoesNotEnd`,
      and the token that led there is not kept as progress.
    - Then the buyers' pending cancellation requests of flagged orders are named (Search
      Cancellations); the window closes only once they are in.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock, guard: SyncGuard | None = None, *,
                 overlap_seconds: int = OVERLAP_SECONDS, deep_window_seconds: int = DEEP_WINDOW_SECONDS) -> None:
        """`overlap_seconds`: how far before the last sync's end each sync reads again;
        `deep_window_seconds`: once per this period a sync reads this far back (0: never)."""
        self._overlap, self._deep_window = overlap_seconds, deep_window_seconds
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock
        self._session = ShopSession(uow, tiktok, clock, keep_connection=True)
        self._guard = guard

    def __call__(self, cmd: SyncOrders, progress: Callable[[SyncSummary], None] | None = None) -> SyncSummary:
        with self._uow:
            store = find_store(self._uow, cmd.store)
            store_id, name = store.id, store.name
        try:
            held: AbstractContextManager[None] = self._guard.hold(store_id) if self._guard else nullcontext()
            with held:
                return self._sync(store_id, cmd, progress)
        except SyncAlreadyRunning:
            raise SyncAlreadyRunning(name) from None
        except SyncStalled as stalled:
            raise SyncDoesNotEnd(name, str(stalled)) from None

    def _sync(self, store_id: str, cmd: SyncOrders, progress: Callable[[SyncSummary], None] | None) -> SyncSummary:
        # The store is read once: a change of its FBT settings meanwhile rewinds the checkpoint,
        # which ends this sync at its next page (the window is no longer its own).
        with self._uow:
            store = find_store(self._uow, store_id)
            if not store.is_connected:
                raise StoreNotConnected(store.name)
            self._uow.lock_store(store.id)
            checkpoint = self._uow.checkpoints.get(store.id) or SyncCheckpoint(store_id=store.id)
            checkpoint.open_window(now=int(self._clock.now().timestamp()), full=cmd.full, overlap=self._overlap,
                                   deep_window=self._deep_window)
            self._uow.checkpoints.add(checkpoint)
            self._uow.commit()
            window = _Window(checkpoint.window_start or 0, checkpoint.window_end or 0, checkpoint.page_token)
        self._session.connection(store.id)  # refreshed before the first page if it is due
        settle_store(self._uow, self._tiktok, self._clock, store.id)  # ship/cancel/split whose answer was lost
        summary = SyncSummary()
        walk = PageWalk(page_size=PAGE_SIZE)
        try:
            while True:
                fetched = self._fetch(store.id, window, walk)
                if fetched is None:
                    break  # another sync of this store finished the window meanwhile
                page = fetched
                walk.page(next_token=page.next_page_token, total_count=page.total_count, orders=page.versions())
                mine = self._import(store, window.end, page, summary)
                summary.pages += 1
                if progress:
                    progress(summary)
                if not mine or not page.next_page_token:
                    break
                window.token = page.next_page_token
        except SyncStalled:
            self._give_up_token(store.id, window.end)
            raise
        summary.cancellation_requests = CancellationRequestImporter(self._uow, self._tiktok, self._clock)(store.id)
        with self._uow:
            self._uow.lock_store(store.id)
            finished = self._uow.checkpoints.get(store.id)
            assert finished is not None
            if finished.owns(window.end):
                finished.close_window()
                self._uow.checkpoints.add(finished)
                self._uow.commit()
        return summary

    def _give_up_token(self, store_id: str, window_end: int) -> None:
        # The token that led here is never kept as progress: the next sync reads the window again.
        with self._uow:
            self._uow.lock_store(store_id)
            checkpoint = self._uow.checkpoints.get(store_id)
            if checkpoint is not None and checkpoint.owns(window_end):
                checkpoint.restart_window()
                self._uow.checkpoints.add(checkpoint)
                self._uow.commit()

    def _fetch(self, store_id: str, window: "_Window", walk: PageWalk) -> OrderPage | None:
        # Outside any transaction: a slow or retried page must not keep the database locked.
        def search(token: str | None) -> OrderPage:
            return self._session.call(
                store_id,
                lambda conn: self._tiktok.search_orders(
                    conn, update_time_ge=window.start, update_time_lt=window.end, page_token=token, page_size=PAGE_SIZE
                ),
            )

        try:
            return search(window.token)
        except PageTokenExpired:
            # Never skip ahead: read the window again from its start; upserts make it harmless.
            walk.restart()
            with self._uow:
                self._uow.lock_store(store_id)
                checkpoint = self._uow.checkpoints.get(store_id)
                if checkpoint is None or not checkpoint.owns(window.end):
                    return None
                checkpoint.restart_window()
                self._uow.checkpoints.add(checkpoint)
                self._uow.commit()
            window.token = None
            return search(None)

    def _import(self, store: Store, window_end: int, page: OrderPage, summary: SyncSummary) -> bool:
        """Import one page with its checkpoint; False when the window is no longer this sync's."""
        done = SyncSummary()
        try:
            mine = self._import_page(store, window_end, page, done)
        except StorageRefused:
            done, mine = self._import_order_by_order(store, window_end, page)
        summary.add(done)
        return mine

    def _import_page(self, store: Store, window_end: int, page: OrderPage, summary: SyncSummary) -> bool:
        # One transaction: the page's orders and the checkpoint that covers them (I-4, I-6).
        with self._uow:
            self._uow.lock_store(store.id)  # a concurrent writer of this store waits for this page
            checkpoint = self._uow.checkpoints.get(store.id)
            assert checkpoint is not None
            import_orders(self._uow, store.id, page, self._clock.now(), summary, store=store)
            mine = checkpoint.page_done(page.next_page_token, window_end=window_end)
            self._uow.checkpoints.add(checkpoint)
            self._uow.commit()
        return mine

    def _import_order_by_order(self, store: Store, window_end: int, page: OrderPage) -> tuple[SyncSummary, bool]:
        # The database refused something the checks before it let through: each order alone, so
        # the one refused is set aside with the database's reason and the rest of the page stays.
        # The checkpoint commits last, with the set-aside orders: a crash before reads the page again.
        summary = SyncSummary()
        page = page.read()
        refused: list[Rejected] = list(page.rejected)
        for remote in page.orders:
            alone = SyncSummary()
            try:
                with self._uow:
                    self._uow.lock_store(store.id)
                    import_orders(self._uow, store.id, OrderPage([remote], None), self._clock.now(), alone, store=store)
                    self._uow.commit()
            except StorageRefused as exc:
                refused.append(Rejected(remote.tiktok_order_id, _refusal(exc), raw_text(remote)))
                continue
            summary.add(alone)
        mine = self._import_page(store, window_end, OrderPage([], page.next_page_token, refused), summary)
        return summary, mine


# The unique keys an order from TikTok can collide with, and what that means for it.
_COLLISIONS = {
    "tiktok_line_item_id": "another order already holds one of its line item ids (TikTok's line ids are unique in a shop)",
}


def _refusal(exc: StorageRefused) -> str:
    """Why the database refused one order, as the quarantine shows it: a key another order holds
    is named as such (retrying never helps), anything else in the database's own words."""
    text = str(exc)
    for key, meaning in _COLLISIONS.items():
        if key in text:
            return f"the database refused it: {meaning}"
    return f"the database refused it: {text}"


@dataclass
class _Window:
    """The window this sync reads, in Unix seconds [start, end), and its next page's token."""

    start: int
    end: int
    token: str | None
