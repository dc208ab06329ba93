from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from application.commands import BeginAuthorization, CompleteAuthorization, CreateStore
from application.errors import ApplicationError, NotFound
from domain.stores import StoreStatus
from tests.application.world import AUTHORIZE_URL, REDIRECT_URL, World


def begin(world: World, name: str = "TikTok US") -> dict[str, str]:
    return world.begin_authorization(BeginAuthorization(store=name))


def complete(world: World, redirect: str, name: str = "TikTok US") -> str:
    return world.complete_authorization(CompleteAuthorization(store=name, redirect_url=redirect))


@pytest.fixture
def shop_world(world: World) -> World:
    world.model.add_shop("Demo Shop")
    world.create_store(CreateStore(name="TikTok US"))
    return world


def install(world: World, redirect: str, name: str = "TikTok US") -> str:
    return world.complete_authorization(
        CompleteAuthorization(store=name, redirect_url=redirect, install_without_state=True)
    )


class TestAppStoreInstall:
    """Issue 8 item 4: an install started in TikTok Shop's App Store comes back with a code, no state."""

    def test_a_code_without_state_connects_the_store_the_seller_named(self, shop_world: World) -> None:
        store_id = install(shop_world, shop_world.model.app_store_install(REDIRECT_URL))

        store = shop_world.db.stores[store_id]
        assert store.status is StoreStatus.CONNECTED and store.connection is not None
        assert store.connection.shop_id == shop_world.model.shop().id

    def test_it_also_works_while_an_authorization_is_pending_which_stays_pending(self, shop_world: World) -> None:
        started = begin(shop_world)

        install(shop_world, shop_world.model.app_store_install(REDIRECT_URL))

        assert shop_world.store().status is StoreStatus.CONNECTED
        assert shop_world.store().pending_state == started["state"]

    def test_a_wrong_state_is_still_refused(self, shop_world: World) -> None:
        begin(shop_world)

        with pytest.raises(ApplicationError, match="state does not match"):
            install(shop_world, shop_world.model.approve("forged-state", REDIRECT_URL))

        assert shop_world.calls("token_get") == 0

    def test_a_callback_that_merely_arrives_without_state_is_refused(self, shop_world: World) -> None:
        # The loopback listener does not know which store the seller meant: no install there (CSRF).
        begin(shop_world)

        with pytest.raises(ApplicationError, match="state does not match"):
            complete(shop_world, shop_world.model.app_store_install(REDIRECT_URL))

        assert shop_world.calls("token_get") == 0


class TestOneShopOneStore:
    """Issue 8 item 5: two stores on one TikTok shop imported the same orders twice."""

    def test_a_shop_connected_to_another_store_is_refused_naming_that_store(self, shop_world: World) -> None:
        complete(shop_world, shop_world.model.approve(begin(shop_world)["authorization_url"], REDIRECT_URL))
        shop_world.create_store(CreateStore(name="TikTok US 2"))
        redirect = shop_world.model.approve(begin(shop_world, "TikTok US 2")["authorization_url"], REDIRECT_URL)

        with pytest.raises(ApplicationError, match="TikTok shop 'Demo Shop' is already connected to store 'TikTok US'"):
            complete(shop_world, redirect, "TikTok US 2")

        assert shop_world.store("TikTok US 2").status is StoreStatus.DISCONNECTED
        assert shop_world.store("TikTok US 2").connection is None
        assert shop_world.store().status is StoreStatus.CONNECTED

    def test_the_same_store_may_authorize_its_shop_again(self, shop_world: World) -> None:
        complete(shop_world, shop_world.model.approve(begin(shop_world)["authorization_url"], REDIRECT_URL))

        complete(shop_world, shop_world.model.approve(begin(shop_world)["authorization_url"], REDIRECT_URL))

        assert shop_world.store().status is StoreStatus.CONNECTED

    def test_store_names_are_unique_regardless_of_case(self, shop_world: World) -> None:
        with pytest.raises(ApplicationError, match="store already exists: TikTok US"):
            shop_world.create_store(CreateStore(name="tiktok us"))

        assert begin(shop_world, "TIKTOK US")["state"] == shop_world.store().pending_state


class TestBeginAuthorization:
    def test_the_authorization_url_opens_tiktoks_page_with_the_service_id_and_a_fresh_state(self, shop_world: World) -> None:
        started = begin(shop_world)

        url = urlsplit(started["authorization_url"])
        assert f"{url.scheme}://{url.netloc}{url.path}" == AUTHORIZE_URL
        assert parse_qs(url.query) == {"service_id": ["sandbox-service"], "state": [started["state"]]}
        assert shop_world.store().pending_state == started["state"]

    def test_the_state_holds_256_random_bits_and_is_new_each_time(self, shop_world: World) -> None:
        states = {begin(shop_world)["state"] for _ in range(5)}

        assert len(states) == 5
        assert all(len(state) >= 43 for state in states)
        assert shop_world.store().pending_state in states

    def test_an_unknown_store_is_refused(self, shop_world: World) -> None:
        with pytest.raises(NotFound, match="store not found: Ghost"):
            begin(shop_world, "Ghost")

        assert shop_world.calls("token_get") == 0


class TestCompleteAuthorization:
    def test_an_account_without_a_shop_in_the_stores_market_is_refused_naming_its_shops(self, world: World) -> None:
        world.model.add_shop("Maomao beauty shop", region="GB")
        world.create_store(CreateStore(name="TikTok US"))
        redirect = world.model.approve(begin(world)["authorization_url"], REDIRECT_URL)

        with pytest.raises(ApplicationError, match=r"no TikTok shop in US, only Maomao beauty shop \(GB\)"):
            complete(world, redirect)

        assert world.store().status is StoreStatus.DISCONNECTED

    def test_a_granted_authorization_connects_the_store_to_its_shop(self, shop_world: World) -> None:
        redirect = shop_world.model.approve(begin(shop_world)["authorization_url"], REDIRECT_URL)

        store_id = complete(shop_world, redirect)

        store, shop = shop_world.db.stores[store_id], shop_world.model.shop()
        assert store.status is StoreStatus.CONNECTED and store.connection is not None
        assert (store.connection.shop_id, store.connection.shop_cipher, store.connection.shop_name) == (shop.id, shop.cipher, shop.name)
        assert store.connection.access_token_expires_at == shop_world.clock.now() + timedelta(days=7)
        assert store.pending_state is None
        assert [name for name, _ in shop_world.model.calls] == ["token_get", "shops"]

    def test_a_state_that_does_not_match_leaves_the_store_disconnected_without_asking_for_tokens(self, shop_world: World) -> None:
        begin(shop_world)
        redirect = shop_world.model.approve("forged-state", REDIRECT_URL)

        with pytest.raises(ApplicationError, match="state does not match"):
            complete(shop_world, redirect)

        store = shop_world.store()
        assert store.status is StoreStatus.DISCONNECTED and "state does not match" in (store.status_reason or "")
        assert shop_world.calls("token_get") == 0

    def test_a_callback_after_ten_minutes_has_expired(self, shop_world: World) -> None:
        redirect = shop_world.model.approve(begin(shop_world)["authorization_url"], REDIRECT_URL)
        shop_world.clock.advance(timedelta(minutes=10, seconds=1))

        with pytest.raises(ApplicationError, match="expired"):
            complete(shop_world, redirect)

        assert "expired" in (shop_world.store().status_reason or "")
        assert shop_world.calls("token_get") == 0

    def test_a_callback_that_does_not_match_keeps_the_pending_authorization_usable(self, shop_world: World) -> None:
        # Issue 8 item 3: a truncated or forged URL used to void the pending state.
        url = begin(shop_world)["authorization_url"]
        with pytest.raises(ApplicationError, match="state does not match.*start again with 'stores authorize TikTok US'"):
            complete(shop_world, shop_world.model.approve("forged-state", REDIRECT_URL))
        with pytest.raises(ApplicationError, match="holds no code and no state.*copy the whole address"):
            complete(shop_world, REDIRECT_URL)
        with pytest.raises(ApplicationError, match="no code and no state"):
            complete(shop_world, "not a url at all")
        assert shop_world.calls("token_get") == 0

        complete(shop_world, shop_world.model.approve(url, REDIRECT_URL))

        assert shop_world.store().status is StoreStatus.CONNECTED

    def test_a_state_serves_one_callback_only(self, shop_world: World) -> None:
        url = begin(shop_world)["authorization_url"]
        complete(shop_world, shop_world.model.approve(url, REDIRECT_URL))

        with pytest.raises(ApplicationError, match="no authorization is pending"):
            complete(shop_world, shop_world.model.approve(url, REDIRECT_URL))

        assert shop_world.calls("token_get") == 1

    def test_a_replayed_callback_is_refused_and_asks_for_no_second_token(self, shop_world: World) -> None:
        redirect = shop_world.model.approve(begin(shop_world)["authorization_url"], REDIRECT_URL)
        complete(shop_world, redirect)

        with pytest.raises(ApplicationError, match="no authorization is pending"):
            complete(shop_world, redirect)

        assert shop_world.calls("token_get") == 1

    def test_a_seller_who_denies_access_leaves_the_store_disconnected(self, shop_world: World) -> None:
        redirect = shop_world.model.approve(begin(shop_world)["authorization_url"], REDIRECT_URL, deny=True)

        with pytest.raises(ApplicationError, match="did not grant access"):
            complete(shop_world, redirect)

        store = shop_world.store()
        assert store.status is StoreStatus.DISCONNECTED and "did not grant access" in (store.status_reason or "")
        assert shop_world.calls("token_get") == 0

    def test_a_code_tiktok_refuses_leaves_the_store_disconnected_saying_so(self, shop_world: World) -> None:
        state = begin(shop_world)["state"]
        redirect = f"{REDIRECT_URL}?{urlencode({'code': 'not-a-code', 'state': state})}"

        with pytest.raises(ApplicationError, match="auth_code is invalid"):
            complete(shop_world, redirect)

        store = shop_world.store()
        assert store.status is StoreStatus.DISCONNECTED and store.connection is None
        assert "authorization refused" in (store.status_reason or "") and "36004004" in (store.status_reason or "")

    def test_an_expired_code_leaves_the_store_disconnected_saying_so(self, shop_world: World) -> None:
        old = shop_world.model.approve(begin(shop_world)["authorization_url"], REDIRECT_URL)
        code = parse_qs(urlsplit(old).query)["code"][0]
        shop_world.clock.advance(timedelta(minutes=31))
        state = begin(shop_world)["state"]

        with pytest.raises(ApplicationError, match="auth_code is expired"):
            complete(shop_world, f"{REDIRECT_URL}?{urlencode({'code': code, 'state': state})}")

        assert "auth_code is expired" in (shop_world.store().status_reason or "")
        assert shop_world.store().status is StoreStatus.DISCONNECTED

    def test_a_grant_missing_a_needed_permission_names_it(self, shop_world: World) -> None:
        scopes = ("seller.authorization.info", "seller.order.info", "seller.return_refund.basic")
        redirect = shop_world.model.approve(begin(shop_world)["authorization_url"], REDIRECT_URL, scopes=scopes)

        with pytest.raises(ApplicationError, match="seller.fulfillment.basic"):
            complete(shop_world, redirect)

        store = shop_world.store()
        assert store.status is StoreStatus.DISCONNECTED and store.connection is None
        assert "lacks permissions" in (store.status_reason or "") and "seller.fulfillment.basic" in (store.status_reason or "")
        assert shop_world.calls("shops") == 0

    def test_a_store_can_be_authorized_again_after_a_refusal(self, shop_world: World) -> None:
        begin(shop_world)
        with pytest.raises(ApplicationError):
            complete(shop_world, shop_world.model.approve("forged-state", REDIRECT_URL))

        complete(shop_world, shop_world.model.approve(begin(shop_world)["authorization_url"], REDIRECT_URL))

        store = shop_world.store()
        assert store.status is StoreStatus.CONNECTED and store.status_reason is None
