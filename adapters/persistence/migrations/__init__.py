"""The schema's history as Alembic migrations, shipped inside the package (no alembic.ini needed).

Alembic is imported only to migrate: a database already at the newest schema costs one query
(its `alembic_version` against the head revision read from the migration files' names).
"""

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from application.errors import StorageError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

LOCATION = Path(__file__).parent
_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:[\"']([^\"']*)[\"']|None)", re.MULTILINE)


@cache
def head_revisions() -> frozenset[str]:
    """The newest revision(s), read from the `revision` / `down_revision` lines of the migration
    files without importing Alembic (tests check it agrees with Alembic's own `heads()`)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (LOCATION / "versions").glob("*.py"):
        for kind, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            if value:
                (revisions if kind == "revision" else parents).add(value)
    return frozenset(revisions - parents)


def alembic_config(connection: Connection | None = None) -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _script() -> "ScriptDirectory":
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def heads() -> set[str]:
    return set(_script().get_heads())


def current(engine: Engine) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    # Only reads: on SQLite it need not wait for another process's write lock.
    with engine.connect().execution_options(sqlite_begin_mode="DEFERRED") as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def _stored_revisions(engine: Engine) -> tuple[set[str], bool]:
    """The revisions in `alembic_version`, and whether the database holds any table at all.
    One query when the version table is there."""
    with engine.connect().execution_options(sqlite_begin_mode="DEFERRED") as connection:
        try:
            found = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
            return found, True
        except SQLAlchemyError:
            connection.rollback()
        return set(), bool([t for t in inspect(connection).get_table_names() if not t.startswith("sqlite_")])


def ensure_current(engine: Engine) -> None:
    """Bring the schema to the newest revision; one cheap query when it already is.

    A new, empty database gets the whole schema. Raises `StorageError` for a database that holds
    other tables and no tiktok-oms schema (only `tiktok-oms db upgrade` adds the schema to such
    a one: a wrong TIKTOK_OMS_DATABASE_URL must not quietly turn another application's database
    into an OMS), or one whose schema is newer than this tiktok-oms knows.
    """
    found, any_table = _stored_revisions(engine)
    if found and found == head_revisions():
        return
    if not found and any_table:
        raise StorageError(
            "the database in TIKTOK_OMS_DATABASE_URL holds other tables and no tiktok-oms schema: point it at "
            "the OMS's own database, or run 'tiktok-oms db upgrade' to add the OMS's tables to this one"
        )
    from alembic import command

    for revision in found:
        if revision not in {s.revision for s in _script().walk_revisions()}:
            raise StorageError(
                f"the database has schema revision {revision}, newer than this tiktok-oms knows: upgrade tiktok-oms"
            )
    _run(engine, command.upgrade, "head")


def upgrade(url: str) -> None:
    """`tiktok-oms db upgrade`: migrate the database at `url` to the newest schema."""
    from alembic import command

    _at(url, command.upgrade, "head")


def downgrade(url: str, revision: str = "base") -> None:
    from alembic import command

    _at(url, command.downgrade, revision)


def _at(url: str, step: Callable[["Config", str], None], revision: str) -> None:
    from alembic.util import CommandError

    from adapters.persistence.engine import make_engine
    from adapters.persistence.errors import storage_error

    engine = make_engine(url, migrate=False)
    try:
        _run(engine, step, revision)
    except (SQLAlchemyError, OSError, CommandError) as exc:
        raise storage_error(exc, engine.url) from exc
    finally:
        engine.dispose()


def _run(engine: Engine, step: Callable[["Config", str], None], revision: str) -> None:
    # One transaction for the whole step: on SQLite and PostgreSQL the DDL rolls back with it.
    with engine.begin() as connection:
        step(alembic_config(connection), revision)
