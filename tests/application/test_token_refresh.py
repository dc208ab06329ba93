from datetime import timedelta

import pytest

from application.commands import CancelOrder, DisconnectStore
from application.errors import StoreNotConnected, TikTokRefused
from application.errors import StoreNeedsReauthorization
from domain.orders import OrderStatus
from domain.stores import StoreStatus
from tests.application.world import World


def ops(world: World) -> list[str]:
    return [name for name, _ in world.model.calls]


class TestTokenRefresh:
    def test_a_token_far_from_expiry_is_used_as_is(self, world: World) -> None:
        before = world.ready().connection
        world.clock.advance(timedelta(days=5, hours=23))

        world.sync()

        assert world.calls("token_refresh") == 0 and world.calls("search") == 1
        assert world.store().connection == before

    def test_a_token_within_24_hours_of_expiry_is_refreshed_before_the_call(self, world: World) -> None:
        store = world.ready()
        old = store.connection
        world.place(store, [("tee-red-l", 1)])
        world.clock.advance(timedelta(days=6, hours=1))

        world.sync()

        assert ops(world)[-2:] == ["token_refresh", "search"]
        new = world.store().connection
        assert old is not None and new is not None
        assert new.access_token != old.access_token and new.refresh_token != old.refresh_token
        assert new.access_token_expires_at == world.clock.now() + timedelta(days=7)
        assert (new.shop_id, new.shop_cipher) == (old.shop_id, old.shop_cipher)
        assert len(world.db.orders) == 1

    def test_an_access_token_tiktok_calls_expired_is_refreshed_once_and_the_call_retried(self, world: World) -> None:
        store = world.ready()
        world.place(store, [("tee-red-l", 1)])
        world.model.expire_access_tokens()

        summary = world.sync()

        assert world.calls("token_refresh") == 1
        assert ops(world)[-2:] == ["token_refresh", "search"]
        assert summary.new == 1 and len(world.db.orders) == 1
        assert world.store().status is StoreStatus.CONNECTED

    def test_the_refreshed_tokens_are_kept_even_if_tiktok_then_refuses_the_action(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1)])
        world.model.buyer_cancels(order.tiktok_order_id)
        world.model.expire_access_tokens()

        with pytest.raises(TikTokRefused, match="cannot be cancelled"):
            world.cancel_order(CancelOrder(order=order.id, reason="wrong-price"))
        world.sync()

        assert world.calls("token_refresh") == 1
        assert world.order(order.id).status is OrderStatus.CANCELLED
        assert world.model.cancellations == []

    def test_a_refused_refresh_disconnects_the_store_and_says_so(self, world: World) -> None:
        store = world.ready()
        world.model.revoke(world.shops[store.id].id)
        world.clock.advance(timedelta(days=6, hours=1))

        with pytest.raises(StoreNeedsReauthorization, match="refused to refresh.*stores authorize TikTok US"):
            world.sync()

        saved = world.store()
        assert (saved.status, saved.connection) == (StoreStatus.DISCONNECTED, None)
        assert saved.status_reason == "TikTok refused to refresh its access token"
        assert world.calls("search") == 0

    def test_an_authorization_revoked_mid_call_disconnects_the_store_and_leaves_the_order(self, world: World) -> None:
        store = world.ready()
        order = world.imported(store, [("tee-red-l", 1)])
        world.model.revoke(world.shops[store.id].id)

        with pytest.raises(StoreNeedsReauthorization, match="no longer accepts its authorization"):
            world.cancel_order(CancelOrder(order=order.id, reason="wrong-price"))

        assert world.store().status is StoreStatus.DISCONNECTED
        assert world.order(order.id).status is OrderStatus.AWAITING_FULFILMENT
        assert world.model.cancellations == []

    def test_an_expired_refresh_token_disconnects_the_store_without_asking_tiktok(self, world: World) -> None:
        world.ready()
        world.clock.advance(timedelta(days=366))

        with pytest.raises(StoreNeedsReauthorization, match="authorization has expired"):
            world.sync()

        assert world.store().status is StoreStatus.DISCONNECTED
        assert world.calls("token_refresh") == 0

    def test_a_disconnected_store_is_not_called_on(self, world: World) -> None:
        store = world.ready()
        world.place(store, [("tee-red-l", 1)])
        world.disconnect_store(DisconnectStore(store="TikTok US"))

        with pytest.raises(StoreNotConnected, match="stores authorize TikTok US"):
            world.sync()

        assert world.calls("search") == 0 and world.db.orders == {}
