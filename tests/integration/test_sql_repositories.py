from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, event, text

from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from application.errors import AlreadyExists, StorageRefused
from application.ports import Quarantined
from domain.catalog import Listing, Product
from domain.inventory import StockMovement
from domain.orders import Order, FulfilledBy, LineStatus, OrderStatus, Shipment
from domain.returns import Return
from domain.stores import FbtImportSettings, StoreStatus
from domain.sync import SyncCheckpoint
from domain.warehouses import WarehouseType
from tests.builders import (
    T0,
    a_connected_store,
    a_line,
    a_remote_order,
    a_store,
    a_warehouse,
    an_address,
    an_fbt_order,
    an_fbt_warehouse,
    an_order,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("mappers")]


def saved(uow: SqlAlchemyUnitOfWork, *items: object) -> None:
    with uow:
        for item in items:
            if isinstance(item, Order):
                uow.orders.add(item)  # orders go through their data mapper, not the ORM
            else:
                uow.session.add(item)
        uow.commit()


class TestStores:
    def test_a_connected_store_comes_back_with_its_connection_and_fbt_import_settings(self, uow: SqlAlchemyUnitOfWork) -> None:
        store = a_connected_store(name="TikTok US")
        fbt = an_fbt_warehouse(store=store)
        store.fbt = FbtImportSettings(enabled=True, start_date=date(2026, 3, 1), warehouse_id=fbt.id)
        store.begin_authorization(state="s" * 43, now=T0)
        saved(uow, store, fbt)

        with uow:
            loaded = uow.stores.by_name("TikTok US")
            assert loaded is not None and loaded is not store
            assert loaded.status is StoreStatus.CONNECTED
            assert loaded.connection == store.connection
            assert loaded.connection is not None and loaded.connection.access_token_expires_at.tzinfo is UTC
            assert loaded.fbt == store.fbt
            assert (loaded.pending_state, loaded.pending_since) == ("s" * 43, T0)

    def test_a_disconnected_store_keeps_no_tokens_and_says_why(self, uow: SqlAlchemyUnitOfWork) -> None:
        store = a_connected_store()
        saved(uow, store)
        with uow:
            found = uow.stores.get(store.id)
            assert found is not None
            found.fail("TikTok refused to refresh its access token")
            uow.commit()

        with uow:
            found = uow.stores.get(store.id)
            assert found is not None and found.connection is None
            assert found.status_reason == "TikTok refused to refresh its access token"
            tokens = uow.session.execute(text("SELECT access_token, refresh_token FROM stores")).one()
            assert tuple(tokens) == (None, None)

    def test_stores_are_listed_by_name(self, uow: SqlAlchemyUnitOfWork) -> None:
        saved(uow, a_store(name="b"), a_store(name="a"), a_store(name="c"))

        with uow:
            assert [s.name for s in uow.stores.list()] == ["a", "b", "c"]


class TestDirectory:
    def test_warehouses_products_and_listings_come_back_as_saved(self, uow: SqlAlchemyUnitOfWork) -> None:
        store = a_store()
        east, fbt = a_warehouse(name="East"), an_fbt_warehouse(store=store, name="FBT US")
        saved(uow, store, east, fbt, Product(sku="MUG", name="Mug"))
        with uow:
            uow.listings.add(Listing(store_id=store.id, seller_sku="mug", product_sku="MUG"))
            uow.listings.add(Listing(store_id=store.id, seller_sku="tee"))
            uow.commit()

        with uow:
            assert [(w.name, w.type, w.store_id) for w in uow.warehouses.list()] == [
                ("East", WarehouseType.STANDARD, None),
                ("FBT US", WarehouseType.FBT, store.id),
            ]
            assert uow.warehouses.by_name("FBT US") == fbt
            product = uow.products.get("MUG")
            assert product is not None and product.name == "Mug"
            assert [(l.seller_sku, l.product_sku) for l in uow.listings.for_store(store.id)] == [("mug", "MUG"), ("tee", None)]
            assert uow.listings.get(store.id, "tee") is not None
            assert uow.listings.get("another-store", "tee") is None


class TestOrders:
    def test_an_order_comes_back_with_its_lines_in_order_its_address_and_shipments(self, uow: SqlAlchemyUnitOfWork) -> None:
        store, east = a_store(), a_warehouse()
        lines = [a_line(seller_sku=f"sku-{n}", sale_price=Decimal("19.90")) for n in range(5)]
        order = an_order(store_id=store.id, lines=lines, warehouse_id=east.id, address=an_address(line2=""))
        order.record_shipment(Shipment("pkg-1", (lines[0].id, lines[1].id), east.id, "UPS", "1Z", T0 + timedelta(hours=1)))
        saved(uow, store, east, Product(sku="TEE-RED-L", name="Tee"), order)

        with uow:
            found = uow.orders.get(order.id)
            assert found is not None
            assert [line.id for line in found.lines] == [line.id for line in lines]
            assert [line.status for line in found.lines][:3] == [LineStatus.SHIPPED, LineStatus.SHIPPED, LineStatus.OPEN]
            assert found.lines[0].sale_price == Decimal("19.90") and str(found.lines[0].sale_price) == "19.90"
            assert found.address == order.address
            assert list(found.shipments) == list(order.shipments)
            assert found.created_at == T0 and found.created_at.tzinfo is UTC
            assert (found.status, found.fulfilled_by) == (OrderStatus.AWAITING_FULFILMENT, FulfilledBy.MERCHANT)

    def test_a_split_part_and_later_lines_and_shipments_are_kept(self, uow: SqlAlchemyUnitOfWork) -> None:
        store, east = a_store(), a_warehouse()
        order = an_order(store_id=store.id, lines=[a_line(product_sku=None) for _ in range(3)])
        saved(uow, store, east, order)
        with uow:
            found = uow.orders.get(order.id)
            assert found is not None
            moving = found.lines[1].id
            part = found.split([moving], new_order_id="ord_part", split_index=1, by_sku_only=False)
            uow.orders.add(part)
            found.lines.append(a_line(product_sku=None))
            found.warehouse_id = east.id
            found.record_shipment(Shipment("pkg-2", (found.lines[0].id,), east.id, "USPS", "9400", T0))
            uow.commit()

        with uow:
            parts = uow.orders.parts(store.id, [order.tiktok_order_id])[order.tiktok_order_id]
            assert [(p.id, p.split_index, p.parent_order_id) for p in parts] == [(order.id, 0, None), ("ord_part", 1, order.id)]
            assert [l.id for l in parts[1].lines] == [moving]
            assert len(parts[0].lines) == 3 and parts[0].lines[0].id == order.lines[0].id
            assert [s.package_id for s in parts[0].shipments] == ["pkg-2"]
            assert [p.id for p in uow.orders.by_tiktok_id(order.tiktok_order_id)] == [order.id, "ord_part"]

    def test_the_parts_of_a_page_of_orders_load_in_one_query(self, uow: SqlAlchemyUnitOfWork, engine: Engine) -> None:
        store = a_store()
        orders = [an_order(store_id=store.id, lines=[a_line(product_sku=None)]) for _ in range(30)]
        saved(uow, store, *orders)
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

        with uow:
            found = uow.orders.parts(store.id, [o.tiktok_order_id for o in orders] + ["unknown"])
            assert sum(len(p[0].lines) for p in found.values()) == 30

        selects_from_orders = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM orders" in s]
        assert len(found) == 30 and len(selects_from_orders) == 1
        assert len([s for s in statements if "FROM order_lines" in s]) == 1

    def test_a_page_lookup_probes_the_key_index_per_order_even_without_statistics(
        self, uow: SqlAlchemyUnitOfWork, engine: Engine
    ) -> None:
        # A store's first import outpaces autoanalyze: on a table never analyzed, `store_id = ? AND
        # tiktok_order_id IN (...)` was planned as a scan of the store's rows, each compared with the
        # whole list (a page's lookup grew with the store). Each order must be an index probe.
        store = a_store()
        orders = [an_order(store_id=store.id, lines=[a_line(product_sku=None)]) for _ in range(400)]
        saved(uow, store, *orders)
        kept = [replace(a_remote_order(tiktok_order_id=o.tiktok_order_id, update_time=1), raw={}) for o in orders]
        with uow:
            for remote in kept:
                uow.orders.keep_payload(store.id, remote)
            uow.commit()
        lookups: list[tuple[str, object]] = []
        event.listen(engine, "before_cursor_execute",
                     lambda _c, _cur, sql, params, *_: lookups.append((sql, params)) if "SELECT" in sql else None)

        wanted = [o.tiktok_order_id for o in orders[:100]]
        with uow:
            assert len(uow.orders.parts(store.id, wanted)) == 100
            assert len(uow.orders.versions(store.id, wanted)) == 100
        if engine.dialect.name != "postgresql":
            return  # SQLite: one B-tree search per IN element anyway; the lookups above still hold

        plans = []
        with engine.connect() as connection:
            for sql, params in [(s, p) for s, p in lookups if "FROM orders" in s or "FROM order_payloads" in s]:
                plans.append("\n".join(r[0] for r in connection.exec_driver_sql("EXPLAIN " + sql, params)))
        assert len(plans) == 2
        for plan in plans:
            assert not [line for line in plan.splitlines() if "Filter" in line and "tiktok_order_id" in line], plan
            assert [line for line in plan.splitlines() if "Index Cond" in line and "tiktok_order_id" in line], plan

    def test_a_new_order_taking_a_stored_orders_key_is_refused_as_any_write_is(self, uow: SqlAlchemyUnitOfWork) -> None:
        # New rows go in by COPY on PostgreSQL: its failure must read as a statement's would.
        store = a_store()
        first = an_order(store_id=store.id, lines=[a_line(product_sku=None)])
        saved(uow, store, first)
        again = an_order(store_id=store.id, tiktok_order_id=first.tiktok_order_id, lines=[a_line(product_sku=None)])

        with uow, pytest.raises(StorageRefused, match="another process saved the same record first"):
            uow.orders.add(again)
            uow.commit()
        with uow:
            assert [o.id for o in uow.orders.by_tiktok_id(first.tiktok_order_id)] == [first.id]

    def test_the_order_list_filters_by_store_status_and_who_fulfils(self, uow: SqlAlchemyUnitOfWork) -> None:
        us, uk, fbt_wh = a_store(), a_store(), a_warehouse()
        merchant = an_order(store_id=us.id, created_at=T0)
        fbt = an_fbt_order(store_id=us.id, warehouse_id=fbt_wh.id, created_at=T0 + timedelta(minutes=1))
        review = an_order(store_id=uk.id, lines=[a_line(product_sku=None)], created_at=T0 - timedelta(minutes=1))
        saved(uow, us, uk, fbt_wh, Product(sku="TEE-RED-L", name="Tee"), Product(sku="MUG", name="Mug"), merchant, fbt, review)

        def ids(**filters: str) -> list[str]:
            return [o.id for o in uow.orders.list(**filters)]

        with uow:
            assert ids() == [review.id, merchant.id, fbt.id]
            assert ids(store_id=us.id) == [merchant.id, fbt.id]
            assert ids(fulfilled_by="store") == [fbt.id]
            assert ids(fulfilled_by="merchant") == [review.id, merchant.id]
            assert ids(status="in_review") == [review.id]
            assert ids(store_id=uk.id, status="shipped") == []
            assert ids(status="no-such-status") == []
            assert [o.id for o in uow.orders.with_seller_sku(us.id, "mug")] == [merchant.id, fbt.id]

    def test_only_the_newest_raw_payload_of_an_order_is_kept(self, uow: SqlAlchemyUnitOfWork) -> None:
        store = a_store()
        saved(uow, store)
        newer = replace(a_remote_order(tiktok_order_id="576-1", update_time=2_000), raw={"v": 2})
        older = replace(newer, update_time=1_000, raw={"v": 1})

        with uow:
            uow.orders.keep_payload(store.id, older)
            uow.orders.keep_payload(store.id, newer)
            uow.orders.keep_payload(store.id, older)
            uow.commit()

        with uow:
            assert uow.orders.payload(store.id, "576-1") == {"v": 2}


class TestRecords:
    def test_a_stock_movement_written_twice_is_refused_and_the_first_kept(self, uow: SqlAlchemyUnitOfWork) -> None:
        # Movements go in by COPY on PostgreSQL: a unique key taken reads as a statement's would.
        store, fbt_wh = a_store(), a_warehouse()
        order = an_fbt_order(store_id=store.id, warehouse_id=fbt_wh.id)
        saved(uow, store, fbt_wh, Product(sku="TEE-RED-L", name="Tee"), Product(sku="MUG", name="Mug"), order)
        moves = order.settle_fbt_stock(T0)
        assert moves
        with uow:
            for move in moves:
                uow.movements.add(move)
            uow.commit()

        with uow, pytest.raises(StorageRefused, match="another process saved the same record first"):
            uow.movements.add(moves[0])
            uow.commit()
        with uow:
            assert uow.movements.list() == moves

    def test_returns_movements_checkpoints_and_quarantine_come_back_as_saved(self, uow: SqlAlchemyUnitOfWork) -> None:
        store, fbt_wh = a_store(), a_warehouse()
        order = an_fbt_order(store_id=store.id, warehouse_id=fbt_wh.id)
        ret = Return(id="ret_1", order_id=order.id, line_ids=(order.lines[0].id,), address=an_address(), created_at=T0)
        saved(uow, store, fbt_wh, Product(sku="TEE-RED-L", name="Tee"), Product(sku="MUG", name="Mug"), order, ret)
        with uow:
            found = uow.orders.get(order.id)
            assert found is not None
            moves = found.settle_fbt_stock(T0)
            for move in moves:
                uow.movements.add(move)
            uow.checkpoints.add(SyncCheckpoint(store_id=store.id, cursor=100, window_start=50, window_end=200, page_token="p2"))
            uow.quarantine.add(Quarantined(store.id, "576-bad", "no line items", '{"id": "576-bad"}'))
            uow.commit()

        with uow:
            assert uow.returns.for_order(order.id)[0].address == ret.address
            assert uow.returns.for_order(order.id)[0].line_ids == ret.line_ids
            assert uow.movements.list() == moves and all(isinstance(m, StockMovement) for m in moves)
            assert uow.checkpoints.get(store.id) == SyncCheckpoint(store.id, 100, 50, 200, "p2")
            assert uow.quarantine.list(store.id) == [Quarantined(store.id, "576-bad", "no line items", '{"id": "576-bad"}')]
            assert uow.quarantine.list("another-store") == []
            reloaded = uow.orders.get(order.id)
            assert reloaded is not None and all(line.stock_released for line in reloaded.lines)


class TestUnitOfWork:
    def test_nothing_is_kept_without_commit(self, uow: SqlAlchemyUnitOfWork) -> None:
        with uow:
            uow.stores.add(a_store(name="Draft"))

        with uow:
            assert uow.stores.by_name("Draft") is None

    def test_an_error_inside_the_block_rolls_everything_back(self, uow: SqlAlchemyUnitOfWork) -> None:
        with pytest.raises(RuntimeError), uow:
            uow.products.add(Product(sku="MUG", name="Mug"))
            uow.session.flush()
            raise RuntimeError("handler failed")

        with uow:
            assert uow.products.list() == []

    @pytest.mark.parametrize(
        ("repository", "make", "message"),
        [
            ("stores", lambda: a_store(name="Acme"), "store already exists: Acme"),
            ("warehouses", lambda: a_warehouse(name="East"), "warehouse already exists: East"),
            ("products", lambda: Product(sku="MUG", name="Mug"), "product already exists: MUG"),
        ],
        ids=["store name", "warehouse name", "product sku"],
    )
    def test_a_taken_name_is_refused_as_already_exists_and_nothing_else_is_kept(
        self, uow: SqlAlchemyUnitOfWork, repository: str, make: Callable[[], object], message: str
    ) -> None:
        saved(uow, make())

        with pytest.raises(AlreadyExists, match=f"^{message}$"), uow:
            uow.products.add(Product(sku="OTHER", name="Other"))
            getattr(uow, repository).add(make())
            uow.commit()

    def test_two_writers_racing_for_one_name_are_told_it_is_taken_at_commit(self, uow: SqlAlchemyUnitOfWork) -> None:
        saved(uow, a_store(name="Acme"))

        with pytest.raises(AlreadyExists, match="^store already exists: "), uow:
            uow.session.add(a_store(name="Acme"))
            uow.commit()

        with uow:
            assert uow.products.get("OTHER") is None
