from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StockMovement:
    """Units leaving (negative) or entering a warehouse; one per order line and product, never twice
    (a virtual bundle line moves each of its component products)."""

    warehouse_id: str
    product_sku: str
    quantity: int
    order_id: str
    line_id: str
    reason: str
    at: datetime
