from datetime import timedelta

import pytest

from application.commands import AssignWarehouse, CancelOrder, ShipOrder, SplitOrder
from application.errors import ApplicationError, TikTokRefused
from domain.exceptions import (
    FbtOrderNotActionable,
    InReviewOrderCannotBeShipped,
    OnHoldOrderCannotBeShipped,
    WarehouseRequiredToShip,
)
from domain.orders import LineStatus, Order, OrderStatus
from domain.stores import Store
from tests.application.world import World

USPS = "7117858858072016686"


def routed(world: World, store: Store, units: list[tuple[str, int]], warehouse: str = "East", **kwargs: object) -> Order:
    order = world.imported(store, units, **kwargs)
    world.assign_warehouse(AssignWarehouse(order=order.id, warehouse=warehouse))
    return world.order(order.id)


def unchanged(world: World, order: Order) -> bool:
    saved = world.order(order.id)
    return saved.shipments == [] and {line.status for line in saved.lines} == {LineStatus.OPEN}


class TestShipOrder:
    def test_shipping_tells_tiktok_the_line_items_and_records_the_package(self, world: World) -> None:
        store = world.ready()
        order = routed(world, store, [("tee-red-l", 2)])

        package_id = world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="9400111"))

        saved = world.order(order.id)
        (package,) = world.model.packages
        assert package == {
            "package_id": package_id, "order_id": order.tiktok_order_id, "tracking_number": "9400111",
            "line_item_ids": [line.tiktok_line_item_id for line in order.lines],
        }
        assert saved.status is OrderStatus.SHIPPED and {line.status for line in saved.lines} == {LineStatus.SHIPPED}
        (shipment,) = saved.shipments
        assert (shipment.package_id, shipment.carrier, shipment.tracking_number) == (package_id, "USPS", "9400111")
        assert (shipment.warehouse_id, shipment.shipped_at) == (order.warehouse_id, world.clock.now())
        assert shipment.line_ids == tuple(line.id for line in order.lines)

    @pytest.mark.parametrize("carrier", ["usps", USPS])
    def test_the_carrier_is_found_by_name_in_any_case_or_by_provider_id(self, world: World, carrier: str) -> None:
        store = world.ready()
        order = routed(world, store, [("mug", 1)])

        world.ship_order(ShipOrder(order=order.id, carrier=carrier, tracking="9400111"))

        assert world.order(order.id).shipments[0].carrier == "USPS"
        assert world.model.find_order(order.tiktok_order_id)["line_items"][0]["shipping_provider_id"] == USPS

    def test_a_carrier_tiktok_does_not_list_is_refused_naming_the_choices(self, world: World) -> None:
        store = world.ready()
        order = routed(world, store, [("mug", 1)])

        with pytest.raises(ApplicationError, match="carrier 'Pigeon Post'.*USPS, UPS, FedEx"):
            world.ship_order(ShipOrder(order=order.id, carrier="Pigeon Post", tracking="1"))

        assert world.calls("ship") == 0 and unchanged(world, order)

    def test_each_part_of_a_split_order_ships_its_own_lines_from_its_own_warehouse(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1), ("mug", 1)])
        tee, mug = order.lines
        part_id = world.split_order(SplitOrder(order=order.id, lines=[mug.id]))
        world.assign_warehouse(AssignWarehouse(order=order.id, warehouse="East"))
        world.assign_warehouse(AssignWarehouse(order=part_id, warehouse="West"))

        world.ship_order(ShipOrder(order=part_id, carrier="UPS", tracking="1Z1"))
        first_remote_status = world.model.find_order(order.tiktok_order_id)["status"]
        world.ship_order(ShipOrder(order=order.id, carrier="FedEx", tracking="77"))

        assert [(p["line_item_ids"], p["tracking_number"]) for p in world.model.packages] == [
            ([mug.tiktok_line_item_id], "1Z1"), ([tee.tiktok_line_item_id], "77"),
        ]
        warehouses = {w.name: w.id for w in world.db.warehouses.values()}
        assert world.order(part_id).shipments[0].warehouse_id == warehouses["West"]
        assert world.order(order.id).shipments[0].warehouse_id == warehouses["East"]
        assert first_remote_status == "PARTIALLY_SHIPPING"
        assert {p.status for p in world.parts(order.tiktok_order_id)} == {OrderStatus.SHIPPED}

    def test_a_shipped_order_stays_shipped_on_the_next_sync(self, world: World) -> None:
        store = world.ready()
        order = routed(world, store, [("mug", 1)])
        world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="9400"))
        world.clock.advance(timedelta(minutes=1))

        summary = world.sync()

        assert summary.updated == 1
        saved = world.order(order.id)
        assert (saved.status, saved.tiktok_status, len(saved.shipments)) == (OrderStatus.SHIPPED, "AWAITING_COLLECTION", 1)

    def test_a_partly_cancelled_order_ships_only_its_live_lines(self, world: World) -> None:
        store = world.ready()
        order = routed(world, store, [("tee-red-l", 2)])
        world.cancel_order(CancelOrder(order=order.id, lines=[order.lines[0].id], reason="out-of-stock"))

        world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="9400"))

        assert world.model.packages[0]["line_item_ids"] == [order.lines[1].tiktok_line_item_id]
        assert [line.status for line in world.order(order.id).lines] == [LineStatus.CANCELLED, LineStatus.SHIPPED]
        assert world.order(order.id).status is OrderStatus.SHIPPED

    def test_after_one_part_ships_a_sync_leaves_the_other_part_awaiting_fulfilment(self, world: World) -> None:
        store = world.ready()
        order = routed(world, store, [("tee-red-l", 1), ("mug", 1)])
        part_id = world.split_order(SplitOrder(order=order.id, lines=[order.lines[1].id]))
        world.assign_warehouse(AssignWarehouse(order=part_id, warehouse="West"))
        world.ship_order(ShipOrder(order=part_id, carrier="USPS", tracking="9400"))
        world.clock.advance(timedelta(minutes=1))

        world.sync()

        assert [(p.status, p.tiktok_status) for p in world.parts(order.tiktok_order_id)] == [
            (OrderStatus.AWAITING_FULFILMENT, "PARTIALLY_SHIPPING"), (OrderStatus.SHIPPED, "PARTIALLY_SHIPPING"),
        ]


class TestShipOrderRefused:
    def test_an_order_tiktok_still_holds_cannot_be_shipped_until_released(self, world: World) -> None:
        store = world.ready()
        order = routed(world, store, [("mug", 1)], status="ON_HOLD")

        with pytest.raises(OnHoldOrderCannotBeShipped, match="wait until TikTok releases it"):
            world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="1"))
        assert world.calls("ship") == 0 and unchanged(world, order)

        world.clock.advance(timedelta(hours=1))
        world.model.release_hold(order.tiktok_order_id)
        world.sync()
        world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="1"))

        assert world.order(order.id).status is OrderStatus.SHIPPED

    def test_an_order_in_review_cannot_be_shipped(self, world: World) -> None:
        store = world.ready()
        order = routed(world, store, [("hat", 1)])

        with pytest.raises(InReviewOrderCannotBeShipped, match="hat"):
            world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="1"))

        assert world.calls("ship") == 0 and unchanged(world, order)

    def test_an_order_without_a_warehouse_cannot_be_shipped(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("mug", 1)])

        with pytest.raises(WarehouseRequiredToShip):
            world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="1"))

        assert world.calls("ship") == 0 and unchanged(world, order)

    def test_an_fbt_order_cannot_be_shipped(self, world: World) -> None:
        store = world.ready()
        world.with_fbt_import()
        order = world.imported(store, [("mug", 1)], fbt=True)

        with pytest.raises(FbtOrderNotActionable, match="cannot ship an FBT order"):
            world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="1"))

        assert world.calls("ship") == 0 and world.order(order.id).shipments == []

    def test_a_shipment_tiktok_refuses_leaves_the_order_unchanged(self, world: World) -> None:
        store = world.ready()
        order = routed(world, store, [("tee-red-l", 1), ("mug", 1)])
        world.model.buyer_cancels(order.tiktok_order_id)

        with pytest.raises(TikTokRefused, match="cancelled"):
            world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="1"))

        assert unchanged(world, order) and world.order(order.id).status is OrderStatus.AWAITING_FULFILMENT
        assert world.model.packages == []
