from collections.abc import Iterator

import pytest
import stamina

from tests.databases import Databases


@pytest.fixture(autouse=True)
def stamina_without_waits() -> Iterator[None]:
    """stamina's testing mode for every test run in this process: retries do not sleep, and each
    call keeps its own attempt bound (capped, not replaced). CLI subprocesses retry for real."""
    with stamina.set_testing(True, attempts=1_000, cap=True):
        yield


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "incremental: the class's tests are the steps of one story, in order")


# A story's steps (tests/e2e, tests/browser): once one fails, the later ones are reported as not
# run (xfail), not as failures.


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> None:
    if "incremental" in item.keywords and call.excinfo is not None and call.when == "call":
        if not call.excinfo.errisinstance((pytest.skip.Exception, pytest.xfail.Exception)):
            item.parent._failed_step = item.name  # type: ignore[union-attr]


def pytest_runtest_setup(item: pytest.Item) -> None:
    if "incremental" in item.keywords:
        failed = getattr(item.parent, "_failed_step", None)
        if failed is not None:
            pytest.xfail(f"an earlier step of the story failed: {failed}")
