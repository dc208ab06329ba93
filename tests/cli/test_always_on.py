"""Issue 10 on the in-memory adapter: `orders sync --all`, one sync of a store at a time, the
targeted order refresh, token upkeep, the scheduler's tick, and the in-process job queue."""

import json
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from click.testing import Result

from adapters.clock import FixedClock
from adapters.container import Container
from adapters.jobs.inprocess import InProcessJobs
from application.commands import ReceiveWebhook
from application.errors import StoreNotConnected, TikTokUnavailable
from tests.cli.test_cli import connected, ok  # noqa: F401 (the fixture)

Cli = Callable[..., Result]


class RecordedJobs:
    def __init__(self) -> None:
        self.asked: list[tuple[str, ...]] = []

    def sync_store_soon(self, store_id: str) -> None:
        self.asked.append(("sync", store_id))

    def refresh_order_soon(self, store_id: str, tiktok_order_id: str) -> None:
        self.asked.append(("refresh", store_id, tiktok_order_id))


def connect_second_store(cli: Cli, container: Container, name: str = "Shop Two") -> str:
    shop = container.tiktok_model().add_shop("Second Shop", region="US")
    ok(cli("stores", "create", "--name", name))
    begun = json.loads(ok(cli("stores", "authorize", name, "--no-wait", "--json")).stdout)
    redirect = container.tiktok_model().approve(begun["authorization_url"], "http://127.0.0.1:8765/callback",
                                                shop_id=shop.id)
    ok(cli("stores", "connect", name, "--redirect-url", redirect))
    return shop.id


def store_id(container: Container, name: str) -> str:
    return str(container.queries().store(name)["id"])


class TestSyncAll:
    def test_every_connected_store_once_one_line_each(self, cli: Cli, container: Container, connected: str) -> None:
        second = connect_second_store(cli, container)
        container.tiktok_model().place_order(units=[("tee", 1)])
        container.tiktok_model().place_order(second, units=[("mug", 2)])
        ok(cli("stores", "create", "--name", "Never Connected"))

        result = ok(cli("orders", "sync", "--all"))

        lines = result.stdout.strip().splitlines()
        assert lines[0].startswith("Shop Two: synced: 1 new") and lines[1].startswith("Shop US: synced: 1 new")
        assert lines[2].startswith("Never Connected: not connected")
        assert len(lines) == 3

    def test_the_exit_code_is_the_worst_stores(self, cli: Cli, container: Container, connected: str) -> None:
        second = connect_second_store(cli, container)
        container.tiktok_model().revoke(second)
        container.tiktok_model().expire_access_tokens()

        result = cli("orders", "sync", "--all", "--json")

        assert result.exit_code == 4, result.output
        rows = {row["store"]: row for row in json.loads(result.stdout)}
        assert rows["Shop US"]["outcome"] == "synced" and rows["Shop US"]["exit_code"] == 0
        assert rows["Shop Two"]["outcome"] == "re-authorize" and "authorize" in rows["Shop Two"]["message"]

    def test_a_store_or_all_but_not_both(self, cli: Cli, connected: str) -> None:
        assert cli("orders", "sync").exit_code == 2
        assert cli("orders", "sync", "Shop US", "--all").exit_code == 2


class TestOneSyncAtATime:
    def test_a_second_sync_of_a_store_says_so_and_imports_nothing(self, cli: Cli, container: Container, connected: str) -> None:
        container.tiktok_model().place_order(units=[("tee", 1)])
        with container.sync_guard().hold(store_id(container, connected)):
            result = cli("orders", "sync", connected)
        assert result.exit_code == 1
        assert "another sync of store 'Shop US' is running" in result.stderr
        assert "synced" not in result.stdout
        assert container.queries().orders() == []

    def test_in_sync_all_it_is_a_failed_line_not_partial_counts(self, cli: Cli, container: Container, connected: str) -> None:
        container.tiktok_model().place_order(units=[("tee", 1)])
        with container.sync_guard().hold(store_id(container, connected)):
            result = cli("orders", "sync", "--all")
        assert result.exit_code == 1
        assert result.stdout.strip() == "Shop US: not synced: another sync of this store is running"


class TestRefreshAndUpkeep:
    def test_a_webhook_refreshes_the_order_from_get_order_detail(self, cli: Cli, container: Container, connected: str) -> None:
        model = container.tiktok_model()
        placed = model.place_order(units=[("tee", 1)])
        ok(cli("orders", "sync", connected))
        model.buyer_cancels(placed["id"])
        jobs = RecordedJobs()
        sid = store_id(container, connected)
        with container.jobs.override(jobs):
            shop_id = container.queries().store(connected)["shop"]["id"]
            now = int(container.clock().now().timestamp())
            container.receive_webhook()(ReceiveWebhook(
                notification_id="n1", type=1, shop_id=shop_id, timestamp=now,
                data={"order_id": placed["id"], "order_status": "CANCEL"}, raw="{}"))
        assert jobs.asked == [("refresh", sid, placed["id"])]

        outcome = container.refresh_order()(sid, placed["id"])

        assert "1 updated" in outcome
        shown = json.loads(ok(cli("orders", "show", placed["id"], "--json")).stdout)
        assert shown["tiktok_status"] == "CANCELLED"
        with container.uow() as uow:
            assert uow.refresh_requests.pending() == []

    def test_token_upkeep_refreshes_before_expiry_without_a_sync(self, cli: Cli, container: Container, connected: str) -> None:
        clock = container.clock()
        assert isinstance(clock, FixedClock)
        before = container.queries().store(connected)["access_token_expires_at"]
        clock.advance(timedelta(days=6, hours=1))  # within a day of the 7-day access token's end

        results = container.keep_tokens_fresh()()

        assert [(r.store, r.outcome) for r in results] == [("Shop US", "ok")]
        assert container.queries().store(connected)["access_token_expires_at"] > before
        assert ("token_refresh", "") in container.tiktok_model().calls

    def test_a_refused_refresh_disconnects_the_store_with_the_reason(self, cli: Cli, container: Container, connected: str) -> None:
        container.tiktok_model().revoke(container.queries().store(connected)["shop"]["id"])
        container.clock().advance(timedelta(days=6, hours=1))

        results = container.keep_tokens_fresh()()

        assert results[0].outcome.startswith("disconnected")
        shown = container.queries().store(connected)
        assert shown["status"] == "disconnected" and "refused to refresh" in shown["status_reason"]

    def test_an_authorization_near_its_end_is_a_warning_in_stores_show_and_list(self, cli: Cli, container: Container,
                                                                                connected: str) -> None:
        from dataclasses import replace

        ends = container.clock().now() + timedelta(days=25)
        with container.uow() as uow:  # the seller granted access for a shorter time
            store = uow.stores.by_name(connected)
            assert store is not None and store.connection is not None
            store.connection = replace(store.connection, refresh_token_expires_at=ends)
            uow.commit()
        container.keep_tokens_fresh()()
        shown = ok(cli("stores", "show", connected)).stdout
        assert f"warning:    TikTok authorization ends on {ends.date().isoformat()}" in shown
        assert "authorization ends" in ok(cli("stores", "list")).stdout


class TestScheduleTick:
    def test_connected_stores_due_are_asked_for_and_fresh_ones_are_not(self, cli: Cli, container: Container,
                                                                       connected: str) -> None:
        jobs = RecordedJobs()
        with container.jobs.override(jobs):
            assert container.schedule_syncs()() == [store_id(container, connected)]  # never synced
            ok(cli("orders", "sync", connected))
            assert container.schedule_syncs()() == []  # just synced
            container.clock().advance(timedelta(seconds=container.settings().sync_interval_seconds))
            assert container.schedule_syncs()() == [store_id(container, connected)]
        assert jobs.asked == [("sync", store_id(container, connected))] * 2


class TestInProcessQueue:
    def _jobs(self, **work: Callable[..., object]) -> InProcessJobs:
        nothing = lambda *args: None  # noqa: E731
        jobs = InProcessJobs(run_sync=work.get("sync", nothing), run_refresh=work.get("refresh", nothing),
                             tick=nothing, upkeep=nothing, tick_seconds=3600, upkeep_seconds=3600, workers=3)
        jobs.start(periodic=False)
        return jobs

    def test_one_job_of_a_store_at_a_time_and_at_most_one_waiting(self) -> None:
        started = threading.Event()
        release = threading.Event()
        runs: list[str] = []
        running = 0
        most = 0
        lock = threading.Lock()

        def sync(store_id: str, should_stop: Callable[[], bool]) -> None:
            nonlocal running, most
            with lock:
                running += 1
                most = max(most, running)
                runs.append(store_id)
            started.set()
            release.wait(10)
            with lock:
                running -= 1

        jobs = self._jobs(sync=sync)
        try:
            jobs.sync_store_soon("a")
            assert started.wait(10)
            for _ in range(5):  # while one runs: one waits, the rest are dropped
                jobs.sync_store_soon("a")
            jobs.refresh_order_soon("a", "o1")  # same store: waits for the sync
            release.set()
        finally:
            deadline = time.monotonic() + 10
            while len(runs) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            jobs.stop()
        assert runs == ["a", "a"]
        assert most == 1

    def test_transient_failures_retry_with_backoff_and_reauthorize_does_not(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import adapters.jobs.inprocess as inprocess

        monkeypatch.setattr(inprocess, "RETRY_BASE_SECONDS", 0.01)
        attempts: dict[str, int] = {"flaky": 0, "gone": 0}
        done = threading.Event()

        def refresh(store_id: str, order_id: str) -> str:
            attempts[store_id] += 1
            if store_id == "gone":
                raise StoreNotConnected("gone")
            if attempts["flaky"] < 3:
                raise TikTokUnavailable("TikTok is busy")
            done.set()
            return "ok"

        jobs = self._jobs(refresh=refresh)
        try:
            jobs.refresh_order_soon("gone", "o")
            jobs.refresh_order_soon("flaky", "o")
            assert done.wait(10)
        finally:
            jobs.stop()
        assert attempts == {"flaky": 3, "gone": 1}
