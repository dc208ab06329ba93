import json
import socket
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from adapters.sandbox.model import APP_SCOPES, TikTokShopModel
from adapters.sandbox.app import create_app
from adapters.sandbox.faults import Fault
from adapters.sandbox.seed import SHOP_NAME, UNMAPPED, seed_demo_shop
from adapters.sandbox.server import running_sandbox
from adapters.tiktok.client import TikTokHttpClient, open_http_client
from adapters.tiktok.gateway import HttpxTikTokShop
from adapters.tiktok.signing import sign
from application.errors import (
    AccessTokenExpired,
    AuthorizationFailed,
    AuthorizationRevoked,
    PageTokenExpired,
    TikTokError,
    TikTokRefused,
    TikTokUnavailable,
)
from domain.stores import Connection
from tests.retries import recorded_retries

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2; this project pins httpx 0.28
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.integration

APP_KEY, APP_SECRET, SERVICE_ID = "sbx-key", "sbx-secret-0123", "sbx-service"
BASE = "http://127.0.0.1"  # the in-process sandbox (plain http is for loopback only)
REDIRECT = "http://127.0.0.1:8765/callback"
T0 = 1_780_000_000.0
SEARCH = "/order/202309/orders/search"


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


@dataclass
class Sandbox:
    model: TikTokShopModel
    app: Starlette
    http: httpx.Client
    clock: Clock
    base: str = BASE

    def client(self, *, secret: str = APP_SECRET, skew: float = 0.0, http: httpx.Client | None = None,
               base: str | None = None) -> TikTokHttpClient:
        return TikTokHttpClient(http or self.http, app_key=APP_KEY, app_secret=secret,
                                api_base_url=base or self.base, auth_base_url=base or self.base,
                                now=lambda: self.clock() + skew, max_attempts=3)

    def gateway(self, **options: Any) -> HttpxTikTokShop:
        return HttpxTikTokShop(self.client(**options), service_id=SERVICE_ID,
                               authorize_url=f"{options.get('base') or self.base}/open/authorize")

    def connect(self, gw: HttpxTikTokShop | None = None) -> Connection:
        gw = gw or self.gateway()
        grant = gw.exchange_code(self.code(gw))
        [shop] = gw.authorized_shops(grant.access_token)
        return Connection(shop.id, shop.cipher, shop.name, grant.access_token, grant.access_token_expires_at,
                          grant.refresh_token, grant.refresh_token_expires_at, grant.granted_scopes)

    def code(self, gw: HttpxTikTokShop, state: str = "st-1") -> str:
        answer = self.http.get(gw.authorization_url(state), follow_redirects=False)
        assert answer.status_code == 302
        return httpx.URL(answer.headers["location"]).params["code"]

    def search_codes(self) -> list[tuple[int, int | None]]:
        return [(e.status, e.code) for e in self.app.state.requests.entries if e.path == SEARCH]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    clock = Clock()
    model = TikTokShopModel(app_key=APP_KEY, app_secret=APP_SECRET, service_id=SERVICE_ID, now=clock)
    seed_demo_shop(model, orders=6)
    app = create_app(model, redirect_url=REDIRECT)
    with TestClient(app, base_url=BASE) as http:
        yield Sandbox(model, app, http, clock)


def every_page(gw: HttpxTikTokShop, conn: Connection, page_size: int = 4) -> list[Any]:
    pages, token = [], None
    while True:
        page = gw.search_orders(conn, update_time_ge=0, update_time_lt=int(T0) + 1, page_token=token,
                                page_size=page_size).read()
        pages.append(page)
        token = page.next_page_token
        if not token:
            return pages


def signed_get(sandbox: Sandbox, path: str, token: str, **query: str) -> httpx.Response:
    params = {"app_key": APP_KEY, "timestamp": str(int(sandbox.clock())), **query}
    params["sign"] = sign(APP_SECRET, path, params)
    return sandbox.http.get(path, params=params, headers={"x-tts-access-token": token})


class TestAuthorization:
    def test_the_seller_approves_and_the_browser_returns_to_the_redirect_with_a_code_and_the_state(
            self, sandbox: Sandbox) -> None:
        answer = sandbox.http.get(sandbox.gateway().authorization_url("st-42"), follow_redirects=False)

        location = httpx.URL(answer.headers["location"])
        assert answer.status_code == 302
        assert str(location).startswith(f"{REDIRECT}?")
        assert location.params["state"] == "st-42" and location.params["code"]

    def test_the_code_becomes_tokens_for_the_seeded_shop_with_every_scope(self, sandbox: Sandbox) -> None:
        conn = sandbox.connect()

        assert conn.shop_name == SHOP_NAME
        assert conn.granted_scopes == APP_SCOPES
        assert conn.access_token_expires_at.timestamp() == T0 + 7 * 24 * 3600

    def test_a_code_works_once(self, sandbox: Sandbox) -> None:
        gw = sandbox.gateway()
        code = sandbox.code(gw)
        gw.exchange_code(code)

        with pytest.raises(AuthorizationFailed):
            gw.exchange_code(code)

    def test_the_authorization_page_sends_the_browser_to_a_redirect_uri_when_given_one(
            self, sandbox: Sandbox) -> None:
        url = f"{sandbox.gateway().authorization_url('s')}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb"

        answer = sandbox.http.get(url, follow_redirects=False)

        assert answer.headers["location"].startswith("http://127.0.0.1:9/cb?code=")

    def test_an_authorization_link_for_another_service_is_not_valid(self, sandbox: Sandbox) -> None:
        answer = sandbox.http.get("/open/authorize?service_id=other&state=s", follow_redirects=False)

        assert answer.status_code == 400

    def test_the_seller_can_deny_or_grant_fewer_scopes(self, sandbox: Sandbox) -> None:
        gw = sandbox.gateway()
        fewer = sandbox.http.get(f"{gw.authorization_url('s')}&scopes=seller.order.info", follow_redirects=False)
        sandbox.app.state.consent.deny = True
        denied = sandbox.http.get(gw.authorization_url("s"), follow_redirects=False)

        grant = gw.exchange_code(httpx.URL(fewer.headers["location"]).params["code"])
        assert grant.granted_scopes == ("seller.order.info",)
        assert httpx.URL(denied.headers["location"]).params["error"] == "auth_denied"

    def test_a_refresh_issues_new_tokens_and_the_old_refresh_token_stops_working(self, sandbox: Sandbox) -> None:
        gw = sandbox.gateway()
        conn = sandbox.connect(gw)

        fresh = gw.refresh(conn.refresh_token)

        assert fresh.access_token != conn.access_token
        with pytest.raises(AuthorizationRevoked):
            gw.refresh(conn.refresh_token)


class TestTheWholeRoundTrip:
    def test_authorize_search_cancel_ship_and_split_as_tiktok_would(self, sandbox: Sandbox) -> None:
        gw = sandbox.gateway()
        conn = sandbox.connect(gw)

        pages = every_page(gw, conn)
        orders = [o for page in pages for o in page.orders]
        assert len(pages) == 4 and len(orders) == len(sandbox.model.shop().orders) == 15
        assert len({o.tiktok_order_id for o in orders}) == 15
        assert all(e.shop_id == conn.shop_id for e in sandbox.app.state.requests.entries if e.path == SEARCH)

        multi = next(o for o in orders if len(o.lines) == 4 and o.status == "AWAITING_SHIPMENT")
        one, *rest = [line.tiktok_line_item_id for line in multi.lines]
        with pytest.raises(TikTokRefused) as wrong_reason:
            gw.cancel(conn, order_id=multi.tiktok_order_id, reason_name="seller_cancel_reason_wrong_price",
                      line_item_ids=[one])
        assert wrong_reason.value.code == 25005010
        assert sandbox.model.find_order(multi.tiktok_order_id)["line_items"][0]["display_status"] == "AWAITING_SHIPMENT"

        gw.cancel(conn, order_id=multi.tiktok_order_id, reason_name="seller_cancel_reason_out_of_stock",
                  line_item_ids=[one])
        [provider, *_] = gw.shipping_providers(conn, delivery_option_id=multi.delivery_option_id)
        package = gw.ship_package(conn, order_id=multi.tiktok_order_id, line_item_ids=rest[:2],
                                  tracking_number="1Z999AA10123456784", provider_id=provider.id)
        with pytest.raises(TikTokRefused, match="does not split orders before shipping") as split:
            gw.split(conn, order_id=multi.tiktok_order_id, groups=[rest[2:]])

        assert split.value.code == 21011035
        tiktok_order = sandbox.model.find_order(multi.tiktok_order_id)
        assert tiktok_order["status"] == "PARTIALLY_SHIPPING"
        assert [i["display_status"] for i in tiktok_order["line_items"]] == [
            "CANCELLED", "AWAITING_COLLECTION", "AWAITING_COLLECTION", "AWAITING_SHIPMENT"]
        assert tiktok_order["line_items"][1]["package_id"] == package

    def test_an_order_tiktok_holds_cannot_be_shipped(self, sandbox: Sandbox) -> None:
        gw = sandbox.gateway()
        conn = sandbox.connect(gw)
        held = next(o for p in every_page(gw, conn) for o in p.orders if o.status == "ON_HOLD")

        with pytest.raises(TikTokRefused, match="ON_HOLD") as raised:
            gw.ship_package(conn, order_id=held.tiktok_order_id, line_item_ids=[held.lines[0].tiktok_line_item_id],
                            tracking_number="1Z", provider_id="7117858858072016686")

        assert raised.value.code == 21011044
        assert held.address.is_empty


class TestGatekeeping:
    def test_a_wrong_signature_is_refused_with_106001_and_http_401(self, sandbox: Sandbox) -> None:
        conn = sandbox.connect()

        with pytest.raises(TikTokError) as raised:
            every_page(sandbox.gateway(secret="not-the-secret"), conn)

        assert raised.value.code == 106001
        assert sandbox.search_codes() == [(401, 106001)]

    @pytest.mark.parametrize("skew", [-301, 31])
    def test_a_timestamp_outside_the_window_is_refused(self, sandbox: Sandbox, skew: int) -> None:
        conn = sandbox.connect()

        with pytest.raises(TikTokRefused, match="timestamp") as raised:
            every_page(sandbox.gateway(skew=skew), conn)

        assert raised.value.code == 36009004

    @pytest.mark.parametrize("skew", [-300, 30])
    def test_a_timestamp_at_the_edges_of_the_window_is_accepted(self, sandbox: Sandbox, skew: int) -> None:
        conn = sandbox.connect()

        assert every_page(sandbox.gateway(skew=skew), conn)

    def test_a_shop_call_without_shop_cipher_is_refused_with_106013(self, sandbox: Sandbox) -> None:
        conn = sandbox.connect()

        with pytest.raises(TikTokRefused) as raised:
            sandbox.client().call("POST", SEARCH, query={"page_size": 10, "sort_field": "update_time",
                                                         "sort_order": "ASC"}, body={}, access_token=conn.access_token)

        assert raised.value.code == 106013

    def test_a_shop_cipher_sent_to_an_authorization_path_is_refused(self, sandbox: Sandbox) -> None:
        conn = sandbox.connect()

        answer = signed_get(sandbox, "/authorization/202309/shops", conn.access_token, shop_cipher=conn.shop_cipher)

        assert answer.json()["code"] == 36009004
        assert "Unexpected identifier" in answer.json()["message"]

    def test_an_unknown_app_key_is_refused(self, sandbox: Sandbox) -> None:
        answer = sandbox.http.get("/authorization/202309/shops", params={"app_key": "other", "sign": "x",
                                                                         "timestamp": str(int(T0))})

        assert (answer.status_code, answer.json()["code"]) == (401, 36009004)

    def test_an_expired_access_token_is_reported_as_expired(self, sandbox: Sandbox) -> None:
        gw = sandbox.gateway()
        conn = sandbox.connect(gw)
        sandbox.model.expire_access_tokens()

        with pytest.raises(AccessTokenExpired):
            every_page(gw, conn)

    def test_an_unknown_access_token_is_a_revoked_authorization(self, sandbox: Sandbox) -> None:
        with pytest.raises(AuthorizationRevoked):
            sandbox.gateway().authorized_shops("TTP_unknown")

    def test_a_body_that_is_not_json_is_refused(self, sandbox: Sandbox) -> None:
        conn = sandbox.connect()
        params = {"app_key": APP_KEY, "timestamp": str(int(T0)), "shop_cipher": conn.shop_cipher}
        params["sign"] = sign(APP_SECRET, "/return_refund/202309/cancellations", params, b"{oops")

        answer = sandbox.http.post("/return_refund/202309/cancellations", params=params, content=b"{oops",
                                   headers={"x-tts-access-token": conn.access_token})

        assert answer.json()["code"] == 36009004

    def test_a_search_relying_on_tiktoks_default_sort_is_refused(self, sandbox: Sandbox) -> None:
        conn = sandbox.connect()

        with pytest.raises(TikTokRefused, match="sort_field=update_time"):
            sandbox.client().call("POST", SEARCH, query={"page_size": 10}, body={}, access_token=conn.access_token,
                                  shop_cipher=conn.shop_cipher)

    def test_order_details_are_read_by_comma_joined_ids(self, sandbox: Sandbox) -> None:
        conn = sandbox.connect()
        ids = list(sandbox.model.shop().orders)[:2]

        data = sandbox.client().call("GET", "/order/202309/orders", query={"ids": ids},
                                     access_token=conn.access_token, shop_cipher=conn.shop_cipher)

        assert [o["id"] for o in data["orders"]] == ids

    def test_a_wrong_method_is_refused_in_the_envelope(self, sandbox: Sandbox) -> None:
        answer = sandbox.http.delete("/order/202309/orders/search")

        assert (answer.status_code, answer.json()["code"]) == (405, 36009010)

    def test_every_answer_is_tiktoks_envelope_even_for_an_unknown_path(self, sandbox: Sandbox) -> None:
        answer = sandbox.http.get("/order/202309/nothing-here")

        assert answer.status_code == 404
        assert set(answer.json()) == {"code", "message", "request_id", "data"}
        assert answer.json()["code"] == 36009009


class TestFaults:
    @pytest.mark.parametrize("fault", [
        Fault.rate_limited(retry_after=3), Fault.unavailable(), Fault.truncated(),
        Fault.error_code(36009002), Fault.error_code(36009003),
    ], ids=lambda f: f"{f.kind}-{f.code}")
    def test_a_passing_failure_is_retried_by_the_client_and_the_search_succeeds(
            self, sandbox: Sandbox, fault: Fault) -> None:
        gw = sandbox.gateway()
        conn = sandbox.connect(gw)
        sandbox.app.state.faults.add(fault)

        assert sum(len(p.orders) for p in every_page(gw, conn, page_size=100)) == 15
        assert len(sandbox.search_codes()) == 2
        assert sandbox.app.state.faults.pending == []

    def test_retry_after_sets_the_wait_before_the_next_attempt(self, sandbox: Sandbox) -> None:
        gw = sandbox.gateway()
        conn = sandbox.connect(gw)
        sandbox.app.state.faults.add(Fault.rate_limited(retry_after=3, path=SEARCH))

        with recorded_retries() as retries:
            every_page(gw, conn, page_size=100)

        assert retries.waits == [3.0]
        assert sandbox.search_codes()[0] == (429, 36009002)

    def test_a_fault_only_hits_the_requests_it_matches(self, sandbox: Sandbox) -> None:
        gw = sandbox.gateway()
        conn = sandbox.connect(gw)
        sandbox.app.state.faults.add(Fault.unavailable(path="/fulfillment/", times=2))

        every_page(gw, conn, page_size=100)

        assert sandbox.search_codes() == [(200, 0)]
        assert len(sandbox.app.state.faults.pending) == 1

    def test_an_unclear_failure_of_a_shipment_is_reported_and_not_sent_again(self, sandbox: Sandbox) -> None:
        gw = sandbox.gateway()
        conn = sandbox.connect(gw)
        order = next(o for p in every_page(gw, conn) for o in p.orders if o.status == "AWAITING_SHIPMENT")
        sandbox.app.state.faults.add(Fault.truncated(path="/fulfillment/"))

        with pytest.raises(TikTokUnavailable, match="may have been applied"):
            gw.ship_package(conn, order_id=order.tiktok_order_id, line_item_ids=[order.lines[0].tiktok_line_item_id],
                            tracking_number="1Z", provider_id="7117858858072016686")

        assert sandbox.model.packages[-1]["order_id"] == order.tiktok_order_id

    def test_an_expired_token_fault_answers_105002(self, sandbox: Sandbox) -> None:
        gw = sandbox.gateway()
        conn = sandbox.connect(gw)
        sandbox.app.state.faults.add(Fault.expired_token())

        with pytest.raises(AccessTokenExpired):
            every_page(gw, conn)
        assert every_page(gw, conn)

    def test_a_malformed_order_is_set_aside_while_the_rest_of_the_page_imports(self, sandbox: Sandbox) -> None:
        gw = sandbox.gateway()
        conn = sandbox.connect(gw)
        sandbox.app.state.faults.add(Fault.malformed_order())

        pages = every_page(gw, conn, page_size=100)

        assert len(pages[0].orders) == 15
        assert [r.tiktok_order_id for r in pages[0].rejected] == ["576999999999999999"]

    def test_a_page_token_that_expired_between_pages_asks_for_the_window_again(self, sandbox: Sandbox) -> None:
        gw = sandbox.gateway()
        conn = sandbox.connect(gw)
        sandbox.model.page_token_ttl = 60
        first = gw.search_orders(conn, update_time_ge=0, update_time_lt=int(T0) + 1, page_token=None, page_size=5)
        sandbox.clock.t += 61

        with pytest.raises(PageTokenExpired):
            gw.search_orders(conn, update_time_ge=0, update_time_lt=int(T0) + 1, page_token=first.next_page_token,
                             page_size=5)


class TestSeed:
    def test_the_demo_shop_holds_the_orders_a_seller_meets(self, sandbox: Sandbox) -> None:
        fixed = list(sandbox.model.shop().orders.values())[:9]
        by_kind = {kind: [o for o in fixed if o["fulfillment_type"] == kind]
                   for kind in ("FULFILLMENT_BY_SELLER", "FULFILLMENT_BY_TIKTOK")}
        held = [o for o in fixed if o["status"] == "ON_HOLD"]
        skus = {i["seller_sku"] for o in fixed for i in o["line_items"]}

        assert len(by_kind["FULFILLMENT_BY_SELLER"]) == 6 and len(by_kind["FULFILLMENT_BY_TIKTOK"]) == 3
        assert any(len(o["line_items"]) > len({i["sku_id"] for i in o["line_items"]}) for o in fixed)
        assert held and all(o["recipient_address"] == {"full_address": "", "district_info": []} for o in held)
        assert all("*" in o["recipient_address"]["name"] for o in by_kind["FULFILLMENT_BY_TIKTOK"])
        assert set(UNMAPPED) <= skus
        assert any(o["status"] == "CANCELLED" for o in fixed)

    def test_extra_orders_are_random_but_reproducible(self) -> None:
        def seeded() -> list[Any]:
            model = TikTokShopModel(now=lambda: T0)
            orders = seed_demo_shop(model, orders=20).orders.values()
            return [(o["status"], o["fulfillment_type"], [i["seller_sku"] for i in o["line_items"]]) for o in orders]

        assert len(seeded()) == 29
        assert seeded() == seeded()


class TestRequestLog:
    def test_the_log_names_method_path_shop_and_time_but_no_secret(self, sandbox: Sandbox) -> None:
        conn = sandbox.connect()

        entries = sandbox.app.state.requests.entries
        logged = repr(entries)

        assert [(e.method, e.path) for e in entries] == [
            ("GET", "/open/authorize"), ("GET", "/api/v2/token/get"), ("GET", "/authorization/202309/shops")]
        assert all(e.timestamp == int(T0) for e in entries)
        for secret in (APP_SECRET, conn.access_token, conn.refresh_token, conn.shop_cipher):
            assert secret not in logged


class TestRealServer:
    def test_the_sandbox_serves_on_loopback_and_a_dropped_connection_is_retried(self) -> None:
        clock = Clock()
        model = TikTokShopModel(app_key=APP_KEY, app_secret=APP_SECRET, service_id=SERVICE_ID, now=clock)
        seed_demo_shop(model)
        app = create_app(model)
        with running_sandbox(app) as base, httpx.Client() as http:
            sandbox = Sandbox(model, app, http, clock, base=base)
            gw = sandbox.gateway(base=base)
            conn = sandbox.connect(gw)
            app.state.faults.add(Fault.drop(path=SEARCH))

            pages = every_page(gw, conn, page_size=100)

        assert base.startswith("http://127.0.0.1:")
        assert sum(len(p.orders) for p in pages) == 9
        assert len(sandbox.search_codes()) == 2
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{base}/authorization/202309/shops", timeout=1)

    def test_a_slow_answer_times_out_and_the_search_is_asked_again(self) -> None:
        clock = Clock()
        model = TikTokShopModel(app_key=APP_KEY, app_secret=APP_SECRET, service_id=SERVICE_ID, now=clock)
        seed_demo_shop(model)
        app = create_app(model)
        with running_sandbox(app) as base, open_http_client(timeout_seconds=0.1) as http:
            sandbox = Sandbox(model, app, http, clock, base=base)
            gw = sandbox.gateway(base=base)
            conn = sandbox.connect(gw)
            app.state.faults.add(Fault.slow(0.25, path=SEARCH))

            assert sum(len(p.orders) for p in every_page(gw, conn, page_size=100)) == 9

    def test_a_port_already_taken_fails_at_once_instead_of_hanging(self) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()

            with pytest.raises(RuntimeError, match="failed to start"):
                with running_sandbox(create_app(TikTokShopModel()), port=taken.getsockname()[1]):
                    pass

    def test_the_sandbox_refuses_to_bind_anything_but_loopback(self) -> None:
        with pytest.raises(ValueError, match="loopback"):
            with running_sandbox(create_app(TikTokShopModel()), host="0.0.0.0"):
                pass


def test_a_token_request_without_the_app_secret_is_refused_in_tiktoks_envelope(sandbox: Sandbox) -> None:
    answer = sandbox.http.get("/api/v2/token/get", params={"app_key": APP_KEY, "auth_code": "x",
                                                           "grant_type": "authorized_code"})

    body = json.loads(answer.content)
    assert (answer.status_code, body["code"], body["data"]) == (401, 36009004, None)
    assert body["request_id"]
