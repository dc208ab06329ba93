"""Markets that split before shipping (SEA, LATAM): each part's package is shipped over HTTP as it is."""

import warnings

import pytest

from adapters.sandbox.model import TikTokShopModel
from adapters.sandbox.app import create_app
from adapters.tiktok.client import TikTokHttpClient
from adapters.tiktok.gateway import HttpxTikTokShop
from application.errors import TikTokRefused
from domain.stores import Connection

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2; this project pins httpx 0.28
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.integration
BASE = "http://127.0.0.1"
UPS = "7117859084333745966"


def test_the_http_gateway_ships_each_split_part_as_its_own_package_and_refuses_mark_as_shipped() -> None:
    model = TikTokShopModel()
    shop = model.add_shop("Kedai MY", region="MY")
    grant = model.issue_grant(shop.id, ("seller.order.info",))  # the seller's grant, as TikTok issues it
    conn = Connection(shop_id=shop.id, shop_cipher=shop.cipher, shop_name=shop.name, access_token=grant["access_token"],
                      access_token_expires_at=None, refresh_token="r", refresh_token_expires_at=None)  # type: ignore[arg-type]
    order = model.place_order(shop.id, units=[("tee", 2), ("mug", 1)])
    tees, mug = [i["id"] for i in order["line_items"][:2]], order["line_items"][2]["id"]
    with TestClient(create_app(model), base_url=BASE) as http:
        client = TikTokHttpClient(http, app_key=model.app_key, app_secret=model.app_secret, api_base_url=BASE,
                                  auth_base_url=BASE)
        tiktok = HttpxTikTokShop(client, service_id=model.service_id, authorize_url=f"{BASE}/open/authorize")

        with pytest.raises(TikTokRefused, match="not available in MY"):
            tiktok.ship_package(conn, order_id=order["id"], line_item_ids=tees, tracking_number="1Z", provider_id=UPS)
        with pytest.raises(TikTokRefused, match="also holds other lines: split the order first"):
            tiktok.ship_package(conn, order_id=order["id"], line_item_ids=tees, tracking_number="1Z", provider_id=UPS,
                                existing_package=True)
        tiktok.split(conn, order_id=order["id"], groups=[tees, [mug]])
        shipped = [
            tiktok.ship_package(conn, order_id=order["id"], line_item_ids=ids, tracking_number=f"1Z{n}", provider_id=UPS,
                                existing_package=True)
            for n, ids in enumerate((tees, [mug]))
        ]

    assert [sorted(p["line_item_ids"]) for p in model.packages] == [sorted(tees), [mug]]
    assert [p["package_id"] for p in model.packages] == shipped
    assert model.find_order(order["id"])["status"] == "AWAITING_COLLECTION"
