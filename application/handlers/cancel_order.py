from application.commands import CancelOrder
from application.intents import already_cancelled, new_key, send, settle_order
from application.lookup import find_order, siblings
from application.ports import Clock, TikTokShop, UnitOfWork
from application.tiktok_session import ShopSession
from domain.cancellation import plan_cancellation
from domain.intents import Intent, IntentKind


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
    - The cancellation is recorded as an intent before TikTok is told (I-9): a lost answer leaves
      it pending, settled from TikTok's state by the next command on the order (this one first),
      the next sync or `orders reconcile`; cancelling again what that cancelled raises
      `AlreadyDone` and sends nothing.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock
        self._session = ShopSession(uow, tiktok, clock)

    def __call__(self, cmd: CancelOrder) -> str:
        """Returns TikTok's cancel id."""
        settle_order(self._uow, self._tiktok, self._clock, cmd.order)
        with self._uow:
            order = find_order(self._uow, cmd.order)
            already_cancelled(self._uow, order, cmd.order, cmd.lines)
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
            store_id = store.id
            item_ids, bundle_ids = plan.line_item_ids, plan.bundle_line_item_ids
            intent = Intent(
                id=new_key(), kind=IntentKind.CANCEL, store_id=store_id, order_id=order.id,
                tiktok_order_id=plan.tiktok_order_id, line_ids=tuple(line.id for line in plan.lines),
                line_item_ids=tuple(line.tiktok_line_item_id for line in plan.lines),
                created_at=self._clock.now(), reason=plan.reason_name, partial=plan.partial,
            )
        # TikTok is called outside the transaction; the order is read again to record the result.
        return send(
            self._uow, self._session, self._clock, intent,
            lambda: self._session.call(
                store_id,
                lambda conn: self._tiktok.cancel(
                    conn, order_id=plan.tiktok_order_id, reason_name=plan.reason_name, line_item_ids=item_ids,
                    **({"bundle_line_item_ids": bundle_ids} if bundle_ids else {}),
                ),
            ),
            result_of=str,
        )
