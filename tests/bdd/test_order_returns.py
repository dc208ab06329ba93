import json
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from application.commands import CreateReturn, ReturnAddress
from tiktok_world import Outcome, attempt, order_view, pick_lines

pytestmark = pytest.mark.bdd

scenarios("order_returns.feature")


def _create_return(container: Container, order: str, wanted: str, address: ReturnAddress | None) -> Outcome:
    lines = pick_lines(order_view(container, order), wanted)
    return attempt(container.create_return(), CreateReturn(order=order, lines=lines, address=address))


@when(
    parsers.parse('the seller creates a return of "{wanted}" from order "{order}" without an address'),
    target_fixture="outcome",
)
def _(wanted: str, order: str, container: Container) -> Outcome:
    return _create_return(container, order, wanted, None)


@when(
    parsers.parse('the seller creates a return of "{wanted}" from order "{order}" to'),
    target_fixture="outcome",
)
def _(wanted: str, order: str, datatable: list[list[str]], container: Container) -> Outcome:
    header, row = datatable
    return _create_return(container, order, wanted, ReturnAddress(**dict(zip(header, row))))


@then(parsers.parse('order "{order}" has no return'))
def _(order: str, container: Container) -> None:
    assert order_view(container, order)["returns"] == []


@then(parsers.parse('order "{order}" has a return from "{address}"'))
def _(order: str, address: str, container: Container) -> None:
    [ret] = order_view(container, order)["returns"]
    given = ret["address"]
    assert ", ".join(given[f] for f in ("name", "line1", "city", "postal_code", "country")) == address


CASES = Path(__file__).resolve().parent.parent / "fixtures" / "cases"


def _case(name: str, model: TikTokShopModel) -> dict[str, Any]:
    """A payload of /work/shared/cases (copied to tests/fixtures/cases): `SET_BY_RUN` is now."""
    payload = json.loads((CASES / name).read_text())
    payload.pop("note", None)
    if payload["update_time"] == "SET_BY_RUN":
        payload["update_time"] = model.now()
    return payload


@given(parsers.parse('TikTok has the order of case "{case}"'))
@given(parsers.parse('TikTok has since sent the order of case "{case}"'))
def _(case: str, model: TikTokShopModel) -> None:
    payload = _case(case, model)
    model.shop().orders[payload["id"]] = payload


@given(parsers.parse('the buyer\'s address of order "{order}" has changed on TikTok to "{address}"'))
def _(order: str, address: str, model: TikTokShopModel) -> None:
    name, line1, city, postal_code = (part.strip() for part in address.split(","))
    model.change_address(order, {
        "name": name, "address_line1": line1, "address_detail": line1, "postal_code": postal_code,
        "region_code": "US", "full_address": f"{line1}, {city}, NM {postal_code}",
        "district_info": [
            {"address_level_name": "Country", "address_name": "United States", "address_level": "L0"},
            {"address_level_name": "State", "address_name": "New Mexico", "address_level": "L1"},
            {"address_level_name": "City", "address_name": city, "address_level": "L3"},
        ],
    })


@then(parsers.parse('TikTok shows order "{order}" with a masked address'))
def _(order: str, model: TikTokShopModel) -> None:
    address = model.find_order(order)["recipient_address"]
    assert "*" in address["name"] and "*" in address["postal_code"] and address["full_address"] == ""


@then(parsers.parse('order "{order}" has the address "{address}"'))
def _(order: str, address: str, container: Container) -> None:
    given = order_view(container, order)["address"]
    assert ", ".join(given[f] for f in ("name", "line1", "city", "postal_code", "country")) == address


@given(parsers.parse('the seller has created a return of "{wanted}" from order "{order}" without an address'))
def _(wanted: str, order: str, container: Container) -> None:
    done = _create_return(container, order, wanted, None)
    assert done.error is None, done.error


@then(parsers.parse('order "{order}" has {count:d} return'))
def _(order: str, count: int, container: Container) -> None:
    assert len(order_view(container, order)["returns"]) == count
