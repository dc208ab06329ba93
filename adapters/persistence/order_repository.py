import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ARRAY, String, Table, bindparam, func, select, true
from sqlalchemy.orm import Session

from adapters.persistence import order_list
from adapters.persistence import tables as t
from adapters.persistence.order_mapper import OrderMapper, copy_rows
from adapters.persistence.repositories import SqlAlchemyRepository
from application.ports import OrderCursor, OrderFilter, OrderRepository, OrderSummary
from domain.imports import RemoteOrder
from domain.orders import Order

_ORDER_LIST = order_list.ORDER_LIST
_conditions = order_list.conditions
# Newest wins: an older copy never replaces the one kept (both dialects spell it the same).
_PAYLOAD_UPSERT = (
    "INSERT INTO order_payloads (store_id, tiktok_order_id, update_time, payload) {rows} "
    "ON CONFLICT (store_id, tiktok_order_id) DO UPDATE SET update_time = excluded.update_time, "
    "payload = excluded.payload WHERE excluded.update_time >= order_payloads.update_time"
)

_PAYLOAD_COPY = "COPY order_payloads (store_id, tiktok_order_id, update_time, payload) FROM STDIN"


def _by_key(table: Table, store_id: str, tiktok_order_ids: list[str]) -> Any:
    """PostgreSQL: the table's rows of these TikTok orders of the store, one index probe on
    (store_id, tiktok_order_id) per order (a LATERAL subquery per element of one array).

    `store_id = ? AND tiktok_order_id IN (...)` let the planner, without statistics (a store's
    first import outpaces autoanalyze), take the index on store_id alone and compare every row of
    the store against the whole list: each page's lookup grew with the store (9 ms a page at
    2,000 orders, most of the sync's server CPU)."""
    ids = bindparam("wanted", tiktok_order_ids, type_=ARRAY(String))
    wanted = func.unnest(ids).table_valued("tiktok_order_id").render_derived(name="wanted")
    # OFFSET 0 keeps the subquery whole (a planner fence): flattened, the planner can again loop
    # over the store's rows and compare each with the array.
    held = select(table).where(table.c.store_id == store_id, table.c.tiktok_order_id == wanted.c.tiktok_order_id
                               ).offset(0).lateral("held")
    return select(held).select_from(wanted).join(held, true()).subquery("rows")


class SqlAlchemyOrderRepository(SqlAlchemyRepository, OrderRepository):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._payloads: dict[tuple[str, str], dict[str, Any]] = {}
        # Orders `versions` found no payload for in this transaction (which holds the store
        # lock, so none appears meanwhile): theirs are inserted, not upserted.
        self._absent: set[tuple[str, str]] = set()
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
        if self._session.get_bind().dialect.name == "postgresql":
            self._mapper.write()
            held = _by_key(t.orders, store_id, wanted)
            query = self._mapper.find_rows(select(held).order_by(held.c.tiktok_order_id, held.c.split_index))
        else:
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
            # TikTok's own bytes for the order (issue 13): kept as sent, never re-serialised.
            "payload": remote.raw.decode() if isinstance(remote.raw, bytes)
            else json.dumps(remote.raw, separators=(",", ":")),
        }

    def versions(self, store_id: str, tiktok_order_ids: Iterable[str]) -> dict[str, tuple[int, bytes]]:
        self.write_payloads()
        c = t.order_payloads.c
        found: dict[str, tuple[int, bytes]] = {}
        wanted = sorted(set(tiktok_order_ids))
        if not wanted:
            return found
        postgres = self._session.get_bind().dialect.name == "postgresql"
        for start in range(0, len(wanted), len(wanted) if postgres else 500):
            if postgres:
                held = _by_key(t.order_payloads, store_id, wanted)
                query = select(held.c.tiktok_order_id, held.c.update_time, held.c.payload)
            else:
                query = select(c.tiktok_order_id, c.update_time, c.payload).where(
                    c.store_id == store_id, c.tiktok_order_id.in_(wanted[start:start + 500]))
            for order_id, update_time, payload in self._session.execute(query):
                found[order_id] = (update_time, payload.encode())
        self._absent.update((store_id, order_id) for order_id in wanted if order_id not in found)
        return found

    def write_payloads(self) -> None:
        if not self._payloads:
            return
        rows = [(p["store_id"], p["tiktok_order_id"], p["update_time"], p["payload"]) for p in self._payloads.values()]
        connection = self._session.connection()
        if self._session.get_bind().dialect.name != "postgresql":
            connection.exec_driver_sql(_PAYLOAD_UPSERT.format(rows="VALUES (?, ?, ?, ?)"), rows)
        else:  # new payloads by COPY, the others in one upsert (a column per array): a round trip each
            new = [row for row in rows if (row[0], row[1]) in self._absent]
            held = [row for row in rows if (row[0], row[1]) not in self._absent]
            if new:
                copy_rows(connection, _PAYLOAD_COPY, new)
            if held:
                arrays = "SELECT * FROM unnest(%b::varchar[], %b::varchar[], %b::bigint[], %b::text[])"
                connection.exec_driver_sql(_PAYLOAD_UPSERT.format(rows=arrays), tuple(list(c) for c in zip(*held)))
        self._absent.difference_update(self._payloads)
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
        self.write()
        return order_list.summaries(self._session, store_id=store_id, status=status, fulfilled_by=fulfilled_by,
                                    cancellation_request=cancellation_request)

    def page(self, where: OrderFilter, *, after: OrderCursor | None, limit: int) -> "list[OrderSummary]":
        self.write()
        return order_list.page(self._session, where, after=after, limit=limit)
