"""`orders reconcile`, and ship/cancel/split retried after a lost answer, through the CLI
(issue 9 items 1-2, STACK.md I-9)."""

import json

from adapters.container import Container
from adapters.sandbox.faults import Fault
from domain import limits
from tests.cli.test_cli import Cli, connected, ok, refused  # noqa: F401  (fixture)

SHIP_PATH = "/fulfillment/202309/orders/"
CANCEL_PATH = "/return_refund/202309/cancellations"


def routed(cli: Cli, container: Container, units: int = 1) -> str:
    order_id = str(container.tiktok_model().place_order(units=[("tee", units)])["id"])
    ok(cli("orders", "sync", "Shop US"))
    ok(cli("orders", "assign", order_id, "--warehouse", "East"))
    return order_id


def lost(container: Container, path: str) -> None:
    container.sandbox_app().state.faults.add(Fault.drop(path=path))


def shown(cli: Cli, order_id: str) -> dict:
    return json.loads(ok(cli("orders", "show", order_id, "--json")).stdout)


def test_a_ship_whose_answer_is_lost_is_pending_and_the_retry_says_already_shipped(
    cli: Cli, container: Container, connected: str
) -> None:
    order_id = routed(cli, container)
    lost(container, SHIP_PATH)

    failed = cli("orders", "ship", order_id, "--carrier", "USPS", "--tracking", "9400111")
    assert failed.exit_code == 1 and "recorded as pending" in failed.stderr and "orders reconcile" in failed.stderr
    assert shown(cli, order_id)["shipments"] == []

    again = ok(cli("orders", "ship", order_id, "--carrier", "USPS", "--tracking", "9400111"))

    (package,) = container.tiktok_model().packages
    assert f"already shipped: TikTok package {package['package_id']}, USPS tracking number 9400111" in again.stdout
    order = shown(cli, order_id)
    assert order["status"] == "shipped"
    assert [(s["package_id"], s["carrier"], s["tracking_number"]) for s in order["shipments"]] == [
        (package["package_id"], "USPS", "9400111")]


def test_reconcile_settles_every_lost_answer_once_and_says_what_it_did(
    cli: Cli, container: Container, connected: str
) -> None:
    shipped, cancelled = routed(cli, container), routed(cli, container)
    lost(container, SHIP_PATH)
    refused(cli("orders", "ship", shipped, "--carrier", "USPS", "--tracking", "9400111"), "recorded as pending")
    lost(container, CANCEL_PATH)
    refused(cli("orders", "cancel", cancelled, "--reason", "out-of-stock"), "recorded as pending")

    done = ok(cli("orders", "reconcile")).stdout

    (package,) = container.tiktok_model().packages
    assert f"(TikTok order {shipped}): done, TikTok package {package['package_id']}, USPS tracking number 9400111" in done
    assert f"(TikTok order {cancelled}): done (completed from TikTok's order after the answer was lost)" in done
    assert len(shown(cli, shipped)["shipments"]) == 1 and shown(cli, cancelled)["status"] == "cancelled"
    assert "nothing to reconcile" in ok(cli("orders", "reconcile")).stdout
    assert len(container.tiktok_model().cancellations) == 1
    ok(cli("orders", "cancel", cancelled, "--reason", "out-of-stock"))  # a retry: already cancelled, exit 0


def test_reconcile_json_lists_each_intent_with_its_outcome(cli: Cli, container: Container, connected: str) -> None:
    order_id = routed(cli, container)
    container.sandbox_app().state.faults.add(Fault.unavailable(path=SHIP_PATH))  # TikTok did nothing
    refused(cli("orders", "ship", order_id, "--carrier", "USPS", "--tracking", "9400111"), "recorded as pending")

    (intent,) = json.loads(ok(cli("orders", "reconcile", "--store", "Shop US", "--json")).stdout)["intents"]

    assert {k: intent[k] for k in ("kind", "state", "order_id", "tracking_number", "carrier", "result")} == {
        "kind": "ship", "state": "cleared", "order_id": shown(cli, order_id)["id"], "tracking_number": "9400111", "carrier": "USPS",
        "result": None}
    assert intent["outcome"].startswith("TikTok did not apply it") and intent["settled_at"]
    assert json.loads(ok(cli("orders", "reconcile", "--json")).stdout) == {"intents": [], "failed": []}
    ok(cli("orders", "ship", order_id, "--carrier", "USPS", "--tracking", "9400111"))  # now sent, once
    assert len(container.tiktok_model().packages) == 1


def test_reconcile_of_an_unknown_store_is_one_line(cli: Cli, connected: str) -> None:
    refused(cli("orders", "reconcile", "--store", "Nope"), "store not found: Nope")


def test_a_tracking_number_longer_than_the_oms_keeps_sends_nothing_and_stores_nothing(
    cli: Cli, container: Container, connected: str
) -> None:
    order_id = routed(cli, container)
    log = container.sandbox_app().state.requests
    before = len(log.entries)

    refused(cli("orders", "ship", order_id, "--carrier", "USPS", "--tracking", "9" * 10_000),
            f"at most {limits.TRACKING_NUMBER} characters")

    assert log.entries[before:] == []
    assert shown(cli, order_id)["status"] == "awaiting_fulfilment" and container.tiktok_model().packages == []
    assert "nothing to reconcile" in ok(cli("orders", "reconcile")).stdout
