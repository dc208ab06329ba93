from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from adapters.persistence.errors import storage_error
from adapters.persistence.intent_repository import SqlAlchemyIntentRepository
from adapters.persistence.order_repository import SqlAlchemyOrderRepository
from adapters.persistence.repositories import (
    SqlAlchemyCheckpointRepository,
    SqlAlchemyListingRepository,
    SqlAlchemyProductRepository,
    SqlAlchemyQuarantineRepository,
    SqlAlchemyReturnRepository,
    SqlAlchemyStockMovementRepository,
    SqlAlchemyStoreRepository,
    SqlAlchemyWarehouseRepository,
)
from adapters.persistence.webhook_repositories import SqlAlchemyRefreshRequestRepository, SqlAlchemyWebhookRepository
from application.ports import UnitOfWork

_STORE_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


class SqlAlchemyUnitOfWork(UnitOfWork):
    """A session per `with` block; database failures leave it as one clear `StorageError`."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> "SqlAlchemyUnitOfWork":
        self.session = session = self._session_factory()
        self.stores = SqlAlchemyStoreRepository(session)
        self.warehouses = SqlAlchemyWarehouseRepository(session)
        self.products = SqlAlchemyProductRepository(session)
        self.listings = SqlAlchemyListingRepository(session)
        self.orders = SqlAlchemyOrderRepository(session)
        self.returns = SqlAlchemyReturnRepository(session)
        self.movements = SqlAlchemyStockMovementRepository(session)
        self.checkpoints = SqlAlchemyCheckpointRepository(session)
        self.quarantine = SqlAlchemyQuarantineRepository(session)
        self.webhooks = SqlAlchemyWebhookRepository(session)
        self.refresh_requests = SqlAlchemyRefreshRequestRepository(session)
        self.intents = SqlAlchemyIntentRepository(session)
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        try:
            self.session.rollback()
            self.session.close()
        except SQLAlchemyError as failed:
            self.session.invalidate()
            if exc is None:
                raise self._error(failed) from failed
        if isinstance(exc, SQLAlchemyError):
            raise self._error(exc) from exc

    def commit(self) -> None:
        try:
            self.orders.write()
            self.movements.write()
            self.quarantine.write()
            self.session.commit()
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    def rollback(self) -> None:
        self.session.rollback()

    def lock_store(self, store_id: str) -> None:
        # SQLite needs nothing here: every transaction there begins IMMEDIATE, one writer at a time.
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(_STORE_LOCK, {"key": f"tiktok-oms:store:{store_id}"})

    def _error(self, exc: BaseException) -> Exception:
        return storage_error(exc, self.session.get_bind().url)
