import secrets

from application.errors import ApplicationError, NotFound
from application.ports import UnitOfWork
from domain.orders import Order
from domain.stores import Store
from domain.warehouses import Warehouse


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


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
