import logging
import os
import sqlite3
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from adapters.persistence.errors import storage_error
from adapters.persistence.migrations import ensure_current
from adapters.persistence.types import CIPHER_ATTRIBUTE
from application.errors import StorageError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

class _NoRowEcho(logging.Filter):
    """SQLAlchemy's DEBUG echo prints every row it reads, the stores' tokens included (S-5)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(("Row ", "Col ")))


for _name in ("sqlalchemy.engine", "sqlalchemy.engine.Engine"):
    logging.getLogger(_name).addFilter(_NoRowEcho())

_log = logging.getLogger("tiktok_oms.storage")

BUSY_TIMEOUT_SECONDS = 15.0
PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600
CONNECT_TIMEOUT_SECONDS = 10


def database_url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS, migrate: bool = True,
                create_folder: bool = True, cipher: Any = None) -> Engine:
    """An engine for SQLite (the default) or PostgreSQL, migrated to the newest schema on first use.

    `create_folder=False` refuses a SQLite file whose folder does not exist (`StorageError`): a
    typo in TIKTOK_OMS_DATABASE_URL must not quietly start a new, empty OMS (`db upgrade` may).
    `cipher` (an `adapters.secret_key.TokenCipher`) encrypts the stores' tokens in this engine's
    columns; without one, the process's default (TIKTOK_OMS_SECRET_KEY or the key file) does.
    """
    parsed = database_url(url)
    # hide_parameters: bound values (the stores' tokens) stay out of SQL logs and error messages (S-5).
    if parsed.get_backend_name() == "sqlite":
        if not create_folder:
            _folder_exists(parsed)
        engine = _sqlite(parsed, busy_timeout)
    else:
        engine = create_engine(parsed, pool_pre_ping=True, hide_parameters=True,
                               connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})
    if cipher is not None:
        setattr(engine.dialect, CIPHER_ATTRIBUTE, cipher)  # read by EncryptedToken and migration 0010
    if migrate:
        try:
            ensure_current(engine)
        except (SQLAlchemyError, OSError) as exc:
            engine.dispose()
            raise storage_error(exc, parsed) from exc
        except Exception as exc:
            if type(exc).__name__ != "CommandError":  # Alembic's, when a migration step fails
                raise
            engine.dispose()
            raise storage_error(exc, parsed) from exc
    return engine


def _folder_exists(url: URL) -> None:
    database = url.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        return
    folder = Path(database.removeprefix("file:").split("?", 1)[0]).expanduser().parent
    if not folder.is_dir():
        raise StorageError(
            f"the folder {folder} of the SQLite file in TIKTOK_OMS_DATABASE_URL does not exist: check the URL, "
            "or run 'tiktok-oms db upgrade' to create a new database there"
        )


def make_session_factory(engine: Engine) -> "sessionmaker[Session]":
    # The ORM and the domain's mapping load here, not with the engine: a read-only command on Core
    # (the CLI's `orders list`) never pays for them.
    from sqlalchemy.orm import sessionmaker

    from adapters.persistence.mapping import map_tables

    map_tables()
    return sessionmaker(bind=engine, expire_on_commit=False)


def _sqlite(url: URL, busy_timeout: float) -> Engine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in database
    options: dict[str, Any] = {"connect_args": {"timeout": busy_timeout}}
    if in_memory:
        # One connection, or every checkout would see a different, empty database.
        options = {"connect_args": {"timeout": busy_timeout, "check_same_thread": False}, "poolclass": StaticPool}
    else:
        private_file(Path(database.removeprefix("file:").split("?", 1)[0]).expanduser())
    engine = create_engine(url, hide_parameters=True, **options)
    if not in_memory:
        event.listen(engine, "connect", _private_journal(url))
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def private_file(path: Path) -> None:
    """The database file holds the stores' tokens: only its owner may read it, whatever the umask.

    A missing folder is created 0700 and a missing file 0600 (an empty file is an empty SQLite
    database); SQLite gives its -wal and -shm files the database file's mode. An existing file
    others can read is left as it is, with a warning that says how to fix it.
    Raises `StorageError` when the folder or file cannot be created.
    """
    folder = path.parent
    try:
        private_folder(folder)
    except OSError as exc:
        raise StorageError(f"cannot create the folder {folder} for the database: {exc.strerror}") from exc
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        _warn_if_shared(path)
        return
    except OSError as exc:
        raise StorageError(f"cannot create the database file {path}: {exc.strerror}") from exc
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)


def _warn_if_shared(path: Path) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return  # SQLite reports what is wrong with it
    if path.is_file() and mode & 0o077:
        _log.warning("the database file %s holds your stores' tokens and other users can access it "
                     "(mode %o): run 'chmod 600 %s'", path, mode, path)


def private_folder(folder: Path) -> None:
    """Create `folder` (and its parents) when missing; the folder itself only its owner may open
    (0700, whatever the umask). An existing folder is left as it is. Raises OSError."""
    if not folder.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
        os.chmod(folder, PRIVATE_FOLDER)  # mkdir's mode is masked by the umask


def _private_journal(url: URL) -> Any:
    # A -wal or -shm file left by an older version (or another tool) keeps its mode: tighten it.
    database = Path((url.database or "").removeprefix("file:").split("?", 1)[0]).expanduser()

    def tighten(_dbapi_connection: Any, _record: object) -> None:
        for suffix in ("-wal", "-shm"):
            side = database.with_name(database.name + suffix)
            try:
                if stat.S_IMODE(side.stat().st_mode) & 0o077 and side.stat().st_uid == os.getuid():
                    os.chmod(side, PRIVATE_FILE)
            except OSError:
                pass

    return tighten


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    # The driver's own transaction handling is switched off: `_begin_immediate` opens each one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the one writer
        except sqlite3.OperationalError:
            pass  # a read-only file keeps its journal mode; writes then fail with a clear error
    finally:
        cursor.close()


def _begin_immediate(connection: Any) -> None:
    # Take SQLite's write lock when the transaction starts, not at its first write: two
    # processes importing the same store then run one after the other instead of one failing
    # halfway with "database is locked" (or, worse, one overwriting what the other just read).
    # A connection that only reads may ask for `execution_options(sqlite_begin_mode="DEFERRED")`.
    mode = connection.get_execution_options().get("sqlite_begin_mode", "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")
