import email.utils
import functools
import json
import logging
import math
import re
import ssl
import time
from urllib.parse import urlsplit
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import timezone
from typing import Any, NoReturn

import httpx
import msgspec

from adapters.redaction import redact
from adapters.secret_key import SealedToken, TokensUnreadable
from adapters.tiktok.signing import encode_list, sign

SANDBOX_APP_KEY = "sandbox-app-key"  # the sandbox's default app; never valid on TikTok
from application.errors import (
    AccessTokenExpired,
    ApplicationError,
    AuthorizationFailed,
    AuthorizationRevoked,
    TikTokError,
    TikTokRefused,
    TikTokUnavailable,
)

_log = logging.getLogger("tiktok_oms.tiktok")


class _WithoutQuery(logging.Filter):
    """Drops the query of the URLs httpx logs: TikTok's carry sign, app_secret, auth_code and tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                a.copy_with(query=None) if isinstance(a, httpx.URL) else redact(a) if isinstance(a, str) else a
                for a in record.args
            )
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


# httpx logs every request URL at INFO, and TikTok URLs carry sign, app_secret and auth_code:
# quiet by default, and without the query should a logging setup turn it up again (S-5).
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpx").addFilter(_WithoutQuery())
logging.getLogger("httpcore").setLevel(logging.WARNING)


@functools.cache
def _stamina() -> Any:
    """stamina (with tenacity, ~0.1 s of imports), loaded with the first call to TikTok, not at start-up."""
    import stamina

    # Its default hook logs every retry at WARNING (logger "stamina", or structlog when installed):
    # the client logs its own, at INFO on tiktok_oms.tiktok, with the cause already scrubbed of secrets.
    stamina.instrumentation.set_on_retry_hooks([])
    return stamina

_EXPIRED_TOKEN, _REVOKED_TOKEN, _BAD_SIGNATURE = 105002, 105001, 106001
_THROTTLED = frozenset({36009002})  # refused before any work was done, so resending is safe
_TRANSIENT = frozenset({36009003, 36009007})
_RESERVED = frozenset({"app_key", "timestamp", "sign", "shop_cipher", "access_token", "x-tts-access-token"})
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# A TLS failure that no resend can fix: a certificate TikTok's host does not prove, a protocol the
# two ends do not share. An EOF in the middle of a handshake is a dropped connection, so transient.
_TLS_TRANSIENT = (ssl.SSLEOFError, ssl.SSLZeroReturnError)
_MAX_MESSAGE = 500

QueryValue = str | int | list[str] | None


class _Transient(Exception):
    def __init__(self, cause: str, *, unsent: bool = False, retry_after: float | None = None,
                 code: int | None = None, request_id: str | None = None) -> None:
        super().__init__(cause)
        self.cause, self.unsent, self.retry_after = cause, unsent, retry_after  # unsent: TikTok surely did nothing
        self.code, self.request_id = code, request_id
        self.wait: float | None = None  # seconds the Retry-After set (capped); None: stamina's backoff


def open_http_client(timeout_seconds: float = 30.0) -> httpx.Client:
    # Retries live in TikTokHttpClient, which knows which failures are safe to resend.
    timeout = httpx.Timeout(10.0, connect=5.0, read=timeout_seconds, pool=5.0)
    return httpx.Client(timeout=timeout, transport=httpx.HTTPTransport(retries=0))


def http_client_resource(timeout_seconds: float = 30.0) -> Iterator[httpx.Client]:
    """One client per process, closed when the container shuts its resources down."""
    client = open_http_client(timeout_seconds)
    yield client
    client.close()


def _check_endpoint(url: str, app_key: str) -> None:
    # Plain http and the sandbox's credentials are for the simulator on this machine only.
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "::1", "localhost")
    if parts.scheme != "https" and not local:
        raise ApplicationError(f"TikTok must be reached over https, not {parts.scheme}://{parts.hostname}")
    if not local and app_key == SANDBOX_APP_KEY:
        raise ApplicationError(
            "set TIKTOK_APP_KEY and TIKTOK_APP_SECRET (and TIKTOK_SERVICE_ID) to your app's: "
            "the defaults only work with the sandbox"
        )


class TikTokHttpClient:
    """Signs, sends and classifies every call to TikTok Shop's Partner API and token endpoints.

    Retries (stamina): a failure TikTok certainly did not act on (connect error, 429, throttle code
    36009002) is resent for every call; an ambiguous one (5xx, read timeout, reset, truncated JSON,
    codes 36009003/36009007) only for calls made with `retry=True` (reads). At most `max_attempts`
    attempts within `max_total` seconds; waits grow from `first_wait` seconds (x2, jitter up to
    `first_wait`) to at most `max_wait` seconds; a `Retry-After` (seconds or HTTP date) sets the
    wait, capped at `max_wait`. TLS failures (certificate, handshake) and 4xx other than 429 fail at
    once. `now` is the clock of signatures and HTTP dates (epoch seconds). Each retry is logged at
    INFO on `tiktok_oms.tiktok` with `retry_wait` (the Retry-After wait, or None for the backoff).
    Source of the codes: TIKTOK_API.md 1.4 (common error codes).
    """

    def __init__(self, http: httpx.Client, *, app_key: str, app_secret: str, api_base_url: str,
                 auth_base_url: str, now: Callable[[], float] = time.time, max_attempts: int = 5,
                 max_wait: float = 30.0, max_total: float = 120.0, first_wait: float = 0.5) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not (0 <= first_wait <= max_wait and max_total > 0):
            raise ValueError("need 0 <= first_wait <= max_wait and max_total > 0 (seconds)")
        for url in (api_base_url, auth_base_url):
            _check_endpoint(url, app_key)
        self._http = http
        self._app_key = app_key
        self._app_secret = app_secret
        self._api = api_base_url.rstrip("/")
        self._auth = auth_base_url.rstrip("/")
        self._now = now
        self._max_attempts = max_attempts
        self._max_wait = max_wait
        self._max_total = max_total
        self._first_wait = first_wait

    def call(self, method: str, path: str, *, query: Mapping[str, QueryValue] | None = None,
             body: dict[str, Any] | None = None, access_token: str, shop_cipher: str | None = None,
             retry: bool = True) -> dict[str, Any]:
        """A signed call to the Partner API; returns the envelope's `data` object ({} for null)."""
        data = self.call_raw(method, path, query=query, body=body, access_token=access_token,
                             shop_cipher=shop_cipher, retry=retry)
        return _object(data, f"{method.upper()} {path}")

    def call_raw(self, method: str, path: str, *, query: Mapping[str, QueryValue] | None = None,
                 body: dict[str, Any] | None = None, access_token: str, shop_cipher: str | None = None,
                 retry: bool = True) -> bytes:
        """Like `call`, but returns the envelope's `data` as the JSON bytes TikTok sent (b"null"
        when absent), for a caller that parses it once itself (the order pages)."""
        method = method.upper()
        _usable(access_token)
        if not path.startswith("/") or "?" in path:
            raise ValueError(f"path must be a bare path starting with '/': {path!r}")
        if shop_cipher is not None and path.startswith("/authorization/"):
            raise ValueError("shop_cipher must not be sent to /authorization/* (TikTok answers 36009004)")
        fixed = _query_strings(query or {})
        # Serialised once: the signature covers these exact bytes, and exactly these are sent.
        content = b"" if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {"x-tts-access-token": access_token, "content-type": "application/json"}

        def build() -> httpx.Request:
            params = {**fixed, "app_key": self._app_key, "timestamp": str(int(self._now()))}
            if shop_cipher is not None:
                params["shop_cipher"] = shop_cipher
            params["sign"] = sign(self._app_secret, path, params, content)
            return self._http.build_request(method, self._api + path, params=params,
                                            content=content or None, headers=headers)

        return self._send(method, path, build, retry=retry, secrets=(access_token,), refused=TikTokRefused)

    def get_token(self, auth_code: str) -> dict[str, Any]:
        grant = {"auth_code": auth_code, "grant_type": "authorized_code"}
        return _object(self._token("/api/v2/token/get", grant, auth_code, AuthorizationFailed), "GET /api/v2/token/get")

    def refresh_token(self, refresh_token: str) -> dict[str, Any]:
        _usable(refresh_token)
        grant = {"refresh_token": refresh_token, "grant_type": "refresh_token"}
        # Not resent after an ambiguous failure: TikTok may already have rotated the refresh token,
        # and resending the old one would be refused as if the grant were revoked.
        return _object(self._token("/api/v2/token/refresh", grant, refresh_token, AuthorizationRevoked, retry=False),
                       "GET /api/v2/token/refresh")

    def _token(self, path: str, grant: dict[str, str], secret: str,
               refused: type[TikTokError], *, retry: bool = True) -> bytes:
        # The token endpoints are unsigned and take app_secret in the query (TIKTOK_API.md 2.2).
        params = {"app_key": self._app_key, "app_secret": self._app_secret, **grant}

        def build() -> httpx.Request:
            return self._http.build_request("GET", self._auth + path, params=params)

        return self._send("GET", path, build, retry=retry, secrets=(secret,), refused=refused)

    def _send(self, method: str, path: str, build: Callable[[], httpx.Request], *, retry: bool,
              secrets: Iterable[str], refused: type[TikTokError]) -> bytes:
        hidden = (self._app_secret, *secrets)

        def resend(failure: Exception) -> bool | float:
            # stamina's backoff hook: False = give up now, True = its exponential backoff, a float = that wait.
            if not isinstance(failure, _Transient) or not (retry or failure.unsent):
                return False
            if failure.retry_after is None:
                return True
            failure.wait = min(failure.retry_after, self._max_wait)
            return failure.wait

        attempt_number, last = 0, None
        try:
            for attempt in _stamina().retry_context(
                on=resend, attempts=self._max_attempts, timeout=self._max_total, wait_initial=self._first_wait,
                wait_max=self._max_wait, wait_jitter=self._first_wait, wait_exp_base=2,
            ):
                attempt_number = attempt.num
                if last is not None:
                    _log.info("%s %s: attempt %d of %d after %s", method, path, attempt_number, self._max_attempts,
                              last.cause, extra={"retry_wait": last.wait})
                with attempt:
                    try:
                        return self._attempt(method, path, build(), attempt_number, hidden, refused)
                    except _Transient as failure:
                        last = failure
                        raise
        except _Transient as failure:
            last = failure
        assert last is not None
        ambiguous = "" if retry or last.unsent else "; it may have been applied, check TikTok before resending"
        raise _tag(TikTokUnavailable(f"TikTok did not complete {method} {path} after {attempt_number} attempt(s): "
                                     f"{last.cause}{ambiguous}", code=last.code), last.request_id)

    def _attempt(self, method: str, path: str, request: httpx.Request, attempt: int,
                 hidden: tuple[str, ...], refused: type[TikTokError]) -> bytes:
        try:
            response = self._http.send(request)
        except httpx.TransportError as exc:
            _log.debug("%s %s attempt %d: %s", method, path, attempt, type(exc).__name__)
            tls = _tls_failure(exc)
            if tls is not None:  # no resend fixes a certificate: one line, at once (issue 9 item 8)
                raise TikTokError(f"TikTok could not be reached securely at {request.url.host} "
                                  f"({method} {path}): {_tls_reason(tls)}; not retried: check the system clock, "
                                  "any proxy in between, and TIKTOK_API_BASE_URL/TIKTOK_AUTH_BASE_URL") from None
            # Only a failed connect certainly left TikTok untouched; a read timeout or reset may not have.
            raise _Transient(_describe(exc, hidden), unsent=isinstance(exc, _UNSENT)) from None
        envelope = _envelope(response)
        code = envelope.get("code") if envelope is not None else None
        code = code if isinstance(code, int) and not isinstance(code, bool) else None
        _log.debug("%s %s attempt %d: HTTP %d, code %s", method, path, attempt, response.status_code, code)
        if envelope is not None and code == 0:
            return bytes(envelope["data"])
        self._fail(response, envelope, code, f"{method} {path}", hidden, refused)

    def _fail(self, response: httpx.Response, envelope: dict[str, Any] | None, code: int | None,
              where: str, hidden: tuple[str, ...], refused: type[TikTokError]) -> NoReturn:
        status, signed = response.status_code, refused is TikTokRefused  # token calls are unsigned
        request_id = envelope.get("request_id") if envelope is not None else None
        request_id = str(request_id) if request_id else None
        message = _scrub(str(envelope.get("message") or "") if envelope is not None else "", hidden)
        detail = f"{message} (code {code}, HTTP {status}{f', request_id {request_id}' if request_id else ''})"
        if signed and code == _EXPIRED_TOKEN:
            raise _tag(AccessTokenExpired(f"access token expired on {where}: {detail}", code=code), request_id)
        if signed and code == _REVOKED_TOKEN:
            raise _tag(AuthorizationRevoked(f"authorization revoked on {where}: {detail}", code=code), request_id)
        if signed and code == _BAD_SIGNATURE:
            raise _tag(TikTokError(f"TikTok says the signature of {where} is invalid: check the app secret "
                                   f"and that the system clock is correct. {detail}", code=code), request_id)
        if status == 429 or code in _THROTTLED:
            raise _Transient(f"rate limited: {detail}", unsent=True, retry_after=self._retry_after(response),
                             code=code, request_id=request_id)
        if status >= 500 or code in _TRANSIENT:
            raise _Transient(f"TikTok failed: {detail}", retry_after=self._retry_after(response),
                             code=code, request_id=request_id)
        if envelope is None and 200 <= status < 300:
            raise _Transient(f"truncated or invalid JSON in an HTTP {status} answer")
        if code is None:
            raise _tag(TikTokError(f"TikTok answered {where} with HTTP {status} and no error envelope"), request_id)
        raise _tag(refused(f"TikTok refused {where}: {detail}", code=code), request_id)

    def _retry_after(self, response: httpx.Response) -> float | None:
        value = response.headers.get("retry-after", "").strip()
        if not value:
            return None
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            seconds = when.timestamp() - self._now()
        return max(seconds, 0.0) if math.isfinite(seconds) else None

def _usable(token: str) -> None:
    # A stored token no configured key decrypts is never sent: TikTok would only see garbage (S-6).
    if isinstance(token, SealedToken):
        raise TokensUnreadable(token.source)


def _query_strings(query: Mapping[str, QueryValue]) -> dict[str, str]:
    clash = _RESERVED.intersection(query)
    if clash:
        raise ValueError(f"query may not set {sorted(clash)}: the client adds them")
    out: dict[str, str] = {}
    for key, value in query.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, list | tuple):
            out[key] = encode_list(value)
        else:
            out[key] = str(value)
    return out


def _tls_failure(exc: BaseException) -> ssl.SSLError | None:
    """The ssl.SSLError behind a transport error (httpx chains httpcore's, which chains ssl's), if permanent."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLError):
            return None if isinstance(cause, _TLS_TRANSIENT) else cause
        cause = cause.__cause__ or cause.__context__
    return None


def _tls_reason(error: ssl.SSLError) -> str:
    # reason and verify_message are set by the ssl module's C code; a hand-made error may lack them.
    detail = getattr(error, "verify_message", None) or getattr(error, "reason", None) or error.strerror or str(error)
    detail = " ".join(str(detail).split())[:200]
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"its TLS certificate was refused ({detail})"
    return f"the TLS handshake failed ({detail})"


class _Envelope(msgspec.Struct):
    # `data` is left unparsed: the caller reads it once, in the shape it expects.
    code: Any = None
    message: Any = None
    request_id: Any = None
    data: msgspec.Raw = msgspec.Raw(b"null")  # msgspec takes Raw alone, not in a union


_ENVELOPE = msgspec.json.Decoder(_Envelope)


def _envelope(response: httpx.Response) -> dict[str, Any] | None:
    try:
        parsed = _ENVELOPE.decode(response.content)
    except (msgspec.DecodeError, UnicodeDecodeError):  # invalid JSON, or not an object
        return _lenient_envelope(response.content)
    return {"code": parsed.code, "message": parsed.message, "request_id": parsed.request_id, "data": parsed.data}


def _lenient_envelope(content: bytes) -> dict[str, Any] | None:
    # msgspec refuses what JSON's grammar allows but UTF-8 cannot hold: a lone surrogate escape
    # ("\ud800", half an emoji) in one order's text. The standard library reads it; `data` is then
    # written back with its escapes, so the one order holding it is set aside when it is read
    # and the rest of the page is not lost with it (issue 9 item 4).
    try:
        parsed = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(parsed, dict):
        return None
    data = json.dumps(parsed.get("data")).encode()
    return {"code": parsed.get("code"), "message": parsed.get("message"), "request_id": parsed.get("request_id"),
            "data": data}


def _object(data: bytes, where: str) -> dict[str, Any]:
    try:
        parsed = msgspec.json.decode(data)
    except msgspec.DecodeError:
        raise TikTokError(f"TikTok answered {where} with an unreadable 'data'") from None
    if parsed is None or isinstance(parsed, dict):
        return parsed or {}
    raise TikTokError(f"TikTok answered {where} with a non-object 'data'")


def _describe(exc: Exception, hidden: tuple[str, ...]) -> str:
    text = re.sub(r"\w+://\S+", "<url>", str(exc))[:_MAX_MESSAGE]
    return _scrub(f"{type(exc).__name__}: {text}" if text else type(exc).__name__, hidden)


def _scrub(text: str, hidden: tuple[str, ...]) -> str:
    # TikTok messages sometimes echo what they were sent; never let a secret reach an exception.
    return redact(text, hidden)[:_MAX_MESSAGE]


def _tag(error: TikTokError, request_id: str | None) -> TikTokError:
    error.request_id = request_id  # type: ignore[attr-defined]
    return error
