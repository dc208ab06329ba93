import pytest
from pytest_bdd import parsers, scenarios, then, when

from adapters.container import Container
from application.commands import MapListing, UnmapListing
from tiktok_world import Outcome, attempt, names

pytestmark = pytest.mark.bdd

scenarios("listing_mapping.feature")


@when(parsers.parse('the seller maps the listing "{seller_sku}" to product "{product}"'), target_fixture="outcome")
def _(seller_sku: str, product: str, store: str, container: Container) -> Outcome:
    return attempt(container.map_listing(), MapListing(store=store, seller_sku=seller_sku, product=product))


@when(parsers.parse('the seller unmaps the listing "{seller_sku}"'), target_fixture="outcome")
def _(seller_sku: str, store: str, container: Container) -> Outcome:
    return attempt(container.unmap_listing(), UnmapListing(store=store, seller_sku=seller_sku))


@then(parsers.parse('the unmapped listings of store "{store}" are "{seller_skus}"'))
def _(store: str, seller_skus: str, container: Container) -> None:
    unmapped = container.queries().listings(store, unmapped=True)
    assert [listing["seller_sku"] for listing in unmapped] == names(seller_skus)
