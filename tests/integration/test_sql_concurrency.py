"""Two processes syncing one store at once: no duplicate rows, no lost update (R16, I-10's last line)."""

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adapters.clock import SystemClock
from adapters.persistence import tables
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from application.commands import SyncOrders
from application.handlers.sync_orders import SyncOrdersHandler
from tests.builders import a_connected_store, a_connection
from tests.integration.sync_worker import BASE_UPDATE_TIME, FeedTikTokShop, feed

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("mappers")]

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 250


def start_workers(url: str, versions: list[int], folder: Path) -> list[subprocess.Popen[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integration.sync_worker", url, "TikTok US", str(v), str(folder)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for v in versions
    ]
    deadline = time.monotonic() + 60
    while not all((folder / f"ready-{v}").exists() for v in versions):
        assert time.monotonic() < deadline and all(w.poll() is None for w in workers), [w.communicate() for w in workers]
        time.sleep(0.01)
    (folder / "go").touch()  # both are loaded and waiting: let them race
    return workers


def test_two_processes_syncing_one_store_leave_no_duplicates_and_the_newest_version_of_every_order(
    uow: SqlAlchemyUnitOfWork, database_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    store = a_connected_store(
        name="TikTok US",
        connection=a_connection(access_token_expires_at=now + timedelta(days=30), refresh_token_expires_at=now + timedelta(days=365)),
    )
    with uow:
        uow.stores.add(store)
        uow.commit()
    SyncOrdersHandler(uow, FeedTikTokShop(feed(0, ORDERS, only_even=True)), SystemClock())(SyncOrders(store=store.id))

    workers = start_workers(database_url, [1, 2], tmp_path)
    outcomes = [(w.wait(timeout=90), w.stderr.read() if w.stderr else "") for w in workers]

    assert [code for code, _ in outcomes] == [0, 0], outcomes
    fetched = [json.loads((tmp_path / f"fetched-{v}.json").read_text())["fetched"] for v in (1, 2)]
    newest = {tiktok_id: max(f.get(tiktok_id, 0) for f in fetched) for tiktok_id in fetched[0] | fetched[1]}
    with uow:
        rows = uow.session.execute(select(tables.orders.c.tiktok_order_id, tables.orders.c.tiktok_update_time)).all()
        lines = uow.session.scalar(select(func.count()).select_from(tables.order_lines))
        distinct_items = uow.session.scalar(select(func.count(tables.order_lines.c.tiktok_line_item_id.distinct())))
        payloads = dict(uow.session.execute(select(tables.order_payloads.c.tiktok_order_id, tables.order_payloads.c.update_time)).all())
    assert len(rows) == len({r.tiktok_order_id for r in rows}) == ORDERS
    assert lines == distinct_items == 3 * ORDERS  # R3: the two-unit line is two lines
    assert dict(rows) == newest == payloads  # what either worker brought in last is what was newest
    assert set(newest.values()) <= {BASE_UPDATE_TIME + 1, BASE_UPDATE_TIME + 2}
