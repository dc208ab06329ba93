from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StockMovement:
    """Units leaving (negative) or entering a warehouse; one per order line, never twice."""

    warehouse_id: str
    product_sku: str
    quantity: int
    order_id: str
    line_id: str
    reason: str
    at: datetime
