"""Intent records (domain/intents.py): one row each, written at once so the unit of work's
commit keeps them; an intent is saved again whenever it is settled."""

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from adapters.persistence import tables as t
from application.ports import IntentRepository
from domain.intents import Intent, IntentState

_COLUMNS = [c.name for c in t.intents.columns]


class SqlAlchemyIntentRepository(IntentRepository):
    """`intents`: by id (the idempotency key); pending ones found by store or TikTok order."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, intent: Intent) -> None:
        values = _row(intent)
        done = self._session.execute(update(t.intents).where(t.intents.c.id == intent.id).values(values))
        if not done.rowcount:
            self._session.execute(t.intents.insert().values(values))

    def get(self, intent_id: str) -> Intent | None:
        found = self._select([t.intents.c.id == intent_id])
        return found[0] if found else None

    def pending(self, store_id: str | None = None, tiktok_order_id: str | None = None) -> list[Intent]:
        c = t.intents.c
        where: list[Any] = [c.state == IntentState.PENDING]
        if store_id is not None:
            where.append(c.store_id == store_id)
        if tiktok_order_id is not None:
            where.append(c.tiktok_order_id == tiktok_order_id)
        return self._select(where)

    def for_order(self, order_id: str) -> list[Intent]:
        return self._select([t.intents.c.order_id == order_id])

    def _select(self, where: list[Any]) -> list[Intent]:
        c = t.intents.c
        query = select(t.intents).where(*where).order_by(c.created_at, c.id)
        return [Intent(**dict(row._mapping)) for row in self._session.execute(query)]


def _row(intent: Intent) -> dict[str, Any]:
    return {name: getattr(intent, name) for name in _COLUMNS}
