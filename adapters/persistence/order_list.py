"""The order list's queries on SQLAlchemy Core alone (no ORM, no aggregates): the repository's
`summaries` and `page` (the CLI's `orders list`, the web app's orders page) and the CLI's
read-only path run these same functions.

`db` is anything with SQLAlchemy's `execute`: an ORM `Session` or a Core `Connection`.
"""

from typing import Any

from sqlalchemy import String, Table, and_, func, or_, select, type_coerce

from adapters.persistence import tables as t
from application.ports import (
    LINE_SUMMARY_FIELDS,
    ORDER_SUMMARY_FIELDS,
    OrderCursor,
    OrderFilter,
    OrderSummary,
    line_summary,
    order_summary,
)

ORDER_LIST = (t.orders.c.created_at, t.orders.c.tiktok_order_id, t.orders.c.split_index)


def conditions(store_id: str | None, status: str | None, fulfilled_by: str | None,
               cancellation_request: str | None = None) -> list[Any]:
    wanted = ((t.orders.c.store_id, store_id), (t.orders.c.status, status), (t.orders.c.fulfilled_by, fulfilled_by),
              (t.orders.c.cancel_request_status, cancellation_request))
    return [column == value for column, value in wanted if value is not None]


def summaries(db: Any, *, store_id: str | None = None, status: str | None = None, fulfilled_by: str | None = None,
              cancellation_request: str | None = None) -> list[OrderSummary]:
    """Every order matching the filters (None: any), oldest first (created_at, TikTok order id,
    split part), each with its lines in their order on the order."""
    # Plain rows, not aggregates: the list over a large shop must answer in well under a second.
    o, l = t.orders.c, t.order_lines.c
    heads = db.execute(
        select(*(_summary_column(t.orders, name) for name in ORDER_SUMMARY_FIELDS),
               o.cancel_request_status, o.cancel_requested_at)
        .where(*conditions(store_id, status, fulfilled_by, cancellation_request))
        .order_by(*ORDER_LIST)
    )
    found = _heads(heads)
    lines = (
        select(l.order_id, *(_summary_column(t.order_lines, name) for name in LINE_SUMMARY_FIELDS))
        .join(t.orders, o.id == l.order_id)
        .where(*conditions(store_id, status, fulfilled_by, cancellation_request))
        .order_by(l.order_id, l.position)
    )
    for row in db.execute(lines):
        found[row[0]]["lines"].append(line_summary(row[1:]))
    return list(found.values())


def page(db: Any, where: OrderFilter, *, after: OrderCursor | None, limit: int) -> list[OrderSummary]:
    """Up to `limit` orders matching `where`, newest first (created_at, then id, descending),
    strictly after `after`."""
    # Keyset pagination on the (created_at, id) index, newest first: each page is an index range
    # scan plus one query for its lines, however deep the page.
    o, l = t.orders.c, t.order_lines.c
    found_where = conditions(where.store_id, where.status, where.fulfilled_by, where.cancellation_request)
    if where.search:
        holding = select(l.order_id).where(l.seller_sku == where.search)
        found_where.append(or_(o.tiktok_order_id == where.search, o.id.in_(holding)))
    if where.sku:
        found_where.append(o.id.in_(select(l.order_id).where(l.seller_sku == where.sku)))
    if where.created_from is not None:
        found_where.append(o.created_at >= where.created_from)
    if where.created_to is not None:
        found_where.append(o.created_at < where.created_to)
    if after is not None:
        found_where.append(or_(o.created_at < after.created_at,
                               and_(o.created_at == after.created_at, o.id < after.order_id)))
    heads = db.execute(
        select(*(_summary_column(t.orders, name) for name in ORDER_SUMMARY_FIELDS),
               o.cancel_request_status, o.cancel_requested_at)
        .where(*found_where)
        .order_by(o.created_at.desc(), o.id.desc())
        .limit(limit)
    ).all()
    found = _heads(heads)
    if found:
        lines = (
            select(l.order_id, *(_summary_column(t.order_lines, name) for name in LINE_SUMMARY_FIELDS))
            .where(l.order_id.in_(list(found)))
            .order_by(l.order_id, l.position)
        )
        for row in db.execute(lines):
            found[row[0]]["lines"].append(line_summary(row[1:]))
    return list(found.values())


def store_id(db: Any, ref: str) -> str | None:
    """The id of the store `ref` names: its id, or its name regardless of case (the exact spelling
    first), as the store repository's `get` and `by_name` find it; None when none does."""
    s = t.stores.c
    found = db.execute(select(s.id).where(s.id == ref)).scalar()
    if found is None:
        from domain.stores import store_named

        found = store_named(ref, [(row.id, row.name) for row in db.execute(select(s.id, s.name))])
    return None if found is None else str(found)


def names(db: Any) -> dict[str, str]:
    """Store and warehouse ids to their names (for tables; JSON keeps the ids)."""
    rows = db.execute(select(t.stores.c.id, t.stores.c.name).union_all(select(t.warehouses.c.id, t.warehouses.c.name)))
    return {row[0]: row[1] for row in rows}


def _heads(rows: Any) -> dict[str, OrderSummary]:
    found: dict[str, OrderSummary] = {}
    for row in rows:
        *fields, created_at, request_status, requested_at = row  # created_at is the last field
        request = (request_status, requested_at.isoformat() if requested_at else None)
        found[row[0]] = order_summary((*fields, created_at.isoformat()), [], request)
    return found


def _summary_column(table: Table, name: str) -> Any:
    # The summary's fields are named like the columns that hold them.
    column = table.c[name]
    return _raw(column) if name in ("status", "fulfilled_by") else column


def _raw(column: Any) -> Any:
    # The stored enum value is already the JSON value: no enum object per row.
    return type_coerce(column, String).label(column.name)
