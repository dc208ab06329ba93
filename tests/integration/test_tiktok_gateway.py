import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.tiktok.client import TikTokHttpClient
from adapters.tiktok.gateway import HttpxTikTokShop
from adapters.tiktok.mapping import parse_order
from application.errors import (
    AuthorizationFailed,
    AuthorizationRevoked,
    PageTokenExpired,
    TikTokError,
    TikTokRefused,
    TikTokUnavailable,
)
from application.ports import AuthorizedShop, CancellationPage, Rejected, ShippingProvider
from domain.cancellation_requests import RemoteCancellation
from domain.addresses import Address
from domain.imports import RemoteOrder
from domain.orders import FulfilledBy
from domain.stores import Connection

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).parents[1] / "fixtures" / "tiktok-samples"  # copied from TikTok's docs, unchanged
APP_KEY, APP_SECRET = "app-key-123", "app-secret-s3cr3t"
API, AUTH = "https://open-api.example.test", "https://auth.example.test"
AUTHORIZE = "https://services.example.test/open/authorize"
NOW = 1_700_000_000
CONN = Connection(
    shop_id="7000714532876273420", shop_cipher="ROW_abc", shop_name="Maomao beauty shop",
    access_token="TTP_access", access_token_expires_at=datetime(2030, 1, 1, tzinfo=UTC),
    refresh_token="TTP_refresh", refresh_token_expires_at=datetime(2031, 1, 1, tzinfo=UTC),
)
Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


def sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def ok(data: Any) -> httpx.Response:
    return httpx.Response(200, json={"code": 0, "message": "Success", "request_id": "rid-1", "data": data})


def refused(code: int, message: str = "nope", status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": message, "request_id": "rid-9", "data": None})


def an_order(order_id: str = "576000000000000001", **fields: Any) -> dict[str, Any]:
    order = {"id": order_id, "status": "AWAITING_SHIPMENT", "fulfillment_type": "FULFILLMENT_BY_SELLER",
             "create_time": NOW - 60, "update_time": NOW,
             "line_items": [{"id": f"{order_id}-1", "sku_id": "sku-1", "seller_sku": "TEE-BLK-M", "sale_price": "9.99",
                             "display_status": "AWAITING_SHIPMENT"}],
             "payment": {"currency": "USD", "total_amount": "9.99"}}
    return {**order, **fields}


def a_page(*orders: dict[str, Any], token: Any = "") -> dict[str, Any]:
    return {"orders": list(orders), "next_page_token": token, "total_count": len(orders)}


class FakeTikTok:
    """Answers from a script (the last reply repeats) and records every request."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies) or [ok({})]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return reply(request) if callable(reply) else reply

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


def gateway(tiktok: FakeTikTok) -> HttpxTikTokShop:
    client = TikTokHttpClient(httpx.Client(transport=httpx.MockTransport(tiktok)), app_key=APP_KEY,
                              app_secret=APP_SECRET, api_base_url=API, auth_base_url=AUTH, now=lambda: NOW)
    return HttpxTikTokShop(client, service_id="svc-7", authorize_url=AUTHORIZE)


def search(gw: HttpxTikTokShop, token: str | None = None) -> Any:
    # Every order read: the import leaves unread those it already holds (see test_sync_orders).
    return gw.search_orders(CONN, update_time_ge=NOW - 3600, update_time_lt=NOW, page_token=token, page_size=50).read()


# sample -> (the gateway call it answers, what the gateway makes of it)
SAMPLE_CALLS: dict[str, tuple[Callable[[HttpxTikTokShop], Any], Any]] = {
    "get-authorized-shops": (
        lambda gw: gw.authorized_shops("TTP_access"),
        [AuthorizedShop("7000714532876273420", "Maomao beauty shop", "GB", "GCP_XF90igAAAABh00qsWgtvOiGFNqyubMt3")],
    ),
    "cancel-order": (
        lambda gw: gw.cancel(CONN, order_id="577087614418520388", reason_name="seller_cancel_reason_out_of_stock",
                             line_item_ids=["577087614418716996"]),
        "4035319218955782461",
    ),
    "mark-package-as-shipped": (
        lambda gw: gw.ship_package(CONN, order_id="32131324123321", line_item_ids=["2321312321311"],
                                   tracking_number="6617675021119438849", provider_id="12312312321323432"),
        "32141235124234",
    ),
    "split-orders": (
        lambda gw: gw.split(CONN, order_id="556643423444", groups=[["57646237751283022", "576462377512830223"]]),
        ["223362377512830222"],
    ),
    "search-cancellations": (
        lambda gw: gw.search_cancellations(CONN, order_ids=["577087614418520388"]),
        CancellationPage(
            [RemoteCancellation(
                cancel_id="4035318504086604100", tiktok_order_id="577087614418520388",
                status="CANCELLATION_REQUEST_PENDING", role="BUYER",
                reason="ecom_order_to_ship_canceled_reason_created_by_mistakes", reason_text="Order created by mistake",
                created_at=datetime.fromtimestamp(1690451136, UTC), respond_by=datetime.fromtimestamp(1690554680, UTC),
                line_item_ids=("576468844534141348",),
            )],
            "aDU2dHIzMlFhME5CUzJKUDhDdVJhTDM1WmJkeFVTVW9LTkRaSnNaZCtuWjJXVU5CSDhlaA==",
        ),
    ),
    "get-shipping-providers": (
        lambda gw: gw.shipping_providers(CONN, delivery_option_id="6955034615128000261"),
        [ShippingProvider("7117858858072016686", "USPS")],
    ),
}
# TikTok APIs the OMS does not call (yet); kept so that a new sample is noticed.
NOT_CALLED = {"create-return", "get-warehouse-list", "get-order-split-attributes"}


class TestTikTokSamples:
    def test_every_sample_is_either_read_by_the_gateway_or_known_to_be_unused(self) -> None:
        on_disk = {p.stem for p in SAMPLES.glob("*.json")}

        assert on_disk == set(SAMPLE_CALLS) | NOT_CALLED | {"search-orders", "get-order-detail"}

    @pytest.mark.parametrize("name", sorted(SAMPLE_CALLS))
    def test_the_gateway_reads_tiktoks_sample_answer(self, name: str) -> None:
        call, expected = SAMPLE_CALLS[name]
        tiktok = FakeTikTok(httpx.Response(200, json=sample(name)["response_body"]))

        assert call(gateway(tiktok)) == expected

    @pytest.mark.parametrize("name", sorted(SAMPLE_CALLS) + ["search-orders"])
    def test_the_gateway_calls_the_samples_method_and_path_with_fields_tiktok_knows(self, name: str) -> None:
        spec = sample(name)
        tiktok = FakeTikTok(httpx.Response(200, json=spec["response_body"]))
        call = SAMPLE_CALLS[name][0] if name in SAMPLE_CALLS else search

        call(gateway(tiktok))

        path = re.sub(r"\\\{\w+\\\}", r"[^/]+", re.escape(spec["path"]))
        assert tiktok.last.method == spec["method"]
        assert re.fullmatch(path, tiktok.last.url.path)
        if tiktok.last.content:
            assert set(tiktok.body()) <= set(spec["request_body"])

    def test_the_search_sample_becomes_a_remote_order_with_one_line_per_line_item(self) -> None:
        body = sample("search-orders")["response_body"]

        page = search(gateway(FakeTikTok(httpx.Response(200, json=body))))

        assert page.rejected == []
        assert page.next_page_token == body["data"]["next_page_token"]
        [order] = page.orders
        assert (order.tiktok_order_id, order.status, order.fulfilled_by) == ("576461413038785752", "UNPAID",
                                                                             FulfilledBy.MERCHANT)
        assert [(l.tiktok_line_item_id, l.seller_sku, l.quantity) for l in order.lines] == [
            ("577086512123755123", "red_iphone_256", 1)]
        assert order.currency == "IDR"
        assert order.address.phone == "(+1)213-***-1234"

    def test_the_order_detail_sample_is_read_by_the_same_mapping(self) -> None:
        [raw] = sample("get-order-detail")["response_body"]["data"]["orders"]

        order = parse_order(raw)

        assert isinstance(order, RemoteOrder)
        assert order.lines[0].status == "TO_SHIP"
        assert order.delivery_option_id == "7091146663229654785"


class TestOrderSearch:
    def test_the_first_page_is_a_post_over_an_update_time_window_sorted_ascending(self) -> None:
        tiktok = FakeTikTok(ok(a_page()))

        search(gateway(tiktok))

        request = tiktok.last
        assert (request.method, request.url.path) == ("POST", "/order/202309/orders/search")
        params = dict(request.url.params)
        assert set(params) == {"app_key", "timestamp", "sign", "shop_cipher", "page_size", "sort_field", "sort_order"}
        assert (params["page_size"], params["sort_field"], params["sort_order"]) == ("50", "update_time", "ASC")
        assert params["shop_cipher"] == "ROW_abc"
        assert request.headers["x-tts-access-token"] == "TTP_access"
        assert request.content == b'{"update_time_ge":1699996400,"update_time_lt":1700000000}'

    def test_the_next_page_sends_the_token_back(self) -> None:
        tiktok = FakeTikTok(ok(a_page(an_order(), token="tok/+1=")), ok(a_page()))
        gw = gateway(tiktok)

        first = search(gw)
        search(gw, first.next_page_token)

        assert first.next_page_token == "tok/+1="
        assert tiktok.last.url.params["page_token"] == "tok/+1="

    @pytest.mark.parametrize("page", [a_page(token=""), a_page(token=None), {"orders": []}])
    def test_an_empty_or_missing_next_page_token_ends_the_search(self, page: dict[str, Any]) -> None:
        assert search(gateway(FakeTikTok(ok(page)))).next_page_token is None

    def test_a_malformed_order_is_rejected_while_the_rest_of_the_page_imports(self) -> None:
        bad = an_order("576000000000000002", line_items=[])
        tiktok = FakeTikTok(ok(a_page(an_order("576000000000000001"), bad, an_order("576000000000000003"))))

        page = search(gateway(tiktok))

        assert [o.tiktok_order_id for o in page.orders] == ["576000000000000001", "576000000000000003"]
        [rejected] = page.rejected
        assert isinstance(rejected, Rejected)
        assert rejected.tiktok_order_id == "576000000000000002"
        assert "line_items" in rejected.reason
        assert json.loads(rejected.raw) == bad

    def test_each_order_keeps_the_bytes_tiktok_sent_for_it_as_its_payload(self) -> None:
        # TikTok's own spacing, key order and escapes: the audit payload is these bytes, not a re-serialisation.
        first = json.dumps(an_order("576000000000000001", buyer_message="caf\u00e9 \u2603"), indent=1).encode()
        second = json.dumps(an_order("576000000000000002"), ensure_ascii=False, sort_keys=True).encode()
        body = b'{"code":0,"message":"Success","request_id":"r","data":{"total_count":2,"orders":[ ' + first + \
            b' ,\n' + second + b'],"next_page_token":""}}'

        page = search(gateway(FakeTikTok(httpx.Response(200, content=body))))

        assert [o.raw for o in page.orders] == [first, second]

    def test_half_an_emoji_in_one_order_sets_that_order_aside_not_the_page(self) -> None:
        # A lone surrogate escape is valid JSON that UTF-8 cannot hold (an emoji cut in half).
        first, third = (json.dumps(an_order(i)).encode() for i in ("576000000000000001", "576000000000000003"))
        bad = json.dumps(an_order("576000000000000002", recipient_address={"name": "Da\ud83dna"})).encode()
        assert b"\\ud83d" in bad
        body = b'{"code":0,"message":"Success","request_id":"r","data":{"total_count":3,"orders":[' + \
            first + b"," + bad + b"," + third + b'],"next_page_token":""}}'
        tiktok = FakeTikTok(httpx.Response(200, content=body))

        page = search(gateway(tiktok))

        assert [o.tiktok_order_id for o in page.orders] == ["576000000000000001", "576000000000000003"]
        [rejected] = page.rejected
        assert rejected.tiktok_order_id == "576000000000000002" and "\n" not in rejected.reason
        assert len(tiktok.requests) == 1  # read, not retried as if the answer were cut off

    def test_an_order_with_bytes_that_are_not_utf8_is_set_aside_under_its_own_id(self) -> None:
        orders = [json.dumps(an_order(i, recipient_address={"name": "DaXXna"})).encode().replace(b"XX", b"\xff")
                  for i in ("576000000000000001", "576000000000000002")]
        body = b'{"code":0,"message":"Success","request_id":"r","data":{"total_count":2,"orders":[' + \
            b",".join(orders) + b'],"next_page_token":""}}'

        page = search(gateway(FakeTikTok(httpx.Response(200, content=body))))

        assert sorted(r.tiktok_order_id for r in page.rejected) == ["576000000000000001", "576000000000000002"]

    @pytest.mark.parametrize("price", ["NaN", "Infinity", "-Infinity", "1e999999"])
    def test_a_price_that_is_not_a_price_sets_the_order_aside(self, price: str) -> None:
        line = {"id": "l-1", "sku_id": "sku-1", "seller_sku": "TEE", "sale_price": price, "display_status": "AWAITING_SHIPMENT"}
        page = search(gateway(FakeTikTok(ok(a_page(an_order("576000000000000002", line_items=[line]))))))

        [rejected] = page.rejected
        assert f"amount {price!r} is not a price" in rejected.reason and page.orders == []

    @pytest.mark.parametrize("quantity", [0, -3])
    def test_a_line_quantity_below_one_is_set_aside_not_made_one(self, quantity: int) -> None:
        line = {"id": "l-1", "sku_id": "sku-1", "seller_sku": "TEE", "sale_price": "9.99", "quantity": quantity,
                "display_status": "AWAITING_SHIPMENT"}
        page = search(gateway(FakeTikTok(ok(a_page(an_order("576000000000000002", line_items=[line]))))))

        [rejected] = page.rejected
        assert f"quantity: {quantity} is not between 1 and" in rejected.reason

    @pytest.mark.parametrize("field, value, reason", [
        ("update_time", "soon", "update_time: Expected `int`, got `str`"),
        ("line_items", [{"seller_sku": "X"}], "line_items[0]: Object missing required field `id`"),
        ("line_items", [], "line_items: List should have at least 1 item"),
    ])
    def test_a_malformed_orders_reason_is_one_line_naming_the_field(self, field: str, value: Any, reason: str) -> None:
        page = search(gateway(FakeTikTok(ok(a_page(an_order("576000000000000002", **{field: value}))))))

        [rejected] = page.rejected
        assert rejected.reason == reason

    def test_a_refused_page_token_means_the_window_is_read_again(self) -> None:
        tiktok = FakeTikTok(refused(36009004, "page_token is invalid"))

        with pytest.raises(PageTokenExpired):
            search(gateway(tiktok), "stale-token")

    def test_an_invalid_parameter_on_a_first_page_is_a_plain_refusal(self) -> None:
        with pytest.raises(TikTokRefused) as raised:
            search(gateway(FakeTikTok(refused(36009004, "page_size is invalid"))))

        assert type(raised.value) is TikTokRefused

    @pytest.mark.parametrize("status, expected", [
        ("ON_HOLD", "ON_HOLD"), ("CANCEL", "CANCELLED"), ("CANCELLED", "CANCELLED"),
        ("PARTIALLY_SHIPPING", "PARTIALLY_SHIPPING"), ("AWAITING_COLLECTION", "AWAITING_COLLECTION"),
    ])
    def test_tiktok_statuses_map_including_on_hold_and_the_webhooks_cancel(self, status: str, expected: str) -> None:
        [order] = search(gateway(FakeTikTok(ok(a_page(an_order(status=status)))))).orders

        assert order.status == expected

    def test_an_unknown_status_rejects_only_that_order(self) -> None:
        page = search(gateway(FakeTikTok(ok(a_page(an_order(status="AWAITING_PICKUP"), an_order("576000000000000009"))))))

        assert [o.tiktok_order_id for o in page.orders] == ["576000000000000009"]
        assert "AWAITING_PICKUP" in page.rejected[0].reason

    def test_fbt_orders_are_fulfilled_by_the_store_and_seller_orders_by_the_merchant(self) -> None:
        fbt = an_order("576000000000000001", fulfillment_type="FULFILLMENT_BY_TIKTOK")
        own = an_order("576000000000000002", fulfillment_type="FULFILLMENT_BY_SELLER")

        page = search(gateway(FakeTikTok(ok(a_page(fbt, own)))))

        assert [o.fulfilled_by for o in page.orders] == [FulfilledBy.STORE, FulfilledBy.MERCHANT]

    def test_one_line_item_per_unit_gives_one_line_per_unit(self) -> None:
        items = [{"id": f"li-{n}", "sku_id": "sku-9", "seller_sku": "CAP-NVY"} for n in range(3)]

        [order] = search(gateway(FakeTikTok(ok(a_page(an_order(line_items=items)))))).orders

        assert [(l.tiktok_line_item_id, l.quantity) for l in order.lines] == [("li-0", 1), ("li-1", 1), ("li-2", 1)]

    def test_an_on_hold_orders_empty_address_is_kept_empty(self) -> None:
        held = an_order(status="ON_HOLD", recipient_address={"full_address": "", "district_info": []})

        [order] = search(gateway(FakeTikTok(ok(a_page(held))))).orders

        assert order.address == Address()

    def test_a_masked_fbt_address_is_kept_as_tiktok_sent_it(self) -> None:
        masked = {"name": "D***", "phone_number": "(+1)213-***-0142", "address_line1": "", "postal_code": "",
                  "region_code": "US", "district_info": [
                      {"address_level_name": "State", "address_name": "California", "address_level": "L1"}]}
        fbt = an_order(fulfillment_type="FULFILLMENT_BY_TIKTOK", recipient_address=masked)

        [order] = search(gateway(FakeTikTok(ok(a_page(fbt))))).orders

        assert order.address == Address(name="D***", region="California", country="US", phone="(+1)213-***-0142")
        assert not order.address.is_complete

    def test_a_page_in_an_unexpected_shape_is_a_tiktok_error(self) -> None:
        with pytest.raises(TikTokError, match="order search page"):
            search(gateway(FakeTikTok(ok({"orders": "none"}))))

    def test_a_throttled_search_is_asked_again(self) -> None:
        tiktok = FakeTikTok(refused(36009002, "too many requests", 429), ok(a_page(an_order())))

        assert len(search(gateway(tiktok)).orders) == 1
        assert len(tiktok.requests) == 2


class TestCancel:
    def test_a_full_cancellation_sends_only_the_order_and_the_reason(self) -> None:
        tiktok = FakeTikTok(ok({"cancel_id": "c-1", "cancel_status": "CANCELLATION_REQUEST_SUCCESS"}))

        cancel_id = gateway(tiktok).cancel(CONN, order_id="576-1", reason_name="seller_cancel_reason_wrong_price",
                                           line_item_ids=None)

        assert cancel_id == "c-1"
        assert (tiktok.last.method, tiktok.last.url.path) == ("POST", "/return_refund/202309/cancellations")
        assert tiktok.body() == {"order_id": "576-1", "cancel_reason": "seller_cancel_reason_wrong_price"}

    def test_a_partial_cancellation_names_its_line_items(self) -> None:
        tiktok = FakeTikTok(ok({"cancel_id": "c-2"}))

        gateway(tiktok).cancel(CONN, order_id="576-1", reason_name="seller_cancel_reason_out_of_stock",
                               line_item_ids=["li-1", "li-2"])

        assert tiktok.body() == {"order_id": "576-1", "cancel_reason": "seller_cancel_reason_out_of_stock",
                                 "order_line_item_ids": ["li-1", "li-2"]}

    def test_a_refused_cancellation_says_why_and_is_not_sent_again(self) -> None:
        tiktok = FakeTikTok(refused(25005010, "Unable to cancel individual line items within this request"))

        with pytest.raises(TikTokRefused) as raised:
            gateway(tiktok).cancel(CONN, order_id="576-1", reason_name="seller_cancel_reason_wrong_price",
                                   line_item_ids=["li-1"])

        message = str(raised.value)
        assert raised.value.code == 25005010
        assert message.startswith("TikTok refused to cancel order 576-1: ")
        assert "out of stock" in message and "Unable to cancel individual line items" in message
        assert raised.value.request_id == "rid-9"  # type: ignore[attr-defined]
        assert len(tiktok.requests) == 1

    def test_an_unclear_failure_of_a_cancellation_is_not_sent_again(self) -> None:
        tiktok = FakeTikTok(httpx.Response(503))

        with pytest.raises(TikTokUnavailable, match="may have been applied"):
            gateway(tiktok).cancel(CONN, order_id="576-1", reason_name="r", line_item_ids=None)

        assert len(tiktok.requests) == 1


class TestFulfilment:
    def test_shipping_tells_tiktok_the_packages_line_items_tracking_number_and_carrier(self) -> None:
        tiktok = FakeTikTok(ok({"order_id": "576-1", "order_line_item_ids": ["li-1"], "package_id": "pkg-1"}))

        package = gateway(tiktok).ship_package(CONN, order_id="576-1", line_item_ids=["li-1"],
                                               tracking_number="1Z999", provider_id="7117858858072016686")

        assert package == "pkg-1"
        assert tiktok.last.url.path == "/fulfillment/202309/orders/576-1/packages"
        assert tiktok.body() == {"order_line_item_ids": ["li-1"], "tracking_number": "1Z999",
                                 "shipping_provider_id": "7117858858072016686"}

    def test_shipping_an_order_tiktok_holds_is_refused_with_a_clear_message(self) -> None:
        tiktok = FakeTikTok(refused(21011044, "Order status is on hold"))

        with pytest.raises(TikTokRefused, match=r"^TikTok refused to mark a package of order 576-1 as shipped: "
                                                r"TikTok still holds the order \(ON_HOLD\)"):
            gateway(tiktok).ship_package(CONN, order_id="576-1", line_item_ids=["li-1"], tracking_number="1Z",
                                         provider_id="p")

    def test_an_unclear_failure_of_a_shipment_is_not_sent_again(self) -> None:
        tiktok = FakeTikTok(httpx.Response(502), ok({"package_id": "pkg-1"}))

        with pytest.raises(TikTokUnavailable):
            gateway(tiktok).ship_package(CONN, order_id="576-1", line_item_ids=["li-1"], tracking_number="1Z",
                                         provider_id="p")

        assert len(tiktok.requests) == 1

    def test_a_split_sends_one_numbered_group_per_part(self) -> None:
        tiktok = FakeTikTok(ok({"packages": [{"splittable_group_id": "1", "id": "p1"},
                                             {"splittable_group_id": "2", "id": "p2"}]}))

        packages = gateway(tiktok).split(CONN, order_id="576-1", groups=[["li-1"], ["li-2", "li-3"]])

        assert packages == ["p1", "p2"]
        assert tiktok.last.url.path == "/fulfillment/202309/orders/576-1/split"
        assert tiktok.body() == {"splittable_groups": [{"id": "1", "order_line_item_ids": ["li-1"]},
                                                       {"id": "2", "order_line_item_ids": ["li-2", "li-3"]}]}

    def test_a_split_tiktok_does_not_do_in_this_market_is_refused_with_a_clear_message(self) -> None:
        with pytest.raises(TikTokRefused, match="does not split orders before shipping in this market"):
            gateway(FakeTikTok(refused(21011035, "split not allowed"))).split(CONN, order_id="576-1", groups=[["a"]])

    def test_carriers_are_asked_for_the_orders_delivery_option(self) -> None:
        tiktok = FakeTikTok(ok({"shipping_providers": [{"id": "1", "name": "UPS"}]}))

        assert gateway(tiktok).shipping_providers(CONN, delivery_option_id="do-7") == [ShippingProvider("1", "UPS")]
        assert (tiktok.last.method, tiktok.last.url.path) == ("GET", "/logistics/202309/delivery_options/do-7/shipping_providers")
        assert tiktok.last.url.params["shop_cipher"] == "ROW_abc"


TOKENS = {"access_token": "TTP_new", "access_token_expire_in": NOW + 604800, "refresh_token": "RT_new",
          "refresh_token_expire_in": 4841467787, "granted_scopes": ["seller.order.info"], "open_id": "o"}


class TestAuthorization:
    def test_the_authorization_url_carries_the_service_id_and_the_state(self) -> None:
        assert gateway(FakeTikTok()).authorization_url("s t/8") == f"{AUTHORIZE}?service_id=svc-7&state=s+t%2F8"

    def test_a_code_is_exchanged_on_the_auth_host_for_tokens_with_absolute_expiry_times(self) -> None:
        tiktok = FakeTikTok(ok(TOKENS))

        grant = gateway(tiktok).exchange_code("code-1")

        request = tiktok.last
        assert str(request.url).startswith(f"{AUTH}/api/v2/token/get?")
        assert dict(request.url.params) == {"app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": "code-1",
                                            "grant_type": "authorized_code"}
        assert grant.access_token == "TTP_new"
        assert grant.access_token_expires_at == datetime.fromtimestamp(NOW + 604800, UTC)
        assert grant.refresh_token_expires_at == datetime.fromtimestamp(4841467787, UTC)
        assert grant.granted_scopes == ("seller.order.info",)

    def test_a_refresh_sends_the_refresh_token(self) -> None:
        tiktok = FakeTikTok(ok(TOKENS))

        assert gateway(tiktok).refresh("RT_old").refresh_token == "RT_new"
        assert tiktok.last.url.path == "/api/v2/token/refresh"
        assert tiktok.last.url.params["grant_type"] == "refresh_token"

    def test_a_refused_code_fails_the_authorization(self) -> None:
        with pytest.raises(AuthorizationFailed):
            gateway(FakeTikTok(refused(36004004, "auth_code is invalid"))).exchange_code("code-1")

    def test_a_refused_refresh_revokes_the_authorization(self) -> None:
        with pytest.raises(AuthorizationRevoked):
            gateway(FakeTikTok(refused(36004006, "refresh_token is invalid"))).refresh("RT_old")

    def test_a_token_answer_without_tokens_is_unusable_and_echoes_no_secret(self) -> None:
        with pytest.raises(AuthorizationFailed, match="access_token") as raised:
            gateway(FakeTikTok(ok({"refresh_token": "RT_leak", "access_token_expire_in": 1,
                                   "refresh_token_expire_in": 1}))).exchange_code("code-1")

        assert "RT_leak" not in str(raised.value)

    def test_authorized_shops_are_asked_without_a_shop_cipher(self) -> None:
        tiktok = FakeTikTok(ok({"shops": [{"id": "1", "name": "S", "region": "US", "cipher": "ROW_x"}]}))

        assert gateway(tiktok).authorized_shops("TTP_access") == [AuthorizedShop("1", "S", "US", "ROW_x")]
        assert tiktok.last.url.path == "/authorization/202309/shops"
        assert "shop_cipher" not in tiktok.last.url.params


class TestBuyerCancellationRequests:
    """Approve/Reject Cancellation and Get Reject Reasons 202309 (return-and-refund/*.spec.json)."""

    def test_approving_posts_to_the_requests_path_with_an_idempotency_key(self) -> None:
        tiktok = FakeTikTok(ok({}))

        gateway(tiktok).approve_cancellation(CONN, cancel_id="4035319218955782461", idempotency_key="key-1")

        assert (tiktok.last.method, tiktok.last.url.path) == ("POST", "/return_refund/202309/cancellations/4035319218955782461/approve")
        assert tiktok.last.url.params["idempotency_key"] == "key-1"
        assert tiktok.body() == {}

    def test_rejecting_sends_the_reason_and_the_comment(self) -> None:
        tiktok = FakeTikTok(ok({}))

        gateway(tiktok).reject_cancellation(CONN, cancel_id="403", reason_name="seller_reject_apply_product_has_been_packed",
                                            comment="packed already", idempotency_key="key-2")

        assert tiktok.last.url.path == "/return_refund/202309/cancellations/403/reject"
        assert tiktok.body() == {"reject_reason": "seller_reject_apply_product_has_been_packed", "comment": "packed already"}

    def test_the_reject_reasons_are_read_from_tiktoks_own_example(self) -> None:
        example = {"code": 0, "data": {"reasons": [{"name": "seller_reject_apply_you_have_reached_an_agreement_with_the_buyer",
                                                    "text": "You have reached an agreement with the buyer"}]},
                   "message": "Success", "request_id": "202203070749000101890810281E8C70B7"}
        tiktok = FakeTikTok(httpx.Response(200, json=example))

        reasons = gateway(tiktok).reject_reasons(CONN, cancel_id="4035319218955782461")

        assert [(r.name, r.text) for r in reasons] == [
            ("seller_reject_apply_you_have_reached_an_agreement_with_the_buyer", "You have reached an agreement with the buyer")
        ]
        assert (tiktok.last.method, tiktok.last.url.path) == ("GET", "/return_refund/202309/reject_reasons")
        assert tiktok.last.url.params["return_or_cancel_id"] == "4035319218955782461"

    def test_a_request_no_longer_pending_is_refused_with_a_clear_message(self) -> None:
        tiktok = FakeTikTok(refused(25011012, "reverse status cannot approve application"))

        with pytest.raises(TikTokRefused, match="no longer pending"):
            gateway(tiktok).approve_cancellation(CONN, cancel_id="403", idempotency_key="key-3")
