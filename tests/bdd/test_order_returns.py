import pytest
from pytest_bdd import parsers, scenarios, then, when

from adapters.container import Container
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
