"""Changes asked of TikTok (ship, cancel, split), recorded before they are sent (STACK.md I-9).

    record (own transaction) -> call TikTok -> effect + outcome (one transaction)

TikTok's ship, cancel and split endpoints take no idempotency key (STACK.md §6 question 5), so a
request whose answer is lost is never simply sent again: its intent stays *pending*, and the next
command on that order, the next sync of its store or `orders reconcile` reads the order back from
TikTok (Get Order Detail, TIKTOK_API.md §3.2: each line item's `display_status`, `package_id`,
`tracking_number`) and either records the effect exactly once or clears the intent.
"""

import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from application.errors import (
    AccessTokenExpired,
    AlreadyDone,
    ApplicationError,
    AuthorizationFailed,
    AuthorizationRevoked,
    ChangeOnItsWay,
    NotFound,
    OutcomeUnknown,
    StoreNeedsReauthorization,
    StoreNotConnected,
    TikTokError,
    TikTokRefused,
)
from application.lookup import find_order, siblings
from application.ports import Clock, TikTokShop, UnitOfWork
from application.tiktok_session import ShopSession
from domain.exceptions import DomainError
from domain.imports import RemoteOrder
from domain.intents import Intent, IntentKind, IntentState, judge, same_tracking
from domain.markets import shipping_rejects_cancel_request
from domain.orders import LineStatus, Order, OrderStatus, Shipment

T = TypeVar("T")
log = logging.getLogger(__name__)

# Failures that certainly left TikTok untouched: refused, or never sent.
NOT_APPLIED = (TikTokRefused, AccessTokenExpired, AuthorizationRevoked, AuthorizationFailed,
               StoreNeedsReauthorization, StoreNotConnected, NotFound)
DETAIL_BATCH = 50  # Get Order Detail takes at most 50 ids (TIKTOK_API.md §7.3)

_WHAT = {IntentKind.SHIP: "shipment", IntentKind.CANCEL: "cancellation", IntentKind.SPLIT: "split"}


def new_key() -> str:
    """A fresh idempotency key (a UUID4, 36 characters)."""
    return str(uuid.uuid4())


def send(uow: UnitOfWork, session: ShopSession, clock: Clock, intent: Intent,
         call: Callable[[], T], result_of: Callable[[T], str]) -> T:
    """Record `intent`, run `call` (the TikTok request), then record its effect with the outcome.

    - The intent is committed before `call` runs: a crash or lost answer leaves it pending.
    - A refusal (or a failure before sending) settles it as refused with the reason, and is raised.
    - Any other failure leaves it pending and raises `OutcomeUnknown` saying how it gets settled.
    - Success: the effect on the OMS order and `done` commit together (even if a reconcile
      cleared the intent while the request was on its way); returns what `call` did.
    """
    with uow:
        uow.intents.add(intent)
        uow.commit()
    try:
        answer = call()
    except NOT_APPLIED as exc:
        with uow:
            kept = uow.intents.get(intent.id)
            if kept is not None and kept.is_pending:
                kept.refused(" ".join(str(exc).split()), clock.now())
                uow.intents.add(kept)
                uow.commit()
        raise
    except TikTokError as exc:
        _answer_lost(uow, intent, clock)
        raise OutcomeUnknown(
            f"{exc}; the {_WHAT[intent.kind]} is recorded as pending: the next command on this order, the next "
            "sync or 'tiktok-oms orders reconcile' checks TikTok and completes or clears it", code=exc.code,
        ) from None
    except BaseException:
        # Anything else (the database, a bug, Ctrl+C) ended this command's wait: the request may or
        # may not have gone, and nothing is on its way any more, so the next settling may clear it
        # at once instead of waiting out IN_FLIGHT.
        _answer_lost(uow, intent, clock)
        raise
    with uow:
        uow.lock_store(intent.store_id)  # serialized with a sync importing this store's orders
        kept = uow.intents.get(intent.id)
        # TikTok's answer is the last word: even an intent a reconcile cleared meanwhile (it read
        # TikTok's order before the change landed) is completed; one completed already is kept.
        if kept is not None and kept.state is not IntentState.DONE:
            complete(uow, kept, result_of(answer), clock)
        uow.commit()
    return answer


def _answer_lost(uow: UnitOfWork, intent: Intent, clock: Clock) -> None:
    try:
        with uow:
            kept = uow.intents.get(intent.id)
            if kept is not None and kept.is_pending:
                kept.answer_lost(clock.now())  # settling it may clear it now: nothing is on its way
                uow.intents.add(kept)
                uow.commit()
    except Exception:  # the database itself may be what failed: the lease then runs out instead
        log.warning("intent %s: could not record that its answer is lost", intent.id)


def complete(uow: UnitOfWork, intent: Intent, result: str, clock: Clock, how: str = "") -> None:
    """Apply an intent TikTok applied to its OMS order (inside the caller's transaction) and mark
    it done with `result` (TikTok's package id, cancel id, or the split-off package's id, when
    known). Applying twice is a no-op."""
    order = uow.orders.get(intent.order_id)
    note = how
    if order is None:
        note = "the order is no longer in the OMS"
    elif intent.kind is IntentKind.SHIP:
        _record_shipment(uow, order, intent, result)
    elif intent.kind is IntentKind.CANCEL:
        order.cancel_lines([line for line in order.lines if line.id in intent.line_ids])
    else:
        try:
            _split(uow, order, intent)
        except DomainError as exc:
            note = f"TikTok split it, but the OMS order changed meanwhile: {exc}"
    intent.done(result, clock.now(), note)
    uow.intents.add(intent)


def _record_shipment(uow: UnitOfWork, order: Order, intent: Intent, package_id: str) -> None:
    if any(s.package_id == package_id for s in order.shipments):
        return
    assert order.warehouse_id is not None, "an order ships only from its warehouse"
    order.record_shipment(Shipment(
        package_id=package_id, line_ids=intent.line_ids, warehouse_id=order.warehouse_id,
        carrier=intent.carrier, tracking_number=intent.tracking_number, shipped_at=intent.created_at,
    ))
    store = uow.stores.get(order.store_id)
    if order.has_pending_cancellation_request and store is not None and shipping_rejects_cancel_request(store.region):
        order.reject_cancellation_request("", "shipped")  # TikTok rejects it as the package ships


def _split(uow: UnitOfWork, order: Order, intent: Intent) -> None:
    if uow.orders.get(intent.part_order_id) is None:
        split_off(uow, order, list(intent.line_ids), intent.part_order_id, by_sku_only=True)


def split_off(uow: UnitOfWork, order: Order, lines: list[str], part_id: str, *, by_sku_only: bool) -> Order:
    """Move `lines` (ids or TikTok line ids) of `order` to a new part `part_id`, numbered after
    every part of its TikTok order, inside the caller's transaction; returns the part. Raises the
    domain's split errors (R5)."""
    index = 1 + max([order.split_index, *(p.split_index for p in siblings(uow, order))])
    part = order.split(lines, new_order_id=part_id, split_index=index, by_sku_only=by_sku_only)
    uow.orders.add(part)
    return part


def reconcile_pending(uow: UnitOfWork, tiktok: TikTokShop, clock: Clock, store_id: str,
                      tiktok_order_id: str | None = None) -> list[Intent]:
    """Settle the store's pending intents (or one TikTok order's) from TikTok's state now.

    Reads each order once with Get Order Detail (50 a call); an intent TikTok applied is completed
    exactly once, one it did not is cleared with the reason — unless its command is still waiting
    for TikTok's answer (`Intent.in_flight`), which leaves it pending. An order TikTok answers in a shape
    the OMS cannot read keeps its intents pending. Returns the intents looked at, as they are now.
    Raises what `ShopSession.call` raises when TikTok cannot be asked (they stay pending then).
    """
    with uow:
        pending = uow.intents.pending(store_id, tiktok_order_id)
    if not pending:
        return []
    session = ShopSession(uow, tiktok, clock)
    order_ids = sorted({i.tiktok_order_id for i in pending})
    looked_at: list[Intent] = []
    for start in range(0, len(order_ids), DETAIL_BATCH):
        batch = order_ids[start:start + DETAIL_BATCH]
        page = session.call(store_id, lambda conn: tiktok.order_details(conn, batch))
        remote: dict[str, RemoteOrder] = {o.tiktok_order_id: o for o in page.orders}
        unreadable = {r.tiktok_order_id for r in page.rejected}
        with uow:
            uow.lock_store(store_id)
            for intent in pending:
                if intent.tiktok_order_id not in batch:
                    continue
                kept = uow.intents.get(intent.id)
                if kept is None:
                    continue
                if kept.is_pending and kept.tiktok_order_id not in unreadable:
                    verdict = judge(kept, remote.get(kept.tiktok_order_id))
                    if verdict.applied:
                        complete(uow, kept, verdict.result, clock, "completed from TikTok's order after the answer was lost")
                    elif kept.in_flight(clock.now()):
                        pass  # its command still waits for TikTok's answer: not applied *yet*
                    else:
                        kept.cleared(f"TikTok did not apply it: {verdict.why}", clock.now())
                        uow.intents.add(kept)
                looked_at.append(kept)
            uow.commit()
    return looked_at


def settle_store(uow: UnitOfWork, tiktok: TikTokShop, clock: Clock, store_id: str) -> None:
    """At the start of a sync: settle the store's pending intents when TikTok answers. A failure to
    read them back is logged and leaves them pending; it never stops the sync (issue 9: nothing
    blocks an import). Re-authorization errors still stop it: no page could be read either."""
    try:
        reconcile_pending(uow, tiktok, clock, store_id)
    except (AuthorizationRevoked, AuthorizationFailed, StoreNeedsReauthorization, StoreNotConnected):
        raise
    except TikTokError as exc:
        log.warning("sync: pending ship/cancel/split requests of store %s stay pending: %s", store_id, exc)


def settle_order(uow: UnitOfWork, tiktok: TikTokShop, clock: Clock, order_ref: str) -> None:
    """Before a command on an order: settle the pending intents of its TikTok order, if any.

    Raises `ChangeOnItsWay` when one is still pending afterwards (another command's request is on
    its way to TikTok, or TikTok's answer about it was unreadable): sending a second change of the
    same order now could apply both."""
    with uow:
        try:
            order = find_order(uow, order_ref)
        except ApplicationError:
            return  # the command itself says what is wrong with the reference
        store_id, tiktok_order_id = order.store_id, order.tiktok_order_id
        if not uow.intents.pending(store_id, tiktok_order_id):
            return
    reconcile_pending(uow, tiktok, clock, store_id, tiktok_order_id)
    with uow:
        still = uow.intents.pending(store_id, tiktok_order_id)
    if still:
        first = still[0]
        raise ChangeOnItsWay(
            f"a {_WHAT[first.kind]} of TikTok order {tiktok_order_id} asked at {first.created_at:%H:%M:%S} UTC is still "
            "waiting for TikTok's answer; try again once it is settled ('tiktok-oms orders reconcile')"
        )


def done_before(uow: UnitOfWork, order: Order, kind: IntentKind) -> list[Intent]:
    """The intents of this kind TikTok applied for this order (or split part), oldest first."""
    return [i for i in uow.intents.for_order(order.id) if i.kind is kind and i.state is IntentState.DONE]


def already_shipped(uow: UnitOfWork, order: Order, ref: str, tracking: str) -> None:
    """Raise `AlreadyDone` (same tracking number) or an error naming the tracking number when a
    shipment the OMS asked for already shipped this order; else nothing."""
    if order.status is not OrderStatus.SHIPPED:
        return
    shipped = done_before(uow, order, IntentKind.SHIP)
    if not shipped:
        return
    last = next((i for i in reversed(shipped) if same_tracking(i.tracking_number, tracking)), shipped[-1])
    what = f"TikTok package {last.result}, {last.carrier} tracking number {last.tracking_number}"
    if same_tracking(last.tracking_number, tracking):
        raise AlreadyDone(f"order {ref} is already shipped: {what}", result=last.result)
    raise ApplicationError(f"order {ref} is already shipped ({what}); TikTok allows one tracking update "
                           "within 72 hours, in Seller Center")


def already_cancelled(uow: UnitOfWork, order: Order, ref: str, line_refs: list[str] | None) -> None:
    """Raise `AlreadyDone` when a cancellation the OMS asked for already cancelled these lines."""
    wanted = [order.find_line(r) for r in line_refs] if line_refs else list(order.lines)
    if not wanted or any(line is None or line.status is not LineStatus.CANCELLED for line in wanted):
        return
    cancelled = {line_id for i in done_before(uow, order, IntentKind.CANCEL) for line_id in i.line_ids}
    if all(line is not None and line.id in cancelled for line in wanted):
        which = f"lines {', '.join(line_refs)} of order" if line_refs else "order"
        raise AlreadyDone(f"{which} {ref} already cancelled")


def already_split(uow: UnitOfWork, order: Order, ref: str, line_refs: list[str]) -> None:
    """Raise `AlreadyDone` when a split the OMS asked for already moved these lines off."""
    if any(order.find_line(r) is not None for r in line_refs):
        return
    for intent in reversed(done_before(uow, order, IntentKind.SPLIT)):
        if set(line_refs) <= set(intent.line_ids) | set(intent.line_item_ids):
                raise AlreadyDone(f"lines {', '.join(line_refs)} of order {ref} are already split off into order "
                              f"{intent.part_order_id}", result=intent.part_order_id)
