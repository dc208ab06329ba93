import logging
from collections.abc import Callable
from typing import TypeVar

from application.errors import (
    AccessTokenExpired,
    AuthorizationRevoked,
    NotFound,
    StoreNeedsReauthorization,
    StoreNotConnected,
    TokensUnreadable,
)
from application.ports import Clock, TikTokShop, UnitOfWork
from domain.stores import REFRESH_MARGIN, Connection, Store

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

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock, *, keep_connection: bool = False) -> None:
        """`keep_connection`: a long caller (a sync, page after page) reads the store's connection
        once and keeps it while its access token is not due for a refresh, instead of a database
        read per call; one TikTok refuses is read again from the database before anything else."""
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock
        self._kept: dict[str, Connection] | None = {} if keep_connection else None

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
        conn = self._current(store_id)
        try:
            return action(conn)
        except AccessTokenExpired:
            conn = self._refreshed(store_id, expired=conn.access_token)
            self._keep(store_id, conn)
            return action(conn)
        except AuthorizationRevoked:
            if self._kept is not None:
                self._kept.pop(store_id, None)
                with self._uow:
                    stored = self._store(store_id).connection
                if stored is not None and stored.access_token != conn.access_token:
                    return self.call(store_id, action)  # another process refreshed it meanwhile
            with self._uow:
                raise self._lose(self._store(store_id), "TikTok no longer accepts its authorization") from None

    def _current(self, store_id: str) -> Connection:
        kept = self._kept.get(store_id) if self._kept is not None else None
        if kept is not None and self._clock.now() < kept.access_token_expires_at - REFRESH_MARGIN:
            return kept
        conn = self.connection(store_id)
        self._keep(store_id, conn)
        return conn

    def _keep(self, store_id: str, conn: Connection) -> None:
        if self._kept is not None:
            self._kept[store_id] = conn

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
