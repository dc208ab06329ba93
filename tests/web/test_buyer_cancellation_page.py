"""A buyer's cancellation request on the web app: the order page shows it and answers it with
TikTok's own reject reasons; the orders list marks the orders that wait for an answer."""

import html

from starlette.testclient import TestClient

from adapters.container import Container
from application.commands import SyncOrders
from tests.web.conftest import post_form
from tests.web.harness import Sandbox

PACKED = "seller_reject_apply_product_has_been_packed"


def requested(tiktok: Sandbox, container: Container, shop: str) -> str:
    """A new TikTok order whose buyer asked to cancel it, synced; returns the OMS order id."""
    placed = tiktok.model.place_order(units=[("MUG-11OZ", 1)])
    tiktok.model.buyer_requests_cancellation(str(placed["id"]))
    container.sync_orders()(SyncOrders(store=shop))
    (row,) = [o for o in container.queries().orders(store=shop) if o["tiktok_order_id"] == str(placed["id"])]
    return str(row["id"])


def test_the_order_page_shows_the_request_and_rejects_it_with_tiktoks_reason(
    seller: TestClient, container: Container, tiktok: Sandbox, shop: str
) -> None:
    order = requested(tiktok, container, shop)

    listed = html.unescape(seller.get("/orders").text)
    assert listed.count("Buyer asks to cancel") == 1
    page = html.unescape(seller.get(f"/orders/{order}").text)
    assert "Buyer cancellation request" in page and "Awaiting your answer" in page
    assert "Order created by mistake" in page and "The whole order" in page
    assert f'<option value="{PACKED}">Product has been packed</option>' in page  # TikTok's list, not a copy

    done = post_form(seller, f"/orders/{order}", f"/orders/{order}/cancellation/reject",
                     {"reason": PACKED, "comment": "on its way"}, follow_redirects=True)
    shown = html.unescape(done.text)
    assert f"Rejected the buyer's cancellation request ({PACKED})" in shown
    assert "Awaiting your answer" not in shown and "Rejected" in shown
    assert "Buyer asks to cancel" not in html.unescape(seller.get("/orders").text)
    assert container.queries().order(order)["cancellation_request"]["status"] == "rejected"


def test_approving_cancels_the_order_and_a_bad_reason_is_one_line(
    seller: TestClient, container: Container, tiktok: Sandbox, shop: str
) -> None:
    order = requested(tiktok, container, shop)

    wrong = post_form(seller, f"/orders/{order}", f"/orders/{order}/cancellation/reject",
                      {"reason": "because"}, follow_redirects=True)
    assert "TikTok does not offer the reject reason 'because' here" in html.unescape(wrong.text)
    assert container.queries().order(order)["cancellation_request"]["status"] == "pending"

    done = post_form(seller, f"/orders/{order}", f"/orders/{order}/cancellation/approve", follow_redirects=True)
    assert "Approved the buyer's cancellation request" in html.unescape(done.text)
    shown = container.queries().order(order)
    assert (shown["status"], shown["cancellation_request"]["status"]) == ("cancelled", "approved")
    again = post_form(seller, f"/orders/{order}", f"/orders/{order}/cancellation/approve", follow_redirects=True)
    assert "no pending cancellation request" in html.unescape(again.text)
