from collections.abc import Callable
from typing import TypeVar

from application.errors import (
    AccessTokenExpired,
    ApplicationError,
    AuthorizationRevoked,
    StoreNotConnected,
    TikTokError,
)
from application.ports import Clock, TikTokShop, UnitOfWork
from domain.stores import Connection, Store

T = TypeVar("T")


class StoreNeedsReauthorization(ApplicationError):
    def __init__(self, store: Store, why: str) -> None:
        super().__init__(
            f"store {store.name!r} is disconnected: {why}; run 'tiktok-oms stores authorize {store.name}'"
        )


class ShopSession:
    """Calls TikTok for one store with a live access token.

    - The token is refreshed before it expires, and the new pair is committed before it is used.
    - An access token TikTok calls expired (105002) is refreshed once and the call retried once.
    - A refused refresh or a revoked authorization (105001) puts the store back to Disconnected.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock

    def connection(self, store: Store) -> Connection:
        if not store.is_connected or store.connection is None:
            raise StoreNotConnected(store.name)
        if store.needs_refresh(self._clock.now()):
            self._refresh(store)
        assert store.connection is not None
        return store.connection

    def call(self, store: Store, action: Callable[[Connection], T]) -> T:
        conn = self.connection(store)
        try:
            return action(conn)
        except AccessTokenExpired:
            self._refresh(store)
            assert store.connection is not None
            return action(store.connection)
        except AuthorizationRevoked:
            raise self._lose(store, "TikTok no longer accepts its authorization") from None

    def _refresh(self, store: Store) -> None:
        assert store.connection is not None
        if store.refresh_expired(self._clock.now()):
            raise self._lose(store, "its TikTok authorization has expired")
        try:
            grant = self._tiktok.refresh(store.connection.refresh_token)
        except AccessTokenExpired:
            raise self._lose(store, "TikTok refused to refresh its access token") from None
        except AuthorizationRevoked:
            raise self._lose(store, "TikTok refused to refresh its access token") from None
        except TikTokError:
            raise
        store.refreshed(grant)
        self._uow.commit()

    def _lose(self, store: Store, why: str) -> StoreNeedsReauthorization:
        store.fail(why)
        self._uow.commit()
        return StoreNeedsReauthorization(store, why)
