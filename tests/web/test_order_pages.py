"""Issue 11 item 3: Orders (filters, keyset pages, CSV), the order page's actions, Listings,
Products, Returns and Reports — each form calling the CLI's use cases."""

import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from adapters.container import Container
from adapters.sandbox.seed import CATALOG
from application.commands import AddProduct, AssignWarehouse, ConfigureFbtImport, CreateWarehouse, MapListing, SyncOrders
from tests.web.conftest import post_form
from tests.web.test_security import connect_store


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.text)


def order_links(page: str) -> list[str]:
    return re.findall(r'href="/orders/(ord_[^"]+)"', page)


def test_orders_filter_by_fulfilled_by_store_status_and_search(seller: TestClient, container: Container, shop: str) -> None:
    everything = container.queries().orders(store=shop)
    page = seller.get("/orders")
    assert len(order_links(page.text)) == len(everything)
    fbt = seller.get("/orders", params={"fulfilled_by": "store"})
    fbt_ids = {o["id"] for o in everything if o["fulfilled_by"] == "store"}
    assert set(order_links(fbt.text)) == fbt_ids and fbt_ids
    review = seller.get("/orders", params={"status": "in_review"})
    assert set(order_links(review.text)) == {o["id"] for o in everything if o["status"] == "in_review"}
    one = everything[0]
    assert order_links(seller.get("/orders", params={"q": one["tiktok_order_id"]}).text) == [one["id"]]
    by_sku = seller.get("/orders", params={"q": "MUG-11OZ"})
    assert set(order_links(by_sku.text)) == {o["id"] for o in everything
                                             if any(l["seller_sku"] == "MUG-11OZ" for l in o["lines"])}
    # dates: the future holds nothing; a bad date is one clear line
    assert order_links(seller.get("/orders", params={"from": "2999-01-01"}).text) == []
    assert "the from date 'soon' is not a date (YYYY-MM-DD)" in text(seller.get("/orders", params={"from": "soon"}))


def test_orders_are_paged_by_keyset_newest_first(seller: TestClient, container: Container, shop: str) -> None:
    from adapters.web import orders as pages

    everything = container.queries().orders(store=shop)
    original = pages.PAGE_SIZE
    pages.PAGE_SIZE = 3
    try:
        seen: list[str] = []
        url = "/orders?store=" + shop
        while url:
            page = seller.get(url).text
            seen += order_links(page)
            found = re.search(r'href="(/orders\?[^"]*after=[^"]+)" rel="next"', page)
            url = html.unescape(found.group(1)) if found else ""
    finally:
        pages.PAGE_SIZE = original
    assert sorted(seen) == sorted(o["id"] for o in everything) and len(seen) == len(set(seen))
    created = {o["id"]: o["created_at"] for o in everything}
    assert [created[i] for i in seen] == sorted((created[i] for i in seen), reverse=True)


def test_csv_export_holds_the_filtered_list(seller: TestClient, container: Container, shop: str) -> None:
    response = seller.get("/orders.csv", params={"fulfilled_by": "store"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    fbt = [o for o in container.queries().orders() if o["fulfilled_by"] == "store"]
    assert sorted(r["order_id"] for r in rows) == sorted(o["id"] for o in fbt)
    assert {r["fulfilled_by"] for r in rows} == {"store"}


def test_listing_mapping_moves_an_order_out_of_review(seller: TestClient, container: Container, shop: str) -> None:
    container.add_product()(AddProduct(sku="MUG", name="Logo Mug"))
    page = seller.get("/listings", params={"store": shop}).text.split("<tbody>")[1]
    assert page.index("MUG-11OZ") < page.index("TEE-BLK-M")  # unmapped first
    response = post_form(seller, f"/listings?store={shop}", "/listings/map",
                         {"store": shop, "seller_sku": "MUG-11OZ", "product": "MUG"}, follow_redirects=True)
    assert "Mapped MUG-11OZ;" in text(response)
    mug_orders = [o for o in container.queries().orders(store=shop)
                  if any(l["seller_sku"] == "MUG-11OZ" for l in o["lines"]) and o["fulfilled_by"] == "merchant"]
    assert mug_orders and all(o["status"] != "in_review" for o in mug_orders)
    unknown = post_form(seller, f"/listings?store={shop}", "/listings/map",
                        {"store": shop, "seller_sku": "TOTE-NAT", "product": "NOPE"}, follow_redirects=True)
    assert "product not found: NOPE" in text(unknown)
    undo = post_form(seller, f"/listings?store={shop}", "/listings/unmap",
                     {"store": shop, "seller_sku": "MUG-11OZ"}, follow_redirects=True)
    assert "Unmapped MUG-11OZ;" in text(undo)


def _merchant_order(container: Container, store: str, *, lines: int = 2) -> dict:
    return next(o for o in container.queries().orders(store=store, status="awaiting_fulfilment")
                if o["fulfilled_by"] == "merchant" and len(o["lines"]) >= lines)


def test_split_assign_and_ship_from_two_warehouses(seller: TestClient, container: Container, shop: str) -> None:
    order = _merchant_order(container, shop)
    warehouses = {w["name"]: w["id"] for w in container.queries().warehouses()}
    page = seller.get(f"/orders/{order['id']}")
    assert order["lines"][0]["tiktok_line_item_id"] in page.text
    moved = order["lines"][-1]["id"]
    split = post_form(seller, f"/orders/{order['id']}", f"/orders/{order['id']}/split", {"lines": moved},
                      follow_redirects=True)
    assert "Split: the ticked lines are now their own order." in text(split)
    part = next(o for o in container.queries().orders(store=shop) if o["parent_order_id"] == order["id"])
    for target, warehouse in ((order["id"], "Main Street"), (part["id"], "Overflow 倉庫")):
        assigned = post_form(seller, f"/orders/{target}", f"/orders/{target}/assign",
                             {"warehouse": warehouses[warehouse]}, follow_redirects=True)
        assert "Warehouse assigned." in text(assigned)
        form = seller.get(f"/orders/{target}").text
        carrier = re.search(r'<select id="ship-carrier" name="carrier" required><option value="([^"]+)"', form)
        assert carrier, "the carrier list comes from TikTok"
        shipped = post_form(seller, f"/orders/{target}", f"/orders/{target}/ship",
                            {"carrier": carrier.group(1), "tracking": f"1Z{target[-6:]}"}, follow_redirects=True)
        assert "Shipped: TikTok package" in text(shipped)
    shipped_from = {container.queries().order(i)["shipments"][0]["warehouse_id"] for i in (order["id"], part["id"])}
    assert shipped_from == {warehouses["Main Street"], warehouses["Overflow 倉庫"]}


def test_a_partial_cancel_needs_out_of_stock(seller: TestClient, container: Container, shop: str) -> None:
    order = _merchant_order(container, shop)
    page = seller.get(f"/orders/{order['id']}").text
    assert "Cancelling only some lines needs the reason" in page
    assert '<option value="out-of-stock">Out of stock</option>' in page
    line = order["lines"][0]["id"]
    refused = post_form(seller, f"/orders/{order['id']}", f"/orders/{order['id']}/cancel",
                        {"lines": line, "reason": "wrong-price"}, follow_redirects=True)
    assert "a partial cancellation must give the reason out-of-stock" in text(refused)
    assert all(l["status"] == "open" for l in container.queries().order(order["id"])["lines"])
    accepted = post_form(seller, f"/orders/{order['id']}", f"/orders/{order['id']}/cancel",
                         {"lines": line, "reason": "out-of-stock"}, follow_redirects=True)
    assert "Cancelled on TikTok." in text(accepted)
    statuses = {l["id"]: l["status"] for l in container.queries().order(order["id"])["lines"]}
    assert statuses[line] == "cancelled" and list(statuses.values()).count("open") == len(statuses) - 1


def test_an_fbt_return_needs_the_customers_address(seller: TestClient, container: Container, shop: str) -> None:
    fbt = next(o for o in container.queries().orders(store=shop, fulfilled_by="store", status="shipped"))
    page = seller.get(f"/orders/{fbt['id']}").text
    assert "required: TikTok gives no full address for FBT orders" in page
    line = fbt["lines"][0]["id"]
    refused = post_form(seller, f"/orders/{fbt['id']}", f"/orders/{fbt['id']}/return", {"lines": line},
                        follow_redirects=True)
    assert "TikTok gives no complete customer name and address for FBT orders" in text(refused)
    created = post_form(seller, f"/orders/{fbt['id']}", f"/orders/{fbt['id']}/return",
                        {"lines": line, "name": "Priya Raman", "line1": "1 Main St", "city": "Cambridge",
                         "region": "MA", "postal_code": "02142", "country": "US"}, follow_redirects=True)
    assert re.search(r"Return \S+ created\.", text(created))
    assert "Priya Raman" in seller.get("/returns").text


def test_products_and_reports(seller: TestClient, container: Container, shop: str) -> None:
    added = post_form(seller, "/products", "/products", {"sku": "SCARF-红", "name": "Silk scarf 红色"},
                      follow_redirects=True)
    assert "Product added." in added.text and "Silk scarf 红色" in added.text
    dup = post_form(seller, "/products", "/products", {"sku": "SCARF-红", "name": "again"}, follow_redirects=True)
    assert "already exists" in text(dup)
    report = seller.get("/reports").text
    assert "<svg" in report and 'role="img"' in report
    assert re.search(r"\$[\d,]+\.\d\d", report), "revenue is shown in the store's currency"
    assert "FBT stock movements" in report


def _all_pages(container: Container, store: str) -> list[str]:
    orders = container.queries().orders(store=store)
    merchant = next(o for o in orders if o["fulfilled_by"] == "merchant" and o["status"] == "awaiting_fulfilment")
    fbt = next(o for o in orders if o["fulfilled_by"] == "store" and o["status"] == "shipped")
    container.assign_warehouse()(AssignWarehouse(order=merchant["id"], warehouse="Main Street"))  # the Ship form shows
    return ["/orders", "/orders?fulfilled_by=store", f"/orders/{merchant['id']}", f"/orders/{fbt['id']}",
            f"/listings?store={store}", "/products", "/returns", "/reports", "/orders.csv", "/stores", f"/stores/{store}"]


def test_every_order_page_needs_a_signed_in_seller(seller: TestClient, container: Container, shop: str) -> None:
    pages = _all_pages(container, shop)
    post_form(seller, "/stores", "/logout")
    for path in pages:
        response = seller.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), path


def test_every_order_form_refuses_a_missing_or_wrong_csrf_token(seller: TestClient, container: Container, shop: str) -> None:
    forms: set[str] = set()
    for path in _all_pages(container, shop):
        forms |= set(re.findall(r'<form method="post" action="([^"]+)"', seller.get(path).text))
    assert {"/products", "/listings/map", "/listings/unmap"} <= forms
    assert {suffix for f in forms for suffix in ("split", "assign", "ship", "cancel", "return") if f.endswith("/" + suffix)} \
        == {"split", "assign", "ship", "cancel", "return"}
    before = (container.queries().orders(), container.queries().products())
    for action in sorted(forms):
        for token in (None, "forged"):
            data = {"lines": "x", "reason": "out-of-stock", "sku": "X", "name": "X"} | ({"csrftoken": token} if token else {})
            response = seller.post(action, data=data)
            assert response.status_code == 403, (action, token)
    assert (container.queries().orders(), container.queries().products()) == before


def test_no_order_page_shows_a_token(seller: TestClient, container: Container, shop: str, tiktok) -> None:  # type: ignore[no-untyped-def]
    with container.uow() as uow:
        conn = uow.stores.get(shop).connection
        secrets = [conn.access_token, conn.refresh_token, tiktok.model.app_secret]
    for path in _all_pages(container, shop):
        body = seller.get(path).text
        assert not [s for s in secrets if s in body], path
