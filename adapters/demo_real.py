import secrets
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import platformdirs

from adapters.container import Container
from adapters.demo import run_story
from adapters.sandbox.model import TikTokShopModel
from adapters.oauth_callback import LoopbackCallback
from adapters.persistence.engine import private_folder
from adapters.sandbox.app import create_app
from adapters.sandbox.browser import open_in_browser
from adapters.sandbox.server import running_sandbox
from adapters.settings import Settings


def demo_database() -> Path:
    """The demo keeps its own SQLite file beside the default one, so a seller's data is never touched."""
    return Path(platformdirs.user_data_dir("tiktok-oms", appauthor=False)) / "demo.sqlite"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_real_demo(*, echo: Callable[[str], None]) -> None:
    database = demo_database()
    private_folder(database.parent)  # the data folder holds tokens and the key file: 0700 (issue 9 item 7)
    for leftover in (database, database.with_suffix(".sqlite-wal"), database.with_suffix(".sqlite-shm")):
        leftover.unlink(missing_ok=True)
    model = TikTokShopModel(app_key="demo-app-key", app_secret=secrets.token_hex(16), service_id="demo-service")
    model.add_shop("Goflow Demo Shop", region="US")
    redirect_url = f"http://127.0.0.1:{_free_port()}/callback"
    with running_sandbox(create_app(model, redirect_url=redirect_url)) as url:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite:///{database}",
            app_key=model.app_key,
            app_secret=model.app_secret,
            service_id=model.service_id,
            redirect_url=redirect_url,
            api_base_url=url,
            auth_base_url=url,
            authorize_url=f"{url}/open/authorize",
        )
        container = Container(settings=settings)
        echo(f"tiktok-oms demo — SQLite at {database}, TikTok's HTTP API served by the sandbox on {url}")

        def authorize(authorization_url: str) -> str:
            # The seller's browser opens TikTok's page; TikTok sends it back to our loopback listener.
            with LoopbackCallback(redirect_url) as callback:
                browser = threading.Thread(target=open_in_browser, args=(authorization_url,), daemon=True)
                browser.start()
                received = callback.wait(timeout=30)
                browser.join(10)
                return received

        try:
            run_story(container, model, echo, authorize)
        finally:
            container.shutdown_resources()
