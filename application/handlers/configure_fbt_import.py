from datetime import UTC, datetime, time

from application.commands import ConfigureFbtImport
from application.errors import ApplicationError
from application.lookup import find_store, find_warehouse
from application.ports import Clock, UnitOfWork


class ConfigureFbtImportHandler:
    """
    - FBT order import is off by default.
    - Enabling it takes a start date no earlier than the first day of the current month and an
      FBT warehouse created for this store.
    - FBT orders from the start date on that earlier syncs skipped are imported by the next sync.
    - Disabling it stops FBT orders from being imported; those already imported stay.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def __call__(self, cmd: ConfigureFbtImport) -> None:
        with self._uow:
            store = find_store(self._uow, cmd.store)
            if not cmd.enable:
                store.disable_fbt_import()
            else:
                if cmd.start_date is None or not cmd.warehouse:
                    raise ApplicationError("enabling FBT import needs --start-date and --warehouse")
                warehouse = find_warehouse(self._uow, cmd.warehouse)
                store.enable_fbt_import(start_date=cmd.start_date, warehouse=warehouse, today=self._clock.now().date())
                # FBT orders the store skipped while import was off come in on the next sync.
                checkpoint = self._uow.checkpoints.get(store.id)
                if checkpoint is not None:
                    start = datetime.combine(cmd.start_date, time.min, tzinfo=UTC)
                    checkpoint.rewind_to(int(start.timestamp()))
                    self._uow.checkpoints.add(checkpoint)
            self._uow.commit()
