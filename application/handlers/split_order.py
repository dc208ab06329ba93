from application.commands import SplitOrder
from application.intents import already_split, new_key, send, settle_order, split_off
from application.lookup import find_order, new_id
from application.ports import Clock, TikTokShop, UnitOfWork
from application.tiktok_session import ShopSession
from domain.intents import Intent, IntentKind
from domain.markets import splits_before_shipping


class SplitOrderHandler:
    """
    - Only a multi-line merchant order that is still open can be split; FBT orders cannot.
    - The chosen lines move to a new order linked to the original; each part keeps at least one line.
    - Where TikTok splits before shipping (SEA, LATAM) TikTok is told too, and units of one SKU
      stay together; elsewhere each part is shipped later with its own line items.
    - A split TikTok is told of is recorded as an intent first (I-9): a lost answer leaves it
      pending, settled from TikTok's state (the lines' packages) by the next command on the order
      (this one first), the next sync or `orders reconcile`; splitting off again the lines that
      split moved raises `AlreadyDone` naming the part, and sends nothing.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock
        self._session = ShopSession(uow, tiktok, clock)

    def __call__(self, cmd: SplitOrder) -> str:
        """Returns the new part's order id."""
        settle_order(self._uow, self._tiktok, self._clock, cmd.order)
        with self._uow:
            order = find_order(self._uow, cmd.order)
            already_split(self._uow, order, cmd.order, cmd.lines)
            store = self._uow.stores.get(order.store_id)
            assert store is not None
            presplit = splits_before_shipping(store.region)
            moving = order.lines_to_split_off(cmd.lines, by_sku_only=presplit)
            order_id, store_id, tiktok_order_id = order.id, store.id, order.tiktok_order_id
            staying = [l.tiktok_line_item_id for l in order.open_lines if l not in moving]
            groups = [staying, [l.tiktok_line_item_id for l in moving]]
            intent = Intent(
                id=new_key(), kind=IntentKind.SPLIT, store_id=store_id, order_id=order_id,
                tiktok_order_id=tiktok_order_id, line_ids=tuple(l.id for l in moving),
                line_item_ids=tuple(groups[1]), staying_line_item_ids=tuple(staying),
                created_at=self._clock.now(), part_order_id=new_id("ord"),
            )
        if presplit:
            # Asked before the order changes, outside the transaction; the order is read again after.
            send(self._uow, self._session, self._clock, intent,
                 lambda: self._session.call(store_id, lambda conn: self._tiktok.split(conn, order_id=tiktok_order_id,
                                                                                       groups=groups)),
                 result_of=lambda packages: packages[-1] if packages else "")  # the moving lines' package
            return intent.part_order_id
        with self._uow:
            self._uow.lock_store(store_id)  # serialized with a sync importing this store's orders
            order = find_order(self._uow, order_id)
            part = split_off(self._uow, order, cmd.lines, intent.part_order_id, by_sku_only=presplit)
            self._uow.commit()
            return part.id
