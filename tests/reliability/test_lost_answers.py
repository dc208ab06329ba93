"""I-9: a ship or cancel whose answer times out, over real HTTP on both databases, is applied at
most once on TikTok and recorded exactly once in the OMS."""

import json

import pytest
from sqlalchemy import func, select

from adapters.persistence import tables as t
from adapters.sandbox.faults import Fault
from tests.reliability.harness import STORE, Oms, Sandbox

pytestmark = pytest.mark.integration

READ_TIMEOUT = 1.0


@pytest.fixture
def read_timeout() -> float:
    return READ_TIMEOUT  # short, so that a slow answer times the read out quickly


def shippable(oms: Oms) -> dict:
    orders = json.loads(oms.cli("orders", "list", "--status", "awaiting_fulfilment", "--fulfilled-by", "merchant",
                                "--json").stdout)
    return next(o for o in orders if o["warehouse_id"])


def rows(oms: Oms, table: str) -> int:
    with oms.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(t.metadata.tables[table])) or 0)


def test_i9_a_shipment_whose_answer_timed_out_is_sent_once_and_recorded_once(oms: Oms, sandbox: Sandbox) -> None:
    oms.sync()
    order = shippable(oms)
    sandbox.faults.add(Fault.slow(READ_TIMEOUT + 1.0, path="/fulfillment/202309/orders/"))

    timed_out = oms.cli("orders", "ship", order["id"], "--carrier", "USPS", "--tracking", "9400111899223344556677")

    assert timed_out.exit_code == 1 and "recorded as pending" in timed_out.stderr, timed_out.output
    assert rows(oms, "shipments") == 0 and len(sandbox.model.packages) == 1  # TikTok applied it
    retried = oms.cli("orders", "ship", order["id"], "--carrier", "USPS", "--tracking", "9400111899223344556677")

    assert retried.exit_code == 0 and "already shipped" in retried.stdout, retried.output
    (package,) = sandbox.model.packages
    with oms.engine.connect() as conn:
        shipment = conn.execute(select(t.shipments.c.package_id, t.shipments.c.carrier, t.shipments.c.tracking_number)
                                ).one()
    assert tuple(shipment) == (package["package_id"], "USPS", "9400111899223344556677")
    oms.sync()
    assert oms.dump() == oms.truth() and rows(oms, "shipments") == 1


def test_i9_a_cancellation_whose_answer_timed_out_is_settled_by_the_next_sync(oms: Oms, sandbox: Sandbox) -> None:
    oms.sync()
    order = shippable(oms)
    sandbox.faults.add(Fault.slow(READ_TIMEOUT + 1.0, path="/return_refund/202309/cancellations"))

    timed_out = oms.cli("orders", "cancel", order["id"], "--reason", "out-of-stock")

    assert timed_out.exit_code == 1 and "recorded as pending" in timed_out.stderr, timed_out.output
    oms.sync()
    assert json.loads(oms.cli("orders", "show", order["id"], "--json").stdout)["status"] == "cancelled"
    assert len(sandbox.model.cancellations) == 1 and oms.dump() == oms.truth()
    with oms.engine.connect() as conn:
        assert conn.execute(select(t.intents.c.state)).scalars().all() == ["done"]
    assert "nothing to reconcile" in oms.cli("orders", "reconcile", "--store", STORE).stdout
