"""The checks TikTok's gateway makes before an API call reaches a shop (TIKTOK_API.md 1.1-1.2)."""

import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from adapters.sandbox.model import TikTokApiError, TikTokShopModel
from adapters.tiktok.signing import sign

PAST_WINDOW, FUTURE_WINDOW = 300, 30


@dataclass(frozen=True, slots=True)
class Caller:
    access_token: str
    shop_cipher: str | None


def check_signed_call(model: TikTokShopModel, path: str, query: Mapping[str, str], headers: Mapping[str, str],
                      body: bytes, *, shop_scoped: bool) -> Caller:
    if query.get("app_key") != model.app_key:
        raise TikTokApiError(36009004, "Invalid credentials. The 'app_key' query parameter is invalid.", 401)
    given = query.get("sign", "")
    if not given:
        raise TikTokApiError(36009004, "The 'sign' query parameter is missing.", 401)
    # Multipart bodies are not signed; the sandbox takes JSON only, so the whole body is.
    expected = sign(model.app_secret, path, dict(query), body)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise TikTokApiError(106001, "Invalid credentials. The 'sign' query parameter is invalid. "
                                     "Please check the sign algorithm and app secret.", 401)
    _check_timestamp(model.now(), query.get("timestamp", ""))
    cipher = query.get("shop_cipher")
    if shop_scoped and not cipher:
        raise TikTokApiError(106013, "The 'shop_cipher' query parameter is missing.")
    if not shop_scoped and cipher is not None:
        raise TikTokApiError(36009004, "Unexpected identifier: shop_cipher is not accepted by this API.")
    return Caller(access_token=headers.get("x-tts-access-token", ""), shop_cipher=cipher)


def _check_timestamp(now: int, raw: str) -> None:
    if not raw.isdigit():
        raise TikTokApiError(36009004, "The 'timestamp' query parameter must be Unix seconds.")
    stamp = int(raw)
    if stamp < now - PAST_WINDOW:
        raise TikTokApiError(36009004, "The 'timestamp' query parameter is expired (older than 5 minutes).")
    if stamp > now + FUTURE_WINDOW:
        raise TikTokApiError(36009004, "The 'timestamp' query parameter is in the future (more than 30 s ahead).")


def shop_of(model: TikTokShopModel, cipher: str | None) -> str | None:
    if cipher is None:
        return None
    with model.lock:
        return next((s.id for s in model.shops.values() if s.cipher == cipher), None)
