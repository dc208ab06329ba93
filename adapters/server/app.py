"""The ASGI app behind `tiktok-oms serve`, built by `build_app(container)`.

Routes of its own:
- `GET /healthz` — 200 `{"status": "ok"}` when the database answers, else 503.
- `GET /oauth/tiktok/callback` — TikTok's redirect after a seller authorizes (set
  `TIKTOK_REDIRECT_URL` to `https://<your host>/oauth/tiktok/callback`); completed by the same use
  case as `stores connect`.
- `POST /webhooks/tiktok` — TikTok Shop webhooks (TIKTOK_API.md §6).

Other adapters (the web app) add their routes and middleware through `extra_routes`/`middleware`;
`lifespan` hooks let the single-machine scheduler start and stop with the server.
"""

import html
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.container import Container
from adapters.server.webhooks import webhook_endpoint
from application.commands import CompleteAuthorization
from application.errors import ApplicationError
from domain.exceptions import DomainError

log = logging.getLogger(__name__)

CALLBACK_PATH = "/oauth/tiktok/callback"
WEBHOOK_PATH = "/webhooks/tiktok"

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


def _page(title: str, message: str, status: int = 200) -> HTMLResponse:
    body = (
        "<!doctype html><meta charset=utf-8><title>tiktok-oms</title>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
    )
    return HTMLResponse(body, status_code=status, headers={"cache-control": "no-store", "referrer-policy": "no-referrer"})


def build_app(
    container: Container,
    *,
    extra_routes: Sequence[BaseRoute] = (),
    middleware: Sequence[Middleware] = (),
    lifespans: Sequence[Lifespan] = (),
) -> Starlette:
    """The OMS's ASGI app: /healthz, the OAuth callback and the webhook endpoint, plus `extra_routes`
    (appended after the built-in ones), `middleware` (outermost first) and `lifespans` (entered in
    order at start-up, left in reverse at shutdown).

    Handlers are synchronous (SQLAlchemy) and run in Starlette's thread pool, never on the event loop.
    """

    async def healthz(request: Request) -> Response:
        try:
            await run_in_threadpool(_check_database, container)
        except Exception as exc:  # the probe reports, it never raises
            log.warning("health check: database unavailable (%s)", type(exc).__name__)
            return JSONResponse({"status": "unavailable", "database": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    async def oauth_callback(request: Request) -> Response:
        # With the web app mounted, a signed-in seller's session rides along: they go back to the
        # store page, which says what happened.
        session = request.scope.get("session")
        return await run_in_threadpool(_complete_authorization, container, str(request.url), session)

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route(CALLBACK_PATH, oauth_callback, methods=["GET"]),
        Route(WEBHOOK_PATH, webhook_endpoint(container), methods=["POST"]),
        *extra_routes,
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for hook in lifespans:
                await stack.enter_async_context(hook(app))
            yield

    app = Starlette(routes=routes, middleware=list(middleware), lifespan=lifespan)
    app.state.container = container
    return app


def _check_database(container: Container) -> None:
    container.queries().stores()


def _complete_authorization(container: Container, url: str, session: dict[str, Any] | None = None) -> Response:
    """TikTok's redirect: find the store waiting for this state, then run `stores connect`'s use case.

    `session`: the web app's signed session, when it is mounted; a signed-in seller is sent back
    (303) to the store page with the outcome as its message instead of a bare page.
    """
    from urllib.parse import parse_qs, urlsplit

    state = parse_qs(urlsplit(url).query).get("state", [""])[0]
    store_id = container.queries().store_awaiting_callback(state) if state else None
    code = parse_qs(urlsplit(url).query).get("code", [""])[0]
    if store_id is None and not state and code and session is not None:
        # An App Store install: the web app asks the (signed-in) seller which store it is for.
        return _to_install_page(session, url)
    if store_id is None:
        # An App Store install (no state) or a state no store is waiting for: nothing is touched.
        return _page(
            "Authorization not matched",
            "No store of this OMS is waiting for this authorization. Start it again with "
            "'tiktok-oms stores authorize STORE', or finish it by hand with "
            "'tiktok-oms stores connect STORE --redirect-url URL' (the URL of this page).",
            status=400,
        )
    seller = session is not None and bool(session.get("user_id"))
    try:
        container.complete_authorization()(CompleteAuthorization(store=store_id, redirect_url=url))
        view: dict[str, Any] = container.queries().store(store_id)
    except (ApplicationError, DomainError) as exc:
        if seller:
            return _back_to_store(session, store_id, f"Authorization refused: {exc}", "error")  # type: ignore[arg-type]
        return _page("Authorization refused", str(exc), status=400)
    shop = view["shop"]["name"] if view.get("shop") else "TikTok"
    if seller:
        return _back_to_store(session, store_id, f"Connected to TikTok shop {shop}.", "ok")  # type: ignore[arg-type]
    return _page("Store connected", f"Store {view['name']} is connected to {shop}. You can close this window.")


def _to_install_page(session: dict[str, Any], url: str) -> Response:
    import time

    from starlette.responses import RedirectResponse

    from adapters.web.app import INSTALL_KEY

    session[INSTALL_KEY] = {"url": url, "at": time.time()}
    return RedirectResponse("/stores/install", status_code=303)


def _back_to_store(session: dict[str, Any], store_id: str, message: str, kind: str) -> Response:
    from starlette.responses import RedirectResponse

    from adapters.web.app import flash_into

    flash_into(session, message, kind)
    return RedirectResponse(f"/stores/{store_id}", status_code=303)
