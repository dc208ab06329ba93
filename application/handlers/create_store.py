from application.commands import CreateStore
from application.errors import AlreadyExists
from application.lookup import find_warehouse, new_id
from application.ports import UnitOfWork
from domain.stores import Store


class CreateStoreHandler:
    """
    - A store needs a name unique regardless of case ('TikTok US' and 'tiktok us' are one store); region and currency default to US and USD.
    - A saved store starts Disconnected.
    - The default warehouse for merchant orders, if given, must exist and must not be an FBT warehouse.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, cmd: CreateStore) -> str:
        with self._uow:
            existing = self._uow.stores.by_name(cmd.name)  # regardless of case
            if existing:
                raise AlreadyExists("store", existing.name)
            store = Store(id=new_id("st"), name=cmd.name, region=cmd.region, currency=cmd.currency)
            if cmd.default_warehouse:
                store.route_merchant_orders_to(find_warehouse(self._uow, cmd.default_warehouse))
            self._uow.stores.add(store)
            self._uow.commit()
            return store.id
