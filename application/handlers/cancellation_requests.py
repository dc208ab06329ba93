"""Buyer cancellation requests: imported with the orders, answered by the seller."""

import uuid
from dataclasses import dataclass

from application.commands import AnswerCancellationRequest
from application.errors import NoPendingCancellationRequest, RejectReasonRequired
from application.intents import settle_order
from application.lookup import find_order, siblings
from application.ports import CancellationPage, Clock, RejectReason, TikTokShop, UnitOfWork
from application.tiktok_session import ShopSession
from domain.cancellation_requests import RemoteCancellation, RequestStatus, listed
from domain.exceptions import FbtOrderNotActionable
from domain.orders import Order

PAGE_SIZE = 50  # Search Cancellations' largest page (TikTok: 1-50)


def reasons_text(reasons: list[RejectReason]) -> str:
    return "; ".join(f"{r.name} ({r.text})" if r.text else r.name for r in reasons) or "none"


class CancellationRequestImporter:
    """
    - The orders TikTok flags (`is_buyer_request_cancel`, read with the orders) have a pending
      request; Search Cancellations then names each one the OMS cannot name yet (its cancel_id,
      reason and answer deadline), 50 orders a call, and only when there are such orders.
    - Only requests of orders the OMS holds are kept; a seller's or the system's cancellation
      is not a request. What the seller already decided is never overwritten by a stale list.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._session = ShopSession(uow, tiktok, clock)

    def __call__(self, store_id: str) -> int:
        """Returns how many of the store's TikTok orders have a pending request afterwards."""
        with self._uow:
            unnamed = sorted({o.tiktok_order_id for o in self._uow.orders.list(store_id=store_id, cancellation_request="pending")
                              if o.cancellation_request is not None and not o.cancellation_request.cancel_id})
        for start in range(0, len(unnamed), PAGE_SIZE):
            self._import(store_id, self._all(store_id, unnamed[start:start + PAGE_SIZE]))
        with self._uow:
            return len({o.tiktok_order_id for o in self._uow.orders.list(store_id=store_id, cancellation_request="pending")})

    def _all(self, store_id: str, order_ids: list[str]) -> list[RemoteCancellation]:
        found: list[RemoteCancellation] = []
        token: str | None = None
        while True:
            page: CancellationPage = self._session.call(
                store_id, lambda conn: self._tiktok.search_cancellations(conn, order_ids=order_ids, page_token=token,
                                                                        page_size=PAGE_SIZE)
            )
            found += page.cancellations
            token = page.next_page_token
            if not token:
                return found

    def _import(self, store_id: str, records: list[RemoteCancellation]) -> None:
        records = [r for r in records if r.from_buyer]
        if not records:
            return
        with self._uow:
            self._uow.lock_store(store_id)
            parts = self._uow.orders.parts(store_id, [r.tiktok_order_id for r in records])
            # Oldest first: the newest request of an order is the one it keeps.
            for record in sorted(records, key=lambda r: (r.created_at is None, r.created_at)):
                for part in parts.get(record.tiktok_order_id, []):
                    part.cancellation_request = listed(part.cancellation_request, record)
            self._uow.commit()


@dataclass(frozen=True, slots=True)
class Answered:
    order_id: str
    tiktok_order_id: str
    status: RequestStatus
    reason: str = ""


class AnswerCancellationRequestHandler:
    """
    - The seller approves or rejects the buyer's pending cancellation request of an order.
    - Approving cancels what the buyer asked to cancel (the whole order unless TikTok names lines).
    - Rejecting needs one of the reasons TikTok's Get Reject Reasons lists for this request (by
      name or by its text); none or another one is refused before anything is sent, naming them.
    - FBT orders are TikTok's to answer. If TikTok refuses, the order stays as it was.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock
        self._session = ShopSession(uow, tiktok, clock)

    def __call__(self, cmd: AnswerCancellationRequest) -> Answered:
        settle_order(self._uow, self._tiktok, self._clock, cmd.order)  # a ship or cancel whose answer was lost
        with self._uow:
            order = find_order(self._uow, cmd.order)
            if order.is_fbt:
                raise FbtOrderNotActionable(f"{cmd.decision} the cancellation request of")
            request = order.cancellation_request
            if request is None or not request.is_pending:
                raise NoPendingCancellationRequest(
                    f"order {cmd.order} has no pending cancellation request from the buyer "
                    "(run 'tiktok-oms orders sync' to fetch new ones)"
                )
            order_id, store_id, tiktok_order_id, cancel_id = order.id, order.store_id, order.tiktok_order_id, request.cancel_id
        if not cancel_id:
            cancel_id = pending_cancel_id(self._session, self._tiktok, store_id, tiktok_order_id)
        reason = ""
        if cmd.decision == "reject":
            reasons = self._session.call(store_id, lambda conn: self._tiktok.reject_reasons(conn, cancel_id=cancel_id))
            reason = self._reason(cmd.reason, reasons)
        key = str(uuid.uuid4())  # one per answer: a resent request is recognized, not applied twice
        if cmd.decision == "approve":
            self._session.call(store_id, lambda conn: self._tiktok.approve_cancellation(
                conn, cancel_id=cancel_id, idempotency_key=key))
        else:
            self._session.call(store_id, lambda conn: self._tiktok.reject_cancellation(
                conn, cancel_id=cancel_id, reason_name=reason, comment=cmd.comment, idempotency_key=key))
        with self._uow:
            self._uow.lock_store(store_id)
            order = find_order(self._uow, order_id)
            for part in [order, *siblings(self._uow, order)]:
                if cmd.decision == "approve":
                    part.approve_cancellation_request(cancel_id)
                else:
                    part.reject_cancellation_request(cancel_id, reason)
            self._uow.commit()
        return Answered(order_id, tiktok_order_id, RequestStatus.APPROVED if cmd.decision == "approve" else RequestStatus.REJECTED, reason)

    @staticmethod
    def _reason(wanted: str | None, reasons: list[RejectReason]) -> str:
        if not wanted:
            raise RejectReasonRequired(f"rejecting needs --reason, one of TikTok's reasons: {reasons_text(reasons)}")
        for reason in reasons:
            if wanted.casefold() in (reason.name.casefold(), reason.text.casefold()):
                return reason.name
        raise RejectReasonRequired(f"TikTok does not offer the reject reason {wanted!r} here; choose one of: {reasons_text(reasons)}")


def pending_cancel_id(session: ShopSession, tiktok: TikTokShop, store_id: str, tiktok_order_id: str) -> str:
    """TikTok's cancel_id of the buyer's newest pending request of an order (Search Cancellations,
    TIKTOK_API.md; `cancel_id` is what Approve/Reject Cancellation and Get Reject Reasons take).
    Raises NoPendingCancellationRequest when TikTok lists none any more."""
    page = session.call(store_id, lambda conn: tiktok.search_cancellations(
        conn, order_ids=[tiktok_order_id], page_token=None, page_size=PAGE_SIZE))
    pending = [r for r in page.cancellations if r.from_buyer and r.request_status is RequestStatus.PENDING]
    if not pending:
        raise NoPendingCancellationRequest(
            f"TikTok lists no pending cancellation request for order {tiktok_order_id} any more "
            "(run 'tiktok-oms orders sync' to see what happened to it)"
        )
    return max(pending, key=lambda r: (r.created_at is not None, r.created_at)).cancel_id


def pending_request_of(order: Order) -> str | None:
    """A one-line warning when the buyer of this order is waiting for an answer, else None."""
    request = order.cancellation_request
    if request is None or not request.is_pending:
        return None
    when = f" on {request.requested_at:%Y-%m-%d %H:%M} UTC" if request.requested_at else ""
    why = f" ({request.reason_text or request.reason})" if request.reason_text or request.reason else ""
    return f"the buyer asked to cancel TikTok order {order.tiktok_order_id}{when}{why}"
