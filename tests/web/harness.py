"""The web app served the way `tiktok-oms serve` serves it, against the TikTok sandbox.

`oms_app(container)` is the ASGI app under test: the web routes and middleware mounted on the
serve app when it exists, else on a bare Starlette app with a stand-in OAuth callback.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from adapters.container import Container
from adapters.memory.tiktok_model import TikTokShopModel
from adapters.sandbox.app import create_app
from adapters.sandbox.seed import seed_demo_shop
from adapters.sandbox.server import running_sandbox
from adapters.settings import Settings
from adapters.web import web_middleware, web_routes
from application.commands import CompleteAuthorization
from application.errors import ApplicationError

EMAIL = "seller@example.com"
PASSWORD = "correct horse battery"


def oms_app(container: Container) -> ASGIApp:
    try:
        from adapters.server.app import build_app
    except ImportError:
        routes = [Route("/oauth/tiktok/callback", _stand_in_callback(container)), *web_routes(container)]
        return Starlette(routes=routes, middleware=web_middleware(container))
    return build_app(container, extra_routes=web_routes(container), middleware=web_middleware(container))


def _stand_in_callback(container: Container):  # type: ignore[no-untyped-def]
    """Until `tiktok-oms serve` has its own: the store waiting for this state completes the grant."""

    def callback(request: Request) -> Response:
        state = request.query_params.get("state", "")
        with container.uow() as uow:
            store_id = next((s.id for s in uow.stores.list() if s.pending_state == state and state), None)
        if store_id is None:
            return PlainTextResponse("no store is waiting for this authorization", 400)
        try:
            container.complete_authorization()(CompleteAuthorization(store=store_id, redirect_url=str(request.url)))
        except ApplicationError as exc:
            return PlainTextResponse(str(exc), 400)
        return RedirectResponse(f"/stores/{store_id}", 303)

    return callback


@dataclass
class Sandbox:
    url: str
    model: TikTokShopModel
    app: Starlette

    def settings(self, database: Path, redirect_url: str) -> Settings:
        return Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite:///{database}",
            app_key=self.model.app_key,
            app_secret=self.model.app_secret,
            service_id=self.model.service_id,
            redirect_url=redirect_url,
            api_base_url=self.url,
            auth_base_url=self.url,
            authorize_url=f"{self.url}/open/authorize",
            session_secret=secrets.token_urlsafe(32),
        )


@contextmanager
def sandbox(*, redirect_url: str = "http://127.0.0.1:9/oauth/tiktok/callback", orders: int = 0) -> Iterator[Sandbox]:
    model = TikTokShopModel(app_key="web-app-key", app_secret=secrets.token_hex(16), service_id="web-service")
    seed_demo_shop(model, orders=orders)
    app = create_app(model, redirect_url=redirect_url)
    with running_sandbox(app) as url:
        yield Sandbox(url, model, app)
