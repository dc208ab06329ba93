from application.commands import CreateWarehouse
from application.errors import AlreadyExists
from application.lookup import find_store, new_id
from application.ports import UnitOfWork
from domain.warehouses import Warehouse, WarehouseType


class CreateWarehouseHandler:
    """
    - Warehouse names are unique.
    - An FBT warehouse is created for one TikTok store; a standard one belongs to no store.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, cmd: CreateWarehouse) -> str:
        with self._uow:
            if self._uow.warehouses.by_name(cmd.name):
                raise AlreadyExists("warehouse", cmd.name)
            store_id = find_store(self._uow, cmd.store).id if cmd.store else None
            warehouse = Warehouse(
                id=new_id("wh"),
                name=cmd.name,
                type=WarehouseType.FBT if cmd.fbt else WarehouseType.STANDARD,
                store_id=store_id,
            )
            self._uow.warehouses.add(warehouse)
            self._uow.commit()
            return warehouse.id
