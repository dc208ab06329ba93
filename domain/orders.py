from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum

from domain.addresses import Address
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

    @property
    def is_live(self) -> bool:
        return self.status is not LineStatus.CANCELLED

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
        return sorted({line.seller_sku for line in self.live_lines if line.product_sku is None})

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
            if line.seller_sku == seller_sku and line.product_sku != product_sku:
                line.product_sku = product_sku
                changed = True
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

    def cancel_lines(self, lines: list[OrderLine]) -> None:
        for line in lines:
            line.status = LineStatus.CANCELLED
        self.refresh_status()

    def settle_fbt_stock(self, now: datetime) -> list[StockMovement]:
        """FBT stock follows the order: units leave once it is Shipped (R15), and a unit whose line
        TikTok cancels afterwards comes back. Each happens at most once per line."""
        if not self.is_fbt or self.warehouse_id is None:
            return []
        moved = []
        for line in self.lines:
            if line.product_sku is None:
                continue
            if line.status is LineStatus.SHIPPED and not line.stock_released and self.status is OrderStatus.SHIPPED:
                line.stock_released = True
                moved.append(self._movement(line, -1, "fbt_sale", now))
            elif line.status is LineStatus.CANCELLED and line.stock_released:
                line.stock_released = False
                moved.append(self._movement(line, +1, "fbt_cancel", now))
        return moved

    def _movement(self, line: OrderLine, quantity: int, reason: str, now: datetime) -> StockMovement:
        assert self.warehouse_id is not None and line.product_sku is not None
        return StockMovement(
            warehouse_id=self.warehouse_id,
            product_sku=line.product_sku,
            quantity=quantity,
            order_id=self.id,
            line_id=line.id,
            reason=reason,
            at=now,
        )
