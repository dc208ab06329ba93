"""I-21: one head, upgrade from empty on both dialects, models match migrations, down and up again."""

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from adapters.persistence.engine import make_engine
from adapters.persistence.migrations import current, downgrade, heads, upgrade
from adapters.persistence.tables import metadata
from tests.databases import SQL_DIALECTS, Databases

pytestmark = pytest.mark.integration

TABLES = {table.name for table in metadata.sorted_tables}


@pytest.fixture(params=SQL_DIALECTS)
def empty_database_url(request: pytest.FixtureRequest, databases: Databases) -> Iterator[str]:
    with databases.fresh(request.param, migrated=False) as url:
        yield url


def tables_in(url: str) -> set[str]:
    engine = make_engine(url, migrate=False)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_the_migrations_have_exactly_one_head() -> None:
    assert len(heads()) == 1


def test_an_empty_database_is_upgraded_to_the_head(empty_database_url: str) -> None:
    upgrade(empty_database_url)

    engine = make_engine(empty_database_url, migrate=False)
    assert current(engine) == heads()
    engine.dispose()
    assert tables_in(empty_database_url) == TABLES


def test_the_tables_match_the_migrations_exactly(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url, migrate=False)

    with engine.connect() as connection:
        # Alembic cannot compare an empty-string server default on SQLite; PostgreSQL checks those.
        defaults = connection.dialect.name == "postgresql"
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": defaults})
        differences = compare_metadata(context, metadata)
    engine.dispose()

    assert differences == []


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


def test_downgrading_to_base_removes_everything_and_upgrading_again_restores_it(empty_database_url: str) -> None:
    upgrade(empty_database_url)

    downgrade(empty_database_url, "base")
    assert tables_in(empty_database_url) == set()

    upgrade(empty_database_url)
    assert tables_in(empty_database_url) == TABLES


def test_the_first_use_of_a_database_migrates_it_and_later_uses_change_nothing(empty_database_url: str) -> None:
    first = make_engine(empty_database_url)
    first.dispose()
    again = make_engine(empty_database_url)

    assert current(again) == heads()
    again.dispose()
    assert tables_in(empty_database_url) == TABLES
