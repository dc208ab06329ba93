from application.addresses import checked_address
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
    - An address given must be plausible: an ISO 3166 country code, a postal code that fits it.
    - A unit is returned once: a second return for it is refused.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def __call__(self, cmd: CreateReturn) -> str:
        with self._uow:
            order = find_order(self._uow, cmd.order)
            address = checked_address(Address(**cmd.address.model_dump())) if cmd.address else None
            ret = create_return(
                order, line_refs=cmd.lines, address=address, return_id=new_id("ret"), now=self._clock.now(),
                existing=self._uow.returns.for_order(order.id),
            )
            self._uow.returns.add(ret)
            self._uow.commit()
            return ret.id
