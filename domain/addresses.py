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
