import hashlib
import hmac
from collections.abc import Iterable, Mapping

# access_token is the pre-202309 query parameter; x-tts-access-token is dropped as ECOMPHP does,
# in case someone puts the header name in the query.
_UNSIGNED = frozenset({"sign", "access_token", "x-tts-access-token"})


def sign(app_secret: str, path: str, params: Mapping[str, str], body: bytes = b"") -> str:
    """TikTok Shop request signature (Partner Center "Sign your API request").

    HMAC-SHA256 keyed by the app secret over
    secret + path + sorted "{key}{value}" pairs (decoded values) + raw body bytes + secret,
    as lowercase hex. The body must be the exact bytes sent; multipart bodies are not signed.
    """
    pairs = "".join(f"{key}{params[key]}" for key in sorted(params) if key not in _UNSIGNED)
    secret = app_secret.encode()
    message = secret + (path + pairs).encode() + body + secret
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def verify_webhook(app_key: str, app_secret: str, body: bytes, signature: str) -> bool:
    """Check a webhook's `Authorization` header: hex HMAC-SHA256(app_secret, app_key + raw body)."""
    expected = hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())


def encode_list(values: Iterable[str]) -> str:
    """TikTok takes list query parameters as one comma-joined value (ids=1,2), signed that way."""
    items = [str(value) for value in values]
    if any("," in item for item in items):
        raise ValueError("a list query value may not itself contain a comma")
    return ",".join(items)
