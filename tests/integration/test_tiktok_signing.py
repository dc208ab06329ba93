import json

import httpx
import pytest

from adapters.tiktok.client import TikTokHttpClient
from adapters.tiktok.signing import encode_list, sign, verify_webhook

pytestmark = pytest.mark.integration

WEBHOOK_BODY = (
    b'{"type":1,"shop_id":"7494726673780148744","timestamp":1664095733,"data":{"order_id":'
    b'"576684019603311365","order_status":"AWAITING_SHIPMENT","update_time":1664095610}}'
)
WEBHOOK_SIGNATURE = "21109834de72ec53c9959716d8514ae388ce1f123e5ffdcafc46713fcdf62b27"


def test_vector_a_official_docs_example_signs_as_documented() -> None:
    params = {"app_key": "29a39d", "timestamp": "1623812664"}

    assert sign("e59af819cc", "/authorization/202309/shops", params) == (
        "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    )


def test_vector_b_ecomphp_unit_test_signs_as_documented() -> None:
    assert sign("app_secret", "/test-api", {"foo": "bar"}) == (
        "d3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f"
    )


def test_vector_c_post_signs_the_body_and_ignores_sign_and_access_token() -> None:
    params = {
        "app_key": "29a39d",
        "timestamp": "1623812664",
        "shop_cipher": "ROW_abc123",
        "page_size": "50",
        "access_token": "IGNORED",
        "sign": "IGNORED",
    }
    body = b'{"order_status":"AWAITING_SHIPMENT","update_time_ge":1700000000}'

    assert sign("e59af819cc", "/order/202309/orders/search", params, body) == (
        "404bea60b8cc895a41ec7e72c5f5aa03acec3fdd155c0f8b2b37505702d2cd07"
    )


def test_vector_d_get_with_comma_joined_ids_signs_as_documented() -> None:
    params = {
        "app_key": "29a39d",
        "timestamp": "1623812664",
        "shop_cipher": "ROW_abc123",
        "ids": encode_list(["576461413038785752", "576461413038785753"]),
    }

    assert sign("e59af819cc", "/order/202309/orders", params) == (
        "1945695a4570b0d743cf16738c3565e83621aaa6784136dd36bce0c6321c5329"
    )


def test_x_tts_access_token_in_the_query_is_not_signed() -> None:
    params = {"app_key": "29a39d", "timestamp": "1623812664"}

    assert sign("e59af819cc", "/p", {**params, "x-tts-access-token": "tok"}) == sign("e59af819cc", "/p", params)


def test_an_empty_body_signs_like_no_body_but_an_empty_object_does_not() -> None:
    params = {"app_key": "k"}

    assert sign("s", "/p", params, b"") == sign("s", "/p", params)
    assert sign("s", "/p", params, b"{}") != sign("s", "/p", params)


def test_the_webhook_vector_verifies() -> None:
    assert verify_webhook("fake_app_key", "fake_app_secret", WEBHOOK_BODY, WEBHOOK_SIGNATURE)


@pytest.mark.parametrize(
    "body, signature",
    [
        (WEBHOOK_BODY + b" ", WEBHOOK_SIGNATURE),
        (json.dumps(json.loads(WEBHOOK_BODY)).encode(), WEBHOOK_SIGNATURE),
        (WEBHOOK_BODY, WEBHOOK_SIGNATURE[:-1] + "0"),
        (WEBHOOK_BODY, WEBHOOK_SIGNATURE[:-2]),
        (WEBHOOK_BODY, ""),
        (WEBHOOK_BODY, "é" * 64),
    ],
    ids=["tampered", "reserialised", "one-char-off", "short", "empty", "non-ascii"],
)
def test_a_webhook_whose_body_or_signature_differs_is_rejected(body: bytes, signature: str) -> None:
    assert not verify_webhook("fake_app_key", "fake_app_secret", body, signature)


def test_encode_list_comma_joins_values() -> None:
    assert encode_list(["1", "2", "3"]) == "1,2,3"


def test_encode_list_refuses_a_value_containing_a_comma() -> None:
    with pytest.raises(ValueError):
        encode_list(["1,2"])


def test_the_signature_on_the_wire_recomputes_from_what_was_actually_sent() -> None:
    sent: list[httpx.Request] = []

    def tiktok(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"code": 0, "message": "Success", "data": {}})

    client = TikTokHttpClient(
        httpx.Client(transport=httpx.MockTransport(tiktok)),
        app_key="29a39d",
        app_secret="e59af819cc",
        api_base_url="https://open-api.example.test",
        auth_base_url="https://auth.example.test",
        now=lambda: 1623812664.9,
    )

    client.call(
        "POST",
        "/order/202309/orders/search",
        query={"page_size": 50, "ids": ["1", "2"], "note": "a b&c=é"},
        body={"order_status": "AWAITING_SHIPMENT", "buyer_note": "Café ✓", "n": [1, 2]},
        access_token="the-access-token",
        shop_cipher="ROW_abc123",
    )

    request = sent[0]
    params = dict(request.url.params.multi_items())
    assert sign("e59af819cc", request.url.path, params, request.content) == params["sign"]
    assert request.content == '{"order_status":"AWAITING_SHIPMENT","buyer_note":"Café ✓","n":[1,2]}'.encode()
    assert params["timestamp"] == "1623812664"
