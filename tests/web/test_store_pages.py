"""Issue 11 item 3: Stores, New Store, the store page's Connection and Status cards, Sync now."""

import html
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from starlette.testclient import TestClient

from adapters.container import Container
from tests.web.conftest import post_form
from tests.web.test_security import connect_store


def test_new_store_is_saved_disconnected_and_listed(seller: TestClient, container: Container) -> None:
    response = post_form(seller, "/stores/new", "/stores", {"name": "Sunset 日本語ストア", "region": "us", "currency": "usd"})
    assert response.status_code == 303
    page = seller.get(response.headers["location"])
    assert "Store saved. It is Disconnected until you authorize it." in page.text
    assert "Disconnected" in page.text and "Sunset 日本語ストア" in page.text
    listing = seller.get("/stores").text
    assert "Sunset 日本語ストア" in listing and "Disconnected" in listing and "US · USD" in listing


def test_a_refused_store_shows_its_one_line_reason(seller: TestClient, container: Container) -> None:
    post_form(seller, "/stores/new", "/stores", {"name": "Dawn"})
    again = post_form(seller, "/stores/new", "/stores", {"name": "Dawn"}, follow_redirects=True)
    assert "store already exists: Dawn" in again.text
    bad = post_form(seller, "/stores/new", "/stores", {"name": "Dusk", "currency": "dollars"}, follow_redirects=True)
    assert "invalid currency: String should match pattern" in bad.text
    assert [s["name"] for s in container.queries().stores()] == ["Dawn"]


def test_authorize_goes_to_tiktok_with_a_fresh_state(seller: TestClient, container: Container, tiktok) -> None:  # type: ignore[no-untyped-def]
    created = post_form(seller, "/stores/new", "/stores", {"name": "Sunset US"})
    store_id = created.headers["location"].rsplit("/", 1)[1]
    response = post_form(seller, f"/stores/{store_id}", f"/stores/{store_id}/authorize")
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}" == tiktok.url and target.path == "/open/authorize"
    assert len(parse_qs(target.query)["state"][0]) >= 40
    # the page's content security policy lets this one form go to TikTok, nothing else
    assert tiktok.url in seller.get(f"/stores/{store_id}").headers["content-security-policy"]


def test_connected_store_shows_its_shop_and_can_be_disconnected(seller: TestClient, container: Container) -> None:
    store_id = connect_store(seller, container)
    page = seller.get(f"/stores/{store_id}").text
    assert "Connected" in page
    shop = container.queries().store(store_id)["shop"]["name"]
    assert shop in page and shop in seller.get("/stores").text
    response = post_form(seller, f"/stores/{store_id}", f"/stores/{store_id}/disconnect", follow_redirects=True)
    assert "Store disconnected." in response.text
    assert "disconnected by the seller" in response.text
    assert container.queries().store(store_id)["status"] == "disconnected"


def test_fbt_orders_import_refuses_a_date_before_the_first_of_the_month(seller: TestClient, container: Container) -> None:
    store_id = connect_store(seller, container)
    today = container.clock().now().date()
    first = today.replace(day=1)
    edit = seller.get(f"/stores/{store_id}?edit=fbt")
    assert f'min="{first.isoformat()}"' in edit.text
    assert "Earliest allowed:" in edit.text
    # the Create FBT Warehouse link names the warehouse and comes back with it chosen
    link = [part for part in edit.text.split('"') if part.startswith("/warehouses/new?fbt=1")][0].replace("&amp;", "&")
    form = seller.get(link)
    assert "Create FBT Warehouse" in form.text
    back = parse_qs(urlsplit(link).query)["back"][0]
    created = post_form(seller, link, "/warehouses", {"name": "TikTok FBT US", "fbt": "1", "store": store_id, "back": back})
    location = created.headers["location"]
    assert location.startswith(f"/stores/{store_id}?edit=fbt&warehouse=wh_")
    warehouse_id = parse_qs(urlsplit(location).query)["warehouse"][0]
    assert f'value="{warehouse_id}" selected' in seller.get(location).text

    too_early = first - timedelta(days=1)
    refused = post_form(seller, location, f"/stores/{store_id}/fbt-import",
                        {"enabled": "yes", "start_date": too_early.isoformat(), "warehouse": warehouse_id},
                        follow_redirects=True)
    assert f"FBT import can start no earlier than {first.isoformat()}" in refused.text
    assert container.queries().store(store_id)["fbt_import"]["enabled"] is False

    saved = post_form(seller, location, f"/stores/{store_id}/fbt-import",
                      {"enabled": "yes", "start_date": first.isoformat(), "warehouse": warehouse_id}, follow_redirects=True)
    assert "FBT Orders Import saved: Enabled." in saved.text
    assert "Enabled from" in saved.text and "TikTok FBT US" in saved.text
    assert container.queries().store(store_id)["fbt_import"] == {
        "enabled": True, "start_date": first.isoformat(), "warehouse_id": warehouse_id}


def test_a_start_date_that_is_no_date_is_refused_clearly(seller: TestClient, container: Container) -> None:
    store_id = connect_store(seller, container)
    response = post_form(seller, f"/stores/{store_id}", f"/stores/{store_id}/fbt-import",
                         {"enabled": "yes", "start_date": "next tuesday"}, follow_redirects=True)
    assert "the start date 'next tuesday' is not a date (YYYY-MM-DD)" in html.unescape(response.text)


def test_sync_now_imports_and_says_what_happened(seller: TestClient, container: Container) -> None:
    store_id = connect_store(seller, container)
    response = post_form(seller, f"/stores/{store_id}", f"/stores/{store_id}/sync", follow_redirects=True)
    assert "Synced:" in response.text and "new" in response.text
    assert container.queries().orders(store=store_id)
    assert "never" not in response.text.split("Last sync")[1][:200]


def test_sync_now_on_a_disconnected_store_says_why(seller: TestClient, container: Container) -> None:
    created = post_form(seller, "/stores/new", "/stores", {"name": "Dawn"})
    store_id = created.headers["location"].rsplit("/", 1)[1]
    response = post_form(seller, f"/stores/{store_id}", f"/stores/{store_id}/sync", follow_redirects=True)
    assert "store 'Dawn' is not connected" in html.unescape(response.text)


def test_orders_set_aside_show_on_the_store_page_with_their_reason(seller: TestClient, container: Container,
                                                                  tiktok) -> None:  # type: ignore[no-untyped-def]
    from adapters.sandbox.faults import Fault

    store_id = connect_store(seller, container)
    tiktok.app.state.faults.add(Fault.malformed_order())
    try:
        synced = post_form(seller, f"/stores/{store_id}", f"/stores/{store_id}/sync", follow_redirects=True)
    finally:
        tiktok.app.state.faults.clear()
    assert "1 set aside (see below)." in synced.text
    set_aside = container.queries().quarantined(store_id)
    assert len(set_aside) == 1
    section = html.unescape(synced.text.split('id="set-aside-h"')[1])
    assert set_aside[0]["tiktok_order_id"] in section and set_aside[0]["reason"] in section
    assert "1 order(s) set aside" in seller.get("/stores").text
