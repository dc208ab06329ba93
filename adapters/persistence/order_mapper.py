"""Orders, their lines and shipments, read and written with Core statements (a data mapper).

The import builds thousands of orders a second; with SQLAlchemy's instrumentation on the domain
classes that took ten times longer, and the ORM flush as long again. So `Order` and `OrderLine`
stay plain classes: orders read or added in a unit of work are kept in an identity map, and
those that changed since they were read are written back together, as batched upserts, when it
commits.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from adapters.persistence import tables as t
from domain.addresses import Address
from domain.cancellation_requests import CancellationRequest, RequestStatus
from domain.orders import BundleComponent, Order, OrderLine, Shipment

_ADDRESS = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")
_CHUNK = 500  # ids per IN (...): well under every driver's parameter limit


class OrderMapper:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._seen: dict[str, Order] = {}
        # What the database holds for each order seen: only orders that differ are written, so
        # a unit of work never writes back a stale copy of an order it merely read.
        self._saved: dict[str, tuple[Any, ...]] = {}

    def add(self, order: Order) -> None:
        self._seen[order.id] = order

    def find(self, *where: ColumnElement[bool], order_by: Iterable[Any] = ()) -> list[Order]:
        return self.find_rows(select(t.orders).where(*where).order_by(*order_by))

    def find_rows(self, query: Select[Any]) -> list[Order]:
        """The orders of a query whose rows are `orders` rows (every column, by name)."""
        rows = self._session.execute(query).mappings().all()
        fresh = [row for row in rows if row["id"] not in self._seen]
        lines = self._children(t.order_lines, [r["id"] for r in fresh], t.order_lines.c.position)
        shipments = self._children(t.shipments, [r["id"] for r in fresh], t.shipments.c.id)
        components: dict[str, list[Any]] = {}
        ids = [r["id"] for r in fresh]
        for parts in self._children(t.order_line_components, ids, t.order_line_components.c.position).values():
            for part in parts:
                components.setdefault(part["line_id"], []).append(part)
        for row in fresh:
            order = _order(row, lines.get(row["id"], []), shipments.get(row["id"], []), components)
            self._seen[order.id] = order
            self._saved[order.id] = _state(order)
        return [self._seen[row["id"]] for row in rows]

    def _children(self, table: Any, ids: list[str], order: Any) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        for chunk in _chunks(ids):
            query: Select[Any] = select(table).where(table.c.order_id.in_(chunk)).order_by(table.c.order_id, order)
            for row in self._session.execute(query).mappings():
                found.setdefault(row["order_id"], []).append(row)
        return found

    def write(self) -> None:
        """Write the orders added or changed in this unit of work: orders added (never read) by
        plain INSERTs, orders read and changed by upserts, each table in one executemany."""
        changed = [(o, state) for o in self._seen.values() if (state := _state(o)) != self._saved.get(o.id)]
        if not changed:
            return
        sql = _Sql.of(self._session.get_bind().dialect)
        connection = self._session.connection()
        # What this unit of work read is upserted; what it made (orders, lines) is inserted. A
        # split part is a new order of lines read: its lines are upserted.
        loaded = {row[0] for state in self._saved.values() for row in state[1]}
        writes: list[tuple[Any, str, list[tuple[Any, ...]]]] = [
            (t.orders, "insert", [state[0] for o, state in changed if o.id not in self._saved]),
            (t.orders, "upsert", [state[0] for o, state in changed if o.id in self._saved]),
        ]
        lines = [row for _, state in changed for row in state[1]]
        writes += [(t.order_lines, "insert", [row for row in lines if row[0] not in loaded]),
                   (t.order_lines, "upsert", [row for row in lines if row[0] in loaded])]
        components = [row for _, state in changed for row in state[3]]
        writes += [(t.order_line_components, "insert", [row for row in components if row[0] not in loaded]),
                   (t.order_line_components, "upsert", [row for row in components if row[0] in loaded])]
        for table, verb, rows in writes:
            if rows:
                sql.run(connection, table, verb, rows)
        new_shipments = [
            _shipment_row(o.id, s)
            for o, _ in changed
            for s in o.shipments[len(self._saved[o.id][2]) if o.id in self._saved else 0:]
        ]
        if new_shipments:
            self._session.execute(t.shipments.insert(), new_shipments)
        for order, state in changed:
            self._saved[order.id] = state


class _Sql:
    """The statements of the order tables for one dialect, built once per process (issue 13):
    DBAPI text with positional parameters, and each column's bind processing as SQLAlchemy
    itself would apply it, so the rows stored are exactly those SQLAlchemy would write."""

    _built: dict[str, "_Sql"] = {}

    # PostgreSQL takes a page's new rows of a table by COPY ... FROM STDIN (one round trip, no
    # statement to parse or plan, no conflict check, as the benchmark's same-rows floor); the rows
    # already stored are upserted in one statement, one array per column turned back into rows
    # by unnest. SQLite's executemany already runs one prepared statement.

    def __init__(self, dialect: Any) -> None:
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self._unnest = dialect.name == "postgresql"
        self.insert: dict[str, str] = {}
        self.upsert: dict[str, str] = {}
        self.copy: dict[str, str] = {}
        self._processors: dict[str, list[Any]] = {}
        for table in (t.orders, t.order_lines, t.order_line_components):
            names = [c.name for c in table.columns]
            keys = [c.name for c in table.primary_key]
            columns = ", ".join('"' + n + '"' for n in names)
            if self._unnest:
                arrays = ", ".join(f"%b::{c.type.compile(dialect=dialect)}[]" for c in table.columns)  # binary: no escaping
                rows = f"SELECT * FROM unnest({arrays})"
            else:
                rows = f"VALUES ({', '.join(mark for _ in names)})"
            insert = f"INSERT INTO {table.name} ({columns}) {rows}"
            self.copy[table.name] = f"COPY {table.name} ({columns}) FROM STDIN"
            updates = ", ".join('"' + n + '" = excluded."' + n + '"' for n in names if n not in keys)
            self.insert[table.name] = insert
            self.upsert[table.name] = f"{insert} ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
            self._processors[table.name] = [c.type._cached_bind_processor(dialect) for c in table.columns]

    def run(self, connection: Any, table: Any, verb: str, rows: list[tuple[Any, ...]]) -> None:
        """INSERT ("insert") or upsert ("upsert") these rows of the table, in the table's column order."""
        bound = self.bind(table, rows)
        statement = getattr(self, verb)[table.name]
        if self._unnest and verb == "insert":
            copy_rows(connection, self.copy[table.name], bound)
        elif self._unnest:
            connection.exec_driver_sql(statement, tuple(list(column) for column in zip(*bound)))
        else:
            connection.exec_driver_sql(statement, bound)

    @classmethod
    def of(cls, dialect: Any) -> "_Sql":
        built = cls._built.get(dialect.name)
        if built is None:
            built = cls._built[dialect.name] = cls(dialect)
        return built

    def bind(self, table: Any, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        # Only the columns whose type processes its values are touched (dates, enums, decimals, …).
        processing = [(n, p) for n, p in enumerate(self._processors[table.name]) if p is not None]
        bound = []
        for row in rows:
            values = list(row)
            for n, process in processing:
                if values[n] is not None:
                    values[n] = process(values[n])
            bound.append(tuple(values))
        return bound


def copy_rows(connection: Any, statement: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """Write rows with PostgreSQL's `COPY ... FROM STDIN` (text format, psycopg's own dumpers) in
    the connection's transaction. Rows are tuples in the statement's column order. A failure is
    raised as SQLAlchemy raises the driver's (`IntegrityError` for a unique key taken, ...), so
    the unit of work reads it as it reads any other statement's."""
    dbapi = connection.connection.driver_connection
    try:
        with dbapi.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except connection.dialect.loaded_dbapi.Error as failed:
        raise DBAPIError.instance(statement, None, failed, connection.dialect.loaded_dbapi.Error) from failed


def _state(order: Order) -> tuple[Any, ...]:
    return (
        _order_row(order),
        tuple(_line_row(order, n, line) for n, line in enumerate(order.lines)),
        tuple(order.shipments),
        tuple(_component_row(order, line, n, c) for line in order.lines for n, c in enumerate(line.components)),
    )


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def _order(row: Any, lines: list[Any], shipments: list[Any], components: dict[str, list[Any]]) -> Order:
    # Built as stored, not re-derived: __init__ would recompute the status.
    order = Order.__new__(Order)
    order.__dict__.update(
        id=row["id"], store_id=row["store_id"], tiktok_order_id=row["tiktok_order_id"],
        split_index=row["split_index"], parent_order_id=row["parent_order_id"], fulfilled_by=row["fulfilled_by"],
        status=row["status"], tiktok_status=row["tiktok_status"], tiktok_update_time=row["tiktok_update_time"],
        created_at=row["created_at"], address=Address(**{f: row[f"address_{f}"] for f in _ADDRESS}),
        delivery_option_id=row["delivery_option_id"], currency=row["currency"], warehouse_id=row["warehouse_id"],
        cancellation_request=_request(row),
        lines=[_line(line, components.get(line["id"], [])) for line in lines],
        shipments=[
            Shipment(package_id=s["package_id"], line_ids=tuple(s["line_ids"]), warehouse_id=s["warehouse_id"],
                     carrier=s["carrier"], tracking_number=s["tracking_number"], shipped_at=s["shipped_at"])
            for s in shipments
        ],
    )
    return order


def _line(row: Any, components: list[Any]) -> OrderLine:
    line = OrderLine.__new__(OrderLine)
    line.__dict__.update(
        id=row["id"], tiktok_line_item_id=row["tiktok_line_item_id"], seller_sku=row["seller_sku"],
        sku_id=row["sku_id"], product_sku=row["product_sku"], quantity=row["quantity"], status=row["status"],
        sale_price=row["sale_price"], stock_released=row["stock_released"], product_name=row["product_name"],
        components=[
            BundleComponent(seller_sku=c["seller_sku"], sku_id=c["sku_id"], product_id=c["product_id"],
                            quantity=c["quantity"], product_sku=c["product_sku"])
            for c in components
        ],
    )
    return line


# Rows are tuples in the tables' column order (checked at import below): what the DBAPI takes.
def _component_row(order: Order, line: OrderLine, position: int, component: BundleComponent) -> tuple[Any, ...]:
    return (line.id, position, order.id, order.store_id, component.seller_sku, component.sku_id,
            component.product_id, component.quantity, component.product_sku)


def _order_row(order: Order) -> tuple[Any, ...]:
    a = order.address
    return (
        order.id, order.store_id, order.tiktok_order_id, order.split_index, order.parent_order_id,
        order.fulfilled_by, order.status, order.tiktok_status, order.tiktok_update_time, order.created_at,
        a.name, a.line1, a.line2, a.city, a.region, a.postal_code, a.country, a.phone,
        order.delivery_option_id, order.currency, order.warehouse_id,
        *_request_columns(order.cancellation_request).values(),
    )


def _request(row: Any) -> CancellationRequest | None:
    if row["cancel_request_status"] is None:
        return None
    return CancellationRequest(
        RequestStatus(row["cancel_request_status"]), requested_at=row["cancel_requested_at"],
        cancel_id=row["cancel_request_id"] or "", reason=row["cancel_request_reason"] or "",
        reason_text=row["cancel_request_reason_text"] or "", respond_by=row["cancel_request_respond_by"],
        line_item_ids=tuple(row["cancel_request_line_item_ids"] or ()), decision=row["cancel_request_decision"] or "",
    )


def _request_columns(request: CancellationRequest | None) -> dict[str, Any]:
    if request is None:
        return {"cancel_request_status": None, "cancel_requested_at": None, "cancel_request_id": None,
                "cancel_request_reason": None, "cancel_request_reason_text": None, "cancel_request_respond_by": None,
                "cancel_request_line_item_ids": None, "cancel_request_decision": None}
    return {
        "cancel_request_status": request.status.value, "cancel_requested_at": request.requested_at,
        "cancel_request_id": request.cancel_id, "cancel_request_reason": request.reason,
        "cancel_request_reason_text": request.reason_text, "cancel_request_respond_by": request.respond_by,
        "cancel_request_line_item_ids": request.line_item_ids, "cancel_request_decision": request.decision,
    }


def _line_row(order: Order, position: int, line: OrderLine) -> tuple[Any, ...]:
    return (line.id, order.id, order.store_id, position, line.tiktok_line_item_id, line.seller_sku, line.sku_id,
            line.product_sku, line.quantity, line.status, line.sale_price, line.stock_released, line.product_name)


_COLUMNS = {
    "orders": ("id", "store_id", "tiktok_order_id", "split_index", "parent_order_id", "fulfilled_by", "status",
               "tiktok_status", "tiktok_update_time", "created_at", *(f"address_{f}" for f in _ADDRESS),
               "delivery_option_id", "currency", "warehouse_id", "cancel_request_status", "cancel_requested_at",
               "cancel_request_id", "cancel_request_reason", "cancel_request_reason_text",
               "cancel_request_respond_by", "cancel_request_line_item_ids", "cancel_request_decision"),
    "order_lines": ("id", "order_id", "store_id", "position", "tiktok_line_item_id", "seller_sku", "sku_id",
                    "product_sku", "quantity", "status", "sale_price", "stock_released", "product_name"),
    "order_line_components": ("line_id", "position", "order_id", "store_id", "seller_sku", "sku_id", "product_id",
                              "quantity", "product_sku"),
}
for _table in (t.orders, t.order_lines, t.order_line_components):
    # A column added to a table must be added to its row above, in the same place.
    assert tuple(c.name for c in _table.columns) == _COLUMNS[_table.name], _table.name


def _shipment_row(order_id: str, shipment: Shipment) -> dict[str, Any]:
    return {
        "order_id": order_id, "package_id": shipment.package_id, "line_ids": shipment.line_ids,
        "warehouse_id": shipment.warehouse_id, "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number, "shipped_at": shipment.shipped_at,
    }
