from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from adapters.clock import FixedClock
from adapters.container import Container
from adapters.server.app import build_app
from adapters.settings import Settings
from tests.cli.conftest import T0


@pytest.fixture
def container() -> Iterator[Container]:
    c = Container(settings=Settings(_env_file=None, in_memory=True, app_key="fake_app_key", app_secret="fake_app_secret"))
    with c.clock.override(FixedClock(T0)):
        c.tiktok_model().add_shop("Serve Shop", region="US")
        yield c


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(build_app(container), base_url="http://127.0.0.1:8080") as test_client:
        yield test_client
