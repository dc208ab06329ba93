"""Issue 9 item 5: one table of maximum lengths (domain/limits.py) for the commands and the schema."""

import pytest
from pydantic import ValidationError
from sqlalchemy import String

from adapters.persistence import tables as t
from adapters.persistence.unit_of_work import SqlAlchemyUnitOfWork
from application.commands import AddProduct, CreateStore, CreateWarehouse, ReturnAddress, ShipOrder
from application.handlers.add_product import AddProductHandler
from application.handlers.create_store import CreateStoreHandler
from application.handlers.create_warehouse import CreateWarehouseHandler
from application.handlers.queries import Queries
from domain import limits

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("mappers")]

SCHEMA = {
    ("stores", "name"): limits.NAME,
    ("warehouses", "name"): limits.NAME,
    ("products", "sku"): limits.SKU,
    ("products", "name"): limits.NAME,
    ("listings", "seller_sku"): limits.SKU,
    ("listings", "product_sku"): limits.SKU,
    ("order_lines", "seller_sku"): limits.SKU,
    ("order_lines", "product_sku"): limits.SKU,
    ("shipments", "carrier"): limits.CARRIER,
    ("shipments", "tracking_number"): limits.TRACKING_NUMBER,
    **{("orders", f"address_{part}"): limits.ADDRESS_FIELD
       for part in ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")},
    **{("returns", f"address_{part}"): limits.ADDRESS_FIELD
       for part in ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")},
}
COMMANDS = [
    (CreateStore, "name", limits.NAME),
    (CreateWarehouse, "name", limits.NAME),
    (AddProduct, "sku", limits.SKU),
    (AddProduct, "name", limits.NAME),
    (ShipOrder, "carrier", limits.CARRIER),
    (ShipOrder, "tracking", limits.TRACKING_NUMBER),
    (ReturnAddress, "city", limits.ADDRESS_FIELD),
]


@pytest.mark.parametrize(("table", "column"), sorted(SCHEMA), ids=[".".join(k) for k in sorted(SCHEMA)])
def test_the_schema_takes_its_lengths_from_the_limits_table(table: str, column: str) -> None:
    kind = t.metadata.tables[table].c[column].type

    assert isinstance(kind, String) and kind.length == SCHEMA[(table, column)]


@pytest.mark.parametrize(("command", "field", "limit"), COMMANDS, ids=[f"{c.__name__}.{f}" for c, f, _ in COMMANDS])
def test_commands_refuse_one_character_more_than_the_schema_holds(command: type, field: str, limit: int) -> None:
    base = {"CreateStore": {}, "CreateWarehouse": {}, "AddProduct": {"sku": "S", "name": "N"},
            "ShipOrder": {"order": "o", "carrier": "UPS", "tracking": "1Z"}, "ReturnAddress": {}}[command.__name__]

    command(**{**base, field: "x" * limit})
    with pytest.raises(ValidationError, match=f"at most {limit} characters"):
        command(**{**base, field: "x" * (limit + 1)})


def test_the_longest_accepted_values_are_stored_on_both_databases(uow: SqlAlchemyUnitOfWork) -> None:
    CreateWarehouseHandler(uow)(CreateWarehouse(name="W" * limits.NAME))
    CreateStoreHandler(uow)(CreateStore(name="S" * limits.NAME, default_warehouse="W" * limits.NAME))
    AddProductHandler(uow)(AddProduct(sku="K" * limits.SKU, name="N" * limits.NAME))

    queries = Queries(uow)
    assert [s["name"] for s in queries.stores()] == ["S" * limits.NAME]
    assert [p["sku"] for p in queries.products()] == ["K" * limits.SKU]
