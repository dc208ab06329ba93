from typing import Any

from sqlalchemy import Column, Table, inspect
from sqlalchemy.orm import clear_mappers, composite, registry

from adapters.persistence import tables as t
from domain.addresses import Address
from domain.catalog import Listing, Product
from domain.returns import Return
from domain.stores import Connection, FbtImportSettings, Store
from domain.sync import SyncCheckpoint
from domain.warehouses import Warehouse

mapper_registry = registry(metadata=t.metadata)


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
    if inspect(Store, raiseerr=False) is not None:
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
    # Orders, lines and shipments are not mapped here: see order_mapper.py.
    return_address, return_address_vo = _address(t.returns)
    m(Return, t.returns, properties={**return_address, "address": return_address_vo})
    m(SyncCheckpoint, t.sync_checkpoints)


def unmap_tables() -> None:
    """Give the domain classes back their plain selves (tests that need unmapped classes)."""
    clear_mappers()
