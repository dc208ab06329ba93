"""SQLAlchemy and driver errors in, one clear line out (`StorageError` or `AlreadyExists`)."""

import re

from sqlalchemy import URL, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError

from adapters.persistence.tables import metadata
from application.errors import AlreadyExists, ApplicationError, StorageError, StorageRefused

# Unique constraints that mean "that name is taken" rather than "two writers collided".
_BUSINESS_KEYS = {
    "uq_stores_name": ("store", "name"),
    "uq_warehouses_name": ("warehouse", "name"),
    "pk_products": ("product", "sku"),
}
# SQLite names the columns, not the constraint: "UNIQUE constraint failed: stores.name".
_BY_COLUMNS = {
    ", ".join(f"{table.name}.{col.name}" for col in constraint.columns): str(constraint.name)
    for table in metadata.tables.values()
    for constraint in table.constraints
    if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint)
}
_SQLITE = {
    "SQLITE_BUSY": "the database {where} is locked by another process; try again when it has finished",
    "SQLITE_LOCKED": "the database {where} is locked by another process; try again when it has finished",
    "SQLITE_READONLY": "the database file {where} is read-only",
    "SQLITE_CANTOPEN": "cannot open the database file {where}",
    "SQLITE_FULL": "the disk holding the database {where} is full",
    "SQLITE_IOERR": "cannot read or write the database file {where} (disk I/O error)",
    "SQLITE_NOTADB": "{where} is not a SQLite database",
    "SQLITE_CORRUPT": "the database file {where} is damaged",
}
_PG_UNREACHABLE = ("connection refused", "could not connect", "timeout expired", "could not translate host",
                   "connection timed out", "no route to host", "server closed the connection", "network is unreachable")


def storage_error(exc: BaseException, url: URL | None = None) -> ApplicationError:
    """The error to show for a failed database operation; nothing was kept (the caller rolls back)."""
    if isinstance(exc, ApplicationError):
        return exc
    if isinstance(exc, IntegrityError):
        return _integrity(exc)
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    first_line = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    if url is not None and url.get_backend_name() == "sqlite":
        code = str(getattr(orig, "sqlite_errorname", ""))
        template = next((text for name, text in _SQLITE.items() if code.startswith(name)), None)
        if template is not None:
            return StorageError(template.format(where=url.database or "(in memory)"))
        if "no such table" in first_line:
            return StorageError("the database is not set up: run 'tiktok-oms db upgrade'")
    if url is not None and url.get_backend_name() == "postgresql":
        where = f"{url.host or 'localhost'}:{url.port or 5432}"
        text = str(orig).lower()
        if "does not exist" in text and "database" in text:
            return StorageError(f"PostgreSQL at {where} has no database {url.database!r}")
        if any(sign in text for sign in ("authentication failed", "no password supplied")) or (
            "role" in text and "does not exist" in text
        ):
            return StorageError(f"PostgreSQL at {where} refused the login of user {url.username!r}")
        if any(sign in text for sign in _PG_UNREACHABLE):
            return StorageError(f"cannot reach PostgreSQL at {where}")
        if getattr(getattr(orig, "diag", None), "sqlstate", "") in ("40001", "40P01"):
            return StorageError("a concurrent change got in the way; nothing was saved, try again")
    if isinstance(exc, SQLAlchemyError) and not isinstance(exc, DBAPIError):
        return StorageError(f"database error: {first_line}")
    if isinstance(exc, DataError) or "NUL" in first_line:  # psycopg refuses NULs before sending
        return StorageRefused(f"the database refused a value: {first_line}")
    return StorageError(f"the database refused the operation: {first_line}")


def _integrity(exc: IntegrityError) -> ApplicationError:
    diag = getattr(exc.orig, "diag", None)
    message = str(exc.orig)
    name = getattr(diag, "constraint_name", None)
    if name is None:
        failed = re.search(r"UNIQUE constraint failed: (.+)$", message, re.MULTILINE)
        name = _BY_COLUMNS.get(failed.group(1).strip()) if failed else None
    if name in _BUSINESS_KEYS:
        kind, column = _BUSINESS_KEYS[name]
        return AlreadyExists(kind, _duplicate_value(exc, column) or f"(the same {column})")
    if name is not None and (name.startswith(("uq_", "pk_"))):
        # Retrying may help (a concurrent writer) or not (the data repeats a key): either way refused.
        return StorageRefused(f"another process saved the same record first ({name}); nothing was saved, try again")
    if "foreign key" in message.lower():
        return StorageError("the change refers to a record that does not exist; nothing was saved")
    first_line = (message.strip().splitlines() or ["integrity error"])[0]
    return StorageRefused(f"the database refused the change: {first_line}")


def _duplicate_value(exc: IntegrityError, column: str) -> str | None:
    detail = getattr(getattr(exc.orig, "diag", None), "message_detail", None) or ""
    found = re.search(r"\)=\((.*)\) already exists", detail)
    if found:
        return found.group(1)
    # SQLite: read the value back from the failed single-row INSERT.
    insert = re.match(r"\s*INSERT INTO \S+ \(([^)]*)\) VALUES \([^)]*\)\s*$", exc.statement or "")
    params = exc.params
    if insert and isinstance(params, tuple | list) and params and not isinstance(params[0], tuple | list | dict):
        columns = [c.strip().strip('"') for c in insert.group(1).split(",")]
        if column in columns and len(columns) == len(params):
            return str(params[columns.index(column)])
    return None
