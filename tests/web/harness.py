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
from starlette.types import ASGIApp

from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from adapters.sandbox.app import create_app
from adapters.sandbox.seed import seed_demo_shop
from adapters.sandbox.server import running_sandbox
from adapters.settings import Settings
from adapters.server.service import serve_app

EMAIL = "seller@example.com"
PASSWORD = "correct horse battery"


def oms_app(container: Container) -> ASGIApp:
    """Exactly what `tiktok-oms serve` runs."""
    return serve_app(container)


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
