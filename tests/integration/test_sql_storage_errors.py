"""A database that cannot be used says so in one line and keeps nothing half-written."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.container import Container
from adapters.persistence.engine import make_engine, make_session_factory
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from adapters.settings import Settings
from application.commands import AddProduct, CreateStore
from application.errors import StorageError
from application.handlers.add_product import AddProductHandler
from application.handlers.create_store import CreateStoreHandler
from application.handlers.queries import Queries
from tests.databases import Databases

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("mappers")]

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/tiktok_oms"


@pytest.fixture
def sqlite_file(databases: Databases) -> Iterator[Path]:
    with databases.fresh("sqlite") as url:
        path = Path(url.removeprefix("sqlite:///"))
        uow = SqlAlchemyUnitOfWork(make_session_factory(make_engine(url)))
        CreateStoreHandler(uow)(CreateStore(name="Existing"))
        yield path


def stores_in(path: Path) -> list[str]:
    uow = SqlAlchemyUnitOfWork(make_session_factory(make_engine(f"sqlite:///{path}")))
    return [s["name"] for s in Queries(uow).stores()]


def test_a_read_only_sqlite_file_is_reported_as_read_only_and_left_as_it_was(sqlite_file: Path) -> None:
    engine = make_engine(f"sqlite:///file:{sqlite_file}?mode=ro&uri=true")
    uow = SqlAlchemyUnitOfWork(make_session_factory(engine))

    with pytest.raises(StorageError) as refused:
        CreateStoreHandler(uow)(CreateStore(name="New"))

    assert str(refused.value) == f"the database file file:{sqlite_file} is read-only"
    assert Queries(uow).stores()[0]["name"] == "Existing"  # reading still works
    assert stores_in(sqlite_file) == ["Existing"]


def test_a_sqlite_file_locked_by_another_process_is_reported_as_locked(sqlite_file: Path) -> None:
    other = sqlite3.connect(sqlite_file, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    uow = SqlAlchemyUnitOfWork(make_session_factory(make_engine(f"sqlite:///{sqlite_file}", busy_timeout=0.05)))

    with pytest.raises(StorageError, match=r"^the database \S+ is locked by another process; try again when it has finished$"):
        AddProductHandler(uow)(AddProduct(sku="MUG", name="Mug"))

    other.execute("ROLLBACK")
    other.close()
    assert Queries(uow).products() == []


def test_an_unreachable_postgresql_is_named_by_host_and_port() -> None:
    with pytest.raises(StorageError, match=r"^cannot reach PostgreSQL at 127\.0\.0\.1:1$"):
        make_engine(UNREACHABLE)


def test_an_unreachable_postgresql_fails_the_command_with_the_same_line() -> None:
    uow = SqlAlchemyUnitOfWork(make_session_factory(make_engine(UNREACHABLE, migrate=False)))

    with pytest.raises(StorageError) as failed:
        CreateStoreHandler(uow)(CreateStore(name="New"))

    assert str(failed.value) == "cannot reach PostgreSQL at 127.0.0.1:1"


def test_a_database_migrated_by_a_newer_release_is_refused_not_touched(sqlite_file: Path) -> None:
    with sqlite3.connect(sqlite_file) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")

    with pytest.raises(StorageError, match="schema revision 9999, newer than this tiktok-oms knows"):
        make_engine(f"sqlite:///{sqlite_file}")


def test_the_parent_folder_of_a_new_sqlite_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "data" / "tiktok-oms" / "oms.sqlite"

    engine = make_engine(f"sqlite:///{path}")

    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
    assert path.exists()


def test_the_container_builds_sql_units_of_work_on_the_configured_database(tmp_path: Path) -> None:
    container = Container(settings=Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'oms.sqlite'}"))

    container.create_store()(CreateStore(name="TikTok US"))

    assert isinstance(container.uow(), SqlAlchemyUnitOfWork)
    assert container.uow() is not container.uow()
    assert [s["name"] for s in container.queries().stores()] == ["TikTok US"]
    container.engine().dispose()
