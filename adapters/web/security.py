"""The web app's safety: signed expiring session cookie, CSRF tokens, security headers, a sign-in
gate in front of every page, and throttled failed sign-ins.

Libraries, not our own crypto: Starlette's `SessionMiddleware` (itsdangerous-signed, timestamped
cookie), `asgi-csrf` (double-submit token checked on every unsafe request, form field or header),
`limits` (moving-window counters for failed sign-ins), argon2-cffi (in `accounts`).
"""

import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from asgi_csrf import asgi_csrf
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.web.accounts import Accounts

log = logging.getLogger(__name__)

LOGIN_PATH = "/login"
# Reachable without signing in: the sign-in page, TikTok's OAuth callback (its state is checked)
# and webhooks (their signature is checked), the health probe and the stylesheet.
OPEN_PATHS = frozenset({LOGIN_PATH, "/oauth/tiktok/callback", "/webhooks/tiktok", "/healthz", "/favicon.ico"})
OPEN_PREFIXES = ("/static/",)
CSRF_FORM_FIELD = "csrftoken"  # asgi-csrf's form field


class SchemeAware:
    """One middleware built twice, picked per request by scheme: cookies get `Secure` over HTTPS.

    (Behind a TLS-terminating proxy, run uvicorn with --proxy-headers so the scheme is https.)
    """

    def __init__(self, app: ASGIApp, build: Callable[[ASGIApp, bool], ASGIApp]) -> None:
        self._plain = build(app, False)
        self._secure = build(app, True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        secure = scope.get("scheme") in ("https", "wss")
        await (self._secure if secure else self._plain)(scope, receive, send)


@dataclass(frozen=True)
class WebSecurity:
    """What the middleware stack needs: the signing key, the session length, the accounts and the
    TikTok authorization page's origin (the Authorize form redirects there)."""

    secret: str
    session_seconds: int
    accounts: Accounts
    form_targets: tuple[str, ...] = ()


SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def content_security_policy(form_targets: Iterable[str]) -> str:
    """No script, frame or plugin from anywhere; styles and images from this server only."""
    forms = " ".join(["'self'", *form_targets])
    return (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
        f"form-action {forms}; frame-ancestors 'none'; base-uri 'none'"
    )


class SecurityHeaders:
    """Adds the security headers (and `cache-control: no-store` on HTML) to every response."""

    def __init__(self, app: ASGIApp, form_targets: tuple[str, ...] = ()) -> None:
        self.app = app
        self._headers = {**SECURITY_HEADERS, "content-security-policy": content_security_policy(form_targets)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self._headers.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("cache-control", "no-store")
                if scope.get("scheme") == "https":
                    headers.setdefault("strict-transport-security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SignInGate:
    """Every path but OPEN_PATHS needs a signed-in seller whose sign-in is younger than the session
    length; otherwise GETs go to /login?next=… and other methods get 303 to /login. The account is
    looked up on every request, so a removed account is out at once."""

    def __init__(self, app: ASGIApp, accounts: Accounts, session_seconds: int) -> None:
        self.app = app
        self._accounts = accounts
        self._seconds = session_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_open(scope["path"]):
            await self.app(scope, receive, send)
            return
        session = scope["session"]
        user_id, since = session.get("user_id"), session.get("since", 0)
        user = None
        if isinstance(user_id, str) and isinstance(since, (int, float)) and time.time() - since < self._seconds:
            user = await run_in_threadpool(self._accounts.get, user_id)
        if user is None:
            for key in ("user_id", "since"):  # signed out; a waiting App Store install stays
                session.pop(key, None)
            target = scope["path"] + (("?" + scope["query_string"].decode("latin-1")) if scope["query_string"] else "")
            location = LOGIN_PATH + (f"?next={quote(target, safe='')}" if scope["method"] == "GET" else "")
            await _redirect(location, send)
            return
        scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send)


def _is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


async def _redirect(location: str, send: Send) -> None:
    await send({"type": "http.response.start", "status": 303,
                "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


async def _csrf_refused(scope: Scope, send: Send, message_id: object) -> None:
    body = (
        "<!doctype html><meta charset=utf-8><title>Form expired — tiktok-oms</title>"
        "<h1>This form has expired</h1><p>Nothing was changed. Go back, reload the page and send the form again.</p>"
    ).encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/html; charset=utf-8")]})
    await send({"type": "http.response.body", "body": body})


def _csrf_skipped(scope: Scope) -> bool:
    # TikTok's webhooks are signed by TikTok and carry no browser cookies.
    return bool(scope["path"] == "/webhooks/tiktok")


def safe_next(target: str | None) -> str:
    """Only a path on this server: never an open redirect to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/stores"
    return target


def web_middleware(security: WebSecurity) -> list[Middleware]:
    """Outermost first: headers, session, CSRF, sign-in gate."""
    session_seconds = security.session_seconds

    def session(app: ASGIApp, secure: bool) -> ASGIApp:
        return SessionMiddleware(app, secret_key=security.secret, session_cookie="oms_session",
                                 max_age=session_seconds, same_site="lax", https_only=secure)

    def csrf(app: ASGIApp, secure: bool) -> ASGIApp:
        return asgi_csrf(app, signing_secret=security.secret, cookie_secure=secure, cookie_samesite="Lax",
                         always_protect={LOGIN_PATH, "/logout"}, skip_if_scope=_csrf_skipped,
                         send_csrf_failed=_csrf_refused)

    return [
        Middleware(SecurityHeaders, form_targets=security.form_targets),
        Middleware(SchemeAware, build=session),
        Middleware(SchemeAware, build=csrf),
        Middleware(SignInGate, accounts=security.accounts, session_seconds=session_seconds),
    ]


class SignInThrottle:
    """Failed sign-ins per e-mail (5 per 15 minutes) and per client address (20 per 15 minutes);
    over either limit, sign-in is refused without checking the password."""

    def __init__(self, per_email: int = 5, per_client: int = 20, minutes: int = 15) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._email = RateLimitItemPerMinute(per_email, minutes)
        self._client = RateLimitItemPerMinute(per_client, minutes)
        self.minutes = minutes

    def allowed(self, email: str, client: str) -> bool:
        return self._limiter.test(self._email, "email", email.strip().lower()) and self._limiter.test(
            self._client, "client", client
        )

    def failed(self, email: str, client: str) -> None:
        self._limiter.hit(self._email, "email", email.strip().lower())
        self._limiter.hit(self._client, "client", client)


def new_secret() -> str:
    return secrets.token_urlsafe(32)
