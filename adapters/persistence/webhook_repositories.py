"""Webhook deliveries (deduplicated by TikTok's notification id) and the order refreshes they ask for."""

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from adapters.persistence import tables as t
from application.ports import RefreshRequestRepository, WebhookNotification, WebhookRepository


def _insert(session: Session, table):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


class SqlAlchemyWebhookRepository(WebhookRepository):
    """`webhook_notifications`: one row per TikTok notification id (the primary key deduplicates)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, notification: WebhookNotification) -> bool:
        # ON CONFLICT DO NOTHING: a concurrent duplicate waits for the first one's transaction on
        # PostgreSQL (SQLite runs one writer at a time) and then inserts nothing.
        statement = _insert(self._session, t.webhook_notifications).values(
            id=notification.id, store_id=notification.store_id, type=notification.type,
            sent_at=notification.sent_at, received_at=notification.received_at, payload=notification.payload,
        ).on_conflict_do_nothing(index_elements=["id"]).returning(t.webhook_notifications.c.id)
        return self._session.execute(statement).first() is not None

    def list(self, store_id: str | None = None) -> list[WebhookNotification]:
        c = t.webhook_notifications.c
        query = select(c.id, c.store_id, c.type, c.sent_at, c.received_at, c.payload).order_by(c.received_at, c.id)
        if store_id is not None:
            query = query.where(c.store_id == store_id)
        return [WebhookNotification(*row) for row in self._session.execute(query)]

    def forget_before(self, moment: datetime) -> int:
        c = t.webhook_notifications.c
        return int(self._session.execute(delete(t.webhook_notifications).where(c.received_at < moment)).rowcount)


class SqlAlchemyRefreshRequestRepository(RefreshRequestRepository):
    """`order_refresh_requests`: one row per (store, TikTok order) waiting for a refresh."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def request(self, store_id: str, tiktok_order_id: str, at: datetime) -> None:
        statement = _insert(self._session, t.order_refresh_requests).values(
            store_id=store_id, tiktok_order_id=tiktok_order_id, requested_at=at
        )
        statement = statement.on_conflict_do_update(
            index_elements=["store_id", "tiktok_order_id"], set_={"requested_at": statement.excluded.requested_at}
        )
        self._session.execute(statement)

    def pending(self, *, requested_before: datetime | None = None) -> list[tuple[str, str]]:
        c = t.order_refresh_requests.c
        query = select(c.store_id, c.tiktok_order_id).order_by(c.requested_at)
        if requested_before is not None:
            query = query.where(c.requested_at < requested_before)
        return [(row[0], row[1]) for row in self._session.execute(query)]

    def done(self, store_id: str, tiktok_order_id: str, requested_until: datetime) -> None:
        c = t.order_refresh_requests.c
        self._session.execute(delete(t.order_refresh_requests).where(
            c.store_id == store_id, c.tiktok_order_id == tiktok_order_id, c.requested_at <= requested_until))
