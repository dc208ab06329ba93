from collections.abc import Sequence
from datetime import datetime

from domain.addresses import Address
from domain.exceptions import (
    FbtReturnNeedsCustomerAddress,
    LinesAlreadyReturned,
    ReturnNeedsAddress,
    ReturnNeedsShippedLines,
)
from domain.orders import LineStatus, Order


class Return:
    def __init__(
        self, *, id: str, order_id: str, line_ids: tuple[str, ...], address: Address, created_at: datetime
    ) -> None:
        self.id = id
        self.order_id = order_id
        self.line_ids = line_ids
        self.address = address
        self.created_at = created_at

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Return) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


def create_return(
    order: Order,
    *,
    line_refs: list[str],
    address: Address | None,
    return_id: str,
    now: datetime,
    existing: Sequence[Return] = (),
) -> Return:
    """R14: FBT returns need the customer's own full name and address; merchant ones default to the order's.

    `existing` are the order's returns so far: a unit that already has one is refused.
    """
    lines = [order.find_line(ref) for ref in line_refs]
    not_shipped = [ref for ref, line in zip(line_refs, lines) if line is None or line.status is not LineStatus.SHIPPED]
    if not line_refs or not_shipped:
        raise ReturnNeedsShippedLines(not_shipped or ["(none given)"])
    returned = {line_id: ret.id for ret in existing for line_id in ret.line_ids}
    again = {line.id: returned[line.id] for line in lines if line is not None and line.id in returned}
    if again:
        raise LinesAlreadyReturned(again)
    if order.is_fbt:
        given = address or Address()
        if not given.is_complete:
            raise FbtReturnNeedsCustomerAddress(given.missing())
        ship_from = given
    else:
        ship_from = address if address is not None and not address.is_empty else order.address
        if not ship_from.is_complete:
            raise ReturnNeedsAddress(ship_from.missing())
    return Return(
        id=return_id,
        order_id=order.id,
        line_ids=tuple(line.id for line in lines if line is not None),
        address=ship_from,
        created_at=now,
    )
