from application.commands import AddProduct
from application.errors import AlreadyExists
from application.ports import UnitOfWork
from domain.catalog import Product


class AddProductHandler:
    """
    - A product is the seller's own SKU; SKUs are unique.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, cmd: AddProduct) -> str:
        with self._uow:
            if self._uow.products.get(cmd.sku):
                raise AlreadyExists("product", cmd.sku)
            self._uow.products.add(Product(sku=cmd.sku, name=cmd.name))
            self._uow.commit()
            return cmd.sku
