"""`orders show/list/ship/cancellation` with a buyer's cancellation request (issue 8 item 7)."""

import json

from adapters.container import Container
from tests.cli.test_cli import Cli, connected, ok, refused  # noqa: F401  (fixture)

PACKED = "seller_reject_apply_product_has_been_packed"


def requested(cli: Cli, container: Container) -> str:
    model = container.tiktok_model()
    order_id = str(model.place_order(units=[("tee", 1)])["id"])
    model.buyer_requests_cancellation(order_id)
    synced = ok(cli("orders", "sync", "Shop US")).stdout
    assert "1 with a buyer's cancellation request awaiting your answer" in synced
    return order_id


def test_show_list_and_filter_name_the_pending_request(cli: Cli, container: Container, connected: str) -> None:
    order_id = requested(cli, container)
    container.tiktok_model().place_order(units=[("tee", 1)])
    ok(cli("orders", "sync", "Shop US"))

    shown = ok(cli("orders", "show", order_id)).stdout
    assert "cancellation requested by the buyer" in shown and "Order created by mistake (PENDING, answer by" in shown
    rows = json.loads(ok(cli("orders", "list", "--json")).stdout)
    assert sorted(str(r["cancellation_request"] and r["cancellation_request"]["status"]) for r in rows) == ["None", "pending"]
    pending = json.loads(ok(cli("orders", "list", "--cancellation-request", "pending", "--json")).stdout)
    assert [r["tiktok_order_id"] for r in pending] == [order_id]
    wrong = cli("orders", "list", "--cancellation-request", "maybe")
    assert wrong.exit_code != 0 and "'maybe' is not one of 'pending'" in wrong.stderr


def test_ship_warns_first_and_ships_only_when_told_to(cli: Cli, container: Container, connected: str) -> None:
    order_id = requested(cli, container)

    refused(cli("orders", "ship", order_id, "--carrier", "USPS", "--tracking", "9400"), "--despite-cancel-request")
    assert container.tiktok_model().packages == []
    ok(cli("orders", "ship", order_id, "--carrier", "USPS", "--tracking", "9400", "--despite-cancel-request"))

    shown = json.loads(ok(cli("orders", "show", order_id, "--json")).stdout)
    assert (shown["status"], shown["cancellation_request"]["decision"]) == ("shipped", "shipped")


def test_reject_lists_tiktoks_reasons_then_rejects_with_one(cli: Cli, container: Container, connected: str) -> None:
    order_id = requested(cli, container)

    refused(cli("orders", "cancellation", "reject", order_id), f"{PACKED} (Product has been packed)")
    done = ok(cli("orders", "cancellation", "reject", order_id, "--reason", PACKED, "--comment", "on its way")).stdout
    assert f"rejected the buyer's cancellation request of order {order_id} ({PACKED})" in done
    refused(cli("orders", "cancellation", "approve", order_id), "no pending cancellation request")


def test_approve_cancels_the_order(cli: Cli, container: Container, connected: str) -> None:
    order_id = requested(cli, container)

    ok(cli("orders", "cancellation", "approve", order_id))

    shown = json.loads(ok(cli("orders", "show", order_id, "--json")).stdout)
    assert (shown["status"], shown["cancellation_request"]["status"]) == ("cancelled", "approved")
