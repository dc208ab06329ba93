"""Issue 13 item 4: re-reading orders the OMS already holds costs no domain work and no writes."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from adapters.settings import Settings
from adapters.tiktok import mapping
from tests.reliability.harness import Oms, Sandbox

pytestmark = pytest.mark.integration
ORDER_TABLES = ("orders", "order_lines", "order_line_components", "order_payloads", "stock_movements",
                "listings", "shipments", "quarantine")


@contextmanager
def statements(oms: Oms) -> Iterator[list[tuple[str, int]]]:
    """Every statement the OMS runs meanwhile, with the rows it touched."""
    seen: list[tuple[str, int]] = []

    def record(conn: object, cursor: Any, statement: str, *args: object) -> None:
        seen.append((" ".join(statement.split()), cursor.rowcount))

    event.listen(oms.engine, "after_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(oms.engine, "after_cursor_execute", record)


def writes(seen: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The statements that changed a row of an order table."""
    return [(s, rows) for s, rows in seen if s.split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
            and rows != 0 and any(f" {table} " in f" {s} " or f'"{table}"' in s for table in ORDER_TABLES)]


class CountingDecoder:
    def __init__(self, decoder: Any) -> None:
        self.decoder, self.calls = decoder, 0

    def decode(self, data: bytes) -> Any:
        self.calls += 1
        return self.decoder.decode(data)


def test_a_full_sync_of_unchanged_orders_parses_nothing_and_writes_nothing_but_the_checkpoint(
    oms: Oms, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = oms.sync()
    before = oms.table_bytes()
    full_reads = CountingDecoder(mapping.ORDER_DECODER)
    monkeypatch.setattr(mapping, "ORDER_DECODER", full_reads)

    with statements(oms) as seen:
        again = oms.sync(full=True)  # every order read again

    assert first.new > 0 and again.unchanged == first.new
    assert (again.new, again.updated, again.skipped) == (0, 0, first.skipped)
    assert full_reads.calls == first.skipped  # only the orders the FBT settings keep out are read in full
    assert not [s for s, _ in seen if "FROM order_lines" in s]  # no order was loaded for the domain
    assert writes(seen) == []
    assert oms.table_bytes() == before


def test_an_order_changed_on_tiktok_is_read_again_among_unchanged_ones(oms: Oms, sandbox: Sandbox) -> None:
    oms.sync()
    order_id = sandbox.in_page_order()[0]
    with sandbox.model.lock:
        order = sandbox.model.shop().orders[order_id]
        # The same second on TikTok: update_time unchanged (R16), only the bytes tell.
        order["recipient_address"] = {**order["recipient_address"], "address_line2": "Suite 9"}

    again = oms.sync(full=True)

    assert again.updated == 1 and again.new == 0
    assert oms.dump() == oms.truth()


def test_the_overlap_and_the_deep_window_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOK_OMS_SYNC_OVERLAP_SECONDS", "600")
    monkeypatch.setenv("TIKTOK_OMS_SYNC_DEEP_WINDOW_SECONDS", "0")

    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    assert (settings.sync_overlap_seconds, settings.sync_deep_window_seconds) == (600, 0)
    assert (Settings.model_fields["sync_overlap_seconds"].default,
            Settings.model_fields["sync_deep_window_seconds"].default) == (7200, 86400)


@pytest.mark.parametrize("deep_window, expected_back", [(0, 60), (86400, 86400)])
def test_a_sync_reads_again_the_overlap_it_is_given_and_the_deep_window_once_a_period(
    oms: Oms, sandbox: Sandbox, deep_window: int, expected_back: int
) -> None:
    settings = oms.container.settings()
    settings.sync_overlap_seconds, settings.sync_deep_window_seconds = 60, deep_window
    oms.sync()
    end = oms.checkpoint()["cursor"]  # type: ignore[index]
    oms.clock.advance(timedelta(days=1))  # past a period boundary
    starts: list[int] = []

    oms.sync(progress=lambda _: starts.append(oms.checkpoint()["window_start"]))  # type: ignore[index]

    assert starts[0] == end - expected_back
