import logging
from collections.abc import Callable
from typing import TypeVar

from application.errors import (
    AccessTokenExpired,
    ApplicationError,
    AuthorizationRevoked,
    NotFound,
    StoreNeedsReauthorization,
    StoreNotConnected,
    TokensUnreadable,
)
from application.ports import Clock, TikTokShop, UnitOfWork
from domain.stores import Connection, Store

T = TypeVar("T")
_log = logging.getLogger("tiktok_oms.tokens")


class ShopSession:
    """Calls TikTok for one store with a live access token, never inside an open transaction.

    - The token is refreshed before it expires, and the new pair is committed before it is used.
    - An access token TikTok calls expired (105002) is refreshed once and the call retried once.
    - A refused refresh or a revoked authorization (105001) puts the store back to Disconnected.
    - A store whose saved tokens the secret key cannot decrypt is named in the error
      (`TokensUnreadable`, exit 4); it stays connected: restoring the key is enough.
    - Callers must not hold their own unit of work open around `call`: a slow or retried TikTok
      call would otherwise keep the database locked (SQLite has one writer).
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock

    def connection(self, store_id: str) -> Connection:
        try:
            return self._connection(store_id)
        except TokensUnreadable as exc:
            raise self._named(store_id, exc) from None

    def _connection(self, store_id: str) -> Connection:
        with self._uow:
            store = self._store(store_id)
            conn = self._connected(store)
            if not store.needs_refresh(self._clock.now()):
                return conn
        return self._refreshed(store_id, expired=None)

    def call(self, store_id: str, action: Callable[[Connection], T]) -> T:
        try:
            return self._call(store_id, action)
        except TokensUnreadable as exc:
            raise self._named(store_id, exc) from None

    def _named(self, store_id: str, exc: TokensUnreadable) -> TokensUnreadable:
        if exc.store_name is not None:
            return exc
        with self._uow:
            return exc.of_store(self._store(store_id).name)

    def _call(self, store_id: str, action: Callable[[Connection], T]) -> T:
        conn = self._connection(store_id)
        try:
            return action(conn)
        except AccessTokenExpired:
            conn = self._refreshed(store_id, expired=conn.access_token)
            return action(conn)
        except AuthorizationRevoked:
            with self._uow:
                raise self._lose(self._store(store_id), "TikTok no longer accepts its authorization") from None

    def _store(self, store_id: str) -> Store:
        store = self._uow.stores.get(store_id)
        if store is None:
            raise NotFound("store", store_id)
        return store

    @staticmethod
    def _connected(store: Store) -> Connection:
        if not store.is_connected or store.connection is None:
            raise StoreNotConnected(store.name)
        return store.connection

    def _refreshed(self, store_id: str, *, expired: str | None) -> Connection:
        with self._uow:
            # The lock comes before the read: two processes never refresh one rotating refresh
            # token twice, and the second one finds the first one's new pair.
            self._uow.lock_store(store_id)
            store = self._store(store_id)
            conn = self._connected(store)
            if expired is None and not store.needs_refresh(self._clock.now()):
                return conn
            if expired is not None and conn.access_token != expired:
                return conn
            return self._refresh(store)

    def _refresh(self, store: Store) -> Connection:
        assert store.connection is not None
        if store.refresh_expired(self._clock.now()):
            raise self._lose(store, "its TikTok authorization has expired")
        try:
            grant = self._tiktok.refresh(store.connection.refresh_token)
        except (AccessTokenExpired, AuthorizationRevoked):
            raise self._lose(store, "TikTok refused to refresh its access token") from None
        store.refreshed(grant)
        self._uow.commit()
        assert store.connection is not None
        _log.info("store %s: access token refreshed, valid until %s", store.name,
                  store.connection.access_token_expires_at.isoformat(timespec="minutes"))
        return store.connection

    def _lose(self, store: Store, why: str) -> StoreNeedsReauthorization:
        store.fail(why)
        self._uow.commit()
        return StoreNeedsReauthorization(store.name, why)
