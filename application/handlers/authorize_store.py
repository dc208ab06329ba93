import secrets
from urllib.parse import parse_qs, urlsplit

from application.commands import BeginAuthorization, CompleteAuthorization
from application.errors import ApplicationError, TikTokError
from application.lookup import find_store
from application.ports import AuthorizedShop, Clock, TikTokShop, UnitOfWork
from domain.exceptions import DomainError
from domain.markets import market
from domain.stores import Connection, Store


class BeginAuthorizationHandler:
    """
    - Authorizing starts with TikTok's authorization page, opened with a fresh state.
    - The state holds 256 random bits, serves one callback only and expires after 10 minutes.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock

    def __call__(self, cmd: BeginAuthorization) -> dict[str, str]:
        with self._uow:
            store = find_store(self._uow, cmd.store)
            state = secrets.token_urlsafe(32)
            store.begin_authorization(state=state, now=self._clock.now())
            self._uow.commit()
            return {"authorization_url": self._tiktok.authorization_url(state), "state": state}


class CompleteAuthorizationHandler:
    """
    - The callback's state must match the pending authorization (single use, 10 minutes). A
      callback that does not match, or a URL that is not a callback at all, is refused with what
      was wrong and what to do, and the pending authorization stays usable.
    - A URL with a code and no state is an install started in TikTok Shop's App Store: accepted
      only when the seller named the store themselves (`install_without_state`).
    - The code is exchanged for tokens; the grant must hold every permission the OMS needs.
    - The shop and its cipher are looked up; a shop already connected to another store is refused,
      naming that store (one TikTok shop, one store). The store becomes Connected.
    - Any refusal leaves the store Disconnected with the reason; no token is asked for on a bad state.
      A store already connected stays connected on its current grant.
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock

    def __call__(self, cmd: CompleteAuthorization) -> str:
        query = parse_qs(urlsplit(cmd.redirect_url.strip()).query)
        code = query.get("code", [""])[0]
        state = query.get("state", [""])[0]
        denied = bool(query.get("error")) or code == "null"
        with self._uow:
            store = find_store(self._uow, cmd.store)
            store_id, region = store.id, store.region
            try:
                if not code and not state and not denied:
                    raise ApplicationError(
                        "authorization refused: the URL holds no code and no state, so it is not TikTok's "
                        "redirect: copy the whole address the browser shows after granting access "
                        "(it contains ?code=…&state=…)"
                    )
                if state or not cmd.install_without_state:
                    store.check_callback(state=state, now=self._clock.now())
                if denied or not code:
                    raise ApplicationError("authorization refused: the seller did not grant access on TikTok")
            except (DomainError, ApplicationError) as exc:
                raise self._refuse(store, exc) from None
            self._uow.commit()  # the state is spent before the code is exchanged: single use
        try:
            # TikTok is called outside any transaction.
            grant = self._tiktok.exchange_code(code)
            Store.check_scopes(grant.granted_scopes)
            shop = self._pick_shop(region, self._tiktok.authorized_shops(grant.access_token))
        except (DomainError, ApplicationError) as exc:
            with self._uow:
                raise self._refuse(find_store(self._uow, store_id), exc) from None
        with self._uow:
            store = find_store(self._uow, store_id)
            other = next(
                (s for s in self._uow.stores.list()
                 if s.id != store_id and s.connection is not None and s.connection.shop_id == shop.id),
                None,
            )
            if other is not None:
                raise self._refuse(store, ApplicationError(
                    f"authorization refused: TikTok shop {shop.name!r} is already connected to store "
                    f"{other.name!r}; one TikTok shop belongs to one store (disconnect {other.name!r} first)"
                ))
            store.connect(
                Connection(
                    shop_id=shop.id,
                    shop_cipher=shop.cipher,
                    shop_name=shop.name,
                    access_token=grant.access_token,
                    access_token_expires_at=grant.access_token_expires_at,
                    refresh_token=grant.refresh_token,
                    refresh_token_expires_at=grant.refresh_token_expires_at,
                    granted_scopes=grant.granted_scopes,
                )
            )
            self._uow.commit()
            return store.id

    def _refuse(self, store: Store, exc: Exception) -> ApplicationError:
        message = f"authorization refused: {exc}" if isinstance(exc, TikTokError) else str(exc)
        # A stray or forged callback must not cut off a store that is already connected.
        if not store.is_connected:
            store.fail(message)
        self._uow.commit()
        return ApplicationError(message)

    @staticmethod
    def _pick_shop(region: str, shops: list[AuthorizedShop]) -> AuthorizedShop:
        if not shops:
            raise ApplicationError("authorization refused: the account authorizes no TikTok shop")
        for shop in shops:
            if market(shop.region) == market(region):
                return shop
        # Cancel reasons, partial cancellation and splitting all depend on the market: never guess it.
        found = ", ".join(f"{s.name} ({s.region})" for s in shops)
        raise ApplicationError(f"authorization refused: the account has no TikTok shop in {region}, only {found}")
