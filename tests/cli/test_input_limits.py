"""Issue 9 item 5: every input is bounded and range-checked before anything is stored."""

import json
from collections.abc import Callable

import pytest
from click.testing import Result

from adapters.container import Container
from domain import limits

Cli = Callable[..., Result]


def usage_error(result: Result, words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and words in result.stderr, result.stderr


def refused(result: Result, words: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr


def stores(cli: Cli) -> list[dict]:
    return json.loads(cli("stores", "list", "--json").stdout)


class TestNames:
    @pytest.mark.parametrize("field", ["name"])
    def test_a_name_longer_than_the_schema_holds_is_refused_and_nothing_is_stored(self, cli: Cli, field: str) -> None:
        refused(cli("stores", "create", f"--{field}", "x" * (limits.NAME + 1)), f"at most {limits.NAME} characters")

        assert stores(cli) == []

    def test_a_name_as_long_as_the_schema_holds_is_kept(self, cli: Cli) -> None:
        assert cli("stores", "create", "--name", "x" * limits.NAME).exit_code == 0

        assert [s["name"] for s in stores(cli)] == ["x" * limits.NAME]

    @pytest.mark.parametrize("bad", ["Shop\nUS", "Shop\tUS", "Shop\x00US", "Shop\x1bUS"],
                             ids=["newline", "tab", "nul", "escape"])
    def test_control_characters_in_a_name_are_refused(self, cli: Cli, bad: str) -> None:
        refused(cli("stores", "create", "--name", bad), "control characters")
        refused(cli("warehouses", "create", "--name", bad), "control characters")
        refused(cli("products", "add", "--sku", "TEE", "--name", bad), "control characters")

        assert stores(cli) == [] and json.loads(cli("products", "list", "--json").stdout) == []

    def test_a_sku_longer_than_the_schema_holds_is_refused(self, cli: Cli) -> None:
        refused(cli("products", "add", "--sku", "S" * 10_000, "--name", "Tee"), f"at most {limits.SKU} characters")

    def test_an_address_part_longer_than_the_schema_holds_is_refused(self, cli: Cli) -> None:
        refused(cli("returns", "create", "ord_1", "--lines", "ln_1", "--city", "c" * (limits.ADDRESS_FIELD + 1)),
                f"at most {limits.ADDRESS_FIELD} characters")


class TestNumericOptions:
    @pytest.mark.parametrize("port", ["0", "-5", "65536", "http"])
    def test_sandbox_serve_takes_ports_1_to_65535(self, cli: Cli, port: str) -> None:
        usage_error(cli("sandbox", "serve", "--port", port), "--port")

    def test_sandbox_serve_refuses_an_absurd_number_of_orders_at_once(self, cli: Cli) -> None:
        usage_error(cli("sandbox", "serve", "--orders", "99999999999999999999999"), "100000")
        usage_error(cli("sandbox", "serve", "--orders", "-1"), "--orders")

    @pytest.mark.parametrize("timeout", ["nan", "inf", "-inf", "0", "-1", "soon"])
    def test_authorize_takes_a_positive_finite_timeout_before_anything_is_stored(
        self, cli: Cli, container: Container, timeout: str
    ) -> None:
        cli("stores", "create", "--name", "Shop US")

        usage_error(cli("stores", "authorize", "Shop US", "--timeout", timeout), "--timeout")

        with container.uow() as uow:
            store = uow.stores.by_name("Shop US")
            assert store is not None and store.pending_state is None

    @pytest.mark.parametrize("port", ["0", "-5", "70000"])
    def test_authorize_takes_ports_1_to_65535_before_anything_is_stored(
        self, cli: Cli, container: Container, port: str
    ) -> None:
        cli("stores", "create", "--name", "Shop US")

        usage_error(cli("stores", "authorize", "Shop US", "--port", port), "--port")

        with container.uow() as uow:
            store = uow.stores.by_name("Shop US")
            assert store is not None and store.pending_state is None
