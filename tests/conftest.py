from collections.abc import Iterator

import pytest

from tests.databases import Databases


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """Fresh SQLite files and PostgreSQL databases, for every suite that runs on SQL."""
    found = Databases(tmp_path_factory.mktemp("databases"))
    yield found
    found.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests (marker `browser`, tests/browser) run last: the slowest, and the most
    dependent on the machine (Debian's Chromium)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
