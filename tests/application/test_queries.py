import json

import pytest

from application.commands import CancelOrder, SplitOrder
from application.errors import ApplicationError, NotFound
from tests.application.world import World


class TestStoreQueries:
    def test_stores_are_listed_with_their_status_and_never_their_tokens(self, world: World) -> None:
        store = world.ready()
        conn = store.connection
        assert conn is not None

        listed = world.queries.stores()

        assert [(s["id"], s["name"], s["status"]) for s in listed] == [(store.id, "TikTok US", "connected")]
        text = json.dumps(listed)
        assert conn.access_token not in text and conn.refresh_token not in text

    def test_a_store_is_shown_by_id_or_by_name(self, world: World) -> None:
        store = world.ready()

        assert world.queries.store(store.id) == world.queries.store("TikTok US")
        assert world.queries.store("TikTok US")["shop"]["id"] == world.shops[store.id].id

    def test_an_unknown_store_is_not_found(self, world: World) -> None:
        with pytest.raises(NotFound, match="store not found: Ghost"):
            world.queries.store("Ghost")

        assert world.queries.stores() == []

    def test_warehouses_and_products_are_listed(self, world: World) -> None:
        world.ready()
        world.with_fbt_import()

        assert [(w["name"], w["type"]) for w in world.queries.warehouses()] == [("East", "standard"), ("FBT TikTok US", "fbt"), ("West", "standard")]
        assert [p["sku"] for p in world.queries.products()] == ["MUG", "TEE-RED-L"]


class TestOrderQueries:
    def test_orders_are_filtered_by_who_fulfils(self, world: World) -> None:
        store = world.ready()
        world.with_fbt_import()
        fbt = world.imported(store, [("mug", 1)], fbt=True)
        mine = world.imported(store, [("mug", 1)])

        assert [o["id"] for o in world.queries.orders(fulfilled_by="store")] == [fbt.id]
        assert [o["id"] for o in world.queries.orders(fulfilled_by="merchant")] == [mine.id]
        assert len(world.queries.orders()) == 2

    def test_orders_are_filtered_by_store_and_status(self, world: World) -> None:
        us = world.ready()
        uk = world.connected_store("TikTok UK", region="GB")
        review = world.imported(us, [("hat", 1)])
        ready = world.imported(us, [("mug", 1)])
        theirs = world.imported(uk, [("mug", 1)])

        assert [o["id"] for o in world.queries.orders(store="TikTok US")] == [review.id, ready.id]
        assert [o["id"] for o in world.queries.orders(store="TikTok US", status="awaiting_fulfilment")] == [ready.id]
        assert [o["id"] for o in world.queries.orders(status="in_review")] == [review.id, theirs.id]

    def test_an_order_is_shown_by_its_tiktok_order_id_in_the_documented_shape(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 2)])

        shown = world.queries.order(order.tiktok_order_id)

        assert {k: shown[k] for k in ("id", "tiktok_order_id", "store_id", "status", "fulfilled_by", "warehouse_id")} == {
            "id": order.id, "tiktok_order_id": order.tiktok_order_id, "store_id": store.id,
            "status": "awaiting_fulfilment", "fulfilled_by": "merchant", "warehouse_id": None,
        }
        assert shown["lines"][0] == {
            "id": order.lines[0].id, "tiktok_line_item_id": order.lines[0].tiktok_line_item_id, "seller_sku": "tee-red-l",
            "product_sku": "TEE-RED-L", "quantity": 1, "status": "open", "product_name": "tee-red-l",
        }
        assert shown["returns"] == [] and json.loads(json.dumps(shown)) == shown

    def test_after_a_split_the_shared_tiktok_order_id_is_ambiguous_and_names_the_parts(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)])
        part_id = world.split_order(SplitOrder(order=order.id, lines=[order.lines[1].id]))

        with pytest.raises(ApplicationError, match="split into several orders") as refused:
            world.queries.order(order.tiktok_order_id)

        assert order.id in str(refused.value) and part_id in str(refused.value)
        assert world.queries.order(part_id)["parent_order_id"] == order.id

    def test_an_unknown_order_is_not_found(self, world: World) -> None:
        world.ready()

        with pytest.raises(NotFound, match="order not found: 42"):
            world.queries.order("42")

        assert world.queries.orders() == []


class TestSalesReport:
    def test_sales_are_reported_by_store_and_by_who_fulfils_without_cancelled_orders(self, world: World) -> None:
        store = world.ready()
        fbt_warehouse = world.with_fbt_import()
        world.imported(store, [("tee-red-l", 2)], fbt=True)
        world.imported(store, [("mug", 1)], price="12.50")
        cancelled = world.imported(store, [("mug", 3)])
        world.cancel_order(CancelOrder(order=cancelled.id, reason="wrong-price"))

        report = world.queries.sales()

        assert report["sales"] == [
            {"store_id": store.id, "store": "TikTok US", "fulfilled_by": "merchant", "orders": 1, "units": 1, "revenue": "12.50", "currency": "USD"},
            {"store_id": store.id, "store": "TikTok US", "fulfilled_by": "store", "orders": 1, "units": 2, "revenue": "39.98", "currency": "USD"},
        ]
        assert report["fbt_stock"] == [
            {"warehouse_id": fbt_warehouse, "warehouse": "FBT TikTok US", "product_sku": "TEE-RED-L", "quantity": -2}
        ]

    def test_the_report_can_be_limited_to_one_store(self, world: World) -> None:
        us = world.ready()
        uk = world.connected_store("TikTok UK", region="GB")
        world.with_fbt_import()
        world.with_fbt_import("TikTok UK")
        world.mapped("TikTok UK", "mug", "MUG")
        world.imported(us, [("mug", 1)], fbt=True)
        world.imported(uk, [("mug", 2)], fbt=True)

        report = world.queries.sales("TikTok UK")

        assert [(r["store"], r["units"]) for r in report["sales"]] == [("TikTok UK", 2)]
        assert [(s["warehouse"], s["quantity"]) for s in report["fbt_stock"]] == [("FBT TikTok UK", -2)]
