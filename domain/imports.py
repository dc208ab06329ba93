from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum

from domain import limits
from domain.addresses import Address, newer_address
from domain.cancellation_requests import flagged
from domain.inventory import StockMovement
from domain.orders import BundleComponent, FulfilledBy, LineStatus, Order, OrderLine, OrderStatus
from domain.stores import Store

SHIPPED_ON_TIKTOK = frozenset({"AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED"})
# An FBT package in these statuses has left TikTok's warehouse: a unit cancelled then does not
# come back into FBT stock (it is lost, or comes back only through TikTok's own inbound).
LEFT_FBT_WAREHOUSE = frozenset({"IN_TRANSIT", "DELIVERED", "COMPLETED"})
# TikTok's SYSTEM cancel reasons that mean the package had left (cancel-reasons page, SYSTEM
# tables, updated 2025-10-24; the UK adds "_uk", the EU and JP spell one "package_damagaed").
CANCELLED_AFTER_PICKUP = frozenset({
    "package_lost", "package_damaged", "package_damagaed", "package_scrap", "threepl_breach",
    "returned_to_shipper_refused", "returned_to_shipper_other", "early_refund_returned_to_shipper",
    "system_cancel_order_exceed_edt_not_arrive", "system_cancel_order_untracked",
})


def cancelled_after_pickup(previous_status: str, cancel_reason: str) -> bool:
    """Whether a cancelled FBT unit had already left the FBT warehouse (so it is not restocked)."""
    reason = cancel_reason.removesuffix("_uk")
    return previous_status in LEFT_FBT_WAREHOUSE or reason in CANCELLED_AFTER_PICKUP


@dataclass(frozen=True, slots=True)
class RemoteComponent:
    """One listing of a virtual bundle as TikTok names it: `quantity` units per bundle."""

    seller_sku: str
    sku_id: str = ""
    product_id: str = ""
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class RemoteLine:
    tiktok_line_item_id: str
    seller_sku: str
    sku_id: str = ""
    status: str = "AWAITING_SHIPMENT"
    sale_price: Decimal = Decimal("0")
    quantity: int = 1  # TikTok always sends 1; anything that claims more is exploded (R3)
    product_name: str = ""
    cancel_reason: str = ""  # TikTok's reason name once the line is cancelled
    components: tuple[RemoteComponent, ...] = ()  # a virtual bundle's listings
    # Where TikTok shipped it (Get Order Detail line_items[]: package_id, tracking_number,
    # shipping_provider_id); empty until it ships (US/UK sellers get no package id before).
    package_id: str = ""
    tracking_number: str = ""
    shipping_provider_id: str = ""

    @property
    def listing_skus(self) -> list[str]:
        return [c.seller_sku for c in self.components] if self.components else [self.seller_sku]


@dataclass(frozen=True, slots=True)
class RemoteOrder:
    """An order as TikTok last described it, already translated out of TikTok's wire format."""

    tiktok_order_id: str
    status: str
    fulfilled_by: FulfilledBy
    created_at: datetime
    update_time: int
    lines: tuple[RemoteLine, ...]
    address: Address = Address()
    delivery_option_id: str = ""
    currency: str = "USD"
    # TikTok's order as it sent it: its JSON bytes (or, from tests and older callers, an object).
    raw: bytes | Mapping[str, object] | None = field(default=None, compare=False, repr=False)
    # The buyer asked to cancel and waits for the seller's answer (is_buyer_request_cancel).
    buyer_requested_cancel: bool = False
    cancel_requested_at: datetime | None = None

    @property
    def seller_skus(self) -> set[str]:
        """The listings of this order: a virtual bundle counts as the listings it is made of."""
        return {sku for line in self.lines for sku in line.listing_skus}


# TikTok sends one unit per line; an older shape that claims more is exploded into units (R3), so
# a claim beyond any real order is refused rather than made into millions of lines.
MAX_UNITS_PER_LINE = 1000
_ADDRESS_PARTS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")


def unfit(remote: RemoteOrder) -> str | None:
    """Why the OMS cannot keep this order as TikTok sent it, as "field: reason" naming the first
    field at fault, or None when it fits (issue 9: poisoned data is set aside, never blocking).

    Identifiers (ids, SKUs, currency) must be free of control characters (NUL, newline, tab, …):
    they are matched and shown as they are, so one that carries a control character is never
    silently changed. Every text must fit its column (`domain.limits`), on SQLite as on
    PostgreSQL. Free text (names, addresses) is cleaned of control characters by the adapter
    that reads TikTok, before it comes here.
    """
    fields: list[tuple[str, str, int, bool]] = [
        ("id", remote.tiktok_order_id, limits.ID, True),
        ("delivery_option_id", remote.delivery_option_id, limits.ID, True),
        ("currency", remote.currency, limits.CURRENCY, True),
        *((f"address.{part}", getattr(remote.address, part), limits.ADDRESS_FIELD, False) for part in _ADDRESS_PARTS),
    ]
    if not 0 <= remote.update_time < 2**62:
        return f"update_time: {remote.update_time} is not a time"
    for n, line in enumerate(remote.lines):
        if not 1 <= line.quantity <= MAX_UNITS_PER_LINE:
            return f"lines[{n}].quantity: {line.quantity} is not between 1 and {MAX_UNITS_PER_LINE}"
        suffix = len(f"-{line.quantity}") if line.quantity > 1 else 0  # a unit's id is the line's with "-N" (R3)
        fields += [
            (f"lines[{n}].id", line.tiktok_line_item_id, limits.ID - suffix, True),
            (f"lines[{n}].seller_sku", line.seller_sku, limits.SKU, True),
            (f"lines[{n}].sku_id", line.sku_id, limits.ID, True),
            (f"lines[{n}].product_name", line.product_name, limits.NAME, False),
        ]
        for m, component in enumerate(line.components):
            fields += [
                (f"lines[{n}].components[{m}].seller_sku", component.seller_sku, limits.SKU, True),
                (f"lines[{n}].components[{m}].sku_id", component.sku_id, limits.ID, True),
                (f"lines[{n}].components[{m}].product_id", component.product_id, limits.ID, True),
            ]
    clean = not limits.has_control_characters("".join(value for _, value, _, identifier in fields if identifier))
    for name, value, limit, identifier in fields:
        if identifier and not clean and limits.has_control_characters(value):
            return f"{name}: contains control characters ({', '.join(limits.control_characters(value))})"
        if len(value) > limit:
            return f"{name}: longer than {limit} characters ({len(value)})"
    return None


class ImportOutcome(str, Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class ImportResult:
    outcome: ImportOutcome
    created: Order | None = None


def unit_lines(remote: RemoteOrder) -> list[RemoteLine]:
    """One line per unit, with stable ids so that importing again finds the same lines."""
    units: list[RemoteLine] = []
    for line in remote.lines:
        if line.quantity <= 1:
            units.append(line)
            continue
        for n in range(1, line.quantity + 1):
            units.append(
                RemoteLine(
                    tiktok_line_item_id=f"{line.tiktok_line_item_id}-{n}",
                    seller_sku=line.seller_sku,
                    sku_id=line.sku_id,
                    status=line.status,
                    sale_price=line.sale_price,
                    product_name=line.product_name,
                    cancel_reason=line.cancel_reason,
                    components=line.components,
                    package_id=line.package_id,
                    tracking_number=line.tracking_number,
                    shipping_provider_id=line.shipping_provider_id,
                )
            )
    return units


def import_remote_order(
    remote: RemoteOrder,
    *,
    store: Store,
    parts: list[Order],
    mapping: Mapping[str, str | None],
    new_id: Callable[[str], str],
) -> ImportResult:
    """Create or update the OMS order(s) of one TikTok order; newest wins (R16)."""
    if not parts:
        if remote.fulfilled_by is FulfilledBy.STORE and not store.imports_fbt_order(remote.created_at):
            return ImportResult(ImportOutcome.SKIPPED)
        order = Order(
            id=new_id("ord"),
            store_id=store.id,
            tiktok_order_id=remote.tiktok_order_id,
            fulfilled_by=remote.fulfilled_by,
            lines=[_new_line(unit, mapping, new_id) for unit in unit_lines(remote)],
            tiktok_status=remote.status,
            tiktok_update_time=remote.update_time,
            created_at=remote.created_at,
            address=remote.address,
            delivery_option_id=remote.delivery_option_id,
            currency=remote.currency,
            warehouse_id=store.fbt.warehouse_id if remote.fulfilled_by is FulfilledBy.STORE else store.default_warehouse_id,
            cancellation_request=flagged(None, remote.buyer_requested_cancel, remote.cancel_requested_at),
        )
        _follow_tiktok_shipment(order)
        return ImportResult(ImportOutcome.NEW, order)

    if remote.update_time < max(part.tiktok_update_time for part in parts):
        return ImportResult(ImportOutcome.UNCHANGED)
    # An equal update_time is applied again: TikTok counts in seconds, so a second change within
    # the same second carries the same time, and applying one version twice changes nothing.
    before = [_fingerprint(part) for part in parts]

    by_item = {line.tiktok_line_item_id: (part, line) for part in parts for line in part.lines}
    original = min(parts, key=lambda part: part.split_index)
    for unit in unit_lines(remote):
        found = by_item.get(unit.tiktok_line_item_id)
        if found is None:
            original.lines.append(_new_line(unit, mapping, new_id))
            continue
        part, line = found
        if unit.components and not line.components and not line.stock_released:
            # TikTok named the bundle's listings only now: they are what must be mapped.
            line.components = _components(unit, mapping)
            line.product_sku = None
        if unit.status == "CANCELLED":
            if line.stock_released and cancelled_after_pickup(part.tiktok_status, unit.cancel_reason):
                line.stock_released = False  # left the FBT warehouse: it does not come back (issue 8)
            line.status = LineStatus.CANCELLED
        elif unit.status in SHIPPED_ON_TIKTOK and line.status is LineStatus.OPEN:
            line.status = LineStatus.SHIPPED
    for part in parts:
        part.tiktok_status = remote.status
        part.tiktok_update_time = remote.update_time
        part.address = newer_address(part.address, remote.address)
        part.delivery_option_id = remote.delivery_option_id or part.delivery_option_id
        part.cancellation_request = flagged(part.cancellation_request, remote.buyer_requested_cancel,
                                            remote.cancel_requested_at)
        _follow_tiktok_shipment(part)
    changed = before != [_fingerprint(part) for part in parts]
    return ImportResult(ImportOutcome.UPDATED if changed else ImportOutcome.UNCHANGED)


def _fingerprint(order: Order) -> tuple[object, ...]:
    return (
        order.tiktok_status,
        order.tiktok_update_time,
        order.status,
        order.address,
        order.delivery_option_id,
        order.cancellation_request,
        tuple((line.id, line.status, tuple((c.seller_sku, c.product_sku) for c in line.components))
              for line in order.lines),
    )


def _follow_tiktok_shipment(order: Order) -> None:
    # A shipment made outside the OMS (R17): TikTok's order status says every open unit left.
    if order.tiktok_status in SHIPPED_ON_TIKTOK:
        for line in order.open_lines:
            line.status = LineStatus.SHIPPED
    order.refresh_status()


def _new_line(unit: RemoteLine, mapping: Mapping[str, str | None], new_id: Callable[[str], str]) -> OrderLine:
    status = LineStatus.OPEN
    if unit.status == "CANCELLED":
        status = LineStatus.CANCELLED
    elif unit.status in SHIPPED_ON_TIKTOK:
        status = LineStatus.SHIPPED
    return OrderLine(
        id=new_id("ln"),
        tiktok_line_item_id=unit.tiktok_line_item_id,
        seller_sku=unit.seller_sku,
        sku_id=unit.sku_id,
        product_sku=None if unit.components else mapping.get(unit.seller_sku),
        status=status,
        sale_price=unit.sale_price,
        product_name=unit.product_name,
        components=_components(unit, mapping),
    )


def _components(unit: RemoteLine, mapping: Mapping[str, str | None]) -> list[BundleComponent]:
    return [
        BundleComponent(seller_sku=c.seller_sku, sku_id=c.sku_id, product_id=c.product_id, quantity=c.quantity,
                        product_sku=mapping.get(c.seller_sku))
        for c in unit.components
    ]


@dataclass
class PageImport:
    """Everything the import decided for one page of TikTok orders, for the caller to write once.

    `created`: new OMS orders (the known ones TikTok's newer version changed are the caller's,
    read for this page, and changed in place: its unit of work writes them);
    `listings`: seller SKUs seen for the first time, to register unmapped (R12); `movements`:
    FBT stock that left or came back (R15); `payloads`: the orders whose TikTok payload is kept
    (newest version); `counts`: orders per `ImportOutcome` value, plus "in_review".
    """

    created: list[Order] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)
    movements: list[StockMovement] = field(default_factory=list)
    payloads: list[RemoteOrder] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def import_page(
    remotes: list[RemoteOrder],
    *,
    store: Store,
    existing: dict[str, list[Order]],
    mapping: dict[str, str | None],
    now: datetime,
    new_id: Callable[[str], str],
) -> PageImport:
    """Decide a page: each order created or updated (newest wins, R16), FBT orders per the
    store's settings (R9), new listings named (R12), FBT stock settled (R15). `existing` holds the
    known OMS orders of these TikTok orders (by TikTok order id) and `mapping` the store's
    listings (seller SKU -> product SKU); both are brought up to date with what is decided."""
    decided = PageImport()
    counts = decided.counts
    for remote in remotes:
        parts = existing.get(remote.tiktok_order_id, [])
        result = import_remote_order(remote, store=store, parts=parts, mapping=mapping, new_id=new_id)
        counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
        if result.outcome in (ImportOutcome.SKIPPED, ImportOutcome.UNCHANGED):
            continue
        if result.created is not None:
            parts = existing[remote.tiktok_order_id] = [result.created]
            decided.created.append(result.created)
        # A known order can gain lines of a listing never seen before: it is registered too.
        for sku in sorted(remote.seller_skus - mapping.keys()):
            decided.listings.append(sku)
            mapping[sku] = None
        decided.payloads.append(remote)
        for part in parts:
            counts["in_review"] = counts.get("in_review", 0) + (part.status is OrderStatus.IN_REVIEW)
            decided.movements += part.settle_fbt_stock(now)
    return decided
