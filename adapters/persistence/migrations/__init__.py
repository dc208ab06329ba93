"""The schema's history as Alembic migrations, shipped inside the package (no alembic.ini needed)."""

from collections.abc import Callable
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from adapters.persistence.errors import storage_error
from application.errors import StorageError

LOCATION = Path(__file__).parent


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def heads() -> set[str]:
    return set(_script().get_heads())


def current(engine: Engine) -> set[str]:
    # Only reads: on SQLite it need not wait for another process's write lock.
    with engine.connect().execution_options(sqlite_begin_mode="DEFERRED") as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def ensure_current(engine: Engine) -> None:
    """Bring the schema to the newest revision; one cheap query when it already is."""
    found = current(engine)
    if found == heads():
        return
    for revision in found:
        if revision not in {s.revision for s in _script().walk_revisions()}:
            raise StorageError(
                f"the database has schema revision {revision}, newer than this tiktok-oms knows: upgrade tiktok-oms"
            )
    _run(engine, command.upgrade, "head")


def upgrade(url: str) -> None:
    """`tiktok-oms db upgrade`: migrate the database at `url` to the newest schema."""
    _at(url, command.upgrade, "head")


def downgrade(url: str, revision: str = "base") -> None:
    _at(url, command.downgrade, revision)


def _at(url: str, step: Callable[[Config, str], None], revision: str) -> None:
    from adapters.persistence.engine import make_engine

    engine = make_engine(url, migrate=False)
    try:
        _run(engine, step, revision)
    except (SQLAlchemyError, OSError, CommandError) as exc:
        raise storage_error(exc, engine.url) from exc
    finally:
        engine.dispose()


def _run(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    # One transaction for the whole step: on SQLite and PostgreSQL the DDL rolls back with it.
    with engine.begin() as connection:
        step(alembic_config(connection), revision)
