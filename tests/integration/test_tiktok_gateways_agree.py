"""The in-memory mode's gateway (in process) and the HTTP gateway over a TestClient must tell the same story."""

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from adapters.sandbox.inprocess import InProcessTikTokShop
from adapters.sandbox.model import TikTokShopModel
from adapters.sandbox.app import create_app
from adapters.sandbox.seed import seed_demo_shop
from adapters.tiktok.client import TikTokHttpClient
from adapters.tiktok.gateway import HttpxTikTokShop
from application.errors import TikTokError
from application.ports import TikTokShop
from domain.stores import Connection

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2; this project pins httpx 0.28
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.integration

T0 = 1_780_000_000
REDIRECT = "http://127.0.0.1:8765/callback"
BASE = "http://127.0.0.1"  # the in-process sandbox (plain http is for loopback only)
PROVIDER = "7117858858072016686"


class Clock:
    def __init__(self) -> None:
        self.t = float(T0)

    def __call__(self) -> float:
        return self.t


class World:
    """One seeded TikTok model, one gateway in front of it, one way for the seller to approve."""

    def __init__(self, model: TikTokShopModel, clock: Clock, gateway: TikTokShop, approve: Callable[[str], str]) -> None:
        self.model, self.clock, self.gateway, self._approve = model, clock, gateway, approve

    def connect(self) -> Connection:
        grant = self.gateway.exchange_code(self.code())
        [shop] = self.gateway.authorized_shops(grant.access_token)
        return Connection(shop.id, shop.cipher, shop.name, grant.access_token, grant.access_token_expires_at,
                          grant.refresh_token, grant.refresh_token_expires_at, grant.granted_scopes)

    def code(self) -> str:
        return httpx.URL(self._approve(self.gateway.authorization_url("st-1"))).params["code"]


@contextmanager
def world(kind: str) -> Iterator[World]:
    clock = Clock()
    model = TikTokShopModel(now=clock)
    seed_demo_shop(model, orders=8)
    if kind == "memory":
        yield World(model, clock, InProcessTikTokShop(model, authorize_url=f"{BASE}/open/authorize"),
                    lambda url: model.approve(url, REDIRECT))
        return
    with TestClient(create_app(model, redirect_url=REDIRECT), base_url=BASE) as http:
        client = TikTokHttpClient(http, app_key=model.app_key, app_secret=model.app_secret, api_base_url=BASE,
                                  auth_base_url=BASE, now=clock)
        gateway = HttpxTikTokShop(client, service_id=model.service_id, authorize_url=f"{BASE}/open/authorize")
        yield World(model, clock, gateway, lambda url: http.get(url, follow_redirects=False).headers["location"])


def outcome(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except TikTokError as exc:
        return type(exc).__name__, exc.code


def pages(w: World, conn: Connection, size: int) -> list[Any]:
    found, token = [], None
    while True:
        page = w.gateway.search_orders(conn, update_time_ge=0, update_time_lt=T0 + 1, page_token=token, page_size=size).read()
        found.append(page)
        if not (token := page.next_page_token):
            return found


def syncing(w: World) -> list[Any]:
    conn = w.connect()
    return [conn.shop_name, conn.granted_scopes, pages(w, conn, 5), pages(w, conn, 100)]


def cancelling(w: World) -> list[Any]:
    conn = w.connect()
    orders = [o for p in pages(w, conn, 100) for o in p.orders]
    multi = next(o for o in orders if len(o.lines) == 4 and o.status == "AWAITING_SHIPMENT")
    fbt = next(o for o in orders if o.fulfilled_by.value == "store")
    one = [multi.lines[0].tiktok_line_item_id]
    cancel = w.gateway.cancel
    return [
        outcome(lambda: cancel(conn, order_id=multi.tiktok_order_id, reason_name="seller_cancel_reason_wrong_price",
                               line_item_ids=one)),
        outcome(lambda: cancel(conn, order_id=multi.tiktok_order_id, reason_name="ecom_order_delivered_refund",
                               line_item_ids=None)),
        outcome(lambda: cancel(conn, order_id=fbt.tiktok_order_id, reason_name="seller_cancel_reason_out_of_stock",
                               line_item_ids=None)),
        outcome(lambda: cancel(conn, order_id=multi.tiktok_order_id, reason_name="seller_cancel_reason_out_of_stock",
                               line_item_ids=one)),
        outcome(lambda: cancel(conn, order_id=multi.tiktok_order_id, reason_name="seller_cancel_reason_out_of_stock",
                               line_item_ids=one)),
        w.model.find_order(multi.tiktok_order_id),
    ]


def fulfilling(w: World) -> list[Any]:
    conn = w.connect()
    orders = [o for p in pages(w, conn, 100) for o in p.orders]
    multi = next(o for o in orders if len(o.lines) == 4 and o.status == "AWAITING_SHIPMENT")
    held = next(o for o in orders if o.status == "ON_HOLD")
    lines = [line.tiktok_line_item_id for line in multi.lines]

    def ship(order_id: str, ids: list[str], provider: str = PROVIDER) -> Any:
        return outcome(lambda: w.gateway.ship_package(conn, order_id=order_id, line_item_ids=ids,
                                                      tracking_number="1Z999", provider_id=provider))

    return [
        outcome(lambda: w.gateway.shipping_providers(conn, delivery_option_id=multi.delivery_option_id)),
        ship(held.tiktok_order_id, [held.lines[0].tiktok_line_item_id]),
        ship(multi.tiktok_order_id, lines[:1], provider="no-such-carrier"),
        outcome(lambda: w.gateway.split(conn, order_id=multi.tiktok_order_id, groups=[lines[:2], lines[2:]])),
        ship(multi.tiktok_order_id, lines[:2]),
        ship(multi.tiktok_order_id, lines[:2]),
        ship(multi.tiktok_order_id, lines[2:]),
        w.model.find_order(multi.tiktok_order_id),
    ]


def tokens(w: World) -> list[Any]:
    code = w.code()
    grant = w.gateway.exchange_code(code)
    conn = w.connect()
    refreshed = outcome(lambda: w.gateway.refresh(conn.refresh_token))
    w.model.page_token_ttl = 60
    first = w.gateway.search_orders(conn, update_time_ge=0, update_time_lt=T0 + 1, page_token=None, page_size=3)
    w.clock.t += 61
    stale = outcome(lambda: w.gateway.search_orders(conn, update_time_ge=0, update_time_lt=T0 + 1,
                                                    page_token=first.next_page_token, page_size=3))
    w.model.expire_access_tokens()
    return [
        grant.granted_scopes, grant.access_token_expires_at, grant.refresh_token_expires_at,
        outcome(lambda: w.gateway.exchange_code(code)),
        outcome(lambda: w.gateway.exchange_code("no-such-code")),
        outcome(lambda: w.gateway.refresh("no-such-refresh-token")),
        type(refreshed).__name__, stale,
        outcome(lambda: w.gateway.authorized_shops(conn.access_token)),
        outcome(lambda: w.gateway.authorized_shops("no-such-access-token")),
    ]


@pytest.mark.parametrize("scenario", [syncing, cancelling, fulfilling, tokens], ids=lambda s: s.__name__)
def test_the_sandbox_and_the_in_memory_gateway_agree(scenario: Callable[[World], list[Any]]) -> None:
    with world("memory") as memory, world("http") as http:
        expected, actual = scenario(memory), scenario(http)

    assert actual == expected
