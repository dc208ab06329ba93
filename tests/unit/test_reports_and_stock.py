from decimal import Decimal

import pytest

from domain.inventory import StockMovement
from domain.orders import LineStatus
from domain.reports import SalesRow, StockRow, sales_by_store_and_fulfiller, stock_by_warehouse
from tests.builders import T0, a_line, an_fbt_order, an_order

pytestmark = pytest.mark.unit


def a_movement(*, warehouse_id: str = "wh_fbt", product_sku: str = "TEE", quantity: int = -1) -> StockMovement:
    return StockMovement(
        warehouse_id=warehouse_id, product_sku=product_sku, quantity=quantity, order_id="o", line_id="l", reason="fbt_sale", at=T0
    )


class TestSalesReport:
    def test_sales_are_totalled_by_store_and_by_who_fulfils(self) -> None:
        orders = [
            an_order(store_id="st_a", lines=[a_line(sale_price=Decimal("10")), a_line(sale_price=Decimal("5"))]),
            an_order(store_id="st_a", lines=[a_line(sale_price=Decimal("7"))]),
            an_fbt_order(store_id="st_a", lines=[a_line(sale_price=Decimal("20"))]),
            an_order(store_id="st_b", lines=[a_line(sale_price=Decimal("1"))]),
        ]

        rows = sales_by_store_and_fulfiller(orders)

        assert rows == [
            SalesRow("st_a", "merchant", 2, 3, Decimal("22"), "USD"),
            SalesRow("st_a", "store", 1, 1, Decimal("20"), "USD"),
            SalesRow("st_b", "merchant", 1, 1, Decimal("1"), "USD"),
        ]

    def test_cancelled_orders_and_cancelled_lines_are_left_out(self) -> None:
        partly = an_order(lines=[a_line(sale_price=Decimal("10")), a_line(sale_price=Decimal("4"), status=LineStatus.CANCELLED)])
        cancelled = an_order(tiktok_status="CANCELLED", lines=[a_line(sale_price=Decimal("99"))])

        rows = sales_by_store_and_fulfiller([partly, cancelled])

        assert [(r.orders, r.units, r.revenue) for r in rows] == [(1, 1, Decimal("10"))]

    def test_the_parts_of_a_split_order_count_as_one_order(self) -> None:
        order = an_order(lines=[a_line(sale_price=Decimal("3")), a_line(sale_price=Decimal("4"))])
        part = order.split([order.lines[1].id], new_order_id="ord_2", split_index=1, by_sku_only=False)

        rows = sales_by_store_and_fulfiller([order, part])

        assert [(r.orders, r.units, r.revenue) for r in rows] == [(1, 2, Decimal("7"))]

    def test_currencies_are_never_added_together(self) -> None:
        rows = sales_by_store_and_fulfiller([an_order(currency="USD"), an_order(currency="GBP")])

        assert [r.currency for r in rows] == ["GBP", "USD"]


class TestStockByWarehouse:
    def test_movements_net_by_warehouse_and_product(self) -> None:
        moves = [a_movement(), a_movement(), a_movement(product_sku="MUG"), a_movement(warehouse_id="wh_2", quantity=5)]

        assert stock_by_warehouse(moves) == [
            StockRow("wh_2", "TEE", 5),
            StockRow("wh_fbt", "MUG", -1),
            StockRow("wh_fbt", "TEE", -2),
        ]


class TestFbtStockRelease:
    def test_a_shipped_fbt_order_releases_one_unit_per_live_line(self) -> None:
        order = an_fbt_order(
            id="ord_1",
            warehouse_id="wh_fbt",
            lines=[a_line(id="ln_1", product_sku="TEE"), a_line(id="ln_2", product_sku="TEE"), a_line(status=LineStatus.CANCELLED)],
        )

        moves = order.settle_fbt_stock(T0)

        assert [(m.warehouse_id, m.product_sku, m.quantity, m.order_id, m.line_id, m.reason, m.at) for m in moves] == [
            ("wh_fbt", "TEE", -1, "ord_1", "ln_1", "fbt_sale", T0),
            ("wh_fbt", "TEE", -1, "ord_1", "ln_2", "fbt_sale", T0),
        ]

    def test_stock_is_released_once_per_line(self) -> None:
        order = an_fbt_order()
        order.settle_fbt_stock(T0)

        assert order.settle_fbt_stock(T0) == []

    def test_an_fbt_order_in_review_releases_nothing_until_mapped(self) -> None:
        order = an_fbt_order(lines=[a_line(seller_sku="mug-1", product_sku=None)])

        assert order.settle_fbt_stock(T0) == []
        order.map_listing("mug-1", "MUG")
        assert [m.product_sku for m in order.settle_fbt_stock(T0)] == ["MUG"]

    def test_merchant_orders_release_no_fbt_stock(self) -> None:
        assert an_order(lines=[a_line(status=LineStatus.SHIPPED)], warehouse_id="wh_1").settle_fbt_stock(T0) == []


class TestFbtStockComesBack:
    def test_a_unit_cancelled_on_tiktok_after_it_left_stock_comes_back_once(self) -> None:
        order = an_fbt_order(lines=[a_line(id="ln_1", product_sku="MUG"), a_line(id="ln_2", product_sku="MUG")])
        order.settle_fbt_stock(T0)

        order.cancel_lines([order.lines[0]])
        back = order.settle_fbt_stock(T0)

        assert [(m.line_id, m.quantity, m.reason) for m in back] == [("ln_1", 1, "fbt_cancel")]
        assert order.settle_fbt_stock(T0) == []
