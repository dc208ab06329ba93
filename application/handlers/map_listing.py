from dataclasses import dataclass

from application.commands import MapListing, UnmapListing
from application.errors import NotFound
from application.lookup import find_store
from application.ports import Clock, UnitOfWork
from domain.catalog import Listing


@dataclass(frozen=True, slots=True)
class MappingResult:
    orders_changed: int
    stock_movements: int


class MapListingHandler:
    """
    - A listing (a TikTok SKU of the store) is mapped to one of the seller's products.
    - Once the last listing of an order in review is mapped it moves on by itself: an FBT order
      to Shipped (its units then leave the FBT warehouse), a merchant order to Awaiting Fulfilment.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def __call__(self, cmd: MapListing) -> MappingResult:
        with self._uow:
            store = find_store(self._uow, cmd.store)
            self._uow.lock_store(store.id)  # serialized with a sync importing this store's orders
            product = self._uow.products.get(cmd.product)
            if product is None:
                raise NotFound("product", cmd.product)
            listing = self._uow.listings.get(store.id, cmd.seller_sku)
            if listing is None:
                listing = Listing(store_id=store.id, seller_sku=cmd.seller_sku)
                self._uow.listings.add(listing)
            listing.product_sku = product.sku
            changed = moved = 0
            now = self._clock.now()
            for order in self._uow.orders.with_seller_sku(store.id, cmd.seller_sku):
                changed += order.map_listing(cmd.seller_sku, product.sku)
                for movement in order.settle_fbt_stock(now):
                    self._uow.movements.add(movement)
                    moved += 1
            self._uow.commit()
            return MappingResult(changed, moved)


class UnmapListingHandler:
    """
    - Unmapping a listing puts its open merchant orders back in review.
    - Shipped and FBT orders keep the product they were sold as.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def __call__(self, cmd: UnmapListing) -> MappingResult:
        with self._uow:
            store = find_store(self._uow, cmd.store)
            self._uow.lock_store(store.id)
            listing = self._uow.listings.get(store.id, cmd.seller_sku)
            if listing is None:
                raise NotFound("listing", cmd.seller_sku)
            listing.product_sku = None
            changed = sum(
                order.map_listing(cmd.seller_sku, None)
                for order in self._uow.orders.with_seller_sku(store.id, cmd.seller_sku)
            )
            self._uow.commit()
            return MappingResult(changed, 0)
