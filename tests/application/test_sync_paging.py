from datetime import timedelta

import pytest

from adapters.sandbox.inprocess import InProcessTikTokShop
from adapters.sandbox.model import TikTokShopModel
from application.errors import TikTokUnavailable
from application.ports import OrderPage
from domain.orders import OrderStatus
from domain.stores import Connection
from tests.application.world import AUTHORIZE_URL, World

ORDERS = 250


class CrashingTikTokShop(InProcessTikTokShop):
    """TikTok's gateway that serves `pages` search pages, then fails like a dropped connection."""

    def __init__(self, model: TikTokShopModel, *, pages: int) -> None:
        super().__init__(model, authorize_url=AUTHORIZE_URL)
        self.pages_left = pages

    def search_orders(self, conn: Connection, **kwargs: object) -> OrderPage:  # type: ignore[override]
        if self.pages_left == 0:
            raise TikTokUnavailable("connection reset by peer")
        self.pages_left -= 1
        return super().search_orders(conn, **kwargs)  # type: ignore[arg-type]


def a_busy_store(world: World) -> None:
    store = world.ready()
    for n in range(ORDERS):
        world.place(store, [("tee-red-l", 1 + n % 2)])
        world.clock.advance(timedelta(seconds=n % 3))


def snapshot(world: World) -> list[tuple[str, str, int]]:
    return sorted((o.tiktok_order_id, o.status.value, len(o.lines)) for o in world.db.orders.values())


@pytest.fixture
def uninterrupted() -> list[tuple[str, str, int]]:
    world = World()
    a_busy_store(world)
    world.sync()
    return snapshot(world)


class TestSyncPaging:
    def test_more_orders_than_a_page_holds_are_read_page_by_page(self, world: World) -> None:
        a_busy_store(world)

        summary = world.sync()

        assert (summary.pages, summary.new) == (3, ORDERS)
        assert len(world.db.orders) == ORDERS and len({o.tiktok_order_id for o in world.db.orders.values()}) == ORDERS
        assert world.calls("search") == 3
        assert not world.db.checkpoints[world.store().id].in_flight

    def test_each_page_commits_with_the_checkpoint_so_a_crash_keeps_what_was_read(self, world: World) -> None:
        a_busy_store(world)
        world.tiktok = CrashingTikTokShop(world.model, pages=2)

        with pytest.raises(TikTokUnavailable):
            world.sync()

        checkpoint = world.db.checkpoints[world.store().id]
        assert len(world.db.orders) == 200
        assert checkpoint.in_flight and checkpoint.page_token is not None

    def test_a_sync_after_a_crash_resumes_at_the_next_page_and_matches_an_uninterrupted_run(
        self, world: World, uninterrupted: list[tuple[str, str, int]]
    ) -> None:
        a_busy_store(world)
        world.tiktok = CrashingTikTokShop(world.model, pages=2)
        with pytest.raises(TikTokUnavailable):
            world.sync()
        world.tiktok = InProcessTikTokShop(world.model, authorize_url=AUTHORIZE_URL)
        world.clock.advance(timedelta(minutes=1))

        summary = world.sync()

        assert (summary.pages, summary.new, summary.unchanged) == (1, 50, 0)
        assert snapshot(world) == uninterrupted
        assert not world.db.checkpoints[world.store().id].in_flight

    def test_an_expired_page_token_reads_the_window_again_from_its_start(self) -> None:
        world = World(page_token_ttl=60)
        a_busy_store(world)
        world.tiktok = CrashingTikTokShop(world.model, pages=1)
        with pytest.raises(TikTokUnavailable):
            world.sync()
        world.tiktok = InProcessTikTokShop(world.model, authorize_url=AUTHORIZE_URL)
        world.clock.advance(timedelta(minutes=5))

        summary = world.sync()

        assert (summary.pages, summary.new, summary.unchanged) == (3, 150, 100)
        assert len(world.db.orders) == ORDERS
        assert not world.db.checkpoints[world.store().id].in_flight

    def test_a_full_sync_after_a_crash_starts_over_without_duplicating(self, world: World) -> None:
        a_busy_store(world)
        world.tiktok = CrashingTikTokShop(world.model, pages=1)
        with pytest.raises(TikTokUnavailable):
            world.sync()
        world.tiktok = InProcessTikTokShop(world.model, authorize_url=AUTHORIZE_URL)

        summary = world.sync(full=True)

        assert (summary.pages, summary.new, summary.unchanged) == (3, 150, 100)
        assert len(world.db.orders) == ORDERS


class TestQuarantine:
    def test_a_malformed_order_is_set_aside_with_its_reason_while_the_rest_commits(self, world: World) -> None:
        store = world.ready()
        good = world.place(store, [("tee-red-l", 1)])
        now = world.model.now()
        world.shops[store.id].orders["576-bad"] = {
            "id": "576-bad", "status": "SHIPPED_BY_PIGEON", "create_time": now, "update_time": now,
            "line_items": [{"id": "x1", "seller_sku": "tee-red-l"}],
        }
        world.shops[store.id].orders["576-empty"] = {
            "id": "576-empty", "status": "AWAITING_SHIPMENT", "create_time": now, "update_time": now, "line_items": [],
        }

        summary = world.sync()

        assert (summary.new, summary.quarantined) == (1, 2)
        assert [o.tiktok_order_id for o in world.db.orders.values()] == [good]
        reasons = {q["tiktok_order_id"]: q["reason"] for q in world.queries.quarantined("TikTok US")}
        assert "unknown order status 'SHIPPED_BY_PIGEON'" in reasons["576-bad"]
        assert reasons["576-empty"].startswith("line_items: List should have at least 1 item")
        assert not world.db.checkpoints[store.id].in_flight

    def test_a_quarantined_order_keeps_its_raw_payload(self, world: World) -> None:
        store = world.ready()
        now = world.model.now()
        world.shops[store.id].orders["576-bad"] = {"id": "576-bad", "status": "NOPE", "update_time": now, "create_time": now,
                                                     "line_items": [{"id": "x1"}]}

        world.sync()

        (record,) = world.db.quarantine
        assert (record.store_id, record.tiktok_order_id) == (store.id, "576-bad") and '"NOPE"' in record.raw
        assert world.db.orders == {}

    def test_an_order_read_cleanly_after_being_set_aside_is_imported_and_released(self, world: World) -> None:
        store = world.ready()
        now = world.model.now()
        bad = {"id": "576-fixed", "status": "NOPE", "update_time": now, "create_time": now,
               "line_items": [{"id": "x1", "seller_sku": "tee-red-l"}]}
        world.shops[store.id].orders["576-fixed"] = bad
        world.sync()
        world.clock.advance(timedelta(minutes=1))
        bad.update(status="AWAITING_SHIPMENT", update_time=world.model.now())

        summary = world.sync()

        assert summary.new == 1 and world.db.quarantine == []
        assert [o.tiktok_order_id for o in world.db.orders.values()] == ["576-fixed"]

    def test_a_good_order_of_a_page_with_a_bad_one_is_imported_as_usual(self, world: World) -> None:
        store = world.ready()
        now = world.model.now()
        world.shops[store.id].orders["576-bad"] = {"id": "576-bad", "status": "NOPE", "update_time": now, "create_time": now,
                                                     "line_items": [{"id": "x1"}]}
        order = world.imported(store, [("mug", 1)])

        assert order.status is OrderStatus.AWAITING_FULFILMENT and len(world.db.quarantine) == 1
