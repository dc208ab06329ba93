from datetime import timedelta

import pytest

from application.commands import AssignWarehouse, ShipOrder, SplitOrder
from application.errors import ApplicationError, NotFound, TikTokRefused
from application.errors import StoreNeedsReauthorization
from domain.exceptions import (
    FbtOrderNotActionable,
    MerchantOrderCannotUseFbtWarehouse,
    SplitBelowSkuLevel,
    SplitMustLeaveLinesOnEachPart,
    UnknownLines,
)
from domain.orders import Order, OrderStatus
from tests.application.world import World


def line_ids(order: Order) -> list[str]:
    return [line.id for line in order.lines]


class TestSplitOrder:
    def test_chosen_lines_move_to_a_new_order_linked_to_the_original(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 2), ("mug", 1)])
        tee_1, tee_2, mug = line_ids(order)

        part_id = world.split_order(SplitOrder(order=order.id, lines=[mug]))

        original, part = world.parts(order.tiktok_order_id)
        assert (original.id, part.id) == (order.id, part_id)
        assert (line_ids(original), line_ids(part)) == ([tee_1, tee_2], [mug])
        assert (part.parent_order_id, part.split_index, part.store_id) == (order.id, 1, store.id)
        assert original.status is part.status is OrderStatus.AWAITING_FULFILMENT

    def test_in_the_us_tiktok_is_told_only_when_each_part_ships(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)])

        world.split_order(SplitOrder(order=order.id, lines=[order.lines[1].tiktok_line_item_id]))

        assert world.calls("split") == 0 and len(world.parts(order.tiktok_order_id)) == 2

    def test_a_part_can_be_split_again_and_every_part_links_to_the_first(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 3)])
        part_id = world.split_order(SplitOrder(order=order.id, lines=line_ids(order)[1:]))

        third_id = world.split_order(SplitOrder(order=part_id, lines=[line_ids(world.order(part_id))[1]]))

        assert [(p.id, p.split_index, len(p.lines)) for p in world.parts(order.tiktok_order_id)] == [
            (order.id, 0, 1), (part_id, 1, 1), (third_id, 2, 1),
        ]
        assert world.order(third_id).parent_order_id == order.id

    def test_each_part_keeps_at_least_one_line(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 2)])

        with pytest.raises(SplitMustLeaveLinesOnEachPart):
            world.split_order(SplitOrder(order=order.id, lines=line_ids(order)))

        assert world.parts(order.tiktok_order_id) == [order] and len(world.order(order.id).lines) == 2

    def test_unknown_lines_are_refused_by_name(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 2)])

        with pytest.raises(UnknownLines, match="ln_nope"):
            world.split_order(SplitOrder(order=order.id, lines=["ln_nope"]))

        assert len(world.db.orders) == 1

    def test_an_fbt_order_cannot_be_split(self, world: World) -> None:
        store = world.ready()
        world.with_fbt_import()
        order = world.imported(store, [("tee-red-l", 2)], fbt=True)

        with pytest.raises(FbtOrderNotActionable, match="processed by TikTok"):
            world.split_order(SplitOrder(order=order.id, lines=[order.lines[0].id]))

        assert len(world.db.orders) == 1

    def test_an_unknown_order_is_refused(self, world: World) -> None:
        world.ready()

        with pytest.raises(NotFound, match="order not found: 123"):
            world.split_order(SplitOrder(order="123", lines=["ln_1"]))

        assert world.db.orders == {}


class TestSplitBeforeShipping:
    def test_where_tiktok_splits_before_shipping_it_is_told_the_groups(self, world: World) -> None:
        store = world.ready(region="MY", name="TikTok MY")
        order = world.imported(store, [("tee-red-l", 2), ("mug", 1)])
        tees, mug = order.lines[:2], order.lines[2]

        world.split_order(SplitOrder(order=order.id, lines=[mug.id]))

        remote = world.model.find_order(order.tiktok_order_id)
        packages = {item["id"]: item.get("package_id") for item in remote["line_items"]}
        assert remote["split_or_combine_tag"] == "SPLIT" and world.calls("split") == 1
        assert packages[tees[0].tiktok_line_item_id] == packages[tees[1].tiktok_line_item_id] != packages[mug.tiktok_line_item_id]
        assert len(world.parts(order.tiktok_order_id)) == 2

    def test_each_part_ships_as_its_own_tiktok_package(self, world: World) -> None:
        store = world.ready(region="MY", name="TikTok MY")
        order = world.imported(store, [("tee-red-l", 2), ("mug", 1)])
        part = world.split_order(SplitOrder(order=order.id, lines=[order.lines[2].id]))
        world.assign_warehouse(AssignWarehouse(order=order.id, warehouse="East"))
        world.assign_warehouse(AssignWarehouse(order=part, warehouse="West"))

        shipped = [
            world.ship_order(ShipOrder(order=ref, carrier="UPS", tracking=f"1Z{n}")) for n, ref in enumerate((order.id, part))
        ]

        remote = world.model.find_order(order.tiktok_order_id)
        by_package = {p["package_id"]: sorted(p["line_item_ids"]) for p in world.model.packages}
        assert set(shipped) == set(by_package) and len(by_package) == 2
        assert sorted(map(sorted, by_package.values())) == sorted(
            [sorted(l.tiktok_line_item_id for l in world.order(ref).lines) for ref in (order.id, part)]
        )
        assert remote["status"] == "AWAITING_COLLECTION" and world.calls("ship") == 2

    def test_part_of_a_package_cannot_ship_before_the_order_is_split(self, world: World) -> None:
        store = world.ready(region="MY", name="TikTok MY")
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)])
        world.assign_warehouse(AssignWarehouse(order=order.id, warehouse="East"))
        world.model.find_order(order.tiktok_order_id)["line_items"][1]["package_id"] = "someone-elses"

        with pytest.raises(TikTokRefused, match="not one TikTok package: split the order first"):
            world.ship_order(ShipOrder(order=order.id, carrier="UPS", tracking="1Z"))

        assert world.order(order.id).status is OrderStatus.AWAITING_FULFILMENT

    def test_units_of_one_sku_stay_together_and_tiktok_is_not_asked(self, world: World) -> None:
        store = world.ready(region="MY", name="TikTok MY")
        order = world.imported(store, [("tee-red-l", 2), ("mug", 1)])

        with pytest.raises(SplitBelowSkuLevel, match="tee-red-l"):
            world.split_order(SplitOrder(order=order.id, lines=[order.lines[0].id]))

        assert world.calls("split") == 0 and len(world.order(order.id).lines) == 3

    def test_a_split_tiktok_refuses_leaves_the_order_whole(self, world: World) -> None:
        store = world.ready(region="MY", name="TikTok MY")
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)], status="ON_HOLD")

        with pytest.raises(TikTokRefused, match="on hold"):
            world.split_order(SplitOrder(order=order.id, lines=[order.lines[1].id]))

        assert world.parts(order.tiktok_order_id) == [order] and len(world.order(order.id).lines) == 2

    def test_a_split_tiktok_refuses_after_a_token_refresh_leaves_the_order_whole(self, world: World) -> None:
        store = world.ready(region="MY", name="TikTok MY")
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)], status="ON_HOLD")
        world.clock.advance(timedelta(days=6, hours=1))

        with pytest.raises(TikTokRefused):
            world.split_order(SplitOrder(order=order.id, lines=[order.lines[1].id]))

        assert world.calls("token_refresh") == 1
        assert world.parts(order.tiktok_order_id) == [order] and len(world.order(order.id).lines) == 2

    def test_a_split_whose_authorization_was_revoked_leaves_the_order_whole(self, world: World) -> None:
        store = world.ready(region="MY", name="TikTok MY")
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)])
        world.model.revoke(world.shops[store.id].id)

        with pytest.raises(StoreNeedsReauthorization):
            world.split_order(SplitOrder(order=order.id, lines=[order.lines[1].id]))

        assert not world.store("TikTok MY").is_connected
        assert world.parts(order.tiktok_order_id) == [order] and len(world.order(order.id).lines) == 2


class TestAssignWarehouse:
    def test_each_part_of_a_split_order_can_be_routed_to_its_own_warehouse(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)])
        part_id = world.split_order(SplitOrder(order=order.id, lines=[order.lines[1].id]))

        world.assign_warehouse(AssignWarehouse(order=order.id, warehouse="East"))
        world.assign_warehouse(AssignWarehouse(order=part_id, warehouse="West"))

        names = {w.id: w.name for w in world.db.warehouses.values()}
        assert [names[p.warehouse_id or ""] for p in world.parts(order.tiktok_order_id)] == ["East", "West"]

    def test_a_merchant_order_is_never_routed_to_an_fbt_warehouse(self, world: World) -> None:
        store = world.ready()
        fbt = world.with_fbt_import()
        order = world.imported(store, [("tee-red-l", 1)])

        with pytest.raises(MerchantOrderCannotUseFbtWarehouse):
            world.assign_warehouse(AssignWarehouse(order=order.id, warehouse=fbt))

        assert world.order(order.id).warehouse_id is None

    def test_an_fbt_order_is_not_routed(self, world: World) -> None:
        store = world.ready()
        fbt = world.with_fbt_import()
        order = world.imported(store, [("tee-red-l", 1)], fbt=True)

        with pytest.raises(FbtOrderNotActionable, match="route"):
            world.assign_warehouse(AssignWarehouse(order=order.id, warehouse="East"))

        assert world.order(order.id).warehouse_id == fbt

    def test_a_split_order_is_routed_by_part_id_not_by_its_shared_tiktok_id(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)])
        world.split_order(SplitOrder(order=order.id, lines=[order.lines[1].id]))

        with pytest.raises(ApplicationError, match="split into several orders"):
            world.assign_warehouse(AssignWarehouse(order=order.tiktok_order_id, warehouse="East"))

        assert {p.warehouse_id for p in world.parts(order.tiktok_order_id)} == {None}

    def test_an_unknown_warehouse_is_refused(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1)])

        with pytest.raises(NotFound, match="warehouse not found: North"):
            world.assign_warehouse(AssignWarehouse(order=order.id, warehouse="North"))

        assert world.order(order.id).warehouse_id is None
