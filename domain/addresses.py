from dataclasses import dataclass, fields

_REQUIRED = {
    "name": "name",
    "line1": "address-line1",
    "city": "city",
    "postal_code": "postal-code",
    "country": "country",
}


def _present(value: str) -> bool:
    # TikTok desensitizes what it will not disclose ("(+1)213-***-1234"): masked is not given.
    return bool(value and value.strip()) and "*" not in value


@dataclass(frozen=True, slots=True)
class Address:
    name: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""

    def missing(self) -> list[str]:
        return [label for attr, label in _REQUIRED.items() if not _present(getattr(self, attr))]

    @property
    def is_complete(self) -> bool:
        return not self.missing()

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


def newer_address(stored: Address, incoming: Address) -> Address:
    """The address to keep when TikTok sends an order again.

    TikTok masks or empties an address it once sent in full: in the US since 2025-07-21 once an
    order is CANCELLED and 30 days after COMPLETED ("R***", "875**", emptied lines; TikTok's
    changelog "US market: changes to recipient address masking"), and for ON_HOLD orders. So the
    last complete address is kept; a new one is taken only when it is complete (a real change:
    an address update, an ON_HOLD order released) or when none was ever complete.
    """
    if incoming.is_complete or not stored.is_complete:
        return incoming
    return stored
