"""Issue 9 items 1-2, STACK.md I-9: ship, cancel and split are recorded before TikTok is told, and a
lost answer ends with the change recorded exactly once (or cleared), never sent twice."""

from collections.abc import Callable

import pytest

from adapters.sandbox import model as sandbox_model
from adapters.sandbox.app import create_app
from adapters.sandbox.faults import Fault
from adapters.sandbox.inprocess import InProcessTikTokShop
from application.commands import (
    AnswerCancellationRequest,
    AssignWarehouse,
    CancelOrder,
    ReconcileIntents,
    ShipOrder,
    SplitOrder,
)
from application.errors import AlreadyDone, ApplicationError, NoPendingCancellationRequest, OutcomeUnknown, TikTokRefused
from application.handlers.cancellation_requests import AnswerCancellationRequestHandler
from application.handlers.reconcile_intents import ReconcileIntentsHandler
from application.intents import reconcile_pending
from domain import limits
from domain.cancellation import CancelReason
from domain.exceptions import NotStorable
from domain.intents import Intent, IntentKind, IntentState
from domain.orders import LineStatus, Order, OrderStatus
from tests.application.world import AUTHORIZE_URL, World

SHIP_PATH = "/fulfillment/202309/orders/"
CANCEL_PATH = "/return_refund/202309/cancellations"


class FaultyWorld(World):
    """The world with the sandbox app at hand, to script its faults and read its request log."""

    def __init__(self) -> None:
        super().__init__()
        self.app = create_app(self.model)
        self.tiktok = InProcessTikTokShop(self.model, authorize_url=AUTHORIZE_URL, app=self.app)

    def fault(self, fault: Fault) -> None:
        self.app.state.faults.add(fault)

    def intents(self) -> list[Intent]:
        return sorted(self.db.intents.values(), key=lambda i: i.created_at)

    def reconcile(self, store: str | None = None) -> list[Intent]:
        return ReconcileIntentsHandler(self.uow, self.tiktok, self.clock)(ReconcileIntents(store=store)).intents

    def requests(self) -> list[str]:
        return self.app.state.requests.paths()


@pytest.fixture
def world() -> FaultyWorld:
    return FaultyWorld()


def routed(world: FaultyWorld, units: list[tuple[str, int]], *, region: str = "US") -> Order:
    store = world.ready(region=region)
    order = world.imported(store, units)
    world.assign_warehouse(AssignWarehouse(order=order.id, warehouse="East"))
    return world.order(order.id)


def ship(order: Order, tracking: str = "9400111") -> ShipOrder:
    return ShipOrder(order=order.id, carrier="USPS", tracking=tracking)


def shipped_once(world: FaultyWorld, order: Order, tracking: str = "9400111") -> None:
    saved = world.order(order.id)
    (package,) = world.model.packages
    (shipment,) = saved.shipments
    assert (shipment.package_id, shipment.carrier, shipment.tracking_number) == (package["package_id"], "USPS", tracking)
    assert saved.status is OrderStatus.SHIPPED and shipment.line_ids == tuple(line.id for line in order.lines)
    (intent,) = world.intents()
    assert (intent.state, intent.result) == (IntentState.DONE, package["package_id"])


# Three ways a pending shipment gets settled: the next command on the order, `orders reconcile`,
# the next sync of the store.
SETTLE: dict[str, Callable[[FaultyWorld, Order], object]] = {
    "reconcile": lambda world, order: world.reconcile(),
    "next sync": lambda world, order: world.sync(),
    "two syncs": lambda world, order: (world.sync(), world.sync()),
}


class TestShip:
    def test_the_intent_is_recorded_before_tiktok_is_called_and_done_with_the_shipment(self, world: FaultyWorld) -> None:
        order = routed(world, [("mug", 1)])
        seen: list[list[Intent]] = []
        real = world.tiktok.ship_package

        def spying(*args: object, **kwargs: object) -> str:
            seen.append(list(world.db.intents.values()))  # what is committed when TikTok is called
            return real(*args, **kwargs)  # type: ignore[arg-type]

        world.tiktok.ship_package = spying  # type: ignore[method-assign]
        package_id = world.ship_order(ship(order))

        ((before,),) = seen
        assert (before.kind, before.state, before.tracking_number, before.carrier) == (
            IntentKind.SHIP, IntentState.PENDING, "9400111", "USPS")
        assert before.line_item_ids == tuple(line.tiktok_line_item_id for line in order.lines) and before.id
        shipped_once(world, order)
        assert world.intents()[0].result == package_id

    def test_a_lost_answer_leaves_the_intent_pending_and_the_order_unshipped(self, world: FaultyWorld) -> None:
        order = routed(world, [("mug", 1)])
        world.fault(Fault.drop(path=SHIP_PATH))

        with pytest.raises(OutcomeUnknown, match="pending.*orders reconcile"):
            world.ship_order(ship(order))

        assert len(world.model.packages) == 1  # TikTok applied it
        assert world.order(order.id).shipments == []
        (intent,) = world.intents()
        assert intent.state is IntentState.PENDING

    def test_a_retry_reports_already_shipped_with_the_tracking_number_and_sends_nothing(self, world: FaultyWorld) -> None:
        order = routed(world, [("mug", 1)])
        world.fault(Fault.drop(path=SHIP_PATH))
        with pytest.raises(OutcomeUnknown):
            world.ship_order(ship(order))
        sent = world.calls("ship")

        with pytest.raises(AlreadyDone, match=r"already shipped: TikTok package \d+, USPS tracking number 9400111"):
            world.ship_order(ship(order))

        assert world.calls("ship") == sent
        shipped_once(world, order)
        with pytest.raises(AlreadyDone, match="already shipped"):  # and again, once recorded
            world.ship_order(ship(order))
        with pytest.raises(ApplicationError, match="already shipped .*tracking number 9400111"):
            world.ship_order(ship(order, tracking="OTHER"))
        shipped_once(world, order)

    @pytest.mark.parametrize("settle", SETTLE.values(), ids=SETTLE.keys())
    def test_reconcile_or_the_next_sync_records_the_lost_shipment_exactly_once(self, world: FaultyWorld, settle) -> None:  # type: ignore[no-untyped-def]
        order = routed(world, [("tee-red-l", 2)])
        world.fault(Fault.drop(path=SHIP_PATH))
        with pytest.raises(OutcomeUnknown):
            world.ship_order(ship(order))

        settle(world, order)

        shipped_once(world, order)
        assert world.intents()[0].outcome.startswith("completed from TikTok's order")

    def test_a_sync_that_already_marked_the_order_shipped_still_gets_the_shipment(self, world: FaultyWorld) -> None:
        order = routed(world, [("mug", 1)])
        world.fault(Fault.drop(path=SHIP_PATH))
        with pytest.raises(OutcomeUnknown):
            world.ship_order(ship(order))
        world.sync()
        world.sync()

        shipped_once(world, order)

    def test_a_5xx_before_tiktok_did_anything_is_cleared_and_the_retry_ships_once(self, world: FaultyWorld) -> None:
        order = routed(world, [("mug", 1)])
        world.fault(Fault.unavailable(path=SHIP_PATH))
        with pytest.raises(OutcomeUnknown):
            world.ship_order(ship(order))
        assert world.model.packages == []

        package_id = world.ship_order(ship(order))

        first, second = world.intents()
        assert first.state is IntentState.CLEARED and "TikTok did not apply it" in first.outcome
        assert (second.state, second.result) == (IntentState.DONE, package_id)
        assert len(world.model.packages) == 1 and len(world.order(order.id).shipments) == 1

    def test_a_refusal_is_recorded_with_its_reason_and_the_order_is_unchanged(self, world: FaultyWorld) -> None:
        order = routed(world, [("mug", 1)])
        world.fault(Fault.error_code(21011044, path=SHIP_PATH))

        with pytest.raises(TikTokRefused):
            world.ship_order(ship(order))

        (intent,) = world.intents()
        assert intent.state is IntentState.REFUSED and "21011044" in intent.outcome and intent.settled_at
        assert world.order(order.id).shipments == [] and world.reconcile() == []

    def test_shipping_an_existing_package_sea_settles_from_the_lines_package(self, world: FaultyWorld) -> None:
        order = routed(world, [("mug", 1)], region="MY")
        world.fault(Fault.drop(path="/fulfillment/202309/packages/"))
        with pytest.raises(OutcomeUnknown):
            world.ship_order(ship(order))

        world.reconcile()

        shipped_once(world, order)


class TestTheNextCommandOnTheOrder:
    def test_answering_the_buyer_after_a_lost_shipment_finds_the_request_closed_by_it(self, world: FaultyWorld) -> None:
        order = routed(world, [("mug", 1)])
        world.model.buyer_requests_cancellation(order.tiktok_order_id)
        world.sync()
        world.fault(Fault.drop(path=SHIP_PATH))
        with pytest.raises(OutcomeUnknown):  # in the US, shipping rejects the buyer's request
            world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="9400111", despite_cancel_request=True))
        answer = AnswerCancellationRequestHandler(world.uow, world.tiktok, world.clock)

        with pytest.raises(NoPendingCancellationRequest):
            answer(AnswerCancellationRequest(order=order.id, decision="approve"))

        saved = world.order(order.id)
        assert saved.status is OrderStatus.SHIPPED and len(saved.shipments) == 1
        assert saved.cancellation_request is not None and saved.cancellation_request.decision == "shipped"
        assert world.calls("approve_cancellation") == 0


class TestCancel:
    def test_a_lost_answer_is_settled_by_the_retry_which_reports_success(self, world: FaultyWorld) -> None:
        order = routed(world, [("mug", 1)])
        world.fault(Fault.drop(path=CANCEL_PATH))
        with pytest.raises(OutcomeUnknown):
            world.cancel_order(CancelOrder(order=order.id, reason=CancelReason.OUT_OF_STOCK))
        assert world.order(order.id).status is OrderStatus.AWAITING_FULFILMENT
        assert world.intents()[0].state is IntentState.PENDING

        with pytest.raises(AlreadyDone, match="already cancelled"):
            world.cancel_order(CancelOrder(order=order.id, reason=CancelReason.OUT_OF_STOCK))

        assert len(world.model.cancellations) == 1
        assert world.order(order.id).status is OrderStatus.CANCELLED
        assert [i.state for i in world.intents()] == [IntentState.DONE]

    @pytest.mark.parametrize("settle", SETTLE.values(), ids=SETTLE.keys())
    def test_a_lost_partial_cancellation_is_recorded_once(self, world: FaultyWorld, settle) -> None:  # type: ignore[no-untyped-def]
        order = routed(world, [("tee-red-l", 1), ("mug", 1)])
        tee, mug = order.lines
        world.fault(Fault.drop(path=CANCEL_PATH))
        with pytest.raises(OutcomeUnknown):
            world.cancel_order(CancelOrder(order=order.id, lines=[mug.id], reason=CancelReason.OUT_OF_STOCK))

        settle(world, order)

        saved = world.order(order.id)
        assert [line.status for line in saved.lines] == [LineStatus.OPEN, LineStatus.CANCELLED]
        assert len(world.model.cancellations) == 1 and world.intents()[0].state is IntentState.DONE
        with pytest.raises(AlreadyDone, match=f"lines {mug.id} of order .* already cancelled"):
            world.cancel_order(CancelOrder(order=order.id, lines=[mug.id], reason=CancelReason.OUT_OF_STOCK))
        assert len(world.model.cancellations) == 1

    def test_a_refused_cancellation_is_recorded_with_its_reason(self, world: FaultyWorld) -> None:
        order = routed(world, [("mug", 1)])
        world.fault(Fault.error_code(25001051, path=CANCEL_PATH))

        with pytest.raises(TikTokRefused):
            world.cancel_order(CancelOrder(order=order.id, reason=CancelReason.OUT_OF_STOCK))

        (intent,) = world.intents()
        assert intent.state is IntentState.REFUSED and "25001051" in intent.outcome
        assert world.order(order.id).status is OrderStatus.AWAITING_FULFILMENT


class TestSplit:
    def split_lost(self, world: FaultyWorld) -> tuple[Order, str]:
        order = routed(world, [("tee-red-l", 1), ("mug", 1)], region="MY")
        mug = order.lines[1]
        world.fault(Fault.drop(path=f"/fulfillment/202309/orders/{order.tiktok_order_id}/split"))
        with pytest.raises(OutcomeUnknown):
            world.split_order(SplitOrder(order=order.id, lines=[mug.id]))
        assert world.parts(order.tiktok_order_id) == [world.order(order.id)]
        return order, mug.id

    def test_a_retry_reports_the_part_the_lost_split_made(self, world: FaultyWorld) -> None:
        order, mug = self.split_lost(world)

        with pytest.raises(AlreadyDone, match=f"already split off into order ord_") as done:
            world.split_order(SplitOrder(order=order.id, lines=[mug]))

        first, part = world.parts(order.tiktok_order_id)
        assert done.value.result == part.id and [line.id for line in part.lines] == [mug]
        assert world.calls("split") == 1 and world.intents()[0].state is IntentState.DONE

    @pytest.mark.parametrize("settle", SETTLE.values(), ids=SETTLE.keys())
    def test_reconcile_or_the_next_sync_makes_the_part_once(self, world: FaultyWorld, settle) -> None:  # type: ignore[no-untyped-def]
        order, mug = self.split_lost(world)

        settle(world, order)

        first, part = world.parts(order.tiktok_order_id)
        assert [line.id for line in part.lines] == [mug] and part.id == world.intents()[0].part_order_id
        assert world.calls("split") == 1
        moved = world.model.find_order(order.tiktok_order_id)["line_items"][1]["package_id"]
        assert world.intents()[0].result == moved


    def test_a_refused_split_is_recorded_with_its_reason_and_nothing_moves(self, world: FaultyWorld) -> None:
        order = routed(world, [("tee-red-l", 1), ("mug", 1)], region="MY")
        world.fault(Fault.error_code(21011036, path=f"/fulfillment/202309/orders/{order.tiktok_order_id}/split"))

        with pytest.raises(TikTokRefused):
            world.split_order(SplitOrder(order=order.id, lines=[order.lines[1].id]))

        (intent,) = world.intents()
        assert intent.state is IntentState.REFUSED and "21011036" in intent.outcome
        assert world.parts(order.tiktok_order_id) == [world.order(order.id)] and len(world.order(order.id).lines) == 2


class TestReconcile:
    def test_nothing_pending_asks_tiktok_nothing(self, world: FaultyWorld) -> None:
        routed(world, [("mug", 1)])
        before = len(world.requests())

        assert world.reconcile() == [] and reconcile_pending(world.uow, world.tiktok, world.clock, "st_x") == []
        assert len(world.requests()) == before

    def test_one_order_detail_call_settles_every_pending_intent_of_a_store(self, world: FaultyWorld) -> None:
        first = routed(world, [("mug", 1)])
        second = world.imported(world.store(), [("mug", 1)])
        world.assign_warehouse(AssignWarehouse(order=second.id, warehouse="East"))
        for order in (first, world.order(second.id)):
            world.fault(Fault.drop(path=SHIP_PATH))
            with pytest.raises(OutcomeUnknown):
                world.ship_order(ship(order, tracking=f"T-{order.id}"))
        before = len(world.requests())

        settled = world.reconcile("TikTok US")

        assert [i.state for i in settled] == [IntentState.DONE, IntentState.DONE]
        assert world.requests()[before:] == ["/order/202309/orders"]
        assert all(len(world.order(o.id).shipments) == 1 for o in (first, second))

    def test_an_intent_tiktok_shows_unapplied_is_cleared_and_never_completed_later(self, world: FaultyWorld) -> None:
        order = routed(world, [("mug", 1)])
        world.fault(Fault.unavailable(path=SHIP_PATH))
        with pytest.raises(OutcomeUnknown):
            world.ship_order(ship(order))

        (cleared,) = world.reconcile()

        assert cleared.state is IntentState.CLEARED and "still to ship" in cleared.outcome
        assert world.reconcile() == [] and world.order(order.id).shipments == []


class TestValidatedBeforeSending:
    def test_a_tracking_number_the_oms_cannot_keep_is_refused_before_any_request(self, world: FaultyWorld) -> None:
        order = routed(world, [("mug", 1)])
        before = len(world.requests())
        # Bypasses the command's own check: the use case refuses it too, before anything is sent.
        command = ShipOrder.model_construct(order=order.id, carrier="USPS", tracking="9" * 10_000,
                                            despite_cancel_request=False)

        with pytest.raises(NotStorable, match=f"10000 characters long; the OMS keeps at most {limits.TRACKING_NUMBER}"):
            world.ship_order(command)

        assert world.requests()[before:] == [] and world.intents() == []
        assert world.order(order.id).shipments == []

    def test_a_carrier_name_tiktok_gives_that_the_oms_cannot_keep_is_refused_before_shipping(
        self, world: FaultyWorld, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        order = routed(world, [("mug", 1)])
        long_name = "C" * (limits.CARRIER + 1)
        monkeypatch.setitem(sandbox_model.SHIPPING_PROVIDERS[0], "name", long_name)

        with pytest.raises(NotStorable, match=f"carrier is {limits.CARRIER + 1} characters long"):
            world.ship_order(ShipOrder.model_construct(order=order.id, carrier=long_name, tracking="1",
                                                       despite_cancel_request=False))

        assert world.calls("ship") == 0 and world.intents() == []
