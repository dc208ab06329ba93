"""Browser tests: Debian's Chromium driven by Playwright (no browser download), against the OMS
served by uvicorn on 127.0.0.1 and the TikTok sandbox on another loopback port.

Chromium comes from `apt-get install chromium` (`.ci/run` installs it when missing). Without it
these tests are skipped with the reason, except under CI=true, where they fail.
"""

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.container import Container
from adapters.sandbox.server import running_sandbox
from tests.web.harness import EMAIL, PASSWORD, Sandbox, oms_app, sandbox

CHROMIUM = os.environ.get("TIKTOK_OMS_CHROMIUM", "/usr/bin/chromium")
SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        why = f"{CHROMIUM} is missing: apt-get install -y chromium chromium-driver (.ci/run does it)"
        if os.environ.get("CI") == "true":
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Oms:
    url: str
    container: Container
    tiktok: Sandbox


@pytest.fixture(scope="module")
def oms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oms]:
    """The OMS on a SQLite file, its TikTok being the sandbox whose consent page sends the browser
    back to the OMS's own /oauth/tiktok/callback."""
    with sandbox() as tiktok:
        database = tmp_path_factory.mktemp("browser") / "oms.sqlite"
        container = Container(settings=tiktok.settings(database, "http://127.0.0.1:9/oauth/tiktok/callback"))
        container.accounts().create(EMAIL, PASSWORD)
        with running_sandbox(oms_app(container)) as url:
            tiktok.app.state.redirect_url = f"{url}/oauth/tiktok/callback"
            yield Oms(url, container, tiktok)
        container.shutdown_resources()


@pytest.fixture(scope="module")
def page(chromium, oms: Oms):  # type: ignore[no-untyped-def]
    context = chromium.new_context(base_url=oms.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    found = context.new_page()
    yield found
    context.close()


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


__all__ = ["EMAIL", "PASSWORD", "Oms", "screenshot"]
