"""HTTP-level tests of the web app: Starlette's TestClient on the app `tiktok-oms serve` runs."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from adapters.container import Container
from adapters.sandbox.seed import CATALOG
from application.commands import AddProduct, ConfigureFbtImport, CreateWarehouse, MapListing, SyncOrders
from tests.web.harness import EMAIL, PASSWORD, Sandbox, oms_app, sandbox


@pytest.fixture(scope="module")
def tiktok() -> Iterator[Sandbox]:
    with sandbox() as found:
        yield found


@pytest.fixture
def container(tiktok: Sandbox, tmp_path: Path) -> Iterator[Container]:
    c = Container(settings=tiktok.settings(tmp_path / "web.sqlite", "http://testserver/oauth/tiktok/callback"))
    c.accounts().create(EMAIL, PASSWORD)
    yield c
    c.shutdown_resources()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(oms_app(container), base_url="http://testserver", follow_redirects=False) as test_client:
        yield test_client


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', page)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, email: str = EMAIL, password: str = PASSWORD) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"email": email, "password": password, "csrftoken": token, "next": "/stores"})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/stores"


def post_form(client: TestClient, page: str, action: str, data: dict[str, str] | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """Send a form the way the browser does: the CSRF token from the page it is on."""
    token = csrf_of(client.get(page).text)
    return client.post(action, data={**(data or {}), "csrftoken": token}, **kwargs)


@pytest.fixture
def seller(client: TestClient) -> TestClient:
    sign_in(client)
    return client


@pytest.fixture
def shop(seller: TestClient, container: Container) -> str:
    """A connected, synced store with its catalogue's products and one standard warehouse."""
    from tests.web.test_security import connect_store

    for sku, (_, name) in CATALOG.items():
        container.add_product()(AddProduct(sku=sku, name=name))
    container.create_warehouse()(CreateWarehouse(name="Main Street"))
    container.create_warehouse()(CreateWarehouse(name="Overflow 倉庫"))
    store_id = connect_store(seller, container)
    fbt = container.create_warehouse()(CreateWarehouse(name="FBT US", fbt=True, store=store_id))
    first = datetime.now(UTC).date().replace(day=1)
    container.configure_fbt_import()(ConfigureFbtImport(store=store_id, enable=True, start_date=first, warehouse=fbt))
    container.sync_orders()(SyncOrders(store=store_id))
    for sku in CATALOG:
        container.map_listing()(MapListing(store=store_id, seller_sku=sku, product=sku))
    return store_id
