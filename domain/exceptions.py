from datetime import date


class DomainError(Exception):
    """A business rule was broken; the message says which, in the seller's words."""


class StoreNameRequired(DomainError):
    def __init__(self) -> None:
        super().__init__("a store needs a name")


class AuthorizationStateMismatch(DomainError):
    def __init__(self, why: str) -> None:
        super().__init__(f"authorization refused: {why}")


class MissingPermissions(DomainError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            "authorization refused: the grant lacks permissions the OMS needs: " + ", ".join(missing)
        )
        self.missing = missing


class FbtStartDateTooEarly(DomainError):
    def __init__(self, earliest: date) -> None:
        super().__init__(
            f"FBT import can start no earlier than {earliest.isoformat()} "
            "(the first day of the current month)"
        )
        self.earliest = earliest


class FbtWarehouseRequired(DomainError):
    def __init__(self, why: str) -> None:
        super().__init__(why)


class FbtWarehouseNeedsStore(DomainError):
    def __init__(self) -> None:
        super().__init__("an FBT warehouse is created for one TikTok store: give --store")


class FbtOrderNotActionable(DomainError):
    def __init__(self, action: str) -> None:
        super().__init__(
            f"cannot {action} an FBT order: Fulfilled-by-TikTok orders are processed by TikTok "
            "and need no action in the OMS"
        )


class MerchantOrderCannotUseFbtWarehouse(DomainError):
    def __init__(self, warehouse: str) -> None:
        super().__init__(
            f"warehouse {warehouse!r} is an FBT warehouse: merchant orders cannot be routed to it"
        )


class OrderNotOpen(DomainError):
    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"cannot {action} an order that is {status.replace('_', ' ')}")


class OnHoldOrderCannotBeShipped(DomainError):
    def __init__(self, tiktok_status: str = "ON_HOLD") -> None:
        why = "the buyer's remorse window" if tiktok_status == "ON_HOLD" else "not paid yet"
        super().__init__(
            f"cannot ship an order TikTok still holds ({tiktok_status}, {why}): wait until TikTok releases it"
        )


class InReviewOrderCannotBeShipped(DomainError):
    def __init__(self, unmapped: list[str]) -> None:
        super().__init__(
            "cannot ship an order in review: map its listings first (" + ", ".join(unmapped) + ")"
        )


class WarehouseRequiredToShip(DomainError):
    def __init__(self) -> None:
        super().__init__("assign a warehouse to the order before shipping it")


class UnknownLines(DomainError):
    def __init__(self, lines: list[str]) -> None:
        super().__init__("these lines are not open lines of the order: " + ", ".join(lines))


class NoLinesChosen(DomainError):
    def __init__(self, action: str) -> None:
        super().__init__(f"choose at least one line to {action}")


class SplitMustLeaveLinesOnEachPart(DomainError):
    def __init__(self) -> None:
        super().__init__("a split must leave at least one line on each part")


class SplitBelowSkuLevel(DomainError):
    def __init__(self, sku: str) -> None:
        super().__init__(
            f"in this market TikTok splits orders only by SKU: move every unit of {sku!r} together"
        )


class PartialCancellationRequiresOutOfStock(DomainError):
    def __init__(self, given: str) -> None:
        super().__init__(
            f"a partial cancellation must give the reason out-of-stock (TikTok refuses {given!r} "
            "for part of an order)"
        )


class PartialCancellationNeedsPaidOrder(DomainError):
    def __init__(self, tiktok_status: str) -> None:
        super().__init__(
            f"TikTok cancels part of an order only once it is paid; this one is {tiktok_status}: "
            "cancel every line instead"
        )


class PartialCancellationNotInMarket(DomainError):
    def __init__(self, region: str) -> None:
        super().__init__(
            f"TikTok allows cancelling part of an order only in the US and UK, not in {region}"
        )


class CancelReasonNotAllowed(DomainError):
    def __init__(self, reason: str, tiktok_status: str, allowed: list[str], *, why: str = "") -> None:
        why = why or f"TikTok does not accept the reason {reason!r} for an order in status {tiktok_status}"
        super().__init__(f"{why}; allowed: " + (", ".join(allowed) or "none"))
        self.allowed = allowed


class OrderNotCancellable(DomainError):
    def __init__(self, why: str) -> None:
        super().__init__(f"cannot cancel: {why}")


class FbtReturnNeedsCustomerAddress(DomainError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            "TikTok gives no complete customer name and address for FBT orders: ask the customer "
            "for their shipping details and give " + ", ".join(missing)
        )


class ReturnNeedsAddress(DomainError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__("the order has no complete address for the return: give " + ", ".join(missing))


class LinesAlreadyReturned(DomainError):
    def __init__(self, returned: dict[str, str]) -> None:
        super().__init__(
            "already returned: " + ", ".join(f"line {line} (return {ret})" for line, ret in returned.items())
            + "; a unit is returned once"
        )


class ReturnNeedsShippedLines(DomainError):
    def __init__(self, lines: list[str]) -> None:
        super().__init__("only shipped lines can be returned: " + ", ".join(lines))


class OrderLineQuantityIsOne(DomainError):
    def __init__(self, quantity: int) -> None:
        super().__init__(f"a TikTok order line always holds quantity 1, not {quantity}")


class NotStorable(DomainError):
    """A value the OMS would have to keep does not fit its schema (domain/limits.py): refused
    before anything is sent to TikTok, so TikTok is never told what the OMS cannot record."""

    def __init__(self, action: str, what: str, problem: str) -> None:
        super().__init__(f"cannot {action}: the {what} {problem}; nothing was sent to TikTok")
