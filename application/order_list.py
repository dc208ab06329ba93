"""Walking the order list page by page: the filters the keyset query cannot apply itself."""

from collections.abc import Callable
from datetime import datetime

from application.ports import OrderCursor, OrderSummary

PAGE_SIZE = 500


def matching(
    page: Callable[[OrderCursor | None, int], list[OrderSummary]], *, sku: str | None = None,
    cancellation_request: str | None = None, limit: int | None = None,
) -> list[OrderSummary]:
    """Walk the order list newest first, `page(after, size)` giving the next rows after the
    cursor (the order page's keyset query, its filter already applied), and keep those with a line
    of seller SKU `sku` (exact; the page's search also matches TikTok order ids) and whose buyer's
    cancellation request is `cancellation_request`; at most `limit` (None: all)."""
    found: list[OrderSummary] = []
    after: OrderCursor | None = None
    while limit is None or len(found) < limit:
        rows = page(after, PAGE_SIZE)
        found += [
            row for row in rows
            if (sku is None or any(line["seller_sku"] == sku for line in row["lines"]))
            and (cancellation_request is None or _request_status(row) == cancellation_request)
        ]
        if len(rows) < PAGE_SIZE:
            break
        after = OrderCursor(datetime.fromisoformat(rows[-1]["created_at"]), rows[-1]["id"])
    return found if limit is None else found[:limit]


def _request_status(row: OrderSummary) -> str | None:
    request = row["cancellation_request"]
    return request["status"] if request else None
