from application.commands import AssignWarehouse
from application.lookup import find_order, find_warehouse
from application.ports import UnitOfWork


class AssignWarehouseHandler:
    """
    - An open merchant order (or a part of a split one) is routed to the warehouse that ships it.
    - A merchant order can never be routed to an FBT warehouse; FBT orders are not routed at all.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, cmd: AssignWarehouse) -> None:
        with self._uow:
            found = find_order(self._uow, cmd.order)
            order_id, store_id = found.id, found.store_id
        with self._uow:
            self._uow.lock_store(store_id)  # taken before reading: a sync may be rewriting this order
            order = find_order(self._uow, order_id)
            order.assign_warehouse(find_warehouse(self._uow, cmd.warehouse))
            self._uow.commit()
