"""One `orders sync` of a store in its own process, for the concurrency tests.

    python -m tests.integration.sync_worker URL STORE VERSION FOLDER

TikTok is a fake that serves `feed(VERSION)` page by page, whatever the window. The worker
writes FOLDER/ready-VERSION, waits for FOLDER/go, syncs, and writes what it fetched to
FOLDER/fetched-VERSION.json.
"""

import json
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from adapters.clock import SystemClock
from adapters.persistence.engine import make_engine, make_session_factory
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from application.commands import SyncOrders
from application.handlers.sync_orders import SyncOrdersHandler
from application.ports import OrderPage, TikTokShop
from domain.imports import RemoteLine, RemoteOrder
from domain.orders import FulfilledBy
from domain.stores import Connection

BASE_UPDATE_TIME = 1_800_000_000


def feed(version: int, count: int, *, only_even: bool = False) -> list[RemoteOrder]:
    """TikTok's orders as of `version`: version 2 cancels every other order."""
    orders = []
    for n in range(0, count, 2 if only_even else 1):
        status = "CANCELLED" if version == 2 and n % 2 == 0 else "AWAITING_SHIPMENT"
        lines = (
            RemoteLine(f"{n}-a", "tee", "sku-tee", status, Decimal("19.99"), quantity=2),
            RemoteLine(f"{n}-b", "mug", "sku-mug", status, Decimal("9.50")),
        )
        orders.append(
            RemoteOrder(
                tiktok_order_id=f"5760{n:06d}",
                status=status,
                fulfilled_by=FulfilledBy.MERCHANT,
                created_at=datetime(2026, 3, 1, tzinfo=UTC),
                update_time=BASE_UPDATE_TIME + version,
                lines=lines,
                raw={"id": f"5760{n:06d}", "version": version},
            )
        )
    return orders


class FeedTikTokShop(TikTokShop):
    """Serves fixed orders in pages; the page token is the offset of the next page."""

    def __init__(self, orders: list[RemoteOrder]) -> None:
        self.orders = orders
        self.fetched: dict[str, int] = {}

    def search_orders(self, conn: Connection, *, page_token: str | None, page_size: int = 100, **_: Any) -> OrderPage:
        start = int(page_token or 0)
        page = self.orders[start : start + page_size]
        self.fetched.update({o.tiktok_order_id: o.update_time for o in page})
        more = start + page_size < len(self.orders)
        return OrderPage(page, str(start + page_size) if more else None)


def main(url: str, store: str, version: int, folder: Path) -> None:
    engine = make_engine(url)
    tiktok = FeedTikTokShop(feed(version, count=250))
    sync = SyncOrdersHandler(SqlAlchemyUnitOfWork(make_session_factory(engine)), tiktok, SystemClock())
    (folder / f"ready-{version}").touch()
    deadline = time.monotonic() + 30
    while not (folder / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    summary = sync(SyncOrders(store=store))
    (folder / f"fetched-{version}.json").write_text(json.dumps({"fetched": tiktok.fetched, "pages": summary.pages}))
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))
