from collections.abc import Callable
from dataclasses import dataclass, field

from application.commands import SyncOrders
from application.errors import PageTokenExpired, StoreNotConnected
from application.lookup import find_store, new_id
from application.ports import Clock, OrderPage, Quarantined, TikTokShop, UnitOfWork
from application.tiktok_session import ShopSession
from domain.catalog import Listing
from domain.imports import ImportOutcome, import_remote_order
from domain.orders import OrderStatus
from domain.stores import Store
from domain.sync import SyncCheckpoint

PAGE_SIZE = 100


@dataclass
class SyncSummary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    in_review: int = 0
    quarantined: int = 0
    pages: int = 0
    quarantine_reasons: list[str] = field(default_factory=list)


class SyncOrdersHandler:
    """
    - Imports the orders TikTok changed since the last sync (with an overlap), page by page.
    - Each page's orders and the checkpoint commit together, so a crash resumes where it stopped.
    - Importing again never duplicates; an older version never overwrites a newer one (R16).
    - FBT orders come in only as the store's FBT import settings allow (R9), into its FBT warehouse.
    - Orders with an unmapped listing stay in review; unknown listings are registered unmapped (R12).
    - A malformed order is set aside with its reason; the rest of its page commits.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock
        self._session = ShopSession(uow, tiktok, clock)

    def __call__(self, cmd: SyncOrders, progress: Callable[[SyncSummary], None] | None = None) -> SyncSummary:
        with self._uow:
            store = find_store(self._uow, cmd.store)
            if not store.is_connected:
                raise StoreNotConnected(store.name)
            self._uow.lock_store(store.id)
            checkpoint = self._uow.checkpoints.get(store.id) or SyncCheckpoint(store_id=store.id)
            checkpoint.open_window(now=int(self._clock.now().timestamp()), full=cmd.full)
            self._uow.checkpoints.add(checkpoint)
            self._uow.commit()
            store_id, window_end = store.id, checkpoint.window_end
        self._session.connection(store_id)  # refreshed before the first page if it is due
        summary = SyncSummary()
        while True:
            fetched = self._fetch(store_id, window_end)
            if fetched is None:
                break  # another sync of this store finished the window meanwhile
            page = fetched
            self._import(store_id, window_end, page, summary)
            summary.pages += 1
            if progress:
                progress(summary)
            if not page.next_page_token:
                break
        with self._uow:
            self._uow.lock_store(store_id)
            finished = self._uow.checkpoints.get(store_id)
            assert finished is not None
            if finished.window_end == window_end:
                finished.close_window()
                self._uow.checkpoints.add(finished)
                self._uow.commit()
        return summary

    def _fetch(self, store_id: str, window_end: int | None) -> OrderPage | None:
        with self._uow:
            checkpoint = self._uow.checkpoints.get(store_id)
            if checkpoint is None or checkpoint.window_end != window_end or checkpoint.window_start is None:
                return None
            window_start, page_token = checkpoint.window_start, checkpoint.page_token

        # Outside any transaction: a slow or retried page must not keep the database locked.
        def search(token: str | None) -> OrderPage:
            return self._session.call(
                store_id,
                lambda conn: self._tiktok.search_orders(
                    conn, update_time_ge=window_start, update_time_lt=window_end or 0, page_token=token, page_size=PAGE_SIZE
                ),
            )

        try:
            return search(page_token)
        except PageTokenExpired:
            # Never skip ahead: read the window again from its start; upserts make it harmless.
            with self._uow:
                self._uow.lock_store(store_id)
                checkpoint = self._uow.checkpoints.get(store_id)
                if checkpoint is None or checkpoint.window_end != window_end:
                    return None
                checkpoint.restart_window()
                self._uow.checkpoints.add(checkpoint)
                self._uow.commit()
            return search(None)

    def _import(self, store_id: str, window_end: int | None, page: OrderPage, summary: SyncSummary) -> None:
        with self._uow:
            self._uow.lock_store(store_id)  # a concurrent sync of this store waits for this page
            store = self._uow.stores.get(store_id)
            checkpoint = self._uow.checkpoints.get(store_id)
            assert store is not None and checkpoint is not None
            mapping = {l.seller_sku: l.product_sku for l in self._uow.listings.for_store(store_id)}
            existing = self._uow.orders.parts(store_id, [o.tiktok_order_id for o in page.orders])
            now = self._clock.now()
            for remote in page.orders:
                parts = existing.get(remote.tiktok_order_id, [])
                result = import_remote_order(remote, store=store, parts=parts, mapping=mapping, new_id=new_id)
                setattr(summary, result.outcome.value, getattr(summary, result.outcome.value) + 1)
                if result.outcome in (ImportOutcome.SKIPPED, ImportOutcome.UNCHANGED):
                    continue
                if result.created is not None:
                    parts = existing[remote.tiktok_order_id] = [result.created]
                    self._uow.orders.add(result.created)
                # A known order can gain lines of a listing never seen before: register it too.
                self._register_listings(store, remote.seller_skus, mapping)
                self._uow.orders.keep_payload(store_id, remote)
                for part in parts:
                    summary.in_review += part.status is OrderStatus.IN_REVIEW
                    for movement in part.settle_fbt_stock(now):
                        self._uow.movements.add(movement)
            self._uow.quarantine.release(store_id, [o.tiktok_order_id for o in page.orders])
            for bad in page.rejected:
                self._uow.quarantine.add(Quarantined(store_id, bad.tiktok_order_id, bad.reason, bad.raw))
                summary.quarantined += 1
                summary.quarantine_reasons.append(f"{bad.tiktok_order_id}: {bad.reason}")
            if checkpoint.window_end == window_end:  # else the page belongs to a window now closed
                checkpoint.page_done(page.next_page_token)
            self._uow.checkpoints.add(checkpoint)
            self._uow.commit()

    def _register_listings(self, store: Store, skus: set[str], mapping: dict[str, str | None]) -> None:
        for sku in sorted(skus - mapping.keys()):
            self._uow.listings.add(Listing(store_id=store.id, seller_sku=sku))
            mapping[sku] = None
