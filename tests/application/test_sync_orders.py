from datetime import timedelta

from application.commands import CreateWarehouse, MapListing
from domain.orders import FulfilledBy, LineStatus, OrderStatus
from tests.application.world import World


class TestSyncOrders:
    def test_merchant_orders_are_imported_one_line_per_unit(self, world: World) -> None:
        store = world.ready()
        tiktok_id = world.place(store, [("tee-red-l", 2), ("mug", 1)])

        summary = world.sync()

        (order,) = world.parts(tiktok_id)
        remote = world.model.find_order(tiktok_id)
        assert (summary.new, summary.pages, summary.in_review) == (1, 1, 0)
        assert (order.store_id, order.fulfilled_by, order.status) == (store.id, FulfilledBy.MERCHANT, OrderStatus.AWAITING_FULFILMENT)
        assert [line.tiktok_line_item_id for line in order.lines] == [item["id"] for item in remote["line_items"]]
        assert [(line.seller_sku, line.product_sku, line.quantity) for line in order.lines] == [
            ("tee-red-l", "TEE-RED-L", 1), ("tee-red-l", "TEE-RED-L", 1), ("mug", "MUG", 1),
        ]
        assert order.address.is_complete

    def test_importing_again_never_duplicates_an_order_or_a_line(self, world: World) -> None:
        store = world.ready()
        world.place(store, [("tee-red-l", 2)])
        world.place(store, [("mug", 1)])
        world.sync()

        summary = world.sync(full=True)

        assert (summary.new, summary.updated, summary.unchanged) == (0, 0, 2)
        assert len(world.db.orders) == 2
        assert sum(len(o.lines) for o in world.db.orders.values()) == 3

    def test_merchant_orders_go_to_the_stores_default_warehouse(self, world: World) -> None:
        east = world.create_warehouse(CreateWarehouse(name="East"))
        without = world.connected_store("TikTok US")
        routed = world.connected_store("TikTok US 2", default_warehouse="East")

        first, second = world.imported(without, [("tee-red-l", 1)]), world.imported(routed, [("tee-red-l", 1)])

        assert (first.warehouse_id, second.warehouse_id) == (None, east)

    def test_an_order_with_an_unknown_listing_stays_in_review_and_registers_the_listing(self, world: World) -> None:
        store = world.ready()

        order = world.imported(store, [("tee-red-l", 1), ("hat-blue", 1)])

        assert order.status is OrderStatus.IN_REVIEW
        assert world.queries.listings("TikTok US", unmapped=True) == [
            {"store_id": store.id, "seller_sku": "hat-blue", "product_sku": None, "mapped": False}
        ]

    def test_a_new_listing_on_a_known_order_is_registered_too(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1)])
        remote = world.model.find_order(order.tiktok_order_id)
        remote["line_items"].append({**remote["line_items"][0], "id": "576999", "seller_sku": "scarf", "sku_id": "sku-scarf"})
        world.clock.advance(timedelta(seconds=5))
        remote["update_time"] = world.model.now()

        world.sync()

        saved = world.order(order.id)
        assert [line.seller_sku for line in saved.lines] == ["tee-red-l", "scarf"]
        assert saved.status is OrderStatus.IN_REVIEW
        assert [l["seller_sku"] for l in world.queries.listings("TikTok US", unmapped=True)] == ["scarf"]

    def test_an_order_tiktok_holds_is_imported_on_hold_without_an_address(self, world: World) -> None:
        store = world.ready()

        order = world.imported(store, [("tee-red-l", 1)], status="ON_HOLD")

        assert order.status is OrderStatus.ON_HOLD and order.address.is_empty

    def test_a_later_sync_rereads_two_hours_before_the_last_one_and_no_further(self, world: World) -> None:
        store = world.ready()
        world.place(store, [("tee-red-l", 1)])
        world.clock.advance(timedelta(hours=3))
        world.sync()
        world.place(store, [("mug", 1)])
        world.clock.advance(timedelta(hours=1))
        world.place(store, [("mug", 2)])

        summary = world.sync()

        assert (summary.new, summary.unchanged) == (2, 0)
        assert len(world.db.orders) == 3
        checkpoint = world.db.checkpoints[store.id]
        assert checkpoint.cursor == int(world.clock.now().timestamp()) + 1 and not checkpoint.in_flight


class TestChangesMadeOnTikTok:
    def test_a_buyer_cancellation_reaches_the_order_on_the_next_sync(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 2)])
        world.clock.advance(timedelta(minutes=5))
        world.model.buyer_cancels(order.tiktok_order_id)

        summary = world.sync()

        saved = world.order(order.id)
        assert summary.updated == 1
        assert saved.status is OrderStatus.CANCELLED and {l.status for l in saved.lines} == {LineStatus.CANCELLED}

    def test_a_shipment_made_elsewhere_ships_the_order(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)])
        world.clock.advance(timedelta(minutes=5))
        world.model.shipped_elsewhere(order.tiktok_order_id)

        world.sync()

        saved = world.order(order.id)
        assert saved.status is OrderStatus.SHIPPED and {l.status for l in saved.lines} == {LineStatus.SHIPPED}

    def test_an_address_released_after_the_hold_reaches_the_order(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1)], status="ON_HOLD")
        world.clock.advance(timedelta(hours=1))
        world.model.release_hold(order.tiktok_order_id)

        world.sync()

        saved = world.order(order.id)
        assert saved.status is OrderStatus.AWAITING_FULFILMENT
        assert saved.address.is_complete and saved.address.city == "Culver City"


class TestFbtImport:
    def test_a_store_with_fbt_import_off_imports_no_fbt_order(self, world: World) -> None:
        store = world.ready()
        world.place(store, [("tee-red-l", 1)], fbt=True)

        summary = world.sync()

        assert (summary.skipped, summary.new) == (1, 0) and world.db.orders == {}

    def test_enabling_fbt_import_brings_in_the_fbt_orders_earlier_syncs_skipped(self, world: World) -> None:
        store = world.ready()
        skipped = world.place(store, [("tee-red-l", 1)], fbt=True)
        world.sync()
        world.clock.advance(timedelta(hours=3))
        world.sync()

        world.with_fbt_import(start=world.clock.now().date().replace(day=1))
        summary = world.sync()

        assert summary.new == 1 and [o.status for o in world.parts(skipped)] == [OrderStatus.SHIPPED]

    def test_fbt_orders_are_imported_shipped_into_the_fbt_warehouse_and_leave_its_stock(self, world: World) -> None:
        store = world.ready()
        fbt_warehouse = world.with_fbt_import()

        order = world.imported(store, [("tee-red-l", 2)], fbt=True)

        assert (order.fulfilled_by, order.warehouse_id, order.status) == (FulfilledBy.STORE, fbt_warehouse, OrderStatus.SHIPPED)
        assert [(m.warehouse_id, m.product_sku, m.quantity) for m in world.db.movements] == [(fbt_warehouse, "TEE-RED-L", -1)] * 2

    def test_fbt_orders_created_before_the_start_date_are_not_imported(self, world: World) -> None:
        store = world.ready()
        world.with_fbt_import(start=world.clock.now().date())
        yesterday = int((world.clock.now() - timedelta(days=1)).timestamp())
        world.place(store, [("tee-red-l", 1)], fbt=True, created=yesterday)
        world.place(store, [("tee-red-l", 1)], fbt=True)

        summary = world.sync()

        assert (summary.skipped, summary.new) == (1, 1) and len(world.db.orders) == 1

    def test_an_fbt_order_with_an_unmapped_listing_waits_in_review_then_ships_when_mapped(self, world: World) -> None:
        store = world.ready()
        world.with_fbt_import()
        order = world.imported(store, [("scarf", 1)], fbt=True)
        assert order.status is OrderStatus.IN_REVIEW and world.db.movements == []

        world.mapped("TikTok US", "scarf", "SCARF")

        assert world.order(order.id).status is OrderStatus.SHIPPED
        assert [m.product_sku for m in world.db.movements] == ["SCARF"]

    def test_an_fbt_order_the_buyer_cancels_on_tiktok_gives_its_units_back(self, world: World) -> None:
        store = world.ready()
        world.with_fbt_import()
        order = world.imported(store, [("tee-red-l", 2)], fbt=True)
        world.clock.advance(timedelta(minutes=5))
        world.model.buyer_cancels(order.tiktok_order_id)

        world.sync()

        assert world.order(order.id).status is OrderStatus.CANCELLED
        assert sorted(m.quantity for m in world.db.movements) == [-1, -1, 1, 1]
        assert world.queries.sales()["fbt_stock"][0]["quantity"] == 0

    def test_syncing_an_fbt_order_again_releases_its_stock_only_once(self, world: World) -> None:
        store = world.ready()
        world.with_fbt_import()
        world.imported(store, [("mug", 1)], fbt=True)
        world.clock.advance(timedelta(minutes=1))
        world.map_listing(MapListing(store="TikTok US", seller_sku="mug", product="MUG"))

        world.sync(full=True)

        assert len(world.db.movements) == 1
