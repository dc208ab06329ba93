"""Fresh databases of either dialect for the SQL adapter's tests.

PostgreSQL comes from `TIKTOK_OMS_TEST_PG_URL`. Where it does not answer, its tests are skipped
with the reason, except under `CI=true`, where they fail: CI must never pass by skipping them.
"""

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import URL, make_url

from adapters.persistence.migrations import upgrade
from adapters.persistence.tables import metadata

PG_URL = os.environ.get("TIKTOK_OMS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SQL_DIALECTS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


class PostgresServer:
    """Creates and drops uniquely named databases on the test server."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url).set(drivername="postgresql+psycopg")
        self.created: list[str] = []

    def _admin(self) -> psycopg.Connection:
        libpq = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        return psycopg.connect(libpq, autocommit=True, connect_timeout=3)

    def unavailable(self) -> str | None:
        """Why the server cannot be used, or None."""
        try:
            self._admin().close()
        except psycopg.Error as exc:
            where = f"{self.url.host}:{self.url.port or 5432}"
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            return (
                f"PostgreSQL tests need a server: {where} did not answer ({first}). "
                "Start one or point TIKTOK_OMS_TEST_PG_URL at one; under CI=true this fails."
            )
        return None

    def create(self) -> URL:
        name = f"tiktok_oms_test_{secrets.token_hex(5)}"
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.url.set(database=name)

    def run(self, database: str, statement: str) -> None:
        # A test that left a transaction open would block this: fail fast instead of hanging.
        libpq = self.url.set(drivername="postgresql", database=database).render_as_string(hide_password=False)
        with psycopg.connect(libpq, autocommit=True, connect_timeout=3) as connection:
            connection.execute("SET lock_timeout = '5s'")
            connection.execute(statement)

    def drop(self, url: URL) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        self.created.remove(str(url.database))


class Databases:
    """Empty or migrated databases of either dialect, each test starting from nothing.

    SQLite: a copy of one migrated file. PostgreSQL: one migrated database per run, emptied
    before each test (much faster than creating a database per test); an empty, unmigrated one
    is created and dropped on demand.
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._sqlite_template: Path | None = None
        self._pg: PostgresServer | None = None
        self._pg_unavailable: str | None = None
        self._pg_migrated: URL | None = None

    def postgres(self) -> PostgresServer:
        if self._pg is None and self._pg_unavailable is None:
            server = PostgresServer(PG_URL)
            self._pg_unavailable = server.unavailable()
            self._pg = None if self._pg_unavailable else server
        if self._pg is None:
            assert self._pg_unavailable is not None
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(self._pg_unavailable, pytrace=False)
            pytest.skip(self._pg_unavailable)
        return self._pg

    @contextmanager
    def fresh(self, dialect: str, *, migrated: bool = True) -> Iterator[str]:
        if dialect == "sqlite":
            path = self._folder / f"oms-{secrets.token_hex(4)}.sqlite"
            if migrated:
                shutil.copy(self._sqlite(), path)  # with its private mode
            yield f"sqlite:///{path}"
        elif migrated:
            yield self._emptied_postgres().render_as_string(hide_password=False)
        else:
            server = self.postgres()
            url = server.create()
            try:
                yield url.render_as_string(hide_password=False)
            finally:
                server.drop(url)

    def _sqlite(self) -> Path:
        if self._sqlite_template is None:
            self._sqlite_template = self._folder / "template.sqlite"
            upgrade(f"sqlite:///{self._sqlite_template}")
        return self._sqlite_template

    def _emptied_postgres(self) -> URL:
        if self._pg_migrated is None:
            self._pg_migrated = self.postgres().create()
            upgrade(self._pg_migrated.render_as_string(hide_password=False))
        names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
        self.postgres().run(str(self._pg_migrated.database), f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return self._pg_migrated

    def close(self) -> None:
        if self._pg is not None:
            for name in list(self._pg.created):
                self._pg.drop(self._pg.url.set(database=name))
