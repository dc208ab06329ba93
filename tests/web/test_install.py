"""Issue 8 item 4, the web half: an App Store install (TikTok's code, no state) lands on a page
where the signed-in seller picks the store it is for."""

import html
from urllib.parse import urlsplit

import httpx
from starlette.testclient import TestClient

from adapters.container import Container
from application.commands import CreateStore
from tests.web.conftest import csrf_of, post_form
from tests.web.harness import EMAIL, PASSWORD


def app_store_install(tiktok) -> str:  # type: ignore[no-untyped-def]
    """TikTok's App Store: the seller installs the app there; TikTok redirects with a code, no state."""
    consent = httpx.get(f"{tiktok.url}/open/authorize", params={"service_id": tiktok.model.service_id},
                        follow_redirects=False)
    back = urlsplit(consent.headers["location"])
    assert "code=" in back.query
    return f"/oauth/tiktok/callback?{back.query}"


def test_a_signed_in_seller_picks_the_store_for_an_app_store_install(seller: TestClient, container: Container,
                                                                     tiktok) -> None:  # type: ignore[no-untyped-def]
    store_id = container.create_store()(CreateStore(name="Dawn"))
    container.create_store()(CreateStore(name="Dusk", region="GB", currency="GBP"))
    landed = seller.get(app_store_install(tiktok))
    assert landed.status_code == 303 and landed.headers["location"] == "/stores/install"
    page = seller.get("/stores/install")
    assert "Choose the store" in page.text and "Dawn (US)" in page.text and "Dusk (GB)" in page.text
    connected = post_form(seller, "/stores/install", "/stores/install", {"store": store_id})
    assert connected.headers["location"] == f"/stores/{store_id}"
    assert "Connected to TikTok shop" in seller.get(connected.headers["location"]).text
    assert container.queries().store(store_id)["status"] == "connected"
    # the install is used up: nothing waits any more
    assert "No App Store install is waiting" in seller.get("/stores/install").text


def test_an_install_waits_while_the_seller_signs_in(client: TestClient, container: Container, tiktok) -> None:  # type: ignore[no-untyped-def]
    store_id = container.create_store()(CreateStore(name="Dawn"))
    landed = client.get(app_store_install(tiktok))
    assert landed.headers["location"] == "/stores/install"
    to_login = client.get("/stores/install")
    assert to_login.headers["location"] == "/login?next=%2Fstores%2Finstall"
    login = client.get(to_login.headers["location"])
    signed_in = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrftoken": csrf_of(login.text),
                                            "next": "/stores/install"})
    assert signed_in.headers["location"] == "/stores/install"
    connected = post_form(client, "/stores/install", "/stores/install", {"store": store_id})
    assert connected.headers["location"] == f"/stores/{store_id}"


def test_a_refused_install_says_why_and_touches_nothing_else(seller: TestClient, container: Container,
                                                             tiktok) -> None:  # type: ignore[no-untyped-def]
    gb = container.create_store()(CreateStore(name="Dusk", region="GB", currency="GBP"))
    seller.get(app_store_install(tiktok))
    refused = post_form(seller, "/stores/install", "/stores/install", {"store": gb}, follow_redirects=True)
    assert "Install the app again from TikTok to retry." in html.unescape(refused.text)
    assert container.queries().store(gb)["status"] == "disconnected"


def test_without_a_waiting_install_the_page_says_so(seller: TestClient) -> None:
    page = seller.get("/stores/install")
    assert "No App Store install is waiting" in page.text
    response = post_form(seller, "/stores/install", "/stores/install", {"store": "Dawn"}, follow_redirects=True)
    assert "No App Store install is waiting" in response.text
