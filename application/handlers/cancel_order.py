from application.commands import CancelOrder
from application.lookup import find_order, siblings
from application.ports import Clock, TikTokShop, UnitOfWork
from application.tiktok_session import ShopSession
from domain.cancellation import plan_cancellation


class CancelOrderHandler:
    """
    - Some lines of an order can be cancelled while the rest go on (a partial cancellation).
    - A partial cancellation must give the reason out of stock; any other reason is refused
      before anything is sent to TikTok.
    - Cancelling every remaining line is a full cancellation and may use any seller reason TikTok
      accepts for the order's status in the store's market (TikTok's per-market table, with its
      dated removals); a reason the market does not offer is refused naming the allowed ones.
    - A virtual bundle line is cancelled with every unit inside it (TikTok's 202602 cancel body).
    - FBT orders cannot be cancelled in the OMS. If TikTok refuses, the order stays as it was.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock
        self._session = ShopSession(uow, tiktok, clock)

    def __call__(self, cmd: CancelOrder) -> str:
        with self._uow:
            order = find_order(self._uow, cmd.order)
            store = self._uow.stores.get(order.store_id)
            assert store is not None
            plan = plan_cancellation(
                order,
                line_refs=cmd.lines,
                reason=cmd.reason,
                region=store.region,
                sibling_parts=tuple(siblings(self._uow, order)),
                today=self._clock.now().date(),
            )
            order_id, store_id = order.id, store.id
            line_ids = {line.id for line in plan.lines}
            item_ids, bundle_ids = plan.line_item_ids, plan.bundle_line_item_ids
        # TikTok is called outside the transaction; the order is read again to record the result.
        cancel_id = self._session.call(
            store_id,
            lambda conn: self._tiktok.cancel(
                conn, order_id=plan.tiktok_order_id, reason_name=plan.reason_name, line_item_ids=item_ids,
                **({"bundle_line_item_ids": bundle_ids} if bundle_ids else {}),
            ),
        )
        with self._uow:
            self._uow.lock_store(store_id)  # serialized with a sync importing this store's orders
            order = find_order(self._uow, order_id)
            order.cancel_lines([line for line in order.lines if line.id in line_ids])
            self._uow.commit()
            return cancel_id
