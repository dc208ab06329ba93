import json
from collections.abc import Callable

import pytest
from click.testing import Result

from adapters.container import Container

Cli = Callable[..., Result]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output + result.stderr
    return result


def refused(result: Result, words: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr


@pytest.fixture
def connected(cli: Cli, container: Container) -> str:
    return connect_shop(cli, container, "East", "West")


def connect_shop(cli: Cli, container: Container, *warehouses: str) -> str:
    """Store "Shop US" connected to the sandbox's shop, its first warehouse the default, and the
    listing `tee` mapped to product TEE; returns the store's name."""
    for name in warehouses:
        ok(cli("warehouses", "create", "--name", name))
    ok(cli("stores", "create", "--name", "Shop US", "--default-warehouse", warehouses[0]))
    begun = json.loads(ok(cli("stores", "authorize", "Shop US", "--no-wait", "--json")).stdout)
    redirect = container.tiktok_model().approve(begun["authorization_url"], "http://127.0.0.1:8765/callback")
    ok(cli("stores", "connect", "Shop US", "--redirect-url", redirect))
    ok(cli("products", "add", "--sku", "TEE", "--name", "Tee"))
    ok(cli("listings", "map", "Shop US", "--seller-sku", "tee", "--product", "TEE"))
    return "Shop US"


def sync(cli: Cli, container: Container, *units: tuple[str, int], **kwargs: object) -> dict:
    placed = container.tiktok_model().place_order(units=list(units), **kwargs)
    ok(cli("orders", "sync", "Shop US"))
    return json.loads(ok(cli("orders", "show", placed["id"], "--json")).stdout)


class TestStores:
    def test_create_prints_a_disconnected_store_as_json(self, cli: Cli) -> None:
        store = json.loads(ok(cli("stores", "create", "--name", "A", "--json")).stdout)
        assert (store["name"], store["status"]) == ("A", "disconnected")

    def test_a_duplicate_name_is_one_line_error(self, cli: Cli) -> None:
        ok(cli("stores", "create", "--name", "A"))
        refused(cli("stores", "create", "--name", "A"), "already exists")

    def test_list_and_show_print_one_json_document(self, cli: Cli, connected: str) -> None:
        rows = json.loads(ok(cli("stores", "list", "--json")).stdout)
        shown = json.loads(ok(cli("stores", "show", connected, "--json")).stdout)
        assert [r["status"] for r in rows] == ["connected"] and shown["shop"]["name"] == "CLI Shop"
        assert "access_token" not in ok(cli("stores", "show", connected, "--json")).stdout.replace("access_token_expires_at", "")

    def test_show_of_an_unknown_store_fails(self, cli: Cli) -> None:
        refused(cli("stores", "show", "nope"), "store not found: nope")

    def test_authorize_no_wait_prints_url_and_state(self, cli: Cli) -> None:
        ok(cli("stores", "create", "--name", "A"))
        begun = json.loads(ok(cli("stores", "authorize", "A", "--no-wait", "--json")).stdout)
        assert "service_id=" in begun["authorization_url"] and len(begun["state"]) >= 43

    def test_connect_with_a_foreign_state_leaves_the_store_disconnected(self, cli: Cli, container: Container) -> None:
        ok(cli("stores", "create", "--name", "A"))
        ok(cli("stores", "authorize", "A", "--no-wait"))
        refused(cli("stores", "connect", "A", "--redirect-url", "http://127.0.0.1:8765/callback?code=x&state=forged"), "state does not match")
        assert json.loads(ok(cli("stores", "show", "A", "--json")).stdout)["status"] == "disconnected"

    def test_connect_after_a_truncated_url_still_works_with_the_whole_url(self, cli: Cli, container: Container) -> None:
        # Issue 8 item 3: the bad URL must not void the pending authorization.
        ok(cli("stores", "create", "--name", "A"))
        begun = json.loads(ok(cli("stores", "authorize", "A", "--no-wait", "--json")).stdout)
        refused(cli("stores", "connect", "A", "--redirect-url", "http://127.0.0.1:8765/callback"), "no code and no state")
        refused(cli("stores", "connect", "A", "--redirect-url", "http://127.0.0.1:8765/callback?code=x&state=forged"), "state does not match")
        redirect = container.tiktok_model().approve(begun["authorization_url"], "http://127.0.0.1:8765/callback")
        ok(cli("stores", "connect", "A", "--redirect-url", redirect))
        assert json.loads(ok(cli("stores", "show", "A", "--json")).stdout)["status"] == "connected"

    def test_connect_with_an_app_store_install_url_connects_the_named_store(self, cli: Cli, container: Container) -> None:
        # Issue 8 item 4: TikTok Shop's App Store sends a code and no state.
        ok(cli("stores", "create", "--name", "A"))
        redirect = container.tiktok_model().app_store_install("http://127.0.0.1:8765/callback")
        out = ok(cli("stores", "connect", "A", "--redirect-url", redirect)).stdout
        assert "store A is connected to TikTok shop CLI Shop" in out

    def test_a_second_store_on_the_same_shop_is_refused_naming_the_first(self, cli: Cli, container: Container, connected: str) -> None:
        ok(cli("stores", "create", "--name", "B"))
        redirect = container.tiktok_model().app_store_install("http://127.0.0.1:8765/callback")
        refused(cli("stores", "connect", "B", "--redirect-url", redirect), "already connected to store 'Shop US'")

    def test_store_names_differing_only_in_case_are_one_store(self, cli: Cli) -> None:
        ok(cli("stores", "create", "--name", "Shop A"))
        refused(cli("stores", "create", "--name", "SHOP a"), "store already exists: Shop A")
        assert json.loads(ok(cli("stores", "show", "shop a", "--json")).stdout)["name"] == "Shop A"

    def test_disconnect(self, cli: Cli, connected: str) -> None:
        ok(cli("stores", "disconnect", connected))
        assert json.loads(ok(cli("stores", "show", connected, "--json")).stdout)["status"] == "disconnected"

    def test_fbt_import_before_the_first_of_the_month_names_the_earliest_date(self, cli: Cli, connected: str) -> None:
        ok(cli("warehouses", "create", "--name", "FBT", "--fbt", "--store", connected))
        refused(cli("stores", "fbt-import", connected, "--enable", "--start-date", "2026-10-31", "--warehouse", "FBT"), "2026-11-01")
        ok(cli("stores", "fbt-import", connected, "--enable", "--start-date", "2026-11-01", "--warehouse", "FBT"))
        ok(cli("stores", "fbt-import", connected, "--disable"))

    def test_fbt_import_needs_enable_or_disable(self, cli: Cli, connected: str) -> None:
        assert cli("stores", "fbt-import", connected).exit_code == 2


class TestDirectory:
    def test_warehouses_list(self, cli: Cli) -> None:
        ok(cli("warehouses", "create", "--name", "East"))
        assert [w["name"] for w in json.loads(ok(cli("warehouses", "list", "--json")).stdout)] == ["East"]

    def test_an_fbt_warehouse_needs_a_store(self, cli: Cli) -> None:
        refused(cli("warehouses", "create", "--name", "F", "--fbt"), "--store")

    def test_products_add_and_list(self, cli: Cli) -> None:
        ok(cli("products", "add", "--sku", "MUG", "--name", "Mug"))
        refused(cli("products", "add", "--sku", "MUG", "--name", "Mug"), "already exists")
        assert json.loads(ok(cli("products", "list", "--json")).stdout) == [{"sku": "MUG", "name": "Mug"}]

    def test_listings_list_map_unmap(self, cli: Cli, container: Container, connected: str) -> None:
        order = sync(cli, container, ("mug", 1))
        assert order["status"] == "in_review"
        unmapped = json.loads(ok(cli("listings", "list", connected, "--unmapped", "--json")).stdout)
        assert [l["seller_sku"] for l in unmapped] == ["mug"]
        refused(cli("listings", "map", connected, "--seller-sku", "mug", "--product", "NOPE"), "product not found")
        ok(cli("products", "add", "--sku", "MUG", "--name", "Mug"))
        ok(cli("listings", "map", connected, "--seller-sku", "mug", "--product", "MUG"))
        assert json.loads(ok(cli("orders", "show", order["id"], "--json")).stdout)["status"] == "awaiting_fulfilment"
        ok(cli("listings", "unmap", connected, "--seller-sku", "mug"))
        assert json.loads(ok(cli("orders", "show", order["id"], "--json")).stdout)["status"] == "in_review"
        refused(cli("listings", "unmap", connected, "--seller-sku", "never-seen"), "listing not found")


class TestOrders:
    def test_sync_then_list_with_the_fulfilled_by_filter(self, cli: Cli, container: Container, connected: str) -> None:
        order = sync(cli, container, ("tee", 2))
        assert [l["quantity"] for l in order["lines"]] == [1, 1]
        assert set(order) >= {"id", "tiktok_order_id", "store_id", "status", "fulfilled_by", "warehouse_id", "lines"}
        assert set(order["lines"][0]) >= {"id", "tiktok_line_item_id", "seller_sku", "product_sku", "quantity", "status"}
        assert json.loads(ok(cli("orders", "list", "--fulfilled-by", "store", "--json")).stdout) == []
        assert len(json.loads(ok(cli("orders", "list", "--fulfilled-by", "merchant", "--json")).stdout)) == 1

    def test_sync_of_a_disconnected_store_fails(self, cli: Cli) -> None:
        ok(cli("stores", "create", "--name", "A"))
        refused(cli("orders", "sync", "A"), "not connected")

    def test_list_rejects_an_unknown_status(self, cli: Cli) -> None:
        assert cli("orders", "list", "--status", "lost").exit_code == 2

    def test_split_assign_and_ship_each_part(self, cli: Cli, container: Container, connected: str) -> None:
        order = sync(cli, container, ("tee", 2))
        part = ok(cli("orders", "split", order["id"], "--lines", order["lines"][1]["id"])).stdout.split()[-1]
        ok(cli("orders", "assign", part, "--warehouse", "West"))
        ok(cli("orders", "ship", order["id"], "--carrier", "USPS", "--tracking", "9400"))
        ok(cli("orders", "ship", part, "--carrier", "UPS", "--tracking", "1Z"))
        shown = [json.loads(ok(cli("orders", "show", ref, "--json")).stdout) for ref in (order["id"], part)]
        assert [s["status"] for s in shown] == ["shipped", "shipped"]
        assert len(container.tiktok_model().packages) == 2

    def test_split_keeping_no_line_fails(self, cli: Cli, container: Container, connected: str) -> None:
        order = sync(cli, container, ("tee", 1))
        refused(cli("orders", "split", order["id"], "--lines", order["lines"][0]["id"]), "at least one line")

    def test_assign_to_an_fbt_warehouse_fails(self, cli: Cli, container: Container, connected: str) -> None:
        order = sync(cli, container, ("tee", 1))
        ok(cli("warehouses", "create", "--name", "FBT", "--fbt", "--store", connected))
        refused(cli("orders", "assign", order["id"], "--warehouse", "FBT"), "FBT warehouse")

    def test_ship_an_on_hold_order_fails(self, cli: Cli, container: Container, connected: str) -> None:
        order = sync(cli, container, ("tee", 1), status="ON_HOLD")
        refused(cli("orders", "ship", order["id"], "--carrier", "USPS", "--tracking", "1"), "ON_HOLD")

    def test_partial_cancel_needs_out_of_stock(self, cli: Cli, container: Container, connected: str) -> None:
        order = sync(cli, container, ("tee", 2))
        line = order["lines"][0]["id"]
        refused(cli("orders", "cancel", order["id"], "--lines", line, "--reason", "wrong-price"), "out-of-stock")
        assert container.tiktok_model().cancellations == []
        ok(cli("orders", "cancel", order["id"], "--lines", line, "--reason", "out-of-stock"))
        assert json.loads(ok(cli("orders", "show", order["id"], "--json")).stdout)["lines"][0]["status"] == "cancelled"

    def test_cancel_rejects_an_unknown_reason(self, cli: Cli, container: Container, connected: str) -> None:
        order = sync(cli, container, ("tee", 1))
        assert cli("orders", "cancel", order["id"], "--reason", "bored").exit_code == 2

    def test_show_of_an_unknown_order_fails(self, cli: Cli) -> None:
        refused(cli("orders", "show", "404"), "order not found")


class TestReturnsAndReports:
    def test_merchant_return_uses_the_order_address(self, cli: Cli, container: Container, connected: str) -> None:
        order = sync(cli, container, ("tee", 1))
        ok(cli("orders", "ship", order["id"], "--carrier", "USPS", "--tracking", "9400"))
        ok(cli("returns", "create", order["id"], "--lines", order["lines"][0]["id"]))
        assert len(json.loads(ok(cli("orders", "show", order["id"], "--json")).stdout)["returns"]) == 1

    def test_return_of_an_open_line_fails(self, cli: Cli, container: Container, connected: str) -> None:
        order = sync(cli, container, ("tee", 1))
        refused(cli("returns", "create", order["id"], "--lines", order["lines"][0]["id"]), "only shipped lines")

    def test_sales_report_json(self, cli: Cli, container: Container, connected: str) -> None:
        sync(cli, container, ("tee", 3))
        report = json.loads(ok(cli("reports", "sales", "--json")).stdout)
        assert [(r["fulfilled_by"], r["units"]) for r in report["sales"]] == [("merchant", 3)]
        refused(cli("reports", "sales", "--store", "nope"), "store not found")


class TestSystem:
    def test_in_memory_demo_tells_the_story_to_the_end(self, cli: Cli) -> None:
        result = ok(cli("demo", "--in-memory"))
        assert "Done: every step" in result.stdout and "FBT import can start no earlier than" in result.stdout

    def test_help_lists_every_group(self, cli: Cli) -> None:
        text = ok(cli("--help")).stdout
        assert all(g in text for g in ("stores", "warehouses", "products", "listings", "orders", "returns", "reports", "sandbox", "db", "demo"))
