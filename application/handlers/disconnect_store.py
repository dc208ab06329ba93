from application.commands import DisconnectStore
from application.lookup import find_store
from application.ports import UnitOfWork


class DisconnectStoreHandler:
    """
    - Disconnecting forgets the store's tokens; its orders and settings stay.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, cmd: DisconnectStore) -> None:
        with self._uow:
            find_store(self._uow, cmd.store).disconnect()
            self._uow.commit()
