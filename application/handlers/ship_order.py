from application.commands import ShipOrder
from application.errors import ApplicationError, PendingCancellationRequest, TikTokRefused
from application.handlers.cancellation_requests import pending_request_of
from application.lookup import find_order
from application.ports import Clock, ShippingProvider, TikTokShop, UnitOfWork
from application.tiktok_session import ShopSession
from domain.markets import market, splits_before_shipping
from domain.orders import Shipment


# TikTok refuses to ship line items already shipped (for example in Seller Center) or under an
# after-sale request (fulfillment-api-overview, TIKTOK_API.md section 5).
LINES_NOT_SHIPPABLE = 21011007


class ShipOrderHandler:
    """
    - An order (or a split part) ships from its assigned warehouse with a carrier and tracking number.
    - TikTok is told which line items the package holds (where TikTok splits before shipping, the
      part's own package is shipped); the carrier must be one TikTok lists for
      the order's delivery option (by name or provider id).
    - FBT orders, orders in review and orders TikTok still holds (ON_HOLD) cannot be shipped.
    - An order whose buyer asked to cancel, and waits for the seller's answer, is not shipped
      unless the seller says so: in the US shipping rejects the request; elsewhere TikTok does
      not ship it until the request is answered (21011007), so it is refused before sending.
    - If TikTok refuses, the order stays as it was; lines already shipped in Seller Center make the
      error say to run `orders sync` first.
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
            store_name = store.name
            request = pending_request_of(order)
            rejects_request = request is not None and market(store.region) == "US"
            if request is not None and (not cmd.despite_cancel_request or not rejects_request):
                raise PendingCancellationRequest(request, order_ref=cmd.order, ships_anyway=rejects_request)
        # TikTok is called outside the transaction; the order is read again to record the result.
        providers = self._session.call(
            store_id, lambda conn: self._tiktok.shipping_providers(conn, delivery_option_id=delivery_option)
        )
        provider = self._carrier(cmd.carrier, providers)
        try:
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
        except TikTokRefused as exc:
            if exc.code != LINES_NOT_SHIPPABLE:
                raise
            raise TikTokRefused(
                f"{exc}. Some of these lines were probably shipped in TikTok Seller Center already: run "
                f"'tiktok-oms orders sync {store_name}' first, then ship what is left", code=exc.code,
            ) from None
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
            if rejects_request:  # TikTok rejects the pending request as the package ships (US)
                order.reject_cancellation_request("", "shipped")
            self._uow.commit()
            return package_id

    @staticmethod
    def _carrier(wanted: str, providers: list[ShippingProvider]) -> ShippingProvider:
        for provider in providers:
            if wanted.casefold() in (provider.name.casefold(), provider.id):
                return provider
        names = ", ".join(p.name for p in providers) or "none"
        raise ApplicationError(f"TikTok does not list carrier {wanted!r} for this order; choose one of: {names}")
