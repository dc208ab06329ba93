"""One sync of a store at a time, across threads and processes, released when its holder dies.

- PostgreSQL: a session-level advisory lock on a connection held for the whole sync; the server
  drops it the moment that connection ends (also on `kill -9`).
- SQLite file: an exclusive `flock` on a small per-store file beside the database; the kernel
  drops it when the process ends.
- In memory (one process): a lock per store.

Each `hold(store_id)` tries once and raises `SyncAlreadyRunning` rather than waiting: the caller
says so (CLI) or leaves the store to the running sync (job).
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from application.errors import SyncAlreadyRunning

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: only in-process exclusion
    fcntl = None  # type: ignore[assignment]


class ThreadSyncGuard:
    """Exclusion between the threads of one process."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, store_id: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(store_id, threading.Lock())
        if not lock.acquire(blocking=False):
            raise SyncAlreadyRunning(store_id)
        try:
            yield
        finally:
            lock.release()


class FileSyncGuard:
    """Exclusion between processes sharing one SQLite file: `<database>.sync-locks/<store>.lock`."""

    def __init__(self, database_file: str) -> None:
        self._folder = Path(database_file + ".sync-locks")
        self._threads = ThreadSyncGuard()

    @contextmanager
    def hold(self, store_id: str) -> Iterator[None]:
        with self._threads.hold(store_id):
            if fcntl is None:
                yield
                return
            self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self._folder / f"{_safe(store_id)}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise SyncAlreadyRunning(store_id) from None
                try:
                    yield
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


class AdvisorySyncGuard:
    """Exclusion between processes and machines sharing one PostgreSQL database."""

    _TRY = text("SELECT pg_try_advisory_lock(hashtextextended(:key, 0))")
    _UNLOCK = text("SELECT pg_advisory_unlock(hashtextextended(:key, 0))")

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def hold(self, store_id: str) -> Iterator[None]:
        key = f"tiktok-oms:sync:{store_id}"
        connection = self._engine.connect()
        try:
            taken = connection.execute(self._TRY, {"key": key}).scalar()
            connection.commit()  # the session lock outlives the transaction; no idle transaction
            if not taken:
                raise SyncAlreadyRunning(store_id)
            try:
                yield
            finally:
                connection.execute(self._UNLOCK, {"key": key})
                connection.commit()
        finally:
            connection.close()


def _safe(store_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in store_id)


def sync_guard_for(engine: Engine | None):  # type: ignore[no-untyped-def]
    """The guard that fits the database: advisory locks, lock files, or in-process locks."""
    if engine is None:
        return ThreadSyncGuard()
    if engine.dialect.name == "postgresql":
        return AdvisorySyncGuard(engine)
    database = engine.url.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        return ThreadSyncGuard()
    return FileSyncGuard(database.removeprefix("file:").split("?", 1)[0])
