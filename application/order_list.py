"""Walking the order list page by page (the order page's keyset query) up to a limit."""

from collections.abc import Callable
from datetime import datetime

from application.ports import OrderCursor, OrderSummary

PAGE_SIZE = 500


def matching(page: Callable[[OrderCursor | None, int], list[OrderSummary]], *, limit: int | None = None,
             ) -> list[OrderSummary]:
    """Walk the order list newest first, `page(after, size)` giving the next rows after the
    cursor (the order page's keyset query with every filter applied in it), at most `limit`
    rows (None: all)."""
    found: list[OrderSummary] = []
    after: OrderCursor | None = None
    while limit is None or len(found) < limit:
        size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - len(found))
        rows = page(after, size)
        found += rows
        if len(rows) < size:
            break
        after = OrderCursor(datetime.fromisoformat(rows[-1]["created_at"]), rows[-1]["id"])
    return found
