"""Fixtures for the reliability promises (STACK.md 4-5): the sandbox over HTTP, the OMS on SQLite and PostgreSQL."""

from collections.abc import Callable, Iterator

import pytest

from adapters.clock import FixedClock
from adapters.persistence.mapping import map_tables, unmap_tables
from tests.databases import SQL_DIALECTS, Databases
from tests.reliability.harness import T0, Canonical, Oms, Sandbox, sandbox_running


@pytest.fixture(autouse=True)
def mappers() -> Iterator[None]:
    map_tables()
    yield
    unmap_tables()  # the in-memory suites want their plain domain classes back


@pytest.fixture(params=SQL_DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def sandbox(clock: FixedClock) -> Iterator[Sandbox]:
    with sandbox_running(clock=clock) as running:
        yield running


@pytest.fixture
def read_timeout() -> float:
    """The OMS's HTTP read timeout; a module that times reads out on purpose makes it short."""
    return 10.0


@pytest.fixture
def oms(sandbox: Sandbox, dialect: str, databases: Databases, read_timeout: float) -> Iterator[Oms]:
    """A connected store on a fresh database of the dialect; nothing synced yet."""
    with databases.fresh(dialect) as url:
        built = Oms(sandbox, url, read_timeout=read_timeout)
        try:
            built.setup_store()
            yield built
        finally:
            built.close()


@pytest.fixture
def uninterrupted(databases: Databases) -> Callable[[Sandbox], Canonical]:
    """What one clean sync makes of a sandbox, on a separate SQLite file (whatever the test's dialect)."""

    def run(sandbox: Sandbox) -> Canonical:
        with databases.fresh("sqlite") as url:
            reference = Oms(sandbox, url)
            try:
                reference.setup_store()
                reference.sync()
                return reference.dump()
            finally:
                reference.close()

    return run
