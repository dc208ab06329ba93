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

    def test_a_state_serves_one_callback_only(self, shop_world: World) -> None:
        url = begin(shop_world)["authorization_url"]
        with pytest.raises(ApplicationError):
            complete(shop_world, shop_world.model.approve("forged-state", REDIRECT_URL))

        with pytest.raises(ApplicationError, match="no authorization is pending"):
            complete(shop_world, shop_world.model.approve(url, REDIRECT_URL))

        assert shop_world.store().status is StoreStatus.DISCONNECTED
        assert shop_world.calls("token_get") == 0

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
