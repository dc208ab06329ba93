"""A lost answer to `orders ship` and `orders cancel`, end to end (issue 9 item 1, STACK.md I-9):
`tiktok-oms sandbox serve` as its own process drops the answer after applying the change (a
fault scripted over HTTP), every OMS command is a new process on one SQLite file, and the
shipment and the cancellation end up recorded exactly once."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.sandbox.seed import CATALOG
from tests.databases import Databases
from tests.e2e.test_cli_against_sandbox import (
    STORE,
    Oms,
    SandboxProcess,
    _line,
    _one,
    browser_redirect,
    clean_environment,
    free_ports,
)

pytestmark = pytest.mark.e2e
TRACKING = "9400111899223344556677"


@pytest.fixture
def oms(databases: Databases, oms_script: Path, tmp_path: Path) -> Iterator[tuple[Oms, SandboxProcess]]:
    with databases.fresh("sqlite") as url:
        (port,) = free_ports(1)
        sandbox_url = f"http://127.0.0.1:{port}"
        env = clean_environment(TIKTOK_OMS_DATABASE_URL=url, TIKTOK_API_BASE_URL=sandbox_url,
                                TIKTOK_AUTH_BASE_URL=sandbox_url, TIKTOK_AUTHORIZE_URL=f"{sandbox_url}/open/authorize")
        sandbox = SandboxProcess(oms_script, port, env, tmp_path / "sandbox.log")
        try:
            sandbox.wait_until_it_answers()
            yield Oms(oms_script, env, tmp_path), sandbox
        finally:
            sandbox.stop()


def drop_next_answer(sandbox: SandboxProcess, path: str) -> None:
    answer = httpx.post(f"{sandbox.url}/sandbox/faults", json={"kind": "drop", "path": path}, timeout=5.0)
    assert answer.status_code == 200, answer.text


@pytest.mark.timeout(240)  # a hang guard for a loaded machine
def test_a_lost_ship_and_cancel_answer_are_recorded_once(oms: tuple[Oms, SandboxProcess]) -> None:
    run, sandbox = oms
    run("warehouses", "create", "--name", "Newark NJ")
    run("stores", "create", "--name", STORE, "--default-warehouse", "Newark NJ")
    for sku, (_, name) in CATALOG.items():
        run("products", "add", "--sku", sku, "--name", name)
    begun = run.json("stores", "authorize", STORE, "--no-wait")
    run("stores", "connect", STORE, "--redirect-url", browser_redirect(begun["authorization_url"]))
    run("orders", "sync", STORE)
    for sku in CATALOG:
        run("listings", "map", STORE, "--seller-sku", sku, "--product", sku)
    orders = run.json("orders", "list")
    single, partly = _one(orders, ["TEE-BLK-M"]), _one(orders, ["CAP-NVY", "CAP-NVY", "HOODIE-GRY-L"])

    drop_next_answer(sandbox, "/fulfillment/202309/orders/")
    run.refused("orders", "ship", single["id"], "--carrier", "USPS", "--tracking", TRACKING, words="recorded as pending")
    assert run.json("orders", "show", single["id"])["shipments"] == []
    (settled,) = run.json("orders", "reconcile")["intents"]
    assert (settled["kind"], settled["state"], settled["tracking_number"]) == ("ship", "done", TRACKING)
    again = run("orders", "ship", single["id"], "--carrier", "USPS", "--tracking", TRACKING)
    assert f"already shipped: TikTok package {settled['result']}, USPS tracking number {TRACKING}" in again.stdout

    hoodie = _line(partly, "HOODIE-GRY-L")
    drop_next_answer(sandbox, "/return_refund/202309/cancellations")
    run.refused("orders", "cancel", partly["id"], "--lines", hoodie["id"], "--reason", "out-of-stock",
                words="recorded as pending")
    retried = run("orders", "cancel", partly["id"], "--lines", hoodie["id"], "--reason", "out-of-stock")
    assert "already cancelled" in retried.stdout

    run("orders", "sync", STORE)
    shipped = run.json("orders", "show", single["id"])
    assert shipped["status"] == "shipped"
    assert [(s["package_id"], s["carrier"], s["tracking_number"]) for s in shipped["shipments"]] == [
        (settled["result"], "USPS", TRACKING)]
    cancelled = run.json("orders", "show", partly["id"])
    assert sorted((l["seller_sku"], l["status"]) for l in cancelled["lines"]) == [
        ("CAP-NVY", "open"), ("CAP-NVY", "open"), ("HOODIE-GRY-L", "cancelled")]
    assert "nothing to reconcile" in run("orders", "reconcile").stdout
