from datetime import date

import pytest
from pydantic import ValidationError

from application.commands import AddProduct, ConfigureFbtImport, CreateStore, CreateWarehouse, DisconnectStore
from application.errors import AlreadyExists, ApplicationError, NotFound
from domain.exceptions import (
    FbtStartDateTooEarly,
    FbtWarehouseNeedsStore,
    FbtWarehouseRequired,
    MerchantOrderCannotUseFbtWarehouse,
)
from domain.stores import StoreStatus
from domain.warehouses import WarehouseType
from tests.application.world import World


class TestCreateStore:
    def test_a_new_store_is_saved_disconnected_with_us_defaults(self, world: World) -> None:
        store_id = world.create_store(CreateStore(name="TikTok US"))

        store = world.db.stores[store_id]
        assert (store.name, store.region, store.currency, store.default_warehouse_id) == ("TikTok US", "US", "USD", None)
        assert store.status is StoreStatus.DISCONNECTED

    def test_a_store_can_route_merchant_orders_to_a_default_warehouse_by_name(self, world: World) -> None:
        warehouse_id = world.create_warehouse(CreateWarehouse(name="East"))

        store_id = world.create_store(CreateStore(name="TikTok UK", region="gb", currency="gbp", default_warehouse="East"))

        store = world.db.stores[store_id]
        assert (store.region, store.currency, store.default_warehouse_id) == ("GB", "GBP", warehouse_id)

    def test_a_second_store_with_the_same_name_is_refused(self, world: World) -> None:
        world.create_store(CreateStore(name="TikTok US"))

        with pytest.raises(AlreadyExists, match="store already exists: TikTok US"):
            world.create_store(CreateStore(name="TikTok US", region="GB"))

        assert [s.region for s in world.db.stores.values()] == ["US"]

    @pytest.mark.parametrize("name", ["", "   "])
    def test_a_store_needs_a_name(self, name: str) -> None:
        with pytest.raises(ValidationError, match="name"):
            CreateStore(name=name)

    def test_an_fbt_warehouse_cannot_be_the_default_for_merchant_orders(self, world: World) -> None:
        owner = world.create_store(CreateStore(name="Owner"))
        world.create_warehouse(CreateWarehouse(name="FBT", fbt=True, store=owner))

        with pytest.raises(MerchantOrderCannotUseFbtWarehouse, match="'FBT' is an FBT warehouse"):
            world.create_store(CreateStore(name="TikTok US", default_warehouse="FBT"))

        assert [s.name for s in world.db.stores.values()] == ["Owner"]

    def test_an_unknown_default_warehouse_is_refused(self, world: World) -> None:
        with pytest.raises(NotFound, match="warehouse not found: Nowhere"):
            world.create_store(CreateStore(name="TikTok US", default_warehouse="Nowhere"))

        assert world.db.stores == {}


class TestCreateWarehouse:
    def test_a_standard_warehouse_is_created(self, world: World) -> None:
        warehouse_id = world.create_warehouse(CreateWarehouse(name="East"))

        warehouse = world.db.warehouses[warehouse_id]
        assert (warehouse.name, warehouse.type, warehouse.store_id) == ("East", WarehouseType.STANDARD, None)

    def test_an_fbt_warehouse_is_created_for_one_store(self, world: World) -> None:
        store_id = world.create_store(CreateStore(name="TikTok US"))

        warehouse_id = world.create_warehouse(CreateWarehouse(name="FBT US", fbt=True, store="TikTok US"))

        warehouse = world.db.warehouses[warehouse_id]
        assert (warehouse.type, warehouse.store_id) == (WarehouseType.FBT, store_id)

    def test_an_fbt_warehouse_without_a_store_is_refused(self, world: World) -> None:
        with pytest.raises(FbtWarehouseNeedsStore):
            world.create_warehouse(CreateWarehouse(name="FBT", fbt=True))

        assert world.db.warehouses == {}

    def test_an_fbt_warehouse_for_an_unknown_store_is_refused(self, world: World) -> None:
        with pytest.raises(NotFound, match="store not found: Ghost"):
            world.create_warehouse(CreateWarehouse(name="FBT", fbt=True, store="Ghost"))

        assert world.db.warehouses == {}

    def test_warehouse_names_are_unique(self, world: World) -> None:
        world.create_warehouse(CreateWarehouse(name="East"))

        with pytest.raises(AlreadyExists):
            world.create_warehouse(CreateWarehouse(name="East"))

        assert len(world.db.warehouses) == 1


class TestAddProduct:
    def test_a_product_is_added_and_its_sku_is_unique(self, world: World) -> None:
        world.add_product(AddProduct(sku="TEE", name="Red tee"))

        with pytest.raises(AlreadyExists, match="product already exists: TEE"):
            world.add_product(AddProduct(sku="TEE", name="Other"))

        assert [(p.sku, p.name) for p in world.db.products.values()] == [("TEE", "Red tee")]


class TestDisconnectStore:
    def test_disconnecting_forgets_the_tokens_and_keeps_the_orders(self, world: World) -> None:
        store = world.ready()
        world.imported(store, [("tee-red-l", 1)])

        world.disconnect_store(DisconnectStore(store="TikTok US"))

        saved = world.store()
        assert (saved.status, saved.connection, saved.status_reason) == (StoreStatus.DISCONNECTED, None, "disconnected by the seller")
        assert len(world.db.orders) == 1


class TestConfigureFbtImport:
    def test_fbt_import_is_enabled_from_the_first_of_the_month_into_an_fbt_warehouse(self, world: World) -> None:
        world.create_store(CreateStore(name="TikTok US"))
        warehouse_id = world.create_warehouse(CreateWarehouse(name="FBT US", fbt=True, store="TikTok US"))

        world.configure_fbt_import(ConfigureFbtImport(store="TikTok US", enable=True, start_date=date(2026, 3, 1), warehouse="FBT US"))

        fbt = world.store().fbt
        assert (fbt.enabled, fbt.start_date, fbt.warehouse_id) == (True, date(2026, 3, 1), warehouse_id)

    def test_a_start_date_before_this_month_is_refused_naming_the_earliest(self, world: World) -> None:
        world.create_store(CreateStore(name="TikTok US"))
        world.create_warehouse(CreateWarehouse(name="FBT US", fbt=True, store="TikTok US"))

        with pytest.raises(FbtStartDateTooEarly, match="2026-03-01"):
            world.configure_fbt_import(
                ConfigureFbtImport(store="TikTok US", enable=True, start_date=date(2026, 2, 28), warehouse="FBT US")
            )

        assert not world.store().fbt.enabled

    def test_a_standard_warehouse_is_refused(self, world: World) -> None:
        world.create_store(CreateStore(name="TikTok US"))
        world.create_warehouse(CreateWarehouse(name="East"))

        with pytest.raises(FbtWarehouseRequired, match="not an FBT warehouse"):
            world.configure_fbt_import(ConfigureFbtImport(store="TikTok US", enable=True, start_date=date(2026, 3, 1), warehouse="East"))

        assert not world.store().fbt.enabled

    @pytest.mark.parametrize(("start", "warehouse"), [(None, "FBT US"), (date(2026, 3, 1), None)])
    def test_enabling_needs_a_start_date_and_a_warehouse(self, world: World, start: date | None, warehouse: str | None) -> None:
        world.create_store(CreateStore(name="TikTok US"))
        world.create_warehouse(CreateWarehouse(name="FBT US", fbt=True, store="TikTok US"))

        with pytest.raises(ApplicationError, match="--start-date and --warehouse"):
            world.configure_fbt_import(ConfigureFbtImport(store="TikTok US", enable=True, start_date=start, warehouse=warehouse))

        assert not world.store().fbt.enabled

    def test_disabling_turns_fbt_import_off(self, world: World) -> None:
        world.create_store(CreateStore(name="TikTok US"))
        world.with_fbt_import()

        world.configure_fbt_import(ConfigureFbtImport(store="TikTok US", enable=False))

        assert not world.store().fbt.enabled
