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
