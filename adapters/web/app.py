"""The sellers' pages: Starlette handlers that read forms, call the CLI's use cases and render
Jinja2 templates. No business rule lives here — a refused command's one-line reason is shown on
the page it came from (post/redirect/get with a flash message in the signed session).
"""

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from typing import Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from adapters.container import Container
from adapters.redaction import redact
from adapters.web import formatting
from adapters.web.orders import OrderPages
from adapters.web.security import CSRF_FORM_FIELD, SignInThrottle, safe_next
from application.commands import (
    BeginAuthorization,
    CompleteAuthorization,
    ConfigureFbtImport,
    CreateStore,
    CreateWarehouse,
    DisconnectStore,
    SyncOrders,
)
from application.errors import ApplicationError
from domain.exceptions import DomainError
from domain.stores import earliest_fbt_start

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
# An App Store install (TikTok's code without a state) waits in the signed session for the seller
# to pick its store; the callback puts it there (adapters/server/app.py).
INSTALL_KEY = "app_store_install"
INSTALL_SECONDS = 600
Handler = Callable[[Request], Awaitable[Response]]


def one_line(exc: BaseException) -> str:
    """An expected error as one line for the page, with any token, sign or secret TikTok echoed
    taken out (S-5)."""
    return redact(" ".join(str(exc).split())) or exc.__class__.__name__


def unavailable_because(exc: BaseException) -> str:
    """Why a list TikTok gives (carriers, reject reasons) is missing from a page: an expected
    error's one line, else only its kind (an unexpected message may hold anything)."""
    return one_line(exc) if isinstance(exc, (Refused, ApplicationError, DomainError)) else exc.__class__.__name__


def validation_line(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "input"
    return f"invalid {where.replace('_', ' ')}: {first['msg']}"


def flash_into(session: dict[str, Any], text: str, kind: str = "ok") -> None:
    """A one-line message (`kind` "ok" or "error") shown once on the seller's next page."""
    session.setdefault("flash", []).append({"kind": kind, "text": text})


class Refused(Exception):
    """A use case said no: the one-line reason for the seller."""


class WebApp:
    """The handlers, bound to one container. `routes()` lists them for the serve app."""

    def __init__(self, container: Container, throttle: SignInThrottle | None = None) -> None:
        self.c = container
        self.throttle = throttle or SignInThrottle()
        self.templates = Jinja2Templates(directory=HERE / "templates")
        formatting.install(self.templates.env)

    # ---- plumbing -------------------------------------------------------------------------

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        session = request.session
        flashes = session.pop("flash", []) if "flash" in session else []
        csrf = request.scope.get("csrftoken")
        context |= {
            "user": getattr(request.state, "user", None),
            "flashes": flashes,
            "csrf_field": CSRF_FORM_FIELD,
            "csrf_token": csrf() if csrf else "",
            "path": request.url.path,
        }
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    @staticmethod
    def flash(request: Request, text: str, kind: str = "ok") -> None:
        flash_into(request.session, text, kind)

    async def call(self, fn: Callable[[], Any]) -> Any:
        """Runs a use case off the event loop; an expected refusal becomes `Refused(one line)`."""
        try:
            return await run_in_threadpool(fn)
        except (DomainError, ApplicationError) as exc:
            raise Refused(one_line(exc)) from None
        except ValidationError as exc:
            raise Refused(validation_line(exc)) from None

    async def act(self, request: Request, fn: Callable[[FormData], Any], *, done: Callable[[Any], str],
                  back: str, ok_to: Callable[[Any], str] | None = None) -> Response:
        """A form post: run `fn(form)`, flash `done(result)` or the refusal, and redirect (303)."""
        form = await request.form()
        try:
            result = await self.call(lambda: fn(form))
        except Refused as refused:
            self.flash(request, str(refused), "error")
            return RedirectResponse(back, status_code=303)
        self.flash(request, done(result))
        return RedirectResponse(ok_to(result) if ok_to else back, status_code=303)

    def guarded(self, handler: Handler) -> Handler:
        """Unexpected failures end on a plain error page: no trace, no detail that could hold a secret."""

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except Refused as refused:
                return self.render(request, "error.html", status=400, title="Not possible", message=str(refused))
            except Exception as exc:
                log.error("web: %s on %s %s", exc.__class__.__name__, request.method, request.url.path)
                return self.render(request, "error.html", status=500, title="Something went wrong",
                                   message=f"The server could not finish this ({exc.__class__.__name__}). "
                                           "Nothing you saved before is lost; try again.")

        return run

    def routes(self) -> list[BaseRoute]:
        g = self.guarded
        return [
            Route("/", g(self.home), methods=["GET"]),
            Route("/login", g(self.login_page), methods=["GET"]),
            Route("/login", g(self.login), methods=["POST"]),
            Route("/logout", g(self.logout), methods=["POST"]),
            Route("/stores", g(self.stores), methods=["GET"]),
            Route("/stores", g(self.create_store), methods=["POST"]),
            Route("/stores/new", g(self.new_store), methods=["GET"]),
            Route("/stores/install", g(self.install_page), methods=["GET"]),
            Route("/stores/install", g(self.install), methods=["POST"]),
            Route("/stores/{store}", g(self.store), methods=["GET"]),
            Route("/stores/{store}/authorize", g(self.authorize), methods=["POST"]),
            Route("/stores/{store}/disconnect", g(self.disconnect), methods=["POST"]),
            Route("/stores/{store}/fbt-import", g(self.fbt_import), methods=["POST"]),
            Route("/stores/{store}/sync", g(self.sync_now), methods=["POST"]),
            Route("/warehouses", g(self.warehouses), methods=["GET"]),
            Route("/warehouses", g(self.create_warehouse), methods=["POST"]),
            Route("/warehouses/new", g(self.new_warehouse), methods=["GET"]),
            *OrderPages(self).routes(),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]

    # ---- sign-in --------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        return RedirectResponse("/stores", status_code=303)

    async def login_page(self, request: Request) -> Response:
        return self.render(request, "login.html", next=safe_next(request.query_params.get("next")), email="")

    async def login(self, request: Request) -> Response:
        form = await request.form()
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        target = safe_next(str(form.get("next", "")))
        client = request.client.host if request.client else "?"
        if not self.throttle.allowed(email, client):
            return self.render(request, "login.html", status=429, next=target, email=email,
                               error=f"Too many failed sign-ins. Wait {self.throttle.minutes} minutes and try again.")
        user = await run_in_threadpool(self.c.accounts().verify, email, password)
        if user is None:
            self.throttle.failed(email, client)
            return self.render(request, "login.html", status=401, next=target, email=email,
                               error="Wrong e-mail or password.")
        waiting = request.session.get(INSTALL_KEY)  # an App Store install that sent the seller here
        request.session.clear()  # a fresh session at sign-in: nothing else carried over from before
        request.session.update({"user_id": user.id, "since": int(time.time())})
        if waiting:
            request.session[INSTALL_KEY] = waiting
        return RedirectResponse(target, status_code=303)

    async def logout(self, request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # ---- stores ---------------------------------------------------------------------------

    async def stores(self, request: Request) -> Response:
        def load() -> list[dict[str, Any]]:
            q = self.c.queries()
            rows = q.stores()
            for row in rows:
                _mark_expiry(row, self.c.clock().now())
                row["sync"] = q.sync_state(row["id"])
                row["set_aside"] = len(q.quarantined(row["id"]))
            return rows

        return self.render(request, "stores.html", stores=await self.call(load), now=self.c.clock().now())

    async def new_store(self, request: Request) -> Response:
        warehouses = await self.call(lambda: self.c.queries().warehouses())
        return self.render(request, "store_new.html", warehouses=[w for w in warehouses if w["type"] == "standard"])

    async def create_store(self, request: Request) -> Response:
        def create(form: FormData) -> str:
            return self.c.create_store()(CreateStore(
                name=str(form.get("name", "")), region=str(form.get("region", "US")),
                currency=str(form.get("currency", "USD")), default_warehouse=str(form.get("default_warehouse") or "") or None,
            ))

        return await self.act(request, create, done=lambda _: "Store saved. It is Disconnected until you authorize it.",
                              back="/stores/new", ok_to=lambda store_id: f"/stores/{store_id}")

    async def store(self, request: Request) -> Response:
        ref = request.path_params["store"]

        def load() -> dict[str, Any]:
            q = self.c.queries()
            store = _mark_expiry(q.store(ref), self.c.clock().now())
            warehouses = q.warehouses()
            return {
                "store": store,
                "sync": q.sync_state(store["id"]),
                "set_aside": q.quarantined(store["id"]),
                "fbt_warehouses": [w for w in warehouses if w["type"] == "fbt" and w["store_id"] == store["id"]],
                "warehouse_names": {w["id"]: w["name"] for w in warehouses},
            }

        data = await self.call(load)
        today = self.c.clock().now().date()
        params = request.query_params
        return self.render(
            request, "store.html", **data, today=today, earliest=earliest_fbt_start(today), now=self.c.clock().now(),
            editing_fbt=params.get("edit") == "fbt", picked_warehouse=params.get("warehouse"),
            picked_enabled=params.get("enabled"), picked_start=params.get("start_date"),
        )

    async def authorize(self, request: Request) -> Response:
        ref = request.path_params["store"]
        await request.form()
        try:
            begun = await self.call(lambda: self.c.begin_authorization()(BeginAuthorization(store=ref)))
        except Refused as refused:
            self.flash(request, str(refused), "error")
            return RedirectResponse(f"/stores/{ref}", status_code=303)
        # TikTok's page; TikTok sends the browser back to this server's callback with the state.
        return RedirectResponse(begun["authorization_url"], status_code=303)

    async def disconnect(self, request: Request) -> Response:
        ref = request.path_params["store"]
        return await self.act(request, lambda form: self.c.disconnect_store()(DisconnectStore(store=ref)),
                              done=lambda _: "Store disconnected.", back=f"/stores/{ref}")

    async def fbt_import(self, request: Request) -> Response:
        ref = request.path_params["store"]

        def save(form: FormData) -> bool:
            enable = form.get("enabled") == "yes"
            start = str(form.get("start_date") or "")
            try:
                start_date = date.fromisoformat(start) if start else None
            except ValueError:
                raise ApplicationError(f"the start date {start!r} is not a date (YYYY-MM-DD)") from None
            self.c.configure_fbt_import()(ConfigureFbtImport(
                store=ref, enable=enable, start_date=start_date if enable else None,
                warehouse=str(form.get("warehouse") or "") or None if enable else None,
            ))
            return enable

        form = await request.form()  # a refused form comes back as the seller filled it in
        again = urlencode({"edit": "fbt", "enabled": str(form.get("enabled", "")),
                           "start_date": str(form.get("start_date", "")), "warehouse": str(form.get("warehouse", ""))})
        return await self.act(
            request, save, back=f"/stores/{ref}?{again}#status", ok_to=lambda _: f"/stores/{ref}#status",
            done=lambda enabled: "FBT Orders Import saved: " + ("Enabled." if enabled else "Disabled."),
        )

    async def sync_now(self, request: Request) -> Response:
        ref = request.path_params["store"]

        def sync(form: FormData) -> Any:
            return self.c.sync_orders()(SyncOrders(store=ref))

        def summary(s: Any) -> str:
            text = (f"Synced: {s.new} new, {s.updated} updated, {s.in_review} in review, "
                    f"{s.skipped} skipped by the FBT import settings")
            return text + (f", {s.quarantined} set aside (see below)." if s.quarantined else ".")

        return await self.act(request, sync, done=summary, back=f"/stores/{ref}")

    # ---- App Store installs (a code without a state) ----------------------------------------

    def _waiting_install(self, request: Request) -> str | None:
        waiting = request.session.get(INSTALL_KEY)
        if not isinstance(waiting, dict) or time.time() - float(waiting.get("at", 0)) > INSTALL_SECONDS:
            request.session.pop(INSTALL_KEY, None)
            return None
        return str(waiting.get("url", "")) or None

    async def install_page(self, request: Request) -> Response:
        waiting = self._waiting_install(request) is not None
        stores = await self.call(lambda: self.c.queries().stores()) if waiting else []
        stores.sort(key=lambda s: (s["status"] == "connected", s["name"].casefold()))
        return self.render(request, "install.html", waiting=waiting, stores=stores, minutes=INSTALL_SECONDS // 60)

    async def install(self, request: Request) -> Response:
        url = self._waiting_install(request)
        form = await request.form()
        store = str(form.get("store", ""))
        if url is None:
            self.flash(request, "No App Store install is waiting (it expires after "
                                f"{INSTALL_SECONDS // 60} minutes): install the app again from TikTok.", "error")
            return RedirectResponse("/stores/install", status_code=303)
        request.session.pop(INSTALL_KEY, None)  # TikTok's code is single use: one try
        command = CompleteAuthorization(store=store, redirect_url=url, install_without_state=True)
        try:
            store_id = await self.call(lambda: self.c.complete_authorization()(command))
        except Refused as refused:
            self.flash(request, f"{refused}. Install the app again from TikTok to retry.", "error")
            return RedirectResponse("/stores", status_code=303)
        shop = await self.call(lambda: self.c.queries().store(store_id))
        self.flash(request, f"Connected to TikTok shop {shop['shop']['name'] if shop['shop'] else ''}.")
        return RedirectResponse(f"/stores/{store_id}", status_code=303)

    # ---- warehouses -----------------------------------------------------------------------

    async def warehouses(self, request: Request) -> Response:
        def load() -> tuple[list[dict[str, Any]], dict[str, str]]:
            q = self.c.queries()
            return q.warehouses(), {s["id"]: s["name"] for s in q.stores()}

        rows, stores = await self.call(load)
        return self.render(request, "warehouses.html", warehouses=rows, store_names=stores)

    async def new_warehouse(self, request: Request) -> Response:
        params = request.query_params
        stores = await self.call(lambda: self.c.queries().stores())
        return self.render(request, "warehouse_new.html", stores=stores, fbt=params.get("fbt") == "1",
                           store_id=params.get("store", ""), back=safe_next(params.get("back") or "/warehouses"))

    async def create_warehouse(self, request: Request) -> Response:
        form = await request.form()
        back = safe_next(str(form.get("back") or "/warehouses"))
        fbt = form.get("fbt") == "1"
        store = str(form.get("store") or "") or None
        name = str(form.get("name", ""))
        try:
            warehouse_id = await self.call(
                lambda: self.c.create_warehouse()(CreateWarehouse(name=name, fbt=fbt, store=store if fbt else None)))
        except Refused as refused:
            self.flash(request, str(refused), "error")
            query = f"fbt={'1' if fbt else '0'}&store={store or ''}&back={back}"
            return RedirectResponse(f"/warehouses/new?{query}", status_code=303)
        self.flash(request, f"Warehouse {name} created.")
        if back != "/warehouses":
            separator = "&" if "?" in back.split("#")[0] else "?"
            path, _, anchor = back.partition("#")
            back = f"{path}{separator}warehouse={warehouse_id}" + (f"#{anchor}" if anchor else "")
        return RedirectResponse(back, status_code=303)


EXPIRY_WARNING = timedelta(days=7)


def _mark_expiry(store: dict[str, Any], now: datetime) -> dict[str, Any]:
    """`expiring`: the authorization (refresh token) ends within a week; the seller must authorize again."""
    ends = store.get("refresh_token_expires_at")
    store["expiring"] = bool(ends) and datetime.fromisoformat(ends) - now < EXPIRY_WARNING
    return store


def web_routes(container: Container) -> list[BaseRoute]:
    """The web app's routes for the `tiktok-oms serve` app (pair with `web_middleware(container)`)."""
    return WebApp(container).routes()
