"""I-21 with pytest-alembic's built-in tests (single head, upgrade from base, model/migration drift,
every step down and up again) on SQLite and PostgreSQL, plus what they do not check: the foreign
keys' names and DEFERRABLE options, and the migration on a database's first use."""

from collections.abc import Iterator

import pytest
from pytest_alembic import tests as builtin
from pytest_alembic.runner import MigrationContext
from sqlalchemy import Engine, inspect

from adapters.persistence.engine import make_engine
from adapters.persistence.migrations import alembic_config as oms_alembic_config
from adapters.persistence.migrations import current, heads, upgrade
from adapters.persistence.tables import metadata
from tests.databases import SQL_DIALECTS, Databases

pytestmark = pytest.mark.integration

TABLES = {table.name for table in metadata.sorted_tables}


@pytest.fixture(params=SQL_DIALECTS)
def empty_database_url(request: pytest.FixtureRequest, databases: Databases) -> Iterator[str]:
    with databases.fresh(request.param, migrated=False) as url:
        yield url


@pytest.fixture
def alembic_config() -> object:
    """pytest-alembic's configuration: the migrations shipped in the package (no alembic.ini)."""
    return oms_alembic_config()


@pytest.fixture
def alembic_engine(empty_database_url: str) -> Iterator[Engine]:
    """pytest-alembic's database: an empty one of each dialect, with the OMS's engine settings."""
    engine = make_engine(empty_database_url, migrate=False)
    yield engine
    engine.dispose()


def test_single_head_revision(alembic_runner: MigrationContext) -> None:
    builtin.test_single_head_revision(alembic_runner)


def test_upgrade_from_base_to_head(alembic_runner: MigrationContext) -> None:
    builtin.test_upgrade(alembic_runner)


def test_model_definitions_match_ddl(alembic_runner: MigrationContext) -> None:
    builtin.test_model_definitions_match_ddl(alembic_runner)


def test_up_down_consistency(alembic_runner: MigrationContext) -> None:
    builtin.test_up_down_consistency(alembic_runner)


def test_the_foreign_keys_are_named_and_checked_at_commit_as_the_models_say(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url, migrate=False)

    # Alembic's comparison skips a foreign key's DEFERRABLE options: read them back directly.
    inspector = inspect(engine)
    found = {
        (table, fk["name"], fk["options"].get("deferrable"), fk["options"].get("initially"))
        for table in TABLES
        for fk in inspector.get_foreign_keys(table)
    }
    engine.dispose()

    expected = {
        (table.name, fk.name, fk.deferrable, fk.initially) for table in metadata.sorted_tables for fk in table.foreign_key_constraints
    }
    assert found == expected


def test_the_first_use_of_a_database_migrates_it_and_later_uses_change_nothing(empty_database_url: str) -> None:
    first = make_engine(empty_database_url)
    first.dispose()
    again = make_engine(empty_database_url)

    assert current(again) == heads()
    assert set(inspect(again).get_table_names()) - {"alembic_version"} == TABLES
    again.dispose()
