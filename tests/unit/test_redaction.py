"""Issue 9 item 6: one redaction for everything echoed back (S-5)."""

import pytest

from adapters.redaction import redact

ECHOES = [
    ("POST https://open-api.tiktokglobalshop.com/order/202309/orders/search?app_key=k&sign=9f86d081884c7d65"
     "&timestamp=1", "sign=9f86d081884c7d65"),
    ("GET /api/v2/token/get?app_key=k&app_secret=s3cr3t&auth_code=ROW_abc&grant_type=authorized_code", "s3cr3t"),
    ("GET /api/v2/token/get?app_key=k&app_secret=s3cr3t&auth_code=ROW_abc&grant_type=authorized_code", "ROW_abc"),
    ('{"access_token": "TTP_live1234", "refresh_token":"TTP_ref5678"}', "TTP_live1234"),
    ('{"access_token": "TTP_live1234", "refresh_token":"TTP_ref5678"}', "TTP_ref5678"),
    ("headers x-tts-access-token: TTP_live1234; content-type: application/json", "TTP_live1234"),
    ("url=https%3A%2F%2Fx%2Fy%3Fsign%3Dabcdef0123", "abcdef0123"),
    ("SIGN=ABCDEF0123&Access_Token=tok9", "ABCDEF0123"),
]


@pytest.mark.parametrize(("text", "secret"), ECHOES)
def test_secret_parameters_lose_their_value_wherever_they_are_echoed(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_known_secrets_go_plain_and_url_encoded() -> None:
    said = redact("secret a/b+c= and a%2Fb%2Bc%3D and a%2Fb%2Bc%3D", known=["a/b+c="])

    assert "a/b+c=" not in said and "a%2Fb%2Bc%3D" not in said


def test_everything_else_is_left_as_it_was() -> None:
    text = "TikTok refused: design=3 signal=1 (code 36009004, HTTP 400, request_id 2026112712000012AB)"

    assert redact(text) == text
