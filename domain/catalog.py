class Product:
    def __init__(self, *, sku: str, name: str) -> None:
        self.sku = sku
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Product) and other.sku == self.sku

    def __hash__(self) -> int:
        return hash(self.sku)


class Listing:
    """A TikTok SKU of one store, known by its seller SKU, mapped to a product or not yet."""

    def __init__(self, *, store_id: str, seller_sku: str, product_sku: str | None = None) -> None:
        self.store_id = store_id
        self.seller_sku = seller_sku
        self.product_sku = product_sku

    @property
    def is_mapped(self) -> bool:
        return self.product_sku is not None

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Listing)
            and (other.store_id, other.seller_sku) == (self.store_id, self.seller_sku)
        )

    def __hash__(self) -> int:
        return hash((self.store_id, self.seller_sku))
