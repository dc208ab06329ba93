from datetime import UTC, date, datetime

import pytest

from domain.exceptions import FbtStartDateTooEarly, FbtWarehouseNeedsStore, FbtWarehouseRequired
from domain.warehouses import Warehouse, WarehouseType
from tests.builders import a_store, a_warehouse, an_fbt_warehouse

pytestmark = pytest.mark.unit


class TestEnableFbtImport:
    @pytest.mark.parametrize(
        ("today", "earliest"),
        [
            (date(2026, 3, 15), date(2026, 3, 1)),
            (date(2026, 1, 1), date(2026, 1, 1)),
            (date(2025, 12, 31), date(2025, 12, 1)),
            (date(2024, 2, 29), date(2024, 2, 1)),
            (date(2028, 3, 1), date(2028, 3, 1)),
        ],
    )
    def test_the_start_date_can_be_the_first_day_of_the_current_month(self, today: date, earliest: date) -> None:
        store = a_store()
        warehouse = an_fbt_warehouse(store=store)

        store.enable_fbt_import(start_date=earliest, warehouse=warehouse, today=today)

        assert store.fbt.enabled
        assert (store.fbt.start_date, store.fbt.warehouse_id) == (earliest, warehouse.id)

    @pytest.mark.parametrize(
        ("today", "too_early", "earliest"),
        [
            (date(2026, 3, 15), date(2026, 2, 28), "2026-03-01"),
            (date(2026, 1, 1), date(2025, 12, 31), "2026-01-01"),
            (date(2026, 1, 20), date(2025, 12, 1), "2026-01-01"),
            (date(2024, 3, 1), date(2024, 2, 29), "2024-03-01"),
        ],
    )
    def test_an_earlier_start_date_is_refused_naming_the_earliest_allowed(
        self, today: date, too_early: date, earliest: str
    ) -> None:
        store = a_store()

        with pytest.raises(FbtStartDateTooEarly, match=earliest) as refused:
            store.enable_fbt_import(start_date=too_early, warehouse=an_fbt_warehouse(store=store), today=today)

        assert refused.value.earliest.isoformat() == earliest
        assert not store.fbt.enabled

    def test_a_future_start_date_is_allowed(self) -> None:
        store = a_store()

        store.enable_fbt_import(start_date=date(2026, 6, 1), warehouse=an_fbt_warehouse(store=store), today=date(2026, 3, 15))

        assert store.fbt.start_date == date(2026, 6, 1)

    def test_the_warehouse_must_be_an_fbt_warehouse(self) -> None:
        store = a_store()

        with pytest.raises(FbtWarehouseRequired, match="not an FBT warehouse"):
            store.enable_fbt_import(start_date=date(2026, 3, 1), warehouse=a_warehouse(), today=date(2026, 3, 15))

        assert not store.fbt.enabled

    def test_the_fbt_warehouse_must_belong_to_this_store(self) -> None:
        store = a_store()

        with pytest.raises(FbtWarehouseRequired, match="another store"):
            store.enable_fbt_import(
                start_date=date(2026, 3, 1), warehouse=an_fbt_warehouse(store_id="st_other"), today=date(2026, 3, 15)
            )

        assert not store.fbt.enabled

    def test_disabling_turns_import_off_and_forgets_the_settings(self) -> None:
        store = a_store(fbt_warehouse_id="wh_fbt")

        store.disable_fbt_import()

        assert (store.fbt.enabled, store.fbt.start_date, store.fbt.warehouse_id) == (False, None, None)


class TestImportsFbtOrder:
    def test_orders_created_on_or_after_the_start_date_are_imported(self) -> None:
        store = a_store(fbt_warehouse_id="wh_fbt", fbt_start=date(2026, 3, 10))

        assert store.imports_fbt_order(datetime(2026, 3, 10, 0, 0, tzinfo=UTC))
        assert store.imports_fbt_order(datetime(2026, 4, 1, tzinfo=UTC))

    def test_orders_created_before_the_start_date_are_not_imported(self) -> None:
        store = a_store(fbt_warehouse_id="wh_fbt", fbt_start=date(2026, 3, 10))

        assert not store.imports_fbt_order(datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC))

    def test_a_store_with_fbt_import_disabled_imports_none(self) -> None:
        store = a_store(fbt_warehouse_id="wh_fbt", fbt_start=date(2026, 3, 1))
        store.disable_fbt_import()

        assert not store.imports_fbt_order(datetime(2026, 3, 20, tzinfo=UTC))


class TestWarehouse:
    def test_an_fbt_warehouse_is_created_for_one_store(self) -> None:
        warehouse = Warehouse(id="wh_1", name="FBT US", type=WarehouseType.FBT, store_id="st_1")

        assert warehouse.is_fbt and warehouse.store_id == "st_1"

    @pytest.mark.parametrize("store_id", [None, ""])
    def test_an_fbt_warehouse_without_a_store_is_refused(self, store_id: str | None) -> None:
        with pytest.raises(FbtWarehouseNeedsStore, match="--store"):
            Warehouse(id="wh_1", name="FBT", type=WarehouseType.FBT, store_id=store_id)

    def test_a_standard_warehouse_belongs_to_no_store(self) -> None:
        warehouse = Warehouse(id="wh_1", name="East", store_id="st_1")

        assert not warehouse.is_fbt and warehouse.store_id is None

    def test_warehouses_are_equal_by_id(self) -> None:
        assert Warehouse(id="wh_1", name="East") == Warehouse(id="wh_1", name="Renamed")
        assert Warehouse(id="wh_1", name="East") != Warehouse(id="wh_2", name="East")
