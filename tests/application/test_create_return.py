import pytest

from application.commands import AssignWarehouse, CreateReturn, ReturnAddress, ShipOrder
from domain.addresses import Address
from domain.exceptions import FbtReturnNeedsCustomerAddress, ReturnNeedsShippedLines
from domain.orders import Order
from domain.stores import Store
from tests.application.world import World

CUSTOMER = ReturnAddress(name="Sam Lee", line1="1 Main St", city="Austin", region="TX", postal_code="73301", country="US")


def shipped(world: World, store: Store, units: list[tuple[str, int]]) -> Order:
    order = world.imported(store, units)
    world.assign_warehouse(AssignWarehouse(order=order.id, warehouse="East"))
    world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="9400"))
    return world.order(order.id)


class TestMerchantReturn:
    def test_a_return_uses_the_orders_own_address(self, world: World) -> None:
        store = world.ready()
        order = shipped(world, store, [("tee-red-l", 2)])

        return_id = world.create_return(CreateReturn(order=order.id, lines=[order.lines[0].id]))

        ret = world.db.returns[return_id]
        assert (ret.order_id, ret.line_ids, ret.created_at) == (order.id, (order.lines[0].id,), world.clock.now())
        assert ret.address == order.address and ret.address.city == "Culver City"

    def test_a_return_uses_another_address_when_given(self, world: World) -> None:
        store = world.ready()
        order = shipped(world, store, [("mug", 1)])

        return_id = world.create_return(CreateReturn(order=order.id, lines=[order.lines[0].tiktok_line_item_id], address=CUSTOMER))

        assert world.db.returns[return_id].address == Address(**CUSTOMER.model_dump())

    def test_a_blank_address_given_means_the_orders_own(self, world: World) -> None:
        store = world.ready()
        order = shipped(world, store, [("mug", 1)])

        return_id = world.create_return(CreateReturn(order=order.id, lines=[order.lines[0].id], address=ReturnAddress()))

        assert world.db.returns[return_id].address == order.address

    def test_lines_not_yet_shipped_cannot_be_returned(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("mug", 1)])

        with pytest.raises(ReturnNeedsShippedLines, match=order.lines[0].id):
            world.create_return(CreateReturn(order=order.id, lines=[order.lines[0].id]))

        assert world.db.returns == {}

    def test_the_return_shows_on_the_order(self, world: World) -> None:
        store = world.ready()
        order = shipped(world, store, [("mug", 1)])
        return_id = world.create_return(CreateReturn(order=order.id, lines=[order.lines[0].id]))

        shown = world.queries.order(order.id)

        assert [(r["id"], r["line_ids"], r["address"]["city"]) for r in shown["returns"]] == [
            (return_id, [order.lines[0].id], "Culver City")
        ]


class TestFbtReturn:
    def test_an_fbt_return_without_the_customers_name_and_address_is_refused_saying_so(self, world: World) -> None:
        store = world.ready()
        world.with_fbt_import()
        order = world.imported(store, [("mug", 1)], fbt=True)

        with pytest.raises(FbtReturnNeedsCustomerAddress, match="ask the customer.*name, address-line1, city, postal-code"):
            world.create_return(CreateReturn(order=order.id, lines=[order.lines[0].id]))

        assert world.db.returns == {}

    def test_an_fbt_return_with_part_of_the_address_names_what_is_missing(self, world: World) -> None:
        store = world.ready()
        world.with_fbt_import()
        order = world.imported(store, [("mug", 1)], fbt=True)

        with pytest.raises(FbtReturnNeedsCustomerAddress, match="city, postal-code"):
            world.create_return(
                CreateReturn(order=order.id, lines=[order.lines[0].id], address=ReturnAddress(name="Sam Lee", line1="1 Main St", country="US"))
            )

        assert world.db.returns == {}

    def test_an_fbt_return_with_the_customers_full_name_and_address_is_created(self, world: World) -> None:
        store = world.ready()
        world.with_fbt_import()
        order = world.imported(store, [("mug", 1)], fbt=True)

        return_id = world.create_return(CreateReturn(order=order.id, lines=[order.lines[0].id], address=CUSTOMER))

        ret = world.db.returns[return_id]
        assert ret.address == Address(**CUSTOMER.model_dump()) and ret.order_id == order.id
        assert not world.order(order.id).address.is_complete
