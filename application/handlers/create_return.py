from application.commands import CreateReturn
from application.lookup import find_order, new_id
from application.ports import Clock, UnitOfWork
from domain.addresses import Address
from domain.returns import create_return


class CreateReturnHandler:
    """
    - A return covers shipped lines of an order.
    - TikTok gives no complete name and address for FBT orders: their returns need the customer's
      full name and address, or they are refused.
    - A merchant order's return uses the order's own address unless another is given.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def __call__(self, cmd: CreateReturn) -> str:
        with self._uow:
            order = find_order(self._uow, cmd.order)
            address = Address(**cmd.address.model_dump()) if cmd.address else None
            ret = create_return(
                order, line_refs=cmd.lines, address=address, return_id=new_id("ret"), now=self._clock.now()
            )
            self._uow.returns.add(ret)
            self._uow.commit()
            return ret.id
