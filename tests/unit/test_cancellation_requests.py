"""A buyer's cancellation request as the order flag and Search Cancellations describe it."""

from datetime import UTC, datetime, timedelta

from domain.cancellation_requests import CancellationRequest, RemoteCancellation, RequestStatus, flagged, listed

T = datetime(2026, 3, 15, 10, 53, 20, tzinfo=UTC)


def a_record(status: str = "CANCELLATION_REQUEST_PENDING", *, cancel_id: str = "c-1", role: str = "BUYER",
             created: datetime = T) -> RemoteCancellation:
    return RemoteCancellation(cancel_id=cancel_id, tiktok_order_id="o-1", status=status, role=role,
                              reason="ecom_order_to_ship_canceled_reason_created_by_mistakes",
                              reason_text="Order created by mistake", created_at=created,
                              respond_by=created + timedelta(days=1))


def test_the_order_flag_opens_a_pending_request_and_its_absence_closes_it() -> None:
    request = flagged(None, True, T)
    assert request == CancellationRequest(RequestStatus.PENDING, requested_at=T)
    assert flagged(request, True, T) is request
    assert flagged(request, False, None) == CancellationRequest(RequestStatus.CLOSED, requested_at=T)
    assert flagged(None, False, None) is None


def test_search_cancellations_names_the_request_and_its_deadline() -> None:
    request = listed(flagged(None, True, T), a_record())
    assert request is not None and request.is_pending
    assert (request.cancel_id, request.reason_text, request.respond_by) == ("c-1", "Order created by mistake", T + timedelta(days=1))


def test_a_seller_or_system_cancellation_is_not_a_request() -> None:
    assert listed(None, a_record(role="SELLER")) is None
    assert listed(None, a_record("SOMETHING_NEW")) is None


def test_what_the_seller_decided_is_kept_while_tiktok_lags_behind() -> None:
    rejected = CancellationRequest(RequestStatus.REJECTED, requested_at=T, cancel_id="c-1",
                                   decision="seller_reject_apply_product_has_been_packed")
    assert listed(rejected, a_record()) is rejected
    assert listed(rejected, a_record("CANCELLATION_REQUEST_CANCELLED")) is rejected
    assert flagged(rejected, True, T) is rejected


def test_a_request_answered_outside_the_oms_takes_tiktoks_word() -> None:
    closed = flagged(listed(flagged(None, True, T), a_record()), False, None)
    assert closed is not None and closed.status is RequestStatus.CLOSED
    approved = listed(closed, a_record("CANCELLATION_REQUEST_SUCCESS"))
    assert approved is not None and approved.status is RequestStatus.APPROVED


def test_a_newer_request_replaces_an_older_one_but_not_the_other_way_round() -> None:
    old = listed(None, a_record("CANCELLATION_REQUEST_CANCELLED", cancel_id="c-old", created=T - timedelta(hours=5)))
    new = listed(old, a_record(cancel_id="c-new"))
    assert new is not None and (new.cancel_id, new.status) == ("c-new", RequestStatus.PENDING)
    assert listed(new, a_record("CANCELLATION_REQUEST_CANCELLED", cancel_id="c-old", created=T - timedelta(hours=5))) is new
