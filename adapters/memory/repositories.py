import copy
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from datetime import datetime

from application.ports import OrderCursor, OrderFilter, OrderSummary, Quarantined, UnitOfWork, WebhookNotification
from application.views import order_summary_of
from domain.catalog import Listing, Product
from domain.imports import RemoteOrder
from domain.intents import Intent, IntentState
from domain.inventory import StockMovement
from domain.orders import Order
from domain.returns import Return
from domain.stores import Store, store_named
from domain.sync import SyncCheckpoint
from domain.warehouses import Warehouse


@dataclass
class InMemoryDatabase:
    stores: dict[str, Store] = field(default_factory=dict)
    warehouses: dict[str, Warehouse] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    listings: dict[tuple[str, str], Listing] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    payloads: dict[tuple[str, str], tuple[int, object]] = field(default_factory=dict)
    returns: dict[str, Return] = field(default_factory=dict)
    movements: list[StockMovement] = field(default_factory=list)
    checkpoints: dict[str, SyncCheckpoint] = field(default_factory=dict)
    quarantine: list[Quarantined] = field(default_factory=list)
    webhooks: dict[str, WebhookNotification] = field(default_factory=dict)
    refresh_requests: dict[tuple[str, str], datetime] = field(default_factory=dict)
    intents: dict[str, Intent] = field(default_factory=dict)


class InMemoryIntentRepository:
    def __init__(self, rows: dict[str, Intent]) -> None:
        self._rows = rows

    def add(self, intent: Intent) -> None:
        self._rows[intent.id] = intent

    def get(self, intent_id: str) -> Intent | None:
        return self._rows.get(intent_id)

    def pending(self, store_id: str | None = None, tiktok_order_id: str | None = None) -> list[Intent]:
        return [i for i in self._sorted() if i.state is IntentState.PENDING
                and store_id in (None, i.store_id) and tiktok_order_id in (None, i.tiktok_order_id)]

    def for_order(self, order_id: str) -> list[Intent]:
        return [i for i in self._sorted() if i.order_id == order_id]

    def _sorted(self) -> list[Intent]:
        return sorted(self._rows.values(), key=lambda i: (i.created_at, i.id))


class _Named:
    def __init__(self, rows: dict) -> None:
        self._rows = rows

    def add(self, item) -> None:  # type: ignore[no-untyped-def]
        self._rows[item.id] = item

    def get(self, key: str):  # type: ignore[no-untyped-def]
        return self._rows.get(key)

    def by_name(self, name: str):  # type: ignore[no-untyped-def]
        return next((row for row in self._rows.values() if row.name == name), None)

    def list(self) -> list:
        return sorted(self._rows.values(), key=lambda row: row.name)


class InMemoryStoreRepository(_Named):
    def by_name(self, name: str):  # type: ignore[no-untyped-def]
        """Store names are unique regardless of case; the exact spelling wins if two exist."""
        found = store_named(name, [(row.id, row.name) for row in self._rows.values()])
        return None if found is None else self._rows[found]

    def by_shop_id(self, shop_id: str) -> Store | None:
        return next((s for s in self._rows.values() if s.connection is not None and s.connection.shop_id == shop_id), None)


class InMemoryWebhookRepository:
    def __init__(self, rows: dict[str, WebhookNotification]) -> None:
        self._rows = rows

    def record(self, notification: WebhookNotification) -> bool:
        if notification.id in self._rows:
            return False
        self._rows[notification.id] = notification
        return True

    def list(self, store_id: str | None = None) -> list[WebhookNotification]:
        return [n for n in self._rows.values() if store_id is None or n.store_id == store_id]

    def forget_before(self, moment: datetime) -> int:
        old = [key for key, n in self._rows.items() if n.received_at < moment]
        for key in old:
            del self._rows[key]
        return len(old)


class InMemoryRefreshRequestRepository:
    def __init__(self, rows: dict[tuple[str, str], datetime]) -> None:
        self._rows = rows

    def request(self, store_id: str, tiktok_order_id: str, at: datetime) -> None:
        self._rows[(store_id, tiktok_order_id)] = at

    def pending(self, *, requested_before: datetime | None = None) -> list[tuple[str, str]]:
        return [key for key, at in sorted(self._rows.items(), key=lambda item: item[1])
                if requested_before is None or at < requested_before]

    def done(self, store_id: str, tiktok_order_id: str, requested_until: datetime) -> None:
        at = self._rows.get((store_id, tiktok_order_id))
        if at is not None and at <= requested_until:
            del self._rows[(store_id, tiktok_order_id)]


class InMemoryWarehouseRepository(_Named):
    pass


class InMemoryProductRepository:
    def __init__(self, rows: dict[str, Product]) -> None:
        self._rows = rows

    def add(self, product: Product) -> None:
        self._rows[product.sku] = product

    def get(self, sku: str) -> Product | None:
        return self._rows.get(sku)

    def list(self) -> list[Product]:
        return sorted(self._rows.values(), key=lambda p: p.sku)


class InMemoryListingRepository:
    def __init__(self, rows: dict[tuple[str, str], Listing]) -> None:
        self._rows = rows

    def add(self, listing: Listing) -> None:
        self._rows[(listing.store_id, listing.seller_sku)] = listing

    def get(self, store_id: str, seller_sku: str) -> Listing | None:
        return self._rows.get((store_id, seller_sku))

    def for_store(self, store_id: str) -> list[Listing]:
        return sorted((l for l in self._rows.values() if l.store_id == store_id), key=lambda l: l.seller_sku)

    def mapping(self, store_id: str) -> dict[str, str | None]:
        return {l.seller_sku: l.product_sku for l in self._rows.values() if l.store_id == store_id}


class InMemoryOrderRepository:
    def __init__(self, rows: dict[str, Order], payloads: dict[tuple[str, str], tuple[int, object]]) -> None:
        self._rows = rows
        self._payloads = payloads

    def keep_payload(self, store_id: str, remote: RemoteOrder) -> None:
        # Newest wins, as in the SQL adapter: an older copy never replaces the one kept.
        key = (store_id, remote.tiktok_order_id)
        kept = self._payloads.get(key)
        if remote.raw is not None and (kept is None or kept[0] <= remote.update_time):
            self._payloads[key] = (remote.update_time, remote.raw)

    def versions(self, store_id: str, tiktok_order_ids: Iterable[str]) -> dict[str, tuple[int, bytes]]:
        found: dict[str, tuple[int, bytes]] = {}
        for order_id in tiktok_order_ids:
            kept = self._payloads.get((store_id, order_id))
            if kept is not None and isinstance(kept[1], bytes):
                found[order_id] = (kept[0], kept[1])
        return found

    def payload(self, store_id: str, tiktok_order_id: str) -> object | None:
        kept = self._payloads.get((store_id, tiktok_order_id))
        if kept is None:
            return None
        return json.loads(kept[1]) if isinstance(kept[1], bytes) else kept[1]

    def add(self, order: Order) -> None:
        self._rows[order.id] = order

    def get(self, order_id: str) -> Order | None:
        return self._rows.get(order_id)

    def parts(self, store_id: str, tiktok_order_ids: Iterable[str]) -> dict[str, list[Order]]:
        wanted = set(tiktok_order_ids)
        found: dict[str, list[Order]] = {}
        for order in self._rows.values():
            if order.store_id == store_id and order.tiktok_order_id in wanted:
                found.setdefault(order.tiktok_order_id, []).append(order)
        return found

    def by_tiktok_id(self, tiktok_order_id: str) -> list[Order]:
        return [o for o in self._rows.values() if o.tiktok_order_id == tiktok_order_id]

    def with_seller_sku(self, store_id: str, seller_sku: str) -> list[Order]:
        return [
            o for o in self._rows.values()
            if o.store_id == store_id and any(seller_sku in (line.seller_sku, *line.listing_skus) for line in o.lines)
        ]

    def list(self, *, store_id: str | None = None, status: str | None = None, fulfilled_by: str | None = None,
             cancellation_request: str | None = None) -> list[Order]:
        return sorted(
            (
                o for o in self._rows.values()
                if (store_id is None or o.store_id == store_id)
                and (status is None or o.status.value == status)
                and (fulfilled_by is None or o.fulfilled_by.value == fulfilled_by)
                and (cancellation_request is None or (
                    o.cancellation_request is not None and o.cancellation_request.status.value == cancellation_request))
            ),
            key=lambda o: (o.created_at, o.tiktok_order_id, o.split_index),
        )


    def summaries(
        self, *, store_id: str | None = None, status: str | None = None, fulfilled_by: str | None = None,
        cancellation_request: str | None = None,
    ) -> "list[OrderSummary]":
        return [order_summary_of(o) for o in self.list(store_id=store_id, status=status, fulfilled_by=fulfilled_by,
                                                      cancellation_request=cancellation_request)]

    def page(self, where: OrderFilter, *, after: OrderCursor | None, limit: int) -> "list[OrderSummary]":
        def matches(o: Order) -> bool:
            return (
                (where.store_id is None or o.store_id == where.store_id)
                and (where.status is None or o.status.value == where.status)
                and (where.fulfilled_by is None or o.fulfilled_by.value == where.fulfilled_by)
                and (not where.search or o.tiktok_order_id == where.search
                     or any(line.seller_sku == where.search for line in o.lines))
                and (where.created_from is None or o.created_at >= where.created_from)
                and (where.created_to is None or o.created_at < where.created_to)
                and (not where.sku or any(line.seller_sku == where.sku for line in o.lines))
                and (where.cancellation_request is None or (o.cancellation_request is not None
                     and o.cancellation_request.status.value == where.cancellation_request))
                and (after is None or (o.created_at, o.id) < (after.created_at, after.order_id))
            )

        found = sorted((o for o in self._rows.values() if matches(o)), key=lambda o: (o.created_at, o.id), reverse=True)
        return [order_summary_of(o) for o in found[:limit]]


class InMemoryReturnRepository:
    def __init__(self, rows: dict[str, Return]) -> None:
        self._rows = rows

    def add(self, ret: Return) -> None:
        self._rows[ret.id] = ret

    def for_order(self, order_id: str) -> list[Return]:
        return [r for r in self._rows.values() if r.order_id == order_id]

    def recent(self, limit: int) -> list[Return]:
        return sorted(self._rows.values(), key=lambda r: (r.created_at, r.id), reverse=True)[:limit]


class InMemoryStockMovementRepository:
    def __init__(self, rows: list[StockMovement]) -> None:
        self._rows = rows

    def add(self, movement: StockMovement) -> None:
        self._rows.append(movement)

    def list(self) -> list[StockMovement]:
        return list(self._rows)


class InMemoryCheckpointRepository:
    def __init__(self, rows: dict[str, SyncCheckpoint]) -> None:
        self._rows = rows

    def get(self, store_id: str) -> SyncCheckpoint | None:
        return self._rows.get(store_id)

    def add(self, checkpoint: SyncCheckpoint) -> None:
        self._rows[checkpoint.store_id] = checkpoint


class InMemoryQuarantineRepository:
    def __init__(self, rows: list[Quarantined]) -> None:
        self._rows = rows

    def add(self, record: Quarantined) -> None:
        # One record per TikTok order, as in the SQL adapter: reading it again replaces it.
        for n, kept in enumerate(self._rows):
            if (kept.store_id, kept.tiktok_order_id) == (record.store_id, record.tiktok_order_id):
                self._rows[n] = record
                return
        self._rows.append(record)

    def release(self, store_id: str, tiktok_order_ids: Iterable[str]) -> None:
        clean = set(tiktok_order_ids)
        self._rows[:] = [r for r in self._rows if not (r.store_id == store_id and r.tiktok_order_id in clean)]

    def list(self, store_id: str | None = None) -> list[Quarantined]:
        return [r for r in self._rows if store_id is None or r.store_id == store_id]


class InMemoryUnitOfWork(UnitOfWork):
    """Works on a private copy of the database; commit publishes it, anything else drops it."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self.database = database
        self.committed = False

    def __enter__(self) -> "InMemoryUnitOfWork":
        self._work = copy.deepcopy(self.database)
        work = self._work
        self.stores = InMemoryStoreRepository(work.stores)
        self.warehouses = InMemoryWarehouseRepository(work.warehouses)
        self.products = InMemoryProductRepository(work.products)
        self.listings = InMemoryListingRepository(work.listings)
        self.orders = InMemoryOrderRepository(work.orders, work.payloads)
        self.returns = InMemoryReturnRepository(work.returns)
        self.movements = InMemoryStockMovementRepository(work.movements)
        self.checkpoints = InMemoryCheckpointRepository(work.checkpoints)
        self.quarantine = InMemoryQuarantineRepository(work.quarantine)
        self.webhooks = InMemoryWebhookRepository(work.webhooks)
        self.refresh_requests = InMemoryRefreshRequestRepository(work.refresh_requests)
        self.intents = InMemoryIntentRepository(work.intents)
        return self

    def commit(self) -> None:
        published = copy.deepcopy(self._work)
        for name in vars(published):
            setattr(self.database, name, getattr(published, name))
        self.committed = True

    def rollback(self) -> None:
        pass
