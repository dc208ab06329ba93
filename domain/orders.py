from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum

from domain.addresses import Address
from domain.cancellation_requests import CancellationRequest, RequestStatus
from domain.exceptions import (
    FbtOrderNotActionable,
    InReviewOrderCannotBeShipped,
    MerchantOrderCannotUseFbtWarehouse,
    NoLinesChosen,
    OnHoldOrderCannotBeShipped,
    OrderLineQuantityIsOne,
    OrderNotOpen,
    SplitBelowSkuLevel,
    SplitMustLeaveLinesOnEachPart,
    UnknownLines,
    WarehouseRequiredToShip,
)
from domain.inventory import StockMovement
from domain.warehouses import Warehouse


class OrderStatus(str, Enum):
    IN_REVIEW = "in_review"
    ON_HOLD = "on_hold"
    AWAITING_FULFILMENT = "awaiting_fulfilment"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


class FulfilledBy(str, Enum):
    MERCHANT = "merchant"
    STORE = "store"  # Fulfilled by TikTok (FBT): "Fulfilled By: Store" in the order list


class LineStatus(str, Enum):
    OPEN = "open"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


# TikTok holds an order in its remorse window (ON_HOLD) and before payment (UNPAID): no shipping.
HELD_BY_TIKTOK = frozenset({"ON_HOLD", "UNPAID"})
OPEN_STATUSES = (OrderStatus.IN_REVIEW, OrderStatus.ON_HOLD, OrderStatus.AWAITING_FULFILMENT)


@dataclass(slots=True)
class BundleComponent:
    """One listing inside a virtual bundle line: `quantity` units of it make up one bundle.

    TikTok sends a virtual bundle (a "combined listing" made in Seller Center) as one line item
    whose `combined_listing_skus[]{sku_id, sku_count, product_id, seller_sku}` name the listings
    it is made of (Get Order Detail/Get Order List 202309; changelog "Virtual bundles are now
    available in order details"). The components, not the bundle, are what the seller maps to
    products and what leaves stock.
    """

    seller_sku: str
    sku_id: str = ""
    product_id: str = ""
    quantity: int = 1
    product_sku: str | None = None


class OrderLine:
    def __init__(
        self,
        *,
        id: str,
        tiktok_line_item_id: str,
        seller_sku: str,
        sku_id: str = "",
        product_sku: str | None = None,
        quantity: int = 1,
        status: LineStatus = LineStatus.OPEN,
        sale_price: Decimal = Decimal("0"),
        product_name: str = "",
        components: list[BundleComponent] | None = None,
    ) -> None:
        if quantity != 1:
            raise OrderLineQuantityIsOne(quantity)
        self.id = id
        self.tiktok_line_item_id = tiktok_line_item_id
        self.seller_sku = seller_sku
        self.sku_id = sku_id
        self.product_sku = product_sku
        self.quantity = quantity
        self.status = status
        self.sale_price = sale_price
        self.product_name = product_name  # TikTok's product (and SKU) name, for people to read
        self.stock_released = False
        # A virtual bundle: one unit the buyer bought, made of these listings (empty otherwise).
        self.components = list(components or [])

    @property
    def is_live(self) -> bool:
        return self.status is not LineStatus.CANCELLED

    @property
    def is_bundle(self) -> bool:
        return bool(self.components)

    @property
    def listing_skus(self) -> list[str]:
        """The listings this line is sold as: its components for a bundle, else its own SKU."""
        return [c.seller_sku for c in self.components] if self.components else [self.seller_sku]

    @property
    def unmapped_listings(self) -> list[str]:
        if self.components:
            return [c.seller_sku for c in self.components if c.product_sku is None]
        return [self.seller_sku] if self.product_sku is None else []

    @property
    def is_mapped(self) -> bool:
        return not self.unmapped_listings

    def stock_units(self) -> dict[str, int]:
        """Units of each product that leave stock with this line (a bundle: all its components)."""
        if not self.components:
            return {} if self.product_sku is None else {self.product_sku: self.quantity}
        units: dict[str, int] = {}
        for component in self.components:
            if component.product_sku is not None:
                units[component.product_sku] = units.get(component.product_sku, 0) + component.quantity
        return units

    def map_listing(self, seller_sku: str, product_sku: str | None) -> bool:
        """Map (or unmap) this listing wherever this line holds it; True if anything changed."""
        changed = False
        if self.components:
            for component in self.components:
                if component.seller_sku == seller_sku and component.product_sku != product_sku:
                    component.product_sku = product_sku
                    changed = True
        elif self.seller_sku == seller_sku and self.product_sku != product_sku:
            self.product_sku = product_sku
            changed = True
        return changed

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OrderLine) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"<OrderLine {self.id} {self.seller_sku} {self.status.value}>"


@dataclass(frozen=True, slots=True)
class Shipment:
    package_id: str
    line_ids: tuple[str, ...]
    warehouse_id: str
    carrier: str
    tracking_number: str
    shipped_at: datetime


class Order:
    def __init__(
        self,
        *,
        id: str,
        store_id: str,
        tiktok_order_id: str,
        fulfilled_by: FulfilledBy,
        lines: list[OrderLine],
        tiktok_status: str = "AWAITING_SHIPMENT",
        tiktok_update_time: int = 0,
        created_at: datetime,
        address: Address = Address(),
        delivery_option_id: str = "",
        currency: str = "USD",
        warehouse_id: str | None = None,
        split_index: int = 0,
        parent_order_id: str | None = None,
        cancellation_request: CancellationRequest | None = None,
    ) -> None:
        self.id = id
        self.store_id = store_id
        self.tiktok_order_id = tiktok_order_id
        self.fulfilled_by = fulfilled_by
        self.lines = list(lines)
        self.tiktok_status = tiktok_status
        self.tiktok_update_time = tiktok_update_time
        self.created_at = created_at
        self.address = address
        self.delivery_option_id = delivery_option_id
        self.currency = currency
        self.warehouse_id = warehouse_id
        self.split_index = split_index
        self.parent_order_id = parent_order_id
        # The buyer's latest request to cancel, which the seller must answer (None: never asked).
        self.cancellation_request = cancellation_request
        self.shipments: list[Shipment] = []
        self.status = OrderStatus.IN_REVIEW
        self.refresh_status()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Order) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"<Order {self.id} tiktok={self.tiktok_order_id} {self.status.value}>"

    @property
    def is_fbt(self) -> bool:
        return self.fulfilled_by is FulfilledBy.STORE

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def live_lines(self) -> list[OrderLine]:
        return [line for line in self.lines if line.is_live]

    @property
    def open_lines(self) -> list[OrderLine]:
        return [line for line in self.lines if line.status is LineStatus.OPEN]

    @property
    def unmapped_skus(self) -> list[str]:
        return sorted({sku for line in self.live_lines for sku in line.unmapped_listings})

    def find_line(self, ref: str) -> OrderLine | None:
        return next((l for l in self.lines if ref in (l.id, l.tiktok_line_item_id)), None)

    def pick_open_lines(self, refs: list[str], action: str) -> list[OrderLine]:
        if not refs:
            raise NoLinesChosen(action)
        picked = [self.find_line(ref) for ref in refs]
        unknown = [ref for ref, line in zip(refs, picked) if line is None or line.status is not LineStatus.OPEN]
        if unknown:
            raise UnknownLines(unknown)
        return list(dict.fromkeys(line for line in picked if line is not None))

    def refresh_status(self) -> None:
        live = self.live_lines
        if not live or self.tiktok_status == "CANCELLED":
            for line in self.open_lines:
                line.status = LineStatus.CANCELLED
            self.status = OrderStatus.CANCELLED
        elif self.unmapped_skus:
            self.status = OrderStatus.IN_REVIEW
        elif self.is_fbt or all(line.status is LineStatus.SHIPPED for line in live):
            # TikTok ships FBT orders itself: once mapped, every unit counts as gone (R11).
            for line in self.open_lines:
                line.status = LineStatus.SHIPPED
            self.status = OrderStatus.SHIPPED
        elif self.tiktok_status in HELD_BY_TIKTOK:
            self.status = OrderStatus.ON_HOLD
        else:
            self.status = OrderStatus.AWAITING_FULFILMENT

    def _ensure_actionable(self, action: str) -> None:
        if self.is_fbt:
            raise FbtOrderNotActionable(action)
        if not self.is_open:
            raise OrderNotOpen(action, self.status.value)

    def map_listing(self, seller_sku: str, product_sku: str | None) -> bool:
        """Map (or unmap, with None) every live line of this listing; True if anything changed.

        Unmapping only touches open merchant orders: shipped and FBT orders keep their history.
        """
        if product_sku is None and (self.is_fbt or not self.is_open):
            return False
        changed = False
        # Unmapping never rewrites history: a line already shipped keeps the product it was sold as.
        lines = self.open_lines if product_sku is None else self.live_lines
        for line in lines:
            changed = line.map_listing(seller_sku, product_sku) or changed
        if changed:
            self.refresh_status()
        return changed

    def lines_to_split_off(self, refs: list[str], *, by_sku_only: bool) -> list[OrderLine]:
        """The lines a split would move, checked but not moved (TikTok may have to agree first)."""
        self._ensure_actionable("split")
        moving = self.pick_open_lines(refs, "split off")
        staying = [line for line in self.live_lines if line not in moving]
        if not staying:
            raise SplitMustLeaveLinesOnEachPart()
        if by_sku_only:
            for line in moving:
                if any(other.sku_id == line.sku_id for other in staying):
                    raise SplitBelowSkuLevel(line.seller_sku)
        return moving

    def split(self, refs: list[str], *, new_order_id: str, split_index: int, by_sku_only: bool) -> "Order":
        moving = self.lines_to_split_off(refs, by_sku_only=by_sku_only)
        self.lines = [line for line in self.lines if line not in moving]
        part = Order(
            id=new_order_id,
            store_id=self.store_id,
            tiktok_order_id=self.tiktok_order_id,
            fulfilled_by=self.fulfilled_by,
            lines=moving,
            tiktok_status=self.tiktok_status,
            tiktok_update_time=self.tiktok_update_time,
            created_at=self.created_at,
            address=self.address,
            delivery_option_id=self.delivery_option_id,
            currency=self.currency,
            warehouse_id=self.warehouse_id,
            split_index=split_index,
            parent_order_id=self.parent_order_id or self.id,
            cancellation_request=self.cancellation_request,
        )
        self.refresh_status()
        return part

    def assign_warehouse(self, warehouse: Warehouse) -> None:
        self._ensure_actionable("route")
        if warehouse.is_fbt:
            raise MerchantOrderCannotUseFbtWarehouse(warehouse.name)
        self.warehouse_id = warehouse.id

    def lines_to_ship(self) -> list[OrderLine]:
        self._ensure_actionable("ship")
        if self.status is OrderStatus.ON_HOLD:
            raise OnHoldOrderCannotBeShipped(self.tiktok_status)
        if self.status is OrderStatus.IN_REVIEW:
            raise InReviewOrderCannotBeShipped(self.unmapped_skus)
        if self.warehouse_id is None:
            raise WarehouseRequiredToShip()
        return self.open_lines

    def record_shipment(self, shipment: Shipment) -> None:
        for line in self.open_lines:  # a line cancelled meanwhile stays cancelled
            if line.id in shipment.line_ids:
                line.status = LineStatus.SHIPPED
        self.shipments.append(shipment)
        self.refresh_status()

    @property
    def has_pending_cancellation_request(self) -> bool:
        return self.cancellation_request is not None and self.cancellation_request.is_pending

    def approve_cancellation_request(self, cancel_id: str) -> None:
        """TikTok accepted the seller's approval: what the buyer asked to cancel is cancelled
        (the lines TikTok named, else every open line)."""
        request = self.cancellation_request or CancellationRequest(RequestStatus.PENDING)
        wanted = set(request.line_item_ids)
        self.cancellation_request = replace(request, status=RequestStatus.APPROVED, cancel_id=cancel_id)
        self.cancel_lines([l for l in self.open_lines if not wanted or l.tiktok_line_item_id in wanted])

    def reject_cancellation_request(self, cancel_id: str, reason: str) -> None:
        """TikTok accepted the seller's rejection (`reason`, or "shipped" when shipping rejected it)."""
        request = self.cancellation_request or CancellationRequest(RequestStatus.PENDING)
        self.cancellation_request = replace(request, status=RequestStatus.REJECTED, cancel_id=cancel_id or request.cancel_id,
                                            decision=reason)

    def cancel_lines(self, lines: list[OrderLine]) -> None:
        for line in lines:
            line.status = LineStatus.CANCELLED
        self.refresh_status()

    def settle_fbt_stock(self, now: datetime) -> list[StockMovement]:
        """FBT stock follows the order: units leave once it is Shipped (R15), and a unit whose line
        TikTok cancels afterwards comes back. Each happens at most once per line. A virtual bundle
        moves its components: one movement per product, of as many units as the bundle holds."""
        if not self.is_fbt or self.warehouse_id is None:
            return []
        moved = []
        for line in self.lines:
            if not line.is_mapped:
                continue
            if line.status is LineStatus.SHIPPED and not line.stock_released and self.status is OrderStatus.SHIPPED:
                line.stock_released = True
                moved += [self._movement(line, sku, -n, "fbt_sale", now) for sku, n in line.stock_units().items()]
            elif line.status is LineStatus.CANCELLED and line.stock_released:
                line.stock_released = False
                moved += [self._movement(line, sku, +n, "fbt_cancel", now) for sku, n in line.stock_units().items()]
        return moved

    def _movement(self, line: OrderLine, product_sku: str, quantity: int, reason: str, now: datetime) -> StockMovement:
        assert self.warehouse_id is not None
        return StockMovement(
            warehouse_id=self.warehouse_id,
            product_sku=product_sku,
            quantity=quantity,
            order_id=self.id,
            line_id=line.id,
            reason=reason,
            at=now,
        )
