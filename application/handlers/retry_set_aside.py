"""`orders set-aside --retry`: the orders a sync set aside, read again from TikTok."""

from dataclasses import dataclass

from application.errors import ApplicationError
from application.lookup import find_store
from application.order_import import import_orders
from application.ports import Clock, TikTokShop, UnitOfWork
from application.tiktok_session import ShopSession
from domain.exceptions import DomainError

DETAIL_BATCH = 50  # Get Order Detail takes at most 50 ids a call (TIKTOK_API.md §7.3)


@dataclass(frozen=True, slots=True)
class Retried:
    """One set-aside order read again: `outcome` is "imported", "still set aside: REASON" or
    "TikTok could not be asked: WHY"."""

    store_id: str
    store: str
    tiktok_order_id: str
    outcome: str


class RetrySetAsideHandler:
    """
    - Reads every order a sync set aside (of one store, or of every connected store) again with
      Get Order Detail, 50 a call, and imports those TikTok now sends in a shape the OMS can keep
      (newer only, R16); the others stay set aside with their (new) reason.
    - A store TikTok cannot be asked for keeps its orders set aside and says why; the others go on.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock
        self._session = ShopSession(uow, tiktok, clock)

    def __call__(self, store: str | None = None) -> list[Retried]:
        with self._uow:
            store_id = find_store(self._uow, store).id if store else None
            names = {s.id: s.name for s in self._uow.stores.list() if s.is_connected}
            wanted: dict[str, list[str]] = {}
            for record in self._uow.quarantine.list(store_id):
                if record.store_id in names:
                    wanted.setdefault(record.store_id, []).append(record.tiktok_order_id)
        retried: list[Retried] = []
        for sid, order_ids in wanted.items():
            for start in range(0, len(order_ids), DETAIL_BATCH):
                batch = order_ids[start:start + DETAIL_BATCH]
                retried += self._retry(sid, names[sid], batch)
        return retried

    def _retry(self, store_id: str, name: str, order_ids: list[str]) -> list[Retried]:
        try:
            page = self._session.call(store_id, lambda conn: self._tiktok.order_details(conn, order_ids))
        except (ApplicationError, DomainError) as exc:
            why = " ".join(str(exc).split())
            return [Retried(store_id, name, order_id, f"TikTok could not be asked: {why}") for order_id in order_ids]
        page = page.read()
        sent = {o.tiktok_order_id for o in page.orders} | {r.tiktok_order_id for r in page.rejected}
        with self._uow:
            self._uow.lock_store(store_id)
            import_orders(self._uow, store_id, page, self._clock.now())
            still = {q.tiktok_order_id: q.reason for q in self._uow.quarantine.list(store_id)}
            self._uow.commit()

        def outcome(order_id: str) -> str:
            if order_id not in still:
                return "imported"
            if order_id not in sent:
                return f"TikTok did not send it (it may no longer exist); still set aside: {still[order_id]}"
            return f"still set aside: {still[order_id]}"

        return [Retried(store_id, name, order_id, outcome(order_id)) for order_id in order_ids]
