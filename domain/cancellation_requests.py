"""A buyer's request to cancel an order, which the seller must answer.

In its first hour (ON_HOLD) a buyer cancels outright; after it the buyer can only *request* a
cancellation, "subject to Seller approval" (TikTok's order-api-overview). TikTok flags such an
order with `is_buyer_request_cancel` and `request_cancel_time` (Get Order List 202309, changelog
"US only: order cancellation workflow updates", 2024), and lists the request itself, with its
`cancel_id`, reason and answer deadline, in Search Cancellations 202309. The seller approves
(Approve Cancellation) or rejects it with one of the reasons Get Reject Reasons lists; in the US,
shipping the order rejects it too.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum


class RequestStatus(str, Enum):
    PENDING = "pending"  # waiting for the seller's answer
    APPROVED = "approved"  # the order (or the requested lines) is cancelled
    REJECTED = "rejected"  # the order goes on
    CLOSED = "closed"  # no longer pending on TikTok: withdrawn, or answered outside the OMS


# Search Cancellations' cancel_status (202309; the Cancel Order answer spells one of them
# CANCELLATION_REQUEST_CANCEL). A request that went away without a cancellation is closed.
_STATUS_OF = {
    "CANCELLATION_REQUEST_PENDING": RequestStatus.PENDING,
    "CANCELLATION_REQUEST_SUCCESS": RequestStatus.APPROVED,
    "CANCELLATION_REQUEST_COMPLETE": RequestStatus.APPROVED,
    "CANCELLATION_REQUEST_CANCEL": RequestStatus.CLOSED,
    "CANCELLATION_REQUEST_CANCELLED": RequestStatus.CLOSED,
}


@dataclass(frozen=True, slots=True)
class RemoteCancellation:
    """One record of TikTok's Search Cancellations, translated out of TikTok's wire format."""

    cancel_id: str
    tiktok_order_id: str
    status: str  # TikTok's cancel_status, e.g. CANCELLATION_REQUEST_PENDING
    role: str  # BUYER | SELLER | SYSTEM
    reason: str = ""
    reason_text: str = ""
    created_at: datetime | None = None
    respond_by: datetime | None = None
    line_item_ids: tuple[str, ...] = ()

    @property
    def from_buyer(self) -> bool:
        return self.role.upper() == "BUYER"

    @property
    def request_status(self) -> RequestStatus | None:
        """What the request now is for the seller; None for a status TikTok has not documented."""
        return _STATUS_OF.get(self.status.upper())


@dataclass(frozen=True, slots=True)
class CancellationRequest:
    """The buyer's latest cancellation request on an order, as the OMS last saw it.

    `cancel_id` is empty until Search Cancellations names it; `line_item_ids` empty means the whole
    order; `decision` is the reject reason the seller gave, or "shipped" when shipping rejected it.
    """

    status: RequestStatus
    requested_at: datetime | None = None
    cancel_id: str = ""
    reason: str = ""
    reason_text: str = ""
    respond_by: datetime | None = None
    line_item_ids: tuple[str, ...] = ()
    decision: str = ""

    @property
    def is_pending(self) -> bool:
        return self.status is RequestStatus.PENDING


def flagged(current: CancellationRequest | None, requested: bool, requested_at: datetime | None) -> CancellationRequest | None:
    """What an order's `is_buyer_request_cancel` / `request_cancel_time` say about its request."""
    if requested:
        if current is not None and current.is_pending:
            return current if current.requested_at or requested_at is None else replace(current, requested_at=requested_at)
        if current is not None and requested_at is not None and current.requested_at == requested_at:
            return current  # the one the seller already answered; TikTok has not caught up yet
        return CancellationRequest(RequestStatus.PENDING, requested_at=requested_at)
    if current is not None and current.is_pending:
        return replace(current, status=RequestStatus.CLOSED)
    return current


def listed(current: CancellationRequest | None, record: RemoteCancellation) -> CancellationRequest | None:
    """What a Search Cancellations record of the buyer says about the order's request."""
    status = record.request_status
    if not record.from_buyer or status is None:
        return current
    if current is not None and current.cancel_id and current.cancel_id != record.cancel_id:
        newer = current.requested_at is None or record.created_at is None or record.created_at >= current.requested_at
        if not newer:
            return current  # an older request of the same order
    if current is not None and current.cancel_id == record.cancel_id and not current.is_pending:
        if status is RequestStatus.PENDING:
            return current  # answered in the OMS; TikTok's list lags behind
        if current.status is not RequestStatus.CLOSED:
            return current  # keep what the seller decided
    return CancellationRequest(
        status,
        requested_at=record.created_at or (current.requested_at if current else None),
        cancel_id=record.cancel_id,
        reason=record.reason,
        reason_text=record.reason_text,
        respond_by=record.respond_by,
        line_item_ids=record.line_item_ids,
        decision=current.decision if current is not None and current.cancel_id == record.cancel_id else "",
    )
