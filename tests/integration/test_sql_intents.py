"""Intent records on both SQL dialects (I-9, I-20): the repository, and a lost answer to ship,
cancel and split settled exactly once through the SQL unit of work."""

from dataclasses import replace
from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, select

from adapters.persistence import tables
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from adapters.sandbox.faults import Fault
from application.commands import AssignWarehouse, CancelOrder, ShipOrder, SplitOrder
from application.errors import AlreadyDone, OutcomeUnknown
from domain.cancellation import CancelReason
from domain.exceptions import NotStorable
from domain.intents import Intent, IntentKind, IntentState
from domain.orders import LineStatus, Order, OrderStatus
from domain.stores import Store
from tests.application.test_intents import CANCEL_PATH, SHIP_PATH, FaultyWorld
from tests.builders import T0, a_connected_store

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("mappers")]


def an_intent(store_id: str, **changes: object) -> Intent:
    intent = Intent(id="3f1c2a9e-0000-4000-8000-000000000001", kind=IntentKind.SHIP, store_id=store_id,
                    order_id="ord_1", tiktok_order_id="5761", line_ids=("ln_1", "ln_2"),
                    line_item_ids=("5761-1", "5761-2"), created_at=T0, carrier="USPS",
                    provider_id="7117858858072016686", tracking_number="9400111")
    return replace(intent, **changes)  # type: ignore[arg-type]


class TestRepository:
    def test_an_intent_comes_back_as_kept_and_is_saved_again_when_settled(self, uow: SqlAlchemyUnitOfWork) -> None:
        store = a_connected_store(name="TikTok US")
        with uow:
            uow.session.add(store)
            uow.intents.add(an_intent(store.id))
            uow.commit()

        with uow:
            (loaded,) = uow.intents.pending(store.id)
            assert loaded == an_intent(store.id) and loaded.created_at.tzinfo is UTC
            assert uow.intents.pending(store.id, "5761") == [loaded] and uow.intents.pending(store.id, "other") == []
            loaded.done("pkg_9", T0 + timedelta(seconds=3), "completed")
            uow.intents.add(loaded)
            uow.commit()

        with uow:
            assert uow.intents.pending() == []
            (done,) = uow.intents.for_order("ord_1")
            assert (done.state, done.result, done.outcome, done.settled_at) == (
                IntentState.DONE, "pkg_9", "completed", T0 + timedelta(seconds=3))
            assert uow.session.scalar(select(func.count()).select_from(tables.intents)) == 1

    def test_pending_intents_come_oldest_first_per_store(self, uow: SqlAlchemyUnitOfWork) -> None:
        one, two = a_connected_store(name="One"), a_connected_store(name="Two")
        with uow:
            uow.session.add_all([one, two])
            uow.intents.add(an_intent(one.id, id="b", created_at=T0 + timedelta(seconds=1), kind=IntentKind.CANCEL,
                                      reason="seller_cancel_reason_out_of_stock", partial=True))
            uow.intents.add(an_intent(one.id, id="a"))
            uow.intents.add(an_intent(two.id, id="c", kind=IntentKind.SPLIT, part_order_id="ord_2",
                                      staying_line_item_ids=("5761-3",)))
            uow.commit()

        with uow:
            assert [i.id for i in uow.intents.pending(one.id)] == ["a", "b"]
            (split,) = uow.intents.pending(two.id)
            assert (split.kind, split.part_order_id, split.staying_line_item_ids) == (IntentKind.SPLIT, "ord_2", ("5761-3",))
            assert uow.intents.pending(one.id)[1].partial is True


class SqlWorld(FaultyWorld):
    """The application tests' world over a SQL unit of work instead of the in-memory one."""

    def __init__(self, uow: SqlAlchemyUnitOfWork) -> None:
        super().__init__()
        self.uow = uow  # type: ignore[assignment]

    def store(self, name: str = "TikTok US") -> Store:
        with self.uow:
            found = self.uow.stores.by_name(name)
            assert found is not None
            self.uow.session.expunge(found)  # read after the transaction ends
        return found

    def order(self, order_id: str) -> Order:
        with self.uow:
            found = self.uow.orders.get(order_id)
        assert found is not None
        return found

    def parts(self, tiktok_order_id: str) -> list[Order]:
        with self.uow:
            return sorted(self.uow.orders.by_tiktok_id(tiktok_order_id), key=lambda o: o.split_index)

    def intents(self) -> list[Intent]:
        with self.uow:
            return sorted((i for s in self.uow.stores.list() for o in self.uow.orders.list(store_id=s.id)
                           for i in self.uow.intents.for_order(o.id)), key=lambda i: i.created_at)


@pytest.fixture
def world(uow: SqlAlchemyUnitOfWork) -> SqlWorld:
    return SqlWorld(uow)


def routed(world: SqlWorld, units: list[tuple[str, int]], *, region: str = "US") -> Order:
    store = world.ready(region=region)
    order = world.imported(store, units)
    world.assign_warehouse(AssignWarehouse(order=order.id, warehouse="East"))
    return world.order(order.id)


class TestLostAnswers:
    def test_a_lost_shipment_is_recorded_once_by_the_next_sync_and_a_retry_says_already_shipped(self, world: SqlWorld) -> None:
        order = routed(world, [("tee-red-l", 2)])
        world.fault(Fault.drop(path=SHIP_PATH))
        with pytest.raises(OutcomeUnknown):
            world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="9400111"))
        assert [i.state for i in world.intents()] == [IntentState.PENDING]

        world.sync()
        with pytest.raises(AlreadyDone, match="already shipped: TikTok package .*USPS tracking number 9400111"):
            world.ship_order(ShipOrder(order=order.id, carrier="USPS", tracking="9400111"))

        saved = world.order(order.id)
        (package,) = world.model.packages
        (shipment,) = saved.shipments
        assert saved.status is OrderStatus.SHIPPED
        assert (shipment.package_id, shipment.carrier, shipment.tracking_number) == (package["package_id"], "USPS", "9400111")
        assert [i.state for i in world.intents()] == [IntentState.DONE]

    def test_a_lost_cancellation_is_settled_by_the_retry(self, world: SqlWorld) -> None:
        order = routed(world, [("tee-red-l", 1), ("mug", 1)])
        mug = order.lines[1]
        world.fault(Fault.drop(path=CANCEL_PATH))
        with pytest.raises(OutcomeUnknown):
            world.cancel_order(CancelOrder(order=order.id, lines=[mug.id], reason=CancelReason.OUT_OF_STOCK))

        with pytest.raises(AlreadyDone, match="already cancelled"):
            world.cancel_order(CancelOrder(order=order.id, lines=[mug.id], reason=CancelReason.OUT_OF_STOCK))

        assert [line.status for line in world.order(order.id).lines] == [LineStatus.OPEN, LineStatus.CANCELLED]
        assert len(world.model.cancellations) == 1 and [i.state for i in world.intents()] == [IntentState.DONE]

    def test_a_lost_split_makes_its_part_once(self, world: SqlWorld) -> None:
        order = routed(world, [("tee-red-l", 1), ("mug", 1)], region="MY")
        mug = order.lines[1]
        world.fault(Fault.drop(path=f"/fulfillment/202309/orders/{order.tiktok_order_id}/split"))
        with pytest.raises(OutcomeUnknown):
            world.split_order(SplitOrder(order=order.id, lines=[mug.id]))

        world.reconcile()
        world.reconcile()

        first, part = world.parts(order.tiktok_order_id)
        assert [line.id for line in part.lines] == [mug.id] and world.calls("split") == 1

    def test_a_tracking_number_longer_than_the_column_is_refused_before_tiktok_hears_of_it(self, world: SqlWorld) -> None:
        order = routed(world, [("mug", 1)])
        before = len(world.requests())

        with pytest.raises(NotStorable, match="tracking number is 10000 characters long"):
            world.ship_order(ShipOrder.model_construct(order=order.id, carrier="USPS", tracking="9" * 10_000,
                                                       despite_cancel_request=False))

        assert world.requests()[before:] == [] and world.intents() == []
        assert world.order(order.id).status is OrderStatus.AWAITING_FULFILMENT
