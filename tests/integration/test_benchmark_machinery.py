"""The import benchmark's machinery, end to end at a tiny size (issue 13 items 1, 4, 7, 8).

No timing is asserted here: what must hold is that the same-rows floor writes exactly the rows
`orders sync` writes, that a run of N orders imports exactly N, and that nothing is left behind.
"""

from pathlib import Path

import pytest

from benchmarks import phases, rows, run as bench
from benchmarks.floors import BareDb
from benchmarks.shop import EPOCH, SHAPES, seed_large_shop
from adapters.sandbox.app import create_app
from adapters.sandbox.server import running_sandbox
from tests.databases import Databases

N = 300


@pytest.mark.parametrize("dialect", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_tiny_run_writes_the_same_rows_as_the_sync_and_leaves_nothing(
    dialect: str, tmp_path: Path, databases: Databases
) -> None:
    if dialect == "postgresql":
        databases.postgres()  # skipped without a server (failed under CI=true)
    sqlite = dialect == "sqlite"
    report = bench.run(N, dialects=(dialect,), list_orders=200 if sqlite else 0, resync=sqlite, quarter=False,
                       isolate=False, work_parent=str(tmp_path))

    assert set(report["cases"]) == {f"{shape}/{dialect}" for shape in SHAPES}
    for name, case in report["cases"].items():
        assert case["differences"] == [], name
        sync = case["sync"]
        assert (sync["orders"], sync["new"], sync["skipped"], sync["quarantined"]) == (N, N, 0, 0), name
        assert case["same_rows"]["orders"] == case["bare"]["orders"] == N, name
        assert sync["pages"] == sync["search_calls_expected"] == 3, name
        assert sync["second_sync_new"] == 0, name
    if sqlite:
        recent = report["resync_recent"]
        assert recent["second_orders_read"] == N  # every order is in the overlap: the case item 4 is about
        assert report["order_list"]["listed"] == 200
    assert not Path(report["work"]).exists()
    assert list(tmp_path.iterdir()) == []


def test_the_work_folder_goes_on_error_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("the order list failed")

    monkeypatch.setattr(phases, "order_list", broken)
    with pytest.raises(RuntimeError, match="order list failed"):
        bench.run(N, dialects=("sqlite",), shapes=(), list_orders=10, resync=False, quarter=False, isolate=False,
                  work_parent=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_the_row_comparison_sees_a_row_the_floor_wrote_differently(tmp_path: Path) -> None:
    model = bench._model()
    shop = seed_large_shop(model, 120, shape="realistic")
    floor_db, sync_db = f"sqlite:///{tmp_path / 'floor.sqlite'}", f"sqlite:///{tmp_path / 'sync.sqlite'}"
    with running_sandbox(create_app(model, benchmark=True)) as url:
        token = model.issue_grant(shop.id, ("seller.order.info",))["access_token"]
        phases.same_rows(url, bench.APP_KEY, bench.APP_SECRET, bench.SERVICE_ID, token, shop.cipher, floor_db)
        phases.sync(url, bench.APP_KEY, bench.APP_SECRET, bench.SERVICE_ID, sync_db)
    assert rows.compare(floor_db, sync_db) == []

    db = BareDb(floor_db)
    db.begin()
    db.execute("UPDATE order_lines SET status = 'open' WHERE id = (SELECT min(id) FROM order_lines WHERE status = 'shipped')")
    db.execute("DELETE FROM order_payloads WHERE tiktok_order_id = '577000000000000007'")
    db.commit()
    db.close()
    found = rows.compare(floor_db, sync_db)
    assert "order_payloads: 119 rows against 120" in found
    assert any(d.startswith("order_lines: (") and "'open'" in d for d in found)


def test_no_seeded_order_is_dated_after_the_epoch_or_before_the_fbt_start() -> None:
    model = bench._model()
    for recent in (False, True):
        shop = seed_large_shop(model, 500, recent=recent)
        times = [(o["create_time"], o["update_time"]) for o in shop.orders.values()]
        assert all(created <= updated < EPOCH for created, updated in times)
        first_of_month = EPOCH - 27 * 86400 - 12 * 3600  # 2026-01-01 00:00 UTC
        assert all(created >= first_of_month for created, _ in times)
        if recent:
            assert all(updated >= EPOCH - 3600 for _, updated in times)
