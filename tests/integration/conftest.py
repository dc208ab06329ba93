"""Fixtures for the SQL adapter's tests; the databases themselves come from `databases.py`."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.engine import make_engine, make_session_factory
from adapters.persistence.mapping import map_tables, unmap_tables
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from tests.databases import SQL_DIALECTS, Databases


@pytest.fixture(params=SQL_DIALECTS)
def database_url(request: pytest.FixtureRequest, databases: Databases) -> Iterator[str]:
    with databases.fresh(request.param) as url:
        yield url


@pytest.fixture
def mappers() -> Iterator[None]:
    map_tables()
    yield
    unmap_tables()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    built = make_engine(database_url)
    yield built
    built.dispose()


@pytest.fixture
def session_factory(engine: Engine, mappers: None) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def uow(session_factory: sessionmaker[Session]) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(session_factory)
