from dataclasses import replace

from application.commands import ShipOrder
from application.errors import ApplicationError, PendingCancellationRequest, TikTokRefused
from application.handlers.cancellation_requests import pending_request_of
from application.intents import already_shipped, new_key, send, settle_order
from application.lookup import find_order
from application.ports import Clock, ShippingProvider, TikTokShop, UnitOfWork
from application.tiktok_session import ShopSession
from domain.intents import Intent, IntentKind
from domain.markets import shipping_rejects_cancel_request, splits_before_shipping


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
    - The shipment is recorded as an intent before TikTok is told (I-9): a lost answer leaves it
      pending, settled from TikTok's state by the next command on the order (this one first), the
      next sync or `orders reconcile`. Shipping again what that shipped, with the same tracking
      number, raises `AlreadyDone` (package, carrier, tracking) and sends nothing.
    - Everything the OMS will keep (tracking number, TikTok's carrier name) is checked against
      the schema's limits before anything is sent (`NotStorable`).
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock
        self._session = ShopSession(uow, tiktok, clock)

    def __call__(self, cmd: ShipOrder) -> str:
        settle_order(self._uow, self._tiktok, self._clock, cmd.order)
        with self._uow:
            order = find_order(self._uow, cmd.order)
            already_shipped(self._uow, order, cmd.order, cmd.tracking)
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
            rejects_request = request is not None and shipping_rejects_cancel_request(store.region)
            if request is not None and (not cmd.despite_cancel_request or not rejects_request):
                raise PendingCancellationRequest(request, order_ref=cmd.order, ships_anyway=rejects_request)
            # Checked before any request: what the OMS will keep must fit (NotStorable).
            draft = Intent(
                id=new_key(), kind=IntentKind.SHIP, store_id=store_id, order_id=order_id,
                tiktok_order_id=tiktok_order_id, line_ids=tuple(line_ids), line_item_ids=tuple(item_ids),
                created_at=self._clock.now(), tracking_number=cmd.tracking,
            )
        # TikTok is called outside the transaction; the order is read again to record the result.
        providers = self._session.call(
            store_id, lambda conn: self._tiktok.shipping_providers(conn, delivery_option_id=delivery_option)
        )
        provider = self._carrier(cmd.carrier, providers)
        intent = replace(draft, carrier=provider.name, provider_id=provider.id, created_at=self._clock.now())
        try:
            return send(
                self._uow, self._session, self._clock, intent,
                lambda: self._session.call(
                    store_id,
                    lambda conn: self._tiktok.ship_package(
                        conn,
                        order_id=tiktok_order_id,
                        line_item_ids=item_ids,
                        tracking_number=cmd.tracking,
                        provider_id=provider.id,
                        existing_package=existing_package,
                    ),
                ),
                result_of=str,
            )
        except TikTokRefused as exc:
            if exc.code != LINES_NOT_SHIPPABLE:
                raise
            raise TikTokRefused(
                f"{exc}. Some of these lines were probably shipped in TikTok Seller Center already: run "
                f"'tiktok-oms orders sync {store_name}' first, then ship what is left", code=exc.code,
            ) from None

    @staticmethod
    def _carrier(wanted: str, providers: list[ShippingProvider]) -> ShippingProvider:
        for provider in providers:
            if wanted.casefold() in (provider.name.casefold(), provider.id):
                return provider
        names = ", ".join(p.name for p in providers) or "none"
        raise ApplicationError(f"TikTok does not list carrier {wanted!r} for this order; choose one of: {names}")
