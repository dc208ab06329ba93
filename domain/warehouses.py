from enum import Enum

from domain.exceptions import FbtWarehouseNeedsStore


class WarehouseType(str, Enum):
    STANDARD = "standard"
    FBT = "fbt"


class Warehouse:
    def __init__(
        self, *, id: str, name: str, type: WarehouseType = WarehouseType.STANDARD, store_id: str | None = None
    ) -> None:
        if type is WarehouseType.FBT and not store_id:
            raise FbtWarehouseNeedsStore()
        self.id = id
        self.name = name
        self.type = type
        self.store_id = store_id if type is WarehouseType.FBT else None

    @property
    def is_fbt(self) -> bool:
        return self.type is WarehouseType.FBT

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Warehouse) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"<Warehouse {self.id} {self.name!r} {self.type.value}>"
