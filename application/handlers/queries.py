import hmac
from datetime import datetime
from typing import Any

from application.lookup import find_order, find_store
from application.order_list import matching
from application.ports import OrderCursor, OrderFilter, OrderSummary, UnitOfWork
from application.views import (
    listing_view,
    order_view,
    product_view,
    return_view,
    sales_view,
    store_view,
    warehouse_view,
)
from domain.reports import sales_by_store_and_fulfiller, stock_by_warehouse

Json = dict[str, Any]


class Queries:
    """Read-only use cases behind the list, show and report commands."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def stores(self) -> list[Json]:
        with self._uow:
            return [store_view(s) for s in self._uow.stores.list()]

    def store(self, ref: str) -> Json:
        with self._uow:
            return store_view(find_store(self._uow, ref))

    def store_awaiting_callback(self, state: str) -> str | None:
        """The id of the store whose pending authorization holds `state` (compared in constant
        time), or None: how TikTok's redirect to `serve` finds its store."""
        with self._uow:
            for store in self._uow.stores.list():
                pending = store.pending_state
                if pending is not None and state and hmac.compare_digest(pending.encode(), state.encode()):
                    return store.id
            return None

    def warehouses(self) -> list[Json]:
        with self._uow:
            return [warehouse_view(w) for w in self._uow.warehouses.list()]

    def products(self) -> list[Json]:
        with self._uow:
            return [product_view(p) for p in self._uow.products.list()]

    def listings(self, store_ref: str, *, unmapped: bool = False) -> list[Json]:
        with self._uow:
            store = find_store(self._uow, store_ref)
            return [
                listing_view(l) for l in self._uow.listings.for_store(store.id) if not (unmapped and l.is_mapped)
            ]

    def orders(
        self, *, store: str | None = None, status: str | None = None, fulfilled_by: str | None = None,
        cancellation_request: str | None = None,
    ) -> list[OrderSummary]:
        """`cancellation_request` keeps the orders whose buyer's latest request has that status
        (pending: the buyer waits for the seller's answer)."""
        with self._uow:
            store_id = find_store(self._uow, store).id if store else None
            return self._uow.orders.summaries(store_id=store_id, status=status, fulfilled_by=fulfilled_by,
                                              cancellation_request=cancellation_request)

    def matching_orders(
        self, *, store: str | None = None, status: str | None = None, fulfilled_by: str | None = None,
        sku: str | None = None, created_from: datetime | None = None, created_to: datetime | None = None,
        cancellation_request: str | None = None, limit: int | None = None,
    ) -> list[OrderSummary]:
        """The orders matching every filter given, newest first, at most `limit` (None: all): the
        query behind the web app's order page (`order_page`), walked page by page (`matching`)."""
        with self._uow:
            store_id = find_store(self._uow, store).id if store else None
        where = OrderFilter(store_id=store_id, status=status, fulfilled_by=fulfilled_by, sku=sku,
                            created_from=created_from, created_to=created_to,
                            cancellation_request=cancellation_request)

        def page(after: OrderCursor | None, size: int) -> list[OrderSummary]:
            with self._uow:
                return self._uow.orders.page(where, after=after, limit=size)

        return matching(page, limit=limit)

    def set_aside(self, store: str | None = None) -> list[Json]:
        """The TikTok orders a sync set aside (quarantined), each with `store_id`, `store` (its
        name), `tiktok_order_id` and `reason`; every store's when `store` is None."""
        with self._uow:
            stores = {s.id: s.name for s in self._uow.stores.list()}
            store_id = find_store(self._uow, store).id if store else None
            return [
                {"store_id": q.store_id, "store": stores.get(q.store_id, q.store_id),
                 "tiktok_order_id": q.tiktok_order_id, "reason": q.reason}
                for q in self._uow.quarantine.list(store_id)
            ]

    def order_page(
        self, where: OrderFilter, *, after: OrderCursor | None = None, limit: int = 50
    ) -> tuple[list[OrderSummary], OrderCursor | None]:
        """One page of the main order list, newest first, and the cursor of the next page (None at
        the end). `limit` is clamped to 1..500."""
        limit = max(1, min(limit, 500))
        with self._uow:
            rows = self._uow.orders.page(where, after=after, limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        last = rows[-1] if rows and more else None
        cursor = OrderCursor(datetime.fromisoformat(last["created_at"]), last["id"]) if last else None
        return rows, cursor

    def returns(self, limit: int = 200) -> list[Json]:
        """The newest returns, each with its order's TikTok order id and store id."""
        with self._uow:
            found = []
            for ret in self._uow.returns.recent(limit):
                view = return_view(ret)
                order = self._uow.orders.get(ret.order_id)
                view["tiktok_order_id"] = order.tiktok_order_id if order else None
                view["store_id"] = order.store_id if order else None
                view["fulfilled_by"] = order.fulfilled_by.value if order else None
                found.append(view)
            return found

    def order(self, ref: str) -> Json:
        with self._uow:
            order = find_order(self._uow, ref)
            view = order_view(order)
            view["returns"] = [return_view(r) for r in self._uow.returns.for_order(order.id)]
            return view

    def sales(self, store: str | None = None) -> Json:
        with self._uow:
            store_id = find_store(self._uow, store).id if store else None
            orders = self._uow.orders.list(store_id=store_id)
            warehouses = {w.id: w for w in self._uow.warehouses.list()}
            movements = [
                m for m in self._uow.movements.list()
                if store_id is None or warehouses.get(m.warehouse_id) is None or warehouses[m.warehouse_id].store_id == store_id
            ]
            names = {s.id: s.name for s in self._uow.stores.list()} | {w.id: w.name for w in warehouses.values()}
            return sales_view(sales_by_store_and_fulfiller(orders), stock_by_warehouse(movements), names)

    def sync_state(self, store: str) -> Json:
        """Where the store's order import stands: `synced_up_to` (Unix seconds of TikTok's update_time,
        None before the first sync) and whether a window is still `in_flight` (an interrupted sync)."""
        with self._uow:
            checkpoint = self._uow.checkpoints.get(find_store(self._uow, store).id)
            if checkpoint is None:
                return {"synced_up_to": None, "in_flight": False}
            return {"synced_up_to": checkpoint.cursor or None, "in_flight": checkpoint.in_flight}

    def quarantined(self, store: str) -> list[Json]:
        with self._uow:
            store_id = find_store(self._uow, store).id
            return [{"tiktok_order_id": q.tiktok_order_id, "reason": q.reason} for q in self._uow.quarantine.list(store_id)]
