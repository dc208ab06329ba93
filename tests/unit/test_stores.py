from dataclasses import replace
from datetime import timedelta

import pytest

from domain.exceptions import (
    AuthorizationStateMismatch,
    MerchantOrderCannotUseFbtWarehouse,
    MissingPermissions,
    StoreNameRequired,
)
from domain.stores import REQUIRED_SCOPES, Grant, Store, StoreStatus
from tests.builders import T0, a_connected_store, a_connection, a_store, a_warehouse, an_fbt_warehouse

pytestmark = pytest.mark.unit


class TestNewStore:
    def test_a_saved_store_starts_disconnected(self) -> None:
        store = Store(id="st_1", name="TikTok US")

        assert store.status is StoreStatus.DISCONNECTED
        assert store.connection is None
        assert not store.is_connected

    @pytest.mark.parametrize("name", ["", "   "])
    def test_a_store_needs_a_name(self, name: str) -> None:
        with pytest.raises(StoreNameRequired, match="needs a name"):
            Store(id="st_1", name=name)

    def test_region_and_currency_default_to_us_dollars_and_are_upper_cased(self) -> None:
        assert (Store(id="s", name="a").region, Store(id="s", name="a").currency) == ("US", "USD")

        store = Store(id="st_1", name="  TikTok UK ", region="gb", currency="gbp")

        assert (store.name, store.region, store.currency) == ("TikTok UK", "GB", "GBP")

    def test_fbt_import_is_off_by_default(self) -> None:
        store = a_store()

        assert not store.fbt.enabled
        assert not store.imports_fbt_order(T0)

    def test_merchant_orders_cannot_default_to_an_fbt_warehouse(self) -> None:
        store = a_store()

        with pytest.raises(MerchantOrderCannotUseFbtWarehouse):
            store.route_merchant_orders_to(an_fbt_warehouse(store=store))

        assert store.default_warehouse_id is None

    def test_merchant_orders_can_default_to_a_standard_warehouse(self) -> None:
        store, warehouse = a_store(), a_warehouse()

        store.route_merchant_orders_to(warehouse)

        assert store.default_warehouse_id == warehouse.id


class TestAuthorizationState:
    def test_the_matching_state_within_ten_minutes_is_accepted_and_consumed(self) -> None:
        store = a_store()
        store.begin_authorization(state="s3cret", now=T0)

        store.check_callback(state="s3cret", now=T0 + timedelta(minutes=10))

        assert store.pending_state is None and store.pending_since is None

    def test_a_state_serves_one_callback_only(self) -> None:
        store = a_store()
        store.begin_authorization(state="s3cret", now=T0)
        store.check_callback(state="s3cret", now=T0)

        with pytest.raises(AuthorizationStateMismatch, match="no authorization is pending"):
            store.check_callback(state="s3cret", now=T0)

    @pytest.mark.parametrize("state", ["other", "", None])
    def test_a_state_that_does_not_match_is_refused_and_the_pending_one_stays_usable(self, state: str | None) -> None:
        # Issue 8 item 3: a truncated or forged callback must not void the seller's authorization.
        store = a_store()
        store.begin_authorization(state="s3cret", now=T0)

        with pytest.raises(AuthorizationStateMismatch, match="does not match"):
            store.check_callback(state=state, now=T0)

        assert store.pending_state == "s3cret"
        store.check_callback(state="s3cret", now=T0)
        assert store.pending_state is None

    def test_a_state_older_than_ten_minutes_has_expired(self) -> None:
        store = a_store()
        store.begin_authorization(state="s3cret", now=T0)

        with pytest.raises(AuthorizationStateMismatch, match="expired"):
            store.check_callback(state="s3cret", now=T0 + timedelta(minutes=10, seconds=1))

    def test_a_new_authorization_replaces_the_pending_state(self) -> None:
        store = a_store()
        store.begin_authorization(state="first", now=T0)
        store.begin_authorization(state="second", now=T0)

        with pytest.raises(AuthorizationStateMismatch):
            store.check_callback(state="first", now=T0)


class TestConnection:
    def test_a_grant_with_every_needed_scope_connects_the_store(self) -> None:
        store = a_store()
        store.fail("earlier failure")

        store.connect(a_connection())

        assert store.is_connected and store.status_reason is None

    def test_a_grant_missing_a_scope_names_it_and_leaves_the_store_disconnected(self) -> None:
        store = a_store()
        scopes = tuple(s for s in REQUIRED_SCOPES if s != "seller.fulfillment.basic")

        with pytest.raises(MissingPermissions, match="seller.fulfillment.basic") as refused:
            store.connect(a_connection(granted_scopes=scopes))

        assert refused.value.missing == ["seller.fulfillment.basic"]
        assert store.status is StoreStatus.DISCONNECTED and store.connection is None

    def test_failing_forgets_the_tokens_and_says_why(self) -> None:
        store = a_connected_store()

        store.fail("TikTok refused to refresh its access token")

        assert store.status is StoreStatus.DISCONNECTED
        assert store.connection is None
        assert store.status_reason == "TikTok refused to refresh its access token"

    def test_disconnecting_says_the_seller_did_it(self) -> None:
        store = a_connected_store()

        store.disconnect()

        assert not store.is_connected and store.status_reason == "disconnected by the seller"


class TestTokenRefresh:
    def test_the_access_token_is_refreshed_from_24_hours_before_it_expires(self) -> None:
        store = a_connected_store(connection=a_connection(access_token_expires_at=T0 + timedelta(days=7)))

        assert not store.needs_refresh(T0 + timedelta(days=6) - timedelta(seconds=1))
        assert store.needs_refresh(T0 + timedelta(days=6))
        assert store.needs_refresh(T0 + timedelta(days=8))

    def test_a_disconnected_store_needs_no_refresh(self) -> None:
        assert not a_store().needs_refresh(T0)

    def test_the_refresh_token_expires_at_its_own_time(self) -> None:
        store = a_connected_store(connection=a_connection(refresh_token_expires_at=T0 + timedelta(days=30)))

        assert not store.refresh_expired(T0 + timedelta(days=29))
        assert store.refresh_expired(T0 + timedelta(days=30))

    def test_a_refresh_stores_both_new_tokens_and_keeps_the_shop(self) -> None:
        store = a_connected_store()
        before = store.connection
        assert before is not None
        grant = Grant(
            access_token="new-access",
            access_token_expires_at=T0 + timedelta(days=14),
            refresh_token="new-refresh",
            refresh_token_expires_at=T0 + timedelta(days=400),
        )

        store.refreshed(grant)

        assert store.connection == replace(
            before,
            access_token="new-access",
            access_token_expires_at=T0 + timedelta(days=14),
            refresh_token="new-refresh",
            refresh_token_expires_at=T0 + timedelta(days=400),
        )
