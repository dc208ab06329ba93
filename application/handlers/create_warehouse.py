from application.commands import CreateWarehouse
from application.errors import AlreadyExists, ApplicationError
from application.lookup import find_store, new_id
from application.ports import UnitOfWork
from domain.warehouses import Warehouse, WarehouseType


class CreateWarehouseHandler:
    """
    - Warehouse names are unique.
    - An FBT warehouse is created for one TikTok store; a standard one belongs to no store (a store
      given without --fbt is refused rather than ignored).
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, cmd: CreateWarehouse) -> str:
        with self._uow:
            if self._uow.warehouses.by_name(cmd.name):
                raise AlreadyExists("warehouse", cmd.name)
            if cmd.store and not cmd.fbt:
                raise ApplicationError(
                    f"--store is only for an FBT warehouse: add --fbt to create the FBT warehouse of store "
                    f"{cmd.store}, or leave out --store for a standard warehouse"
                )
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
