"""The CLI's read-only path for `orders list`: SQLAlchemy Core and the order list's own queries
(adapters/persistence/order_list.py, the same ones the repository runs), without the container,
pydantic or the ORM, so a small list starts nearly as fast as SQLAlchemy itself loads.

Taken only for the SQL database and when no test handed in a container (see app.py); the schema
check (and a migration, when one is due) is the engine's, as for every command.
"""

from datetime import datetime
from typing import Any


def order_list(database_url: str | None, *, store: str | None, status: str | None, fulfilled_by: str | None,
               cancellation_request: str | None, newest_first: bool, sku: str | None,
               created_from: datetime | None, created_to: datetime | None, limit: int | None,
               with_names: bool) -> tuple[list[Any], dict[str, str]]:
    """The rows `orders list` prints (as `Queries.orders`, or `Queries.matching_orders` when
    `newest_first`), and the store and warehouse names when `with_names`.
    Raises `NotFound` for an unknown store, `StorageError` for a database problem."""
    from sqlalchemy.exc import SQLAlchemyError

    from adapters.database_url import configured_database_url, may_create_folder
    from adapters.persistence import order_list as q
    from adapters.persistence.engine import database_url as parse, make_engine
    from adapters.persistence.errors import storage_error
    from application.errors import NotFound
    from application.order_list import matching
    from application.ports import OrderFilter

    url = configured_database_url(database_url)
    engine = make_engine(url, create_folder=may_create_folder(url))
    try:
        with engine.connect().execution_options(sqlite_begin_mode="DEFERRED") as db:
            store_id = None
            if store:
                store_id = q.store_id(db, store)
                if store_id is None:
                    raise NotFound("store", store)
            if newest_first:
                where = OrderFilter(store_id=store_id, status=status, fulfilled_by=fulfilled_by, sku=sku,
                                    created_from=created_from, created_to=created_to,
                                    cancellation_request=cancellation_request)
                rows = matching(lambda after, size: q.page(db, where, after=after, limit=size), limit=limit)
            else:
                rows = q.summaries(db, store_id=store_id, status=status, fulfilled_by=fulfilled_by,
                                   cancellation_request=cancellation_request)
            return rows, (q.names(db) if with_names else {})
    except SQLAlchemyError as exc:
        raise storage_error(exc, parse(url)) from exc
    finally:
        engine.dispose()
