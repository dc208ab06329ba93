import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import String, Table, and_, or_, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from adapters.persistence import tables as t
from adapters.persistence.order_mapper import OrderMapper
from adapters.persistence.repositories import SqlAlchemyRepository
from application.ports import (
    LINE_SUMMARY_FIELDS,
    ORDER_SUMMARY_FIELDS,
    OrderCursor,
    OrderFilter,
    OrderRepository,
    OrderSummary,
    line_summary,
    order_summary,
)
from domain.imports import RemoteOrder
from domain.orders import Order

_ORDER_LIST = (t.orders.c.created_at, t.orders.c.tiktok_order_id, t.orders.c.split_index)


class SqlAlchemyOrderRepository(SqlAlchemyRepository, OrderRepository):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._payloads: dict[tuple[str, str], dict[str, Any]] = {}
        self._mapper = OrderMapper(session)

    def add(self, order: Order) -> None:
        self._mapper.add(order)

    def write(self) -> None:
        """What this unit of work added or changed goes to the database (at commit)."""
        self._mapper.write()
        self.write_payloads()

    def _find(self, *where: Any, order_by: Any = _ORDER_LIST) -> list[Order]:
        self._mapper.write()  # a query filters on what this unit of work added or changed, too
        return self._mapper.find(*where, order_by=order_by)

    def get(self, order_id: str) -> Order | None:
        found = self._find(t.orders.c.id == order_id)
        return found[0] if found else None

    def parts(self, store_id: str, tiktok_order_ids: Iterable[str]) -> dict[str, list[Order]]:
        wanted = sorted(set(tiktok_order_ids))
        found: dict[str, list[Order]] = {}
        if not wanted:
            return found
        # One query for the whole page; lines and shipments follow in one query each.
        query = self._find(
            t.orders.c.store_id == store_id,
            t.orders.c.tiktok_order_id.in_(wanted),
            order_by=(t.orders.c.tiktok_order_id, t.orders.c.split_index),
        )
        for order in query:
            found.setdefault(order.tiktok_order_id, []).append(order)
        return found

    def by_tiktok_id(self, tiktok_order_id: str) -> list[Order]:
        return self._find(
            t.orders.c.tiktok_order_id == tiktok_order_id, order_by=(t.orders.c.store_id, t.orders.c.split_index)
        )

    def keep_payload(self, store_id: str, remote: RemoteOrder) -> None:
        # Buffered and written in one statement per transaction: one round trip per page, not per order.
        key = (store_id, remote.tiktok_order_id)
        kept = self._payloads.get(key)
        if remote.raw is None or (kept is not None and kept["update_time"] > remote.update_time):
            return
        self._payloads[key] = {
            "store_id": store_id,
            "tiktok_order_id": remote.tiktok_order_id,
            "update_time": remote.update_time,
            "payload": json.dumps(remote.raw, separators=(",", ":")),
        }

    def write_payloads(self) -> None:
        if not self._payloads:
            return
        statement = _upsert(self._session, t.order_payloads)
        statement = statement.on_conflict_do_update(
            index_elements=[t.order_payloads.c.store_id, t.order_payloads.c.tiktok_order_id],
            set_={"update_time": statement.excluded.update_time, "payload": statement.excluded.payload},
            where=statement.excluded.update_time >= t.order_payloads.c.update_time,
        )
        self._session.execute(statement, list(self._payloads.values()))
        self._payloads.clear()

    def payload(self, store_id: str, tiktok_order_id: str) -> object | None:
        self.write_payloads()
        text = self._session.scalar(
            select(t.order_payloads.c.payload).where(
                t.order_payloads.c.store_id == store_id, t.order_payloads.c.tiktok_order_id == tiktok_order_id
            )
        )
        return None if text is None else json.loads(text)

    def with_seller_sku(self, store_id: str, seller_sku: str) -> list[Order]:
        holding = select(t.order_lines.c.order_id).where(
            t.order_lines.c.store_id == store_id, t.order_lines.c.seller_sku == seller_sku
        )
        c = t.order_line_components.c
        bundling = select(c.order_id).where(c.store_id == store_id, c.seller_sku == seller_sku)
        return self._find(t.orders.c.id.in_(holding.union(bundling)))

    def list(
        self, *, store_id: str | None = None, status: str | None = None, fulfilled_by: str | None = None,
        cancellation_request: str | None = None,
    ) -> list[Order]:
        return self._find(*_conditions(store_id, status, fulfilled_by, cancellation_request))

    def summaries(
        self, *, store_id: str | None = None, status: str | None = None, fulfilled_by: str | None = None,
        cancellation_request: str | None = None,
    ) -> "list[OrderSummary]":
        # Plain rows, not aggregates: the list over a large shop must answer in well under a second.
        self.write()
        o, l = t.orders.c, t.order_lines.c
        heads = self._session.execute(
            select(*(_summary_column(t.orders, name) for name in ORDER_SUMMARY_FIELDS),
                   o.cancel_request_status, o.cancel_requested_at)
            .where(*_conditions(store_id, status, fulfilled_by, cancellation_request))
            .order_by(*_ORDER_LIST)
        )
        found: dict[str, OrderSummary] = {}
        for row in heads:
            *fields, created_at, request_status, requested_at = row  # created_at is the last field
            request = (request_status, requested_at.isoformat() if requested_at else None)
            found[row[0]] = order_summary((*fields, created_at.isoformat()), [], request)
        lines = (
            select(l.order_id, *(_summary_column(t.order_lines, name) for name in LINE_SUMMARY_FIELDS))
            .join(t.orders, o.id == l.order_id)
            .where(*_conditions(store_id, status, fulfilled_by, cancellation_request))
            .order_by(l.order_id, l.position)
        )
        for row in self._session.execute(lines):
            found[row[0]]["lines"].append(line_summary(row[1:]))
        return list(found.values())

    def page(self, where: OrderFilter, *, after: OrderCursor | None, limit: int) -> "list[OrderSummary]":
        # Keyset pagination on the (created_at, id) index, newest first: each page is an index range
        # scan plus one query for its lines, however deep the page.
        self.write()
        o, l = t.orders.c, t.order_lines.c
        conditions = _conditions(where.store_id, where.status, where.fulfilled_by)
        if where.search:
            holding = select(l.order_id).where(l.seller_sku == where.search)
            conditions.append(or_(o.tiktok_order_id == where.search, o.id.in_(holding)))
        if where.created_from is not None:
            conditions.append(o.created_at >= where.created_from)
        if where.created_to is not None:
            conditions.append(o.created_at < where.created_to)
        if after is not None:
            conditions.append(or_(o.created_at < after.created_at,
                                  and_(o.created_at == after.created_at, o.id < after.order_id)))
        heads = self._session.execute(
            select(*(_summary_column(t.orders, name) for name in ORDER_SUMMARY_FIELDS),
                   o.cancel_request_status, o.cancel_requested_at)
            .where(*conditions)
            .order_by(o.created_at.desc(), o.id.desc())
            .limit(limit)
        ).all()
        found: dict[str, OrderSummary] = {}
        for row in heads:
            *fields, created_at, request_status, requested_at = row  # created_at is the last field
            request = (request_status, requested_at.isoformat() if requested_at else None)
            found[row[0]] = order_summary((*fields, created_at.isoformat()), [], request)
        if found:
            lines = (
                select(l.order_id, *(_summary_column(t.order_lines, name) for name in LINE_SUMMARY_FIELDS))
                .where(l.order_id.in_(list(found)))
                .order_by(l.order_id, l.position)
            )
            for row in self._session.execute(lines):
                found[row[0]]["lines"].append(line_summary(row[1:]))
        return list(found.values())


def _summary_column(table: Table, name: str) -> Any:
    # The summary's fields are named like the columns that hold them.
    column = table.c[name]
    return _raw(column) if name in ("status", "fulfilled_by") else column


def _raw(column: Any) -> Any:
    # The stored enum value is already the JSON value: no enum object per row.
    return type_coerce(column, String).label(column.name)


def _conditions(store_id: str | None, status: str | None, fulfilled_by: str | None,
                cancellation_request: str | None = None) -> list[Any]:
    wanted = ((t.orders.c.store_id, store_id), (t.orders.c.status, status), (t.orders.c.fulfilled_by, fulfilled_by),
              (t.orders.c.cancel_request_status, cancellation_request))
    return [column == value for column, value in wanted if value is not None]


def _upsert(session: Session, table: Table) -> Any:
    # Both dialects spell INSERT ... ON CONFLICT the same way, from their own insert().
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)
