from datetime import timedelta

import pytest
from pydantic import ValidationError
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.clock import FixedClock
from adapters.container import Container
from adapters.sandbox.model import APP_SCOPES, TikTokShopModel
from application.commands import BeginAuthorization, CompleteAuthorization, CreateStore
from domain.exceptions import StoreNameRequired
from tiktok_world import REDIRECT_URL, Outcome, attempt, warehouse_id

pytestmark = pytest.mark.bdd

scenarios("store_connection.feature")


@given(parsers.parse('a TikTok store "{name}"'), target_fixture="store")
def _(name: str, container: Container) -> str:
    container.create_store()(CreateStore(name=name))
    return name


@given(
    parsers.parse('the seller has opened TikTok\'s authorization page for "{store}"'),
    target_fixture="authorization",
)
def _(store: str, container: Container) -> dict[str, str]:
    return container.begin_authorization()(BeginAuthorization(store=store))


@given(parsers.parse("{days:d} days have passed"))
def _(days: int, fixed_clock: FixedClock) -> None:
    fixed_clock.advance(timedelta(days=days))


@given("TikTok has expired the store's access token")
def _(model: TikTokShopModel) -> None:
    model.expire_access_tokens()


@given("the seller has revoked the OMS's access on TikTok")
def _(model: TikTokShopModel) -> None:
    model.revoke(model.shop().id)


@when(
    parsers.parse('the seller creates the TikTok store "{name}" in region "{region}" with currency "{currency}"'),
    target_fixture="outcome",
)
def _(name: str, region: str, currency: str, container: Container) -> Outcome:
    return attempt(container.create_store(), CreateStore(name=name, region=region, currency=currency))


@when(
    parsers.parse('the seller creates the TikTok store "{name}" shipping merchant orders from "{warehouse}"'),
    target_fixture="outcome",
)
def _(name: str, warehouse: str, container: Container) -> Outcome:
    return attempt(container.create_store(), CreateStore(name=name, default_warehouse=warehouse))


@when(parsers.parse('the seller creates a TikTok store with the name "{name}"'), target_fixture="outcome")
def _(name: str, container: Container) -> Outcome:
    return attempt(lambda: container.create_store()(CreateStore(name=name)))


def _complete(container: Container, store: str, redirect_url: str) -> Outcome:
    return attempt(container.complete_authorization(), CompleteAuthorization(store=store, redirect_url=redirect_url))


@when("the seller grants the requested permissions and returns to the OMS", target_fixture="outcome")
def _(store: str, authorization: dict[str, str], container: Container, model: TikTokShopModel) -> Outcome:
    return _complete(container, store, model.approve(authorization["authorization_url"], REDIRECT_URL))


@when("the seller returns to the OMS with a state that does not match", target_fixture="outcome")
def _(store: str, container: Container, model: TikTokShopModel) -> Outcome:
    return _complete(container, store, model.approve("a-forged-state", REDIRECT_URL))


@when("the seller returns to the OMS with a code TikTok does not know", target_fixture="outcome")
def _(store: str, authorization: dict[str, str], container: Container) -> Outcome:
    return _complete(container, store, f"{REDIRECT_URL}?code=not-a-code&state={authorization['state']}")


@when("the seller denies access on TikTok and returns to the OMS", target_fixture="outcome")
def _(store: str, authorization: dict[str, str], container: Container, model: TikTokShopModel) -> Outcome:
    return _complete(container, store, model.approve(authorization["authorization_url"], REDIRECT_URL, deny=True))


@when(
    parsers.parse('the seller grants every permission but "{scope}" and returns to the OMS'),
    target_fixture="outcome",
)
def _(scope: str, store: str, authorization: dict[str, str], container: Container, model: TikTokShopModel) -> Outcome:
    granted = tuple(s for s in APP_SCOPES if s != scope)
    return _complete(container, store, model.approve(authorization["authorization_url"], REDIRECT_URL, scopes=granted))


@then(parsers.parse('store "{store}" is "{status}"'))
def _(store: str, status: str, container: Container) -> None:
    assert container.queries().store(store)["status"] == status


@then(parsers.parse('store "{store}" is disconnected, saying "{reason}"'))
def _(store: str, reason: str, container: Container) -> None:
    view = container.queries().store(store)
    assert view["status"] == "disconnected"
    assert reason in (view["status_reason"] or "")


@then(parsers.parse('store "{store}" sells in region "{region}" with currency "{currency}"'))
def _(store: str, region: str, currency: str, container: Container) -> None:
    view = container.queries().store(store)
    assert (view["region"], view["currency"]) == (region, currency)


@then(parsers.parse('store "{store}" ships merchant orders from "{warehouse}"'))
def _(store: str, warehouse: str, container: Container) -> None:
    assert container.queries().store(store)["default_warehouse_id"] == warehouse_id(container, warehouse)


@then(parsers.parse('store "{store}" is connected to TikTok shop "{shop}"'))
def _(store: str, shop: str, container: Container) -> None:
    assert container.queries().store(store)["shop"]["name"] == shop


@then("it is refused because the store has no name")
def _(outcome: Outcome) -> None:
    error = outcome.error
    if isinstance(error, ValidationError):
        assert [e["loc"] for e in error.errors()] == [("name",)]
    else:
        assert isinstance(error, StoreNameRequired)


@then("TikTok was not asked for a token")
def _(model: TikTokShopModel) -> None:
    assert ("token_get", "") not in model.calls


@then("TikTok was asked to refresh the access token")
def _(model: TikTokShopModel) -> None:
    assert ("token_refresh", "") in model.calls


@given("a callback with a state that does not match has been refused")
def _(store: str, container: Container, model: TikTokShopModel) -> None:
    refused = _complete(container, store, model.approve("a-forged-state", REDIRECT_URL))
    assert refused.error is not None and "state does not match" in str(refused.error)


@given("a truncated redirect URL without code or state has been refused")
def _(store: str, container: Container) -> None:
    refused = _complete(container, store, REDIRECT_URL)
    assert refused.error is not None and "no code and no state" in str(refused.error)


def _connect_by_hand(container: Container, store: str, redirect_url: str) -> Outcome:
    # `stores connect STORE --redirect-url URL`: the seller names the store themselves.
    command = CompleteAuthorization(store=store, redirect_url=redirect_url, install_without_state=True)
    return attempt(container.complete_authorization(), command)


@when(parsers.parse('the seller installs the OMS from TikTok Shop\'s App Store and connects "{store}" with its URL'),
      target_fixture="outcome")
def _(store: str, container: Container, model: TikTokShopModel) -> Outcome:
    return _connect_by_hand(container, store, model.app_store_install(REDIRECT_URL))


@when(parsers.parse('the seller connects "{store}" by hand with a URL whose state does not match'),
      target_fixture="outcome")
def _(store: str, container: Container, model: TikTokShopModel) -> Outcome:
    return _connect_by_hand(container, store, model.approve("a-forged-state", REDIRECT_URL))


@when(parsers.parse('the seller authorizes "{store}" with the same TikTok account'), target_fixture="outcome")
def _(store: str, container: Container, model: TikTokShopModel) -> Outcome:
    started = container.begin_authorization()(BeginAuthorization(store=store))
    return _complete(container, store, model.approve(started["authorization_url"], REDIRECT_URL))


@given("the seller has granted the requested permissions and returned to the OMS")
def _(store: str, authorization: dict[str, str], container: Container, model: TikTokShopModel) -> None:
    done = _complete(container, store, model.approve(authorization["authorization_url"], REDIRECT_URL))
    assert done.error is None, done.error
