"""A change still on its way to TikTok is not cleared by a concurrent reconcile, sync or second
command (STACK.md I-9): TikTok not showing it *yet* is not TikTok refusing it, and TikTok's own
answer always has the last word. A read-back that fails never stops a sync."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.sandbox.faults import Fault
from application.errors import AlreadyDone, ChangeOnItsWay, OutcomeUnknown
from domain.imports import RemoteLine, RemoteOrder
from domain.intents import IN_FLIGHT, Intent, IntentKind, IntentState, judge, same_tracking
from domain.orders import FulfilledBy, OrderStatus
from tests.application.test_intents import SHIP_PATH, FaultyWorld, routed, ship, shipped_once


class Meddling:
    """The world's TikTok, except that `meddle()` runs just before a ship reaches TikTok: what
    another process would do while this command waits for TikTok's answer."""

    def __init__(self, world: FaultyWorld, meddle: Callable[[], None]) -> None:
        self._tiktok = world.tiktok
        self._meddle = meddle

    def ship_package(self, *args: Any, **kwargs: Any) -> str:
        self._meddle()
        return self._tiktok.ship_package(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tiktok, name)


@pytest.fixture
def world() -> FaultyWorld:
    return FaultyWorld()


def test_a_reconcile_while_the_ship_is_on_its_way_leaves_it_pending_and_the_ship_records_it_once(world: FaultyWorld) -> None:
    order = routed(world, [("mug", 1)])
    seen: list[Intent] = []
    world.tiktok = Meddling(world, lambda: seen.extend(world.reconcile()))  # type: ignore[assignment]

    world.ship_order(ship(order))

    assert [i.state for i in seen] == [IntentState.PENDING]  # TikTok showed nothing yet: not cleared
    shipped_once(world, order)


def test_tiktoks_success_answer_completes_an_intent_a_reconcile_cleared_meanwhile(world: FaultyWorld) -> None:
    order = routed(world, [("mug", 1)])

    def slow_then_reconciled() -> None:  # the request takes longer than IN_FLIGHT (a crashed command's lease)
        world.clock.advance(IN_FLIGHT + timedelta(seconds=1))
        (cleared,) = world.reconcile()
        assert cleared.state is IntentState.CLEARED

    world.tiktok = Meddling(world, slow_then_reconciled)  # type: ignore[assignment]

    world.ship_order(ship(order))

    shipped_once(world, order)
    world.tiktok = world.tiktok._tiktok  # type: ignore[attr-defined]
    with pytest.raises(AlreadyDone, match="already shipped: TikTok package .* tracking number 9400111"):
        world.ship_order(ship(order))


def test_a_second_command_on_the_order_waits_for_the_first_ones_answer(world: FaultyWorld) -> None:
    order = routed(world, [("mug", 1)])
    refused: list[str] = []

    def second_ship() -> None:
        with pytest.raises(ChangeOnItsWay) as caught:
            world.ship_order(ship(order, tracking="SECOND"))
        refused.append(str(caught.value))

    world.tiktok = Meddling(world, second_ship)  # type: ignore[assignment]

    world.ship_order(ship(order))

    assert "still waiting for TikTok's answer" in refused[0] and "orders reconcile" in refused[0]
    shipped_once(world, order)  # the first one's tracking number, once


def test_an_interrupted_command_lets_the_next_one_settle_its_intent_at_once(world: FaultyWorld) -> None:
    order = routed(world, [("mug", 1)])
    world.tiktok = Meddling(world, lambda: (_ for _ in ()).throw(KeyboardInterrupt()))  # type: ignore[assignment]
    with pytest.raises(KeyboardInterrupt):  # Ctrl+C before TikTok hears of it: nothing is on its way
        world.ship_order(ship(order))
    world.tiktok = world.tiktok._tiktok  # type: ignore[attr-defined]

    world.ship_order(ship(order))

    assert [i.state for i in world.intents()] == [IntentState.CLEARED, IntentState.DONE]
    assert len(world.model.packages) == 1


def test_a_crashed_commands_intent_is_cleared_once_its_lease_is_over(world: FaultyWorld) -> None:
    order = routed(world, [("mug", 1)])
    world.tiktok = Meddling(world, lambda: (_ for _ in ()).throw(KeyboardInterrupt()))  # type: ignore[assignment]
    with pytest.raises(KeyboardInterrupt):
        world.ship_order(ship(order))
    world.tiktok = world.tiktok._tiktok  # type: ignore[attr-defined]
    (left,) = world.intents()
    left.answer_lost_at = None  # as `kill -9` leaves it: no handler ran to say the wait was over

    assert [i.state for i in world.reconcile()] == [IntentState.PENDING]
    with pytest.raises(ChangeOnItsWay):
        world.ship_order(ship(order))
    world.clock.advance(IN_FLIGHT)
    assert [i.state for i in world.reconcile()] == [IntentState.CLEARED]
    world.ship_order(ship(order))
    assert world.order(order.id).status is OrderStatus.SHIPPED and len(world.model.packages) == 1


def test_a_lost_answer_is_settled_at_once_by_the_retry(world: FaultyWorld) -> None:
    order = routed(world, [("mug", 1)])
    world.fault(Fault.unavailable(path=SHIP_PATH))  # 503: TikTok did not apply it, the command gave up

    with pytest.raises(OutcomeUnknown):
        world.ship_order(ship(order))
    (lost,) = world.intents()
    assert lost.is_pending and lost.answer_lost_at == world.clock.now() and not lost.in_flight(world.clock.now())

    world.ship_order(ship(order))  # no lease to wait for: the first request is known to be over

    assert [i.state for i in world.intents()] == [IntentState.CLEARED, IntentState.DONE]
    assert len(world.model.packages) == 1


def test_a_sync_goes_on_when_tiktok_cannot_answer_for_a_pending_intent(world: FaultyWorld) -> None:
    order = routed(world, [("mug", 1)])
    store = world.store()
    world.fault(Fault.drop(path=SHIP_PATH))
    with pytest.raises(OutcomeUnknown):
        world.ship_order(ship(order))
    newer = world.place(store, [("mug", 1)])
    world.fault(Fault.error_code(36009004, path="/order/202309/orders"))  # Get Order Detail (the first call) refused

    world.sync()

    assert [o.tiktok_order_id for o in world.parts(newer)] == [newer]  # the page was imported
    assert world.intents()[0].is_pending
    world.sync()
    shipped_once(world, order)


def test_tracking_numbers_match_as_carriers_read_them() -> None:
    assert same_tracking("1z 999 aa1", "1Z999AA1") and not same_tracking("1Z999AA1", "1Z999AA2")
    at = datetime(2026, 1, 1, tzinfo=UTC)
    intent = Intent(id="k", kind=IntentKind.SHIP, store_id="s", order_id="o", tiktok_order_id="t",
                    line_ids=("l",), line_item_ids=("li",), created_at=at, carrier="UPS", tracking_number="1z 999 aa1")
    line = RemoteLine(tiktok_line_item_id="li", seller_sku="mug", status="IN_TRANSIT", package_id="p1",
                      tracking_number="1Z999AA1")
    remote = RemoteOrder(tiktok_order_id="t", status="IN_TRANSIT", fulfilled_by=FulfilledBy.MERCHANT, created_at=at,
                         update_time=1, lines=(line,))
    assert judge(intent, remote).result == "p1"
