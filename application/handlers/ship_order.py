from application.commands import ShipOrder
from application.errors import ApplicationError
from application.lookup import find_order
from application.ports import Clock, ShippingProvider, TikTokShop, UnitOfWork
from application.tiktok_session import ShopSession
from domain.markets import splits_before_shipping
from domain.orders import Shipment


class ShipOrderHandler:
    """
    - An order (or a split part) ships from its assigned warehouse with a carrier and tracking number.
    - TikTok is told which line items the package holds (where TikTok splits before shipping, the
      part's own package is shipped); the carrier must be one TikTok lists for
      the order's delivery option (by name or provider id).
    - FBT orders, orders in review and orders TikTok still holds (ON_HOLD) cannot be shipped.
    - If TikTok refuses, the order stays as it was.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock
        self._session = ShopSession(uow, tiktok, clock)

    def __call__(self, cmd: ShipOrder) -> str:
        with self._uow:
            order = find_order(self._uow, cmd.order)
            lines = order.lines_to_ship()
            order_id, store_id, tiktok_order_id = order.id, order.store_id, order.tiktok_order_id
            line_ids = [line.id for line in lines]
            item_ids = [line.tiktok_line_item_id for line in lines]
            delivery_option = order.delivery_option_id
            store = self._uow.stores.get(store_id)
            assert store is not None
            existing_package = splits_before_shipping(store.region)
        # TikTok is called outside the transaction; the order is read again to record the result.
        providers = self._session.call(
            store_id, lambda conn: self._tiktok.shipping_providers(conn, delivery_option_id=delivery_option)
        )
        provider = self._carrier(cmd.carrier, providers)
        package_id = self._session.call(
            store_id,
            lambda conn: self._tiktok.ship_package(
                conn,
                order_id=tiktok_order_id,
                line_item_ids=item_ids,
                tracking_number=cmd.tracking,
                provider_id=provider.id,
                existing_package=existing_package,
            ),
        )
        with self._uow:
            self._uow.lock_store(store_id)  # serialized with a sync importing this store's orders
            order = find_order(self._uow, order_id)
            assert order.warehouse_id is not None
            order.record_shipment(
                Shipment(
                    package_id=package_id,
                    line_ids=tuple(line_ids),
                    warehouse_id=order.warehouse_id,
                    carrier=provider.name,
                    tracking_number=cmd.tracking,
                    shipped_at=self._clock.now(),
                )
            )
            self._uow.commit()
            return package_id

    @staticmethod
    def _carrier(wanted: str, providers: list[ShippingProvider]) -> ShippingProvider:
        for provider in providers:
            if wanted.casefold() in (provider.name.casefold(), provider.id):
                return provider
        names = ", ".join(p.name for p in providers) or "none"
        raise ApplicationError(f"TikTok does not list carrier {wanted!r} for this order; choose one of: {names}")
