from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from domain.inventory import StockMovement
from domain.orders import Order, OrderStatus


@dataclass(frozen=True, slots=True)
class SalesRow:
    store_id: str
    fulfilled_by: str
    orders: int
    units: int
    revenue: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class StockRow:
    warehouse_id: str
    product_sku: str
    quantity: int


def sales_by_store_and_fulfiller(orders: Iterable[Order]) -> list[SalesRow]:
    """R15: units and revenue of every order not cancelled, by store and by who fulfils."""
    units: dict[tuple[str, str, str], int] = {}
    revenue: dict[tuple[str, str, str], Decimal] = {}
    seen: dict[tuple[str, str, str], set[str]] = {}
    for order in orders:
        if order.status is OrderStatus.CANCELLED:
            continue
        key = (order.store_id, order.fulfilled_by.value, order.currency)
        seen.setdefault(key, set()).add(order.tiktok_order_id)
        for line in order.live_lines:
            units[key] = units.get(key, 0) + line.quantity
            revenue[key] = revenue.get(key, Decimal("0")) + line.sale_price
    return [
        SalesRow(store, by, len(tiktok_ids), units.get((store, by, cur), 0), revenue.get((store, by, cur), Decimal("0")), cur)
        for (store, by, cur), tiktok_ids in sorted(seen.items())
    ]


def stock_by_warehouse(movements: Iterable[StockMovement]) -> list[StockRow]:
    net: dict[tuple[str, str], int] = {}
    for move in movements:
        key = (move.warehouse_id, move.product_sku)
        net[key] = net.get(key, 0) + move.quantity
    return [StockRow(w, sku, qty) for (w, sku), qty in sorted(net.items())]
