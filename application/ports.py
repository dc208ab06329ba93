import abc
import builtins
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypedDict, cast

from domain.cancellation_requests import RemoteCancellation
from domain.catalog import Listing, Product
from domain.imports import RemoteOrder
from domain.intents import Intent
from domain.inventory import StockMovement
from domain.orders import Order
from domain.returns import Return
from domain.stores import Connection, Grant, Store
from domain.sync import SyncCheckpoint
from domain.warehouses import Warehouse


class StoreRepository(Protocol):
    def add(self, store: Store) -> None: ...
    def get(self, store_id: str) -> Store | None: ...
    def by_name(self, name: str) -> Store | None: ...
    def by_shop_id(self, shop_id: str) -> Store | None:
        """The store connected to this TikTok shop id (webhooks name the shop, not the store)."""
        ...
    def list(self) -> list[Store]: ...


class WarehouseRepository(Protocol):
    def add(self, warehouse: Warehouse) -> None: ...
    def get(self, warehouse_id: str) -> Warehouse | None: ...
    def by_name(self, name: str) -> Warehouse | None: ...
    def list(self) -> list[Warehouse]: ...


class ProductRepository(Protocol):
    def add(self, product: Product) -> None: ...
    def get(self, sku: str) -> Product | None: ...
    def list(self) -> list[Product]: ...


class ListingRepository(Protocol):
    def add(self, listing: Listing) -> None: ...
    def get(self, store_id: str, seller_sku: str) -> Listing | None: ...
    def for_store(self, store_id: str) -> list[Listing]: ...
    def mapping(self, store_id: str) -> dict[str, str | None]:
        """The store's listings as seller SKU -> product SKU (None: unmapped), read as plain rows."""
        ...


class LineSummary(TypedDict):
    id: str
    tiktok_line_item_id: str
    seller_sku: str
    product_sku: str | None
    quantity: int
    status: str


class CancellationRequestSummary(TypedDict):
    status: str  # pending | approved | rejected | closed
    requested_at: str | None


class OrderSummary(TypedDict):
    """One row of the order list (SPEC's JSON keys), read without building the aggregate."""

    id: str
    tiktok_order_id: str
    store_id: str
    status: str
    fulfilled_by: str
    warehouse_id: str | None
    tiktok_status: str
    parent_order_id: str | None
    created_at: str
    cancellation_request: CancellationRequestSummary | None
    lines: list[LineSummary]


# The keys of the order list, defined once (by the TypedDicts above), in the order the adapters
# read their values: a repository fetches these fields as plain rows and builds summaries with
# `order_summary`/`line_summary`, so no adapter spells a key of its own.
# `cancellation_request` is read from two columns and passed to `order_summary` on its own.
ORDER_SUMMARY_FIELDS: tuple[str, ...] = tuple(
    key for key in OrderSummary.__annotations__ if key not in ("lines", "cancellation_request")
)
LINE_SUMMARY_FIELDS: tuple[str, ...] = tuple(LineSummary.__annotations__)


def order_summary(values: Sequence[Any], lines: builtins.list[LineSummary],
                  cancellation_request: tuple[str | None, str | None] = (None, None)) -> OrderSummary:
    """An order-list row from its values in `ORDER_SUMMARY_FIELDS` order (created_at as ISO 8601 text)
    and the buyer's latest cancellation request as (status, requested_at ISO 8601), or (None, None)."""
    if len(values) != len(ORDER_SUMMARY_FIELDS):
        raise ValueError(f"an order summary has {len(ORDER_SUMMARY_FIELDS)} fields, not {len(values)}")
    row: dict[str, Any] = dict(zip(ORDER_SUMMARY_FIELDS, values))
    status, requested_at = cancellation_request
    row["cancellation_request"] = None if status is None else {"status": status, "requested_at": requested_at}
    row["lines"] = lines
    return cast(OrderSummary, row)


def line_summary(values: Sequence[Any]) -> LineSummary:
    """A line of an order-list row from its values in `LINE_SUMMARY_FIELDS` order."""
    if len(values) != len(LINE_SUMMARY_FIELDS):
        raise ValueError(f"a line summary has {len(LINE_SUMMARY_FIELDS)} fields, not {len(values)}")
    return cast(LineSummary, dict(zip(LINE_SUMMARY_FIELDS, values)))


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """The main order list's filters; None means any. `search` is a TikTok order id or a seller SKU
    (exact); `created_from`/`created_to` bound `created_at` (UTC, from inclusive, to exclusive);
    `sku` a seller SKU alone; `cancellation_request` pending|approved|rejected|closed."""

    store_id: str | None = None
    status: str | None = None
    fulfilled_by: str | None = None
    search: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    sku: str | None = None  # a seller SKU one of the order's lines holds (exact)
    cancellation_request: str | None = None  # the status of the buyer's latest cancellation request


@dataclass(frozen=True, slots=True)
class OrderCursor:
    """Keyset position in the list (newest first): the last row shown."""

    created_at: datetime
    order_id: str


class OrderSummaries(Protocol):
    """The read port of the order list: summaries as plain rows, without building aggregates."""

    def summaries(
        self, *, store_id: str | None = None, status: str | None = None, fulfilled_by: str | None = None,
        cancellation_request: str | None = None,
    ) -> builtins.list[OrderSummary]:
        """The order list, in the same order as `list`; lines in their order on the order."""
        ...
    def page(self, where: OrderFilter, *, after: OrderCursor | None, limit: int) -> builtins.list[OrderSummary]:
        """Up to `limit` orders matching `where`, newest first (created_at, then id, descending),
        strictly after `after`: keyset pagination, as fast on the last page as on the first."""
        ...


class OrderRepository(OrderSummaries, Protocol):
    def add(self, order: Order) -> None: ...
    def get(self, order_id: str) -> Order | None: ...
    def parts(self, store_id: str, tiktok_order_ids: Iterable[str]) -> dict[str, list[Order]]:
        """Every OMS order (split parts included) of these TikTok orders, by TikTok order id."""
        ...
    def by_tiktok_id(self, tiktok_order_id: str) -> list[Order]: ...
    def keep_payload(self, store_id: str, remote: RemoteOrder) -> None:
        """Keep TikTok's raw order for audit and re-mapping (newest version only)."""
        ...
    def versions(self, store_id: str, tiktok_order_ids: Iterable[str]) -> dict[str, tuple[int, bytes]]:
        """The version kept of each of these TikTok orders: (update_time, TikTok's bytes as kept)."""
        ...
    def with_seller_sku(self, store_id: str, seller_sku: str) -> list[Order]: ...
    def list(
        self, *, store_id: str | None = None, status: str | None = None, fulfilled_by: str | None = None,
        cancellation_request: str | None = None,
    ) -> list[Order]: ...


class ReturnRepository(Protocol):
    def add(self, ret: Return) -> None: ...
    def for_order(self, order_id: str) -> list[Return]: ...
    def recent(self, limit: int) -> list[Return]:
        """The newest returns first."""
        ...


class StockMovementRepository(Protocol):
    def add(self, movement: StockMovement) -> None: ...
    def list(self) -> list[StockMovement]: ...


class CheckpointRepository(Protocol):
    def get(self, store_id: str) -> SyncCheckpoint | None: ...
    def add(self, checkpoint: SyncCheckpoint) -> None: ...


@dataclass(frozen=True, slots=True)
class Quarantined:
    store_id: str
    tiktok_order_id: str
    reason: str
    raw: str


class QuarantineRepository(Protocol):
    def add(self, record: Quarantined) -> None: ...
    def release(self, store_id: str, tiktok_order_ids: Iterable[str]) -> None:
        """These orders were read cleanly at last: they are no longer set aside."""
        ...
    def list(self, store_id: str | None = None) -> list[Quarantined]: ...


@dataclass(frozen=True, slots=True)
class WebhookNotification:
    """A TikTok webhook delivery as received (its raw body kept for audit)."""

    id: str  # TikTok's tts_notification_id
    store_id: str
    type: int
    sent_at: datetime
    received_at: datetime
    payload: str


class WebhookRepository(Protocol):
    def record(self, notification: WebhookNotification) -> bool:
        """Keep it unless its id is kept already; False for a duplicate (nothing written)."""
        ...
    def list(self, store_id: str | None = None) -> builtins.list[WebhookNotification]: ...
    def forget_before(self, moment: datetime) -> int:
        """Drop deliveries received before `moment` (long past any redelivery); returns how many."""
        ...


class RefreshRequestRepository(Protocol):
    """Orders a webhook asked to refresh, kept until a refresh after the request is done."""

    def request(self, store_id: str, tiktok_order_id: str, at: datetime) -> None: ...
    def pending(self, *, requested_before: datetime | None = None) -> list[tuple[str, str]]: ...
    def done(self, store_id: str, tiktok_order_id: str, requested_until: datetime) -> None:
        """Drop the request unless it was made again after `requested_until`."""
        ...


class IntentRepository(Protocol):
    """Changes asked of TikTok (ship, cancel, split), kept from before the request until settled."""

    def add(self, intent: Intent) -> None:
        """Keep it, or save its new state if it is kept already (by `id`)."""
        ...
    def get(self, intent_id: str) -> Intent | None: ...
    def pending(self, store_id: str | None = None, tiktok_order_id: str | None = None) -> builtins.list[Intent]:
        """The intents whose answer is unknown, oldest first; of one store or one TikTok order if given."""
        ...
    def for_order(self, order_id: str) -> builtins.list[Intent]:
        """Every intent about this OMS order (or split part), oldest first."""
        ...


class UnitOfWork(abc.ABC):
    """One transaction: nothing is kept unless `commit()` is called; leaving rolls back."""

    stores: StoreRepository
    warehouses: WarehouseRepository
    products: ProductRepository
    listings: ListingRepository
    orders: OrderRepository
    returns: ReturnRepository
    movements: StockMovementRepository
    checkpoints: CheckpointRepository
    quarantine: QuarantineRepository
    webhooks: WebhookRepository
    refresh_requests: RefreshRequestRepository
    intents: IntentRepository

    def __enter__(self) -> "UnitOfWork":
        return self

    def __exit__(self, *args: object) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...

    def lock_store(self, store_id: str) -> None:
        """Hold back other transactions that lock this store until this one ends.

        Called first thing in a transaction that reads and then rewrites a store's orders, so two
        processes syncing one store never both insert an order or overwrite each other's update.
        Adapters whose transactions already run one at a time leave it as is.
        """


class Clock(Protocol):
    def now(self) -> datetime:
        """Timezone-aware UTC."""
        ...


@dataclass(frozen=True, slots=True)
class AuthorizedShop:
    id: str
    name: str
    region: str
    cipher: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """An order TikTok sent that could not be read; kept aside with the reason (never lost)."""

    tiktok_order_id: str
    reason: str
    raw: str


@dataclass(frozen=True, slots=True)
class UnreadOrder:
    """An order of a page not read yet: TikTok's bytes for it, and the two fields that tell
    whether it changed since it was stored, so an unchanged one costs no parsing (issue 13)."""

    tiktok_order_id: str
    update_time: int  # Unix seconds
    raw: bytes
    read: Callable[[bytes], "RemoteOrder | Rejected"]  # the full, validating read of `raw`


@dataclass(frozen=True, slots=True)
class OrderPage:
    orders: list[RemoteOrder]
    next_page_token: str | None
    rejected: list[Rejected] = field(default_factory=list)
    total_count: int | None = None  # what TikTok says the window holds; None when absent or unreadable
    unread: list[UnreadOrder] = field(default_factory=list)  # read by the import only if changed

    def read(self) -> "OrderPage":
        """This page with every order read (none left unread), in the page's order."""
        if not self.unread:
            return self
        orders, rejected = list(self.orders), list(self.rejected)
        for unread in self.unread:
            parsed = unread.read(unread.raw)
            (rejected if isinstance(parsed, Rejected) else orders).append(parsed)  # type: ignore[arg-type]
        return OrderPage(orders, self.next_page_token, rejected, self.total_count)

    def versions(self) -> set[tuple[str, int]]:
        """Every order of the page as (TikTok order id, update_time); -1 for an unreadable one."""
        return ({(o.tiktok_order_id, o.update_time) for o in self.orders}
                | {(u.tiktok_order_id, u.update_time) for u in self.unread}
                | {(r.tiktok_order_id, -1) for r in self.rejected})


@dataclass(frozen=True, slots=True)
class ShippingProvider:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class CancellationPage:
    cancellations: list[RemoteCancellation]
    next_page_token: str | None


@dataclass(frozen=True, slots=True)
class RejectReason:
    """A reason TikTok lets the seller give to reject a buyer's request (Get Reject Reasons)."""

    name: str
    text: str


class TikTokShop(Protocol):
    """TikTok Shop's Partner API as the OMS needs it. Errors are `application.errors.TikTokError`s."""

    def authorization_url(self, state: str) -> str: ...

    def exchange_code(self, auth_code: str) -> Grant: ...

    def refresh(self, refresh_token: str) -> Grant: ...

    def authorized_shops(self, access_token: str) -> list[AuthorizedShop]: ...

    def search_orders(
        self, conn: Connection, *, update_time_ge: int, update_time_lt: int, page_token: str | None, page_size: int = 100
    ) -> OrderPage:
        """Orders whose update_time is in [ge, lt), ascending by update_time; an empty token ends."""
        ...

    def cancel(self, conn: Connection, *, order_id: str, reason_name: str, line_item_ids: list[str] | None,
               bundle_line_item_ids: list[str] | None = None) -> str:
        """Returns TikTok's cancel id. `line_item_ids` None cancels the whole order; the virtual
        bundle lines among them (`bundle_line_item_ids`) are cancelled with every unit inside."""
        ...

    def ship_package(
        self,
        conn: Connection,
        *,
        order_id: str,
        line_item_ids: list[str],
        tracking_number: str,
        provider_id: str,
        existing_package: bool = False,
    ) -> str:
        """Ship a package of these line items; returns the package id.

        Where TikTok splits before shipping, the package already exists (from payment or the
        split) and is shipped as it is; elsewhere it is made as it ships (Mark Package As Shipped).
        """
        ...

    def split(self, conn: Connection, *, order_id: str, groups: list[list[str]]) -> list[str]:
        """Pre-shipping split (markets that need it); returns the new package ids."""
        ...

    def shipping_providers(self, conn: Connection, *, delivery_option_id: str) -> list[ShippingProvider]: ...

    def order_details(self, conn: Connection, order_ids: list[str]) -> OrderPage:
        """Get Order Detail for up to 50 ids; ids TikTok does not know are left out."""
        ...

    def search_cancellations(
        self,
        conn: Connection,
        *,
        order_ids: list[str] | None = None,
        update_time_ge: int | None = None,
        update_time_lt: int | None = None,
        page_token: str | None = None,
        page_size: int = 50,
    ) -> CancellationPage:
        """Search Cancellations 202309: the shop's cancellations (buyer requests among them), by
        order id or by update time (Unix seconds, [ge, lt)); an empty token ends."""
        ...

    def approve_cancellation(self, conn: Connection, *, cancel_id: str, idempotency_key: str) -> None:
        """Approve a buyer's cancellation request (Approve Cancellation 202309)."""
        ...

    def reject_cancellation(
        self, conn: Connection, *, cancel_id: str, reason_name: str, comment: str, idempotency_key: str
    ) -> None:
        """Reject a buyer's cancellation request with a reason from `reject_reasons`."""
        ...

    def reject_reasons(self, conn: Connection, *, cancel_id: str) -> list[RejectReason]:
        """Get Reject Reasons 202309 for this request (TikTok changes them: never hard-coded)."""
        ...


class BackgroundJobs(Protocol):
    """Work the application asks to be done soon, off the caller's path (a job queue).

    Asking again for work that is already waiting is a no-op.
    """

    def sync_store_soon(self, store_id: str) -> None: ...

    def refresh_order_soon(self, store_id: str, tiktok_order_id: str) -> None: ...


class SyncGuard(Protocol):
    """At most one sync of a store at a time, across processes and machines."""

    def hold(self, store_id: str) -> AbstractContextManager[None]:
        """Held for the whole sync; raises `SyncAlreadyRunning` at once when another holds it."""
        ...
