from typing import Any

from sqlalchemy import Column, Table, event, inspect
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.orm import Session, clear_mappers, composite, registry, relationship, synonym

from adapters.persistence import tables as t
from domain.addresses import Address
from domain.catalog import Listing, Product
from domain.orders import Order, OrderLine, Shipment
from domain.returns import Return
from domain.stores import Connection, FbtImportSettings, Store
from domain.sync import SyncCheckpoint
from domain.warehouses import Warehouse

mapper_registry = registry(metadata=t.metadata)


class ShipmentRow:
    """A row of the shipments table; the domain only ever sees the `Shipment` value it holds."""

    def __init__(self, shipment: Shipment) -> None:
        self.package_id = shipment.package_id
        self.line_ids = shipment.line_ids
        self.warehouse_id = shipment.warehouse_id
        self.carrier = shipment.carrier
        self.tracking_number = shipment.tracking_number
        self.shipped_at = shipment.shipped_at

    @property
    def shipment(self) -> Shipment:
        return Shipment(
            package_id=self.package_id,
            line_ids=self.line_ids,
            warehouse_id=self.warehouse_id,
            carrier=self.carrier,
            tracking_number=self.tracking_number,
            shipped_at=self.shipped_at,
        )


def _hidden(table: Table, *names: str) -> dict[str, Column]:
    # Columns that back a value object or the adapter's bookkeeping are kept off the domain's
    # attribute names.
    return {f"_{name}": table.c[name] for name in names}


def _address(table: Table) -> tuple[dict[str, Any], Any]:
    names = [f"address_{f}" for f in ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")]
    return _hidden(table, *names), composite(Address, *(f"_{n}" for n in names))


_CONNECTION = (
    "shop_id", "shop_cipher", "shop_name", "access_token", "access_token_expires_at",
    "refresh_token", "refresh_token_expires_at", "granted_scopes",
)
_FBT = ("fbt_enabled", "fbt_start_date", "fbt_warehouse_id")


def map_tables() -> None:
    """Map the domain classes onto the tables; calling it again changes nothing."""
    if inspect(Order, raiseerr=False) is not None:
        return
    m = mapper_registry.map_imperatively
    m(Product, t.products)
    m(Listing, t.listings)
    m(Warehouse, t.warehouses)
    m(
        Store,
        t.stores,
        properties={
            **_hidden(t.stores, *_CONNECTION, *_FBT),
            "connection": composite(
                Connection, *(f"_{n}" for n in _CONNECTION), return_none_on=lambda *v: v[0] is None
            ),
            "fbt": composite(FbtImportSettings, *(f"_{n}" for n in _FBT)),
        },
    )
    m(OrderLine, t.order_lines, properties=_hidden(t.order_lines, "order_id", "store_id", "position"))
    m(ShipmentRow, t.shipments, properties=_hidden(t.shipments, "id", "order_id"))
    order_address, order_address_vo = _address(t.orders)
    m(
        Order,
        t.orders,
        properties={
            **order_address,
            "address": order_address_vo,
            "lines": relationship(
                OrderLine, order_by=t.order_lines.c.position, lazy="selectin", cascade="all, delete-orphan"
            ),
            "_shipment_rows": relationship(
                ShipmentRow, order_by=t.shipments.c.id, lazy="selectin", cascade="all, delete-orphan"
            ),
            "shipments": synonym(
                "_shipment_rows",
                descriptor=association_proxy("_shipment_rows", "shipment", creator=ShipmentRow),
            ),
        },
    )
    return_address, return_address_vo = _address(t.returns)
    m(Return, t.returns, properties={**return_address, "address": return_address_vo})
    m(SyncCheckpoint, t.sync_checkpoints)
    if not event.contains(Session, "before_flush", _number_lines):
        event.listen(Session, "before_flush", _number_lines)


def unmap_tables() -> None:
    """Give the domain classes back their plain selves (tests that need unmapped classes)."""
    clear_mappers()


def _number_lines(session: Session, *_: object) -> None:
    # The domain keeps an order's lines as a list; its order and store are written down here.
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Order):
            for position, line in enumerate(obj.lines):
                _keep(line, "_position", position)
                _keep(line, "_store_id", obj.store_id)


def _keep(line: OrderLine, column: str, value: object) -> None:
    if getattr(line, column) != value:  # an unchanged value is not rewritten
        setattr(line, column, value)
