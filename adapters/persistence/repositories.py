from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from adapters.persistence import tables as t
from adapters.persistence.order_mapper import copy_rows
from application.ports import (
    CheckpointRepository,
    ListingRepository,
    ProductRepository,
    Quarantined,
    QuarantineRepository,
    ReturnRepository,
    StockMovementRepository,
    StoreRepository,
    WarehouseRepository,
)
from domain.catalog import Listing, Product
from domain.inventory import StockMovement
from domain.returns import Return
from domain.stores import Store, store_named
from domain.sync import SyncCheckpoint
from domain.warehouses import Warehouse


class SqlAlchemyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _insert_now(self, item: object) -> None:
        # Written at once, alone: a taken name then fails here, naming the one that clashed.
        self._session.add(item)
        self._session.flush()


class SqlAlchemyStoreRepository(SqlAlchemyRepository, StoreRepository):
    def add(self, store: Store) -> None:
        self._insert_now(store)

    def get(self, store_id: str) -> Store | None:
        return self._session.get(Store, store_id)

    def by_name(self, name: str) -> Store | None:
        """The store of this name, regardless of case in any script (the exact spelling first, if
        two exist). Compared in Python: SQLite's lower() folds ASCII only ("Öl" vs "öl"), and a
        seller has a handful of stores."""
        rows = self._session.execute(select(t.stores.c.id, t.stores.c.name)).all()
        found = store_named(name, [(row.id, row.name) for row in rows])
        return None if found is None else self._session.get(Store, found)

    def by_shop_id(self, shop_id: str) -> Store | None:
        return self._session.scalars(select(Store).where(t.stores.c.shop_id == shop_id).limit(1)).one_or_none()

    def list(self) -> list[Store]:
        return list(self._session.scalars(select(Store).order_by(t.stores.c.name)))


class SqlAlchemyWarehouseRepository(SqlAlchemyRepository, WarehouseRepository):
    def add(self, warehouse: Warehouse) -> None:
        self._insert_now(warehouse)

    def get(self, warehouse_id: str) -> Warehouse | None:
        return self._session.get(Warehouse, warehouse_id)

    def by_name(self, name: str) -> Warehouse | None:
        return self._session.scalars(select(Warehouse).where(t.warehouses.c.name == name)).one_or_none()

    def list(self) -> list[Warehouse]:
        return list(self._session.scalars(select(Warehouse).order_by(t.warehouses.c.name)))


class SqlAlchemyProductRepository(SqlAlchemyRepository, ProductRepository):
    def add(self, product: Product) -> None:
        self._insert_now(product)

    def get(self, sku: str) -> Product | None:
        return self._session.get(Product, sku)

    def list(self) -> list[Product]:
        return list(self._session.scalars(select(Product).order_by(t.products.c.sku)))


class SqlAlchemyListingRepository(SqlAlchemyRepository, ListingRepository):
    def add(self, listing: Listing) -> None:
        self._session.add(listing)

    def get(self, store_id: str, seller_sku: str) -> Listing | None:
        return self._session.get(Listing, (store_id, seller_sku))

    def for_store(self, store_id: str) -> list[Listing]:
        query = select(Listing).where(t.listings.c.store_id == store_id).order_by(t.listings.c.seller_sku)
        return list(self._session.scalars(query))

    def mapping(self, store_id: str) -> dict[str, str | None]:
        self._session.flush()  # listings added in this unit of work count too
        c = t.listings.c
        rows = self._session.execute(select(c.seller_sku, c.product_sku).where(c.store_id == store_id))
        return {seller_sku: product_sku for seller_sku, product_sku in rows}


class SqlAlchemyReturnRepository(SqlAlchemyRepository, ReturnRepository):
    def add(self, ret: Return) -> None:
        self._session.add(ret)

    def for_order(self, order_id: str) -> list[Return]:
        query = select(Return).where(t.returns.c.order_id == order_id).order_by(t.returns.c.created_at, t.returns.c.id)
        return list(self._session.scalars(query))

    def recent(self, limit: int) -> list[Return]:
        query = select(Return).order_by(t.returns.c.created_at.desc(), t.returns.c.id.desc()).limit(limit)
        return list(self._session.scalars(query))


class _BufferedRows(SqlAlchemyRepository):
    """Rows without a mapped class, written in one statement when the unit of work commits.

    Executing an insert per row would also flush the session once per row: in the import loop
    that costs more than the import itself.
    """

    table: Table

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._rows: list[dict[str, Any]] = []

    def write(self) -> None:
        if self._rows:
            self._session.flush()  # the orders and lines the rows point at may still be pending
            self._session.execute(insert(self.table), self._rows)
            self._rows = []


class SqlAlchemyStockMovementRepository(_BufferedRows, StockMovementRepository):
    table = t.stock_movements

    def add(self, movement: StockMovement) -> None:
        self._rows.append(
            {
                "warehouse_id": movement.warehouse_id,
                "product_sku": movement.product_sku,
                "quantity": movement.quantity,
                "order_id": movement.order_id,
                "line_id": movement.line_id,
                "reason": movement.reason,
                "at": movement.at,
            }
        )

    def write(self) -> None:
        # PostgreSQL: a page's movements by COPY FROM STDIN (one round trip; an executemany sent
        # an INSERT per movement). The id is the column's own default, as with INSERT.
        if not self._rows or self._session.get_bind().dialect.name != "postgresql":
            super().write()
            return
        self._session.flush()  # the orders and lines the rows point at may still be pending
        dialect = self._session.get_bind().dialect
        columns = [c for c in self.table.columns if c.name in self._rows[0]]
        process = [(c.name, c.type._cached_bind_processor(dialect)) for c in columns]
        rows = [tuple(value if f is None or value is None else f(value) for name, f in process
                      for value in (row[name],)) for row in self._rows]
        statement = f"COPY {self.table.name} ({', '.join(c.name for c in columns)}) FROM STDIN"
        copy_rows(self._session.connection(), statement, rows)
        self._rows = []

    def list(self) -> list[StockMovement]:
        self.write()
        c = t.stock_movements.c
        rows = self._session.execute(
            select(c.warehouse_id, c.product_sku, c.quantity, c.order_id, c.line_id, c.reason, c.at).order_by(c.id)
        )
        return [StockMovement(*row) for row in rows]


class SqlAlchemyCheckpointRepository(SqlAlchemyRepository, CheckpointRepository):
    def get(self, store_id: str) -> SyncCheckpoint | None:
        return self._session.get(SyncCheckpoint, store_id)

    def add(self, checkpoint: SyncCheckpoint) -> None:
        self._session.add(checkpoint)


class SqlAlchemyQuarantineRepository(_BufferedRows, QuarantineRepository):
    table = t.quarantine

    def add(self, record: Quarantined) -> None:
        self._rows.append(
            {"store_id": record.store_id, "tiktok_order_id": record.tiktok_order_id, "reason": record.reason, "raw": record.raw}
        )

    def write(self) -> None:
        # Every overlapping sync reads again an order TikTok keeps sending malformed: keep one row per
        # TikTok order (its latest reason and payload), never one more per read.
        if not self._rows:
            return
        latest = {(r["store_id"], r["tiktok_order_id"]): r for r in self._rows}
        c = t.quarantine.c
        kept = self._session.execute(
            select(c.id, c.store_id, c.tiktok_order_id, c.reason, c.raw).where(
                c.tiktok_order_id.in_(sorted({order_id for _, order_id in latest}))
            )
        )
        for row_id, store_id, order_id, reason, raw in kept.all():
            row = latest.pop((store_id, order_id), None)
            if row is not None and (reason, raw) != (row["reason"], row["raw"]):
                self._session.execute(
                    update(t.quarantine).where(c.id == row_id).values(reason=row["reason"], raw=row["raw"])
                )
        self._rows = list(latest.values())
        super().write()

    def release(self, store_id: str, tiktok_order_ids: Iterable[str]) -> None:
        clean = set(tiktok_order_ids)
        self._rows = [r for r in self._rows if not (r["store_id"] == store_id and r["tiktok_order_id"] in clean)]
        if clean:
            c = t.quarantine.c
            self._session.execute(delete(t.quarantine).where(c.store_id == store_id, c.tiktok_order_id.in_(sorted(clean))))

    def list(self, store_id: str | None = None) -> list[Quarantined]:
        self.write()
        c = t.quarantine.c
        query = select(c.store_id, c.tiktok_order_id, c.reason, c.raw).order_by(c.id)
        if store_id is not None:
            query = query.where(c.store_id == store_id)
        return [Quarantined(*row) for row in self._session.execute(query)]

