"""Issue 8 item 9: smaller faults found by trying the OMS as a new seller would."""

import pytest

from application.commands import AssignWarehouse, CreateReturn, CreateStore, CreateWarehouse, ReturnAddress, ShipOrder
from application.errors import ApplicationError, TikTokRefused
from domain.exceptions import DomainError
from domain.orders import Order
from domain.stores import Store
from tests.application.world import World


def shipped(world: World, store: Store, units: list[tuple[str, int]]) -> Order:
    order = world.imported(store, units)
    world.assign_warehouse(AssignWarehouse(order=order.id, warehouse="East"))
    world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="9400"))
    return world.order(order.id)


def address(**changes: str) -> ReturnAddress:
    fields = {"name": "Sam Lee", "line1": "1 Main St", "city": "Austin", "postal_code": "73301", "country": "US"}
    return ReturnAddress(**{**fields, **changes})


class TestOneReturnPerUnit:
    def test_a_second_return_for_a_unit_that_has_one_is_refused(self, world: World) -> None:
        store = world.ready()
        order = shipped(world, store, [("tee-red-l", 2)])
        first = world.create_return(CreateReturn(order=order.id, lines=[order.lines[0].id]))

        with pytest.raises(DomainError, match=f"already returned.*{order.lines[0].id}.*{first}"):
            world.create_return(CreateReturn(order=order.id, lines=[order.lines[0].tiktok_line_item_id]))

        assert len(world.db.returns) == 1
        world.create_return(CreateReturn(order=order.id, lines=[order.lines[1].id]))  # the other unit may go back
        assert len(world.db.returns) == 2


class TestReturnAddress:
    @pytest.mark.parametrize(
        ("given", "why"),
        [
            (address(country="USA"), "country 'USA' is not a two-letter ISO 3166 country code"),
            (address(country="XX"), "country 'XX' is not a two-letter ISO 3166 country code"),
            (address(postal_code="7330"), "postal code '7330' does not look like a US postal code"),
            (address(postal_code="SW1A 1AA"), "postal code 'SW1A 1AA' does not look like a US postal code"),
            (address(country="GB", postal_code="73301"), "postal code '73301' does not look like a GB postal code"),
            (address(country="SG", postal_code="12345"), "postal code '12345' does not look like a SG postal code"),
        ],
    )
    def test_a_return_address_that_cannot_be_right_is_refused(self, world: World, given: ReturnAddress, why: str) -> None:
        store = world.ready()
        order = shipped(world, store, [("mug", 1)])

        with pytest.raises(ApplicationError, match=why):
            world.create_return(CreateReturn(order=order.id, lines=[order.lines[0].id], address=given))

        assert world.db.returns == {}

    @pytest.mark.parametrize(
        "given",
        [address(), address(postal_code="73301-0001"), address(country="gb", postal_code="SW1A 1AA"),
         address(country="JP", postal_code="100-0001"), address(country="BR", postal_code="01310-100"),
         address(country="NZ", postal_code="6011")],
    )
    def test_a_plausible_return_address_is_taken(self, world: World, given: ReturnAddress) -> None:
        store = world.ready()
        order = shipped(world, store, [("mug", 1)])

        return_id = world.create_return(CreateReturn(order=order.id, lines=[order.lines[0].id], address=given))

        assert world.db.returns[return_id].address.country == given.country.upper()


class TestGiftLine:
    def test_a_gift_line_without_seller_sku_shows_its_product_name(self, world: World) -> None:
        store = world.ready()
        tiktok_id = world.place(store, [("mug", 1)])
        placed = world.model.find_order(tiktok_id)
        gift = {**placed["line_items"][0], "id": "gift-1", "sku_id": "1729384756102938", "seller_sku": "",
                "product_name": "Free Tote Bag", "sku_name": "Natural", "is_gift": True, "sale_price": "0"}
        placed["line_items"].append(gift)
        world.sync()

        (order,) = world.parts(tiktok_id)
        view = world.queries.order(order.id)
        [line] = [l for l in view["lines"] if l["tiktok_line_item_id"] == "gift-1"]
        assert line["product_name"] == "Free Tote Bag (Natural)"
        assert line["seller_sku"] == "1729384756102938"  # still the listing's key for mapping


class TestShippedInSellerCenter:
    def test_a_shipment_refused_because_lines_shipped_elsewhere_says_to_sync_first(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 2)])
        world.model.ship_in_seller_center(order.tiktok_order_id, [order.lines[0].tiktok_line_item_id])
        world.assign_warehouse(AssignWarehouse(order=order.id, warehouse="East"))

        with pytest.raises(TikTokRefused, match="run 'tiktok-oms orders sync TikTok US' first") as refused:
            world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="9400"))

        assert refused.value.code == 21011007
        world.sync()
        world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="9401"))
        assert world.order(order.id).status.value == "shipped"


class TestSetupChecks:
    def test_a_store_given_to_a_standard_warehouse_is_refused(self, world: World) -> None:
        world.create_store(CreateStore(name="TikTok US"))

        with pytest.raises(ApplicationError, match="--store is only for an FBT warehouse"):
            world.create_warehouse(CreateWarehouse(name="East", store="TikTok US"))

        assert world.db.warehouses == {}

    @pytest.mark.parametrize("region", ["XX", "CN", "AU"])
    def test_a_region_where_tiktok_shop_does_not_operate_is_refused(self, region: str) -> None:
        with pytest.raises(ValueError, match=f"TikTok Shop does not operate in {region}"):
            CreateStore(name="A", region=region)

    @pytest.mark.parametrize("region", ["US", "uk", "GB", "DE", "JP", "SG", "BR", "MX", "ES", "IE", "FR", "IT"])
    def test_every_market_tiktok_shop_operates_in_is_taken(self, world: World, region: str) -> None:
        store_id = world.create_store(CreateStore(name="A", region=region))

        assert world.db.stores[store_id].region == region.upper()
