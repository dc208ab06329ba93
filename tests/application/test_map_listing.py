from datetime import timedelta

import pytest

from application.commands import AddProduct, MapListing, UnmapListing
from application.errors import NotFound
from domain.orders import LineStatus, OrderStatus
from tests.application.world import World


class TestMapListing:
    def test_mapping_the_last_listing_moves_a_merchant_order_to_awaiting_fulfilment(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1), ("hat", 2)])
        world.add_product(AddProduct(sku="HAT", name="Hat"))

        result = world.map_listing(MapListing(store="TikTok US", seller_sku="hat", product="HAT"))

        saved = world.order(order.id)
        assert (result.orders_changed, result.stock_movements) == (1, 0)
        assert saved.status is OrderStatus.AWAITING_FULFILMENT
        assert [line.product_sku for line in saved.lines] == ["TEE-RED-L", "HAT", "HAT"]
        assert world.queries.listings("TikTok US", unmapped=True) == []

    def test_an_order_with_another_unmapped_listing_stays_in_review(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("hat", 1), ("scarf", 1)])

        world.mapped("TikTok US", "hat", "HAT")

        assert world.order(order.id).status is OrderStatus.IN_REVIEW
        assert world.order(order.id).unmapped_skus == ["scarf"]

    def test_mapping_the_last_listing_of_an_fbt_order_ships_it_and_moves_its_stock(self, world: World) -> None:
        store = world.ready()
        fbt_warehouse = world.with_fbt_import()
        order = world.imported(store, [("hat", 2)], fbt=True)
        world.add_product(AddProduct(sku="HAT", name="Hat"))

        result = world.map_listing(MapListing(store="TikTok US", seller_sku="hat", product="HAT"))

        assert (result.orders_changed, result.stock_movements) == (1, 2)
        assert world.order(order.id).status is OrderStatus.SHIPPED
        assert [(m.warehouse_id, m.product_sku, m.quantity, m.order_id) for m in world.db.movements] == [
            (fbt_warehouse, "HAT", -1, order.id)
        ] * 2

    def test_mapping_again_moves_no_more_stock(self, world: World) -> None:
        store = world.ready()
        world.with_fbt_import()
        world.imported(store, [("hat", 1)], fbt=True)
        world.mapped("TikTok US", "hat", "HAT")

        result = world.map_listing(MapListing(store="TikTok US", seller_sku="hat", product="HAT"))

        assert (result.orders_changed, result.stock_movements) == (0, 0)
        assert len(world.db.movements) == 1

    def test_a_listing_mapped_before_its_first_order_is_used_on_import(self, world: World) -> None:
        store = world.ready()
        world.mapped("TikTok US", "hat", "HAT")

        order = world.imported(store, [("hat", 1)])

        assert order.status is OrderStatus.AWAITING_FULFILMENT and order.lines[0].product_sku == "HAT"
        assert world.db.listings[(store.id, "hat")].product_sku == "HAT"

    def test_an_unknown_product_is_refused_and_nothing_changes(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("hat", 1)])

        with pytest.raises(NotFound, match="product not found: HAT"):
            world.map_listing(MapListing(store="TikTok US", seller_sku="hat", product="HAT"))

        assert world.order(order.id).status is OrderStatus.IN_REVIEW
        assert world.db.listings[(store.id, "hat")].product_sku is None

    def test_mapping_reaches_only_the_orders_of_that_store(self, world: World) -> None:
        us = world.ready()
        uk = world.connected_store("TikTok UK", region="GB")
        mine, theirs = world.imported(us, [("hat", 1)]), world.imported(uk, [("hat", 1)])

        world.mapped("TikTok US", "hat", "HAT")

        assert world.order(mine.id).status is OrderStatus.AWAITING_FULFILMENT
        assert world.order(theirs.id).status is OrderStatus.IN_REVIEW


class TestUnmapListing:
    def test_unmapping_puts_open_merchant_orders_back_in_review(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)])

        result = world.unmap_listing(UnmapListing(store="TikTok US", seller_sku="mug"))

        saved = world.order(order.id)
        assert result.orders_changed == 1
        assert saved.status is OrderStatus.IN_REVIEW and saved.unmapped_skus == ["mug"]
        assert world.db.listings[(store.id, "mug")].product_sku is None

    def test_unmapping_leaves_shipped_and_fbt_orders_as_sold(self, world: World) -> None:
        store = world.ready()
        world.with_fbt_import()
        fbt = world.imported(store, [("mug", 1)], fbt=True)
        shipped = world.imported(store, [("mug", 1)], status="IN_TRANSIT")

        result = world.unmap_listing(UnmapListing(store="TikTok US", seller_sku="mug"))

        assert result.orders_changed == 0
        for order in (world.order(fbt.id), world.order(shipped.id)):
            assert order.status is OrderStatus.SHIPPED and order.lines[0].product_sku == "MUG"

    def test_unmapping_keeps_the_product_of_a_part_already_shipped(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("mug", 2)])
        remote = world.model.find_order(order.tiktok_order_id)
        remote["status"], remote["line_items"][0]["display_status"] = "PARTIALLY_SHIPPING", "AWAITING_COLLECTION"
        world.clock.advance(timedelta(seconds=5))
        remote["update_time"] = world.model.now()
        world.sync()

        world.unmap_listing(UnmapListing(store="TikTok US", seller_sku="mug"))

        saved = world.order(order.id)
        assert [(line.status, line.product_sku) for line in saved.lines] == [(LineStatus.SHIPPED, "MUG"), (LineStatus.OPEN, None)]
        assert saved.status is OrderStatus.IN_REVIEW

    def test_an_unknown_listing_is_refused(self, world: World) -> None:
        world.ready()

        with pytest.raises(NotFound, match="listing not found: nope"):
            world.unmap_listing(UnmapListing(store="TikTok US", seller_sku="nope"))

        assert all(listing.is_mapped for listing in world.db.listings.values())
