from application.handlers.cancellation_requests import pending_cancel_id
from application.lookup import find_order
from application.ports import Clock, TikTokShop, UnitOfWork
from application.tiktok_session import ShopSession
from domain.cancellation import reason_names


class OrderChoices:
    """What an order's forms may offer, from TikTok and the domain (never typed into a form):

    - `carriers`: the shipping providers TikTok lists for the order's delivery option
      (Get Shipping Providers), as `{"id", "name"}`; raises a TikTokError when TikTok cannot answer.
    - `cancel_reasons`: the seller cancel reasons TikTok accepts for the order's status and market
      (domain.cancellation), as their OMS values; empty when sellers cannot cancel it.
    - `reject_reasons`: the reasons TikTok offers for rejecting the buyer's pending cancellation
      request of the order (Get Reject Reasons), as `{"name", "text"}`; empty when no request is
      pending or the order is FBT (TikTok answers those); raises a TikTokError when TikTok cannot answer.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._session = ShopSession(uow, tiktok, clock)

    def carriers(self, order_ref: str) -> list[dict[str, str]]:
        with self._uow:
            order = find_order(self._uow, order_ref)
            store_id, delivery_option = order.store_id, order.delivery_option_id
        providers = self._session.call(
            store_id, lambda conn: self._tiktok.shipping_providers(conn, delivery_option_id=delivery_option)
        )
        return [{"id": p.id, "name": p.name} for p in providers]

    def cancel_reasons(self, order_ref: str) -> list[str]:
        with self._uow:
            order = find_order(self._uow, order_ref)
            store = self._uow.stores.get(order.store_id)
            region = store.region if store else "US"
            return [reason.value for reason in reason_names(order.tiktok_status, region)]

    def reject_reasons(self, order_ref: str) -> list[dict[str, str]]:
        with self._uow:
            order = find_order(self._uow, order_ref)
            request = order.cancellation_request
            if order.is_fbt or request is None or not request.is_pending:
                return []
            store_id, tiktok_order_id, cancel_id = order.store_id, order.tiktok_order_id, request.cancel_id
        if not cancel_id:
            cancel_id = pending_cancel_id(self._session, self._tiktok, store_id, tiktok_order_id)
        reasons = self._session.call(store_id, lambda conn: self._tiktok.reject_reasons(conn, cancel_id=cancel_id))
        return [{"name": r.name, "text": r.text or r.name} for r in reasons]
