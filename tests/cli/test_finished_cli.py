"""Issue 12: a command line that feels finished — start-up, help, output, progress, configuration
mistakes, and the commands an operator reaches for."""

import csv
import io
import json
import os
import socket
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from adapters.cli import main
from adapters.cli.output import table, to_json
from adapters.cli.progress import SyncProgress
from adapters.container import Container
from tests.cli.test_cli import connect_shop

Cli = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[2]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output + result.stderr
    return result


def usage_error(result: Result, words: str) -> None:
    assert result.exit_code == 2, result.output + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.fixture
def shop(cli: Cli, container: Container) -> str:
    return connect_shop(cli, container, "East Coast")


def _modules_after(*argv: str, env: dict[str, str] | None = None) -> set[str]:
    code = ("import atexit, sys\n"
            "out = sys.argv[1]\n"
            "atexit.register(lambda: open(out, 'w').write('\\n'.join(sorted(sys.modules))))\n"
            "from adapters.cli import main\n"
            "sys.argv = ['tiktok-oms', *sys.argv[2:]]\n"
            "main()\n")
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "modules"
        done = subprocess.run([sys.executable, "-c", code, str(listing), *argv], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, **(env or {}), "HOME": folder}, timeout=60)
        assert done.returncode == 0, done.stderr
        return set(listing.read_text().split())


class TestStartUp:
    def test_help_imports_no_database_http_or_web_library(self) -> None:
        loaded = _modules_after("--help")
        heavy = {"sqlalchemy", "httpx", "starlette", "alembic", "uvicorn", "procrastinate", "pydantic",
                 "dependency_injector", "adapters.container", "rich"}
        assert not heavy & {m.split(".")[0] for m in loaded} - {"adapters"} and "adapters.container" not in loaded

    def test_a_list_over_a_current_schema_imports_neither_alembic_nor_httpx(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'oms.sqlite'}"
        ok(CliRunner().invoke(main, ["--database-url", url, "stores", "create", "--name", "A"]))  # migrates
        loaded = _modules_after("--database-url", url, "orders", "list", "--json")
        # The read path: SQLAlchemy Core, no container, no pydantic, no ORM, no migration.
        assert "sqlalchemy" in loaded and "adapters.persistence.order_list" in loaded
        assert not {"alembic", "httpx", "uvicorn", "starlette", "procrastinate", "rich", "pydantic",
                    "pydantic_settings", "dependency_injector", "sqlalchemy.orm", "adapters.container"} & loaded

    def test_the_head_revision_read_from_the_files_is_alembics(self) -> None:
        from adapters.persistence.migrations import head_revisions, heads

        assert head_revisions() == heads()


class TestTheReadPath:
    """`orders list` on the SQL database skips the container: it must print what the use case does."""

    @pytest.fixture
    def seeded(self, tmp_path: Path) -> tuple[str, Container]:
        from benchmarks.web_orders import seed

        oms, _ = seed(tmp_path / "oms.sqlite", 40)
        return f"sqlite:///{tmp_path / 'oms.sqlite'}", oms

    @pytest.mark.parametrize("argv, expected", [
        ([], lambda q: q.orders()),
        (["--store", "bench us", "--status", "shipped"], lambda q: q.orders(store="Bench US", status="shipped")),
        (["--fulfilled-by", "merchant", "--cancellation-request", "pending"],
         lambda q: q.orders(fulfilled_by="merchant", cancellation_request="pending")),
        (["--sku", "SKU-003", "--limit", "5"], lambda q: q.matching_orders(sku="SKU-003", limit=5)),
        (["--store", "Bench GB", "--limit", "600"], lambda q: q.matching_orders(store="Bench GB", limit=600)),
    ])
    def test_it_prints_the_use_cases_rows(self, seeded: tuple[str, Container], argv: list[str],
                                          expected: Callable) -> None:
        url, oms = seeded
        printed = ok(CliRunner().invoke(main, ["--database-url", url, "orders", "list", *argv, "--json"])).stdout
        assert json.loads(printed) == json.loads(json.dumps(expected(oms.queries()), default=str))

    def test_a_date_range_and_names_in_the_table(self, seeded: tuple[str, Container]) -> None:
        url, oms = seeded
        rows = oms.queries().orders()
        since, until = sorted(r["created_at"] for r in rows)[10], sorted(r["created_at"] for r in rows)[20]
        printed = ok(CliRunner().invoke(main, ["--database-url", url, "orders", "list", "--since", since,
                                               "--until", until, "--json"])).stdout
        assert [r["id"] for r in json.loads(printed)] == [r["id"] for r in oms.queries().matching_orders(
            created_from=datetime.fromisoformat(since), created_to=datetime.fromisoformat(until))]
        assert len(json.loads(printed)) == 10
        shown = ok(CliRunner().invoke(main, ["--database-url", url, "orders", "list", "--limit", "3"])).stdout
        assert "Bench US" in shown and "st_" not in shown

    def test_an_unknown_store_is_one_line(self, seeded: tuple[str, Container]) -> None:
        refused = CliRunner().invoke(main, ["--database-url", seeded[0], "orders", "list", "--store", "nope"])
        assert refused.exit_code == 1 and refused.stderr == "error: store not found: nope\n"

    @pytest.mark.parametrize("environment, dotenv", [
        ({}, ""),
        ({"TIKTOK_OMS_DATABASE_URL": "sqlite:////tmp/a.sqlite"}, "TIKTOK_OMS_DATABASE_URL=sqlite:////tmp/b.sqlite"),
        ({}, "tiktok_oms_database_url=sqlite:////tmp/b.sqlite"),
        ({"DATABASE_URL": "sqlite:////tmp/c.sqlite"}, "TIKTOK_OMS_DATABASE_URL=sqlite:////tmp/b.sqlite"),
        ({"database_url": "sqlite:////tmp/c.sqlite"}, ""),
    ])
    def test_the_database_url_is_resolved_as_settings_resolve_it(self, environment: dict[str, str], dotenv: str,
                                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from adapters.database_url import configured_database_url
        from adapters.settings import Settings

        for name in ("TIKTOK_OMS_DATABASE_URL", "DATABASE_URL", "database_url"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        (tmp_path / ".env").write_text(dotenv + "\n")
        assert configured_database_url() == Settings().database_url


class TestHelp:
    @staticmethod
    def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
        found = []
        for name, command in group.commands.items():
            found.append(((*path, name), command))
            if isinstance(command, click.Group):
                found += TestHelp._commands(command, (*path, name))
        return found

    def test_every_command_and_option_has_help_and_every_help_ends_with_an_example(self) -> None:
        runner = CliRunner()
        for path, command in [((), main), *self._commands(main)]:
            assert command.help, f"{' '.join(path)} has no help"
            for param in command.params:
                if isinstance(param, click.Option):
                    assert param.help, f"{' '.join(path)} {param.opts} has no help"
            shown = ok(runner.invoke(main, [*path, "--help"])).stdout
            tail = shown.rstrip().splitlines()
            example = max(i for i, line in enumerate(tail) if line.strip() == "Example:")
            assert tail[example + 1:] and all(line.strip().startswith(("tiktok-oms", "TIKTOK_OMS_")) for line in tail[example + 1:]), path

    def test_top_level_help_lists_the_exit_codes(self) -> None:
        shown = ok(CliRunner().invoke(main, ["--help"])).stdout
        for code in ("0  done", "1  refused", "2  bad usage", "3  the sync", "4  the store must be authorized"):
            assert code in shown

    def test_version(self) -> None:
        from importlib.metadata import version

        assert ok(CliRunner().invoke(main, ["--version"])).stdout.strip() == f"tiktok-oms {version('tiktok-oms')}"

    @pytest.mark.parametrize("argv, words", [
        (["orders", "lst"], "No such command 'lst'"),
        (["--nope"], "No such option '--nope'"),
        (["orders", "list", "--status", "lost"], "'lost' is not one of"),
        (["orders", "ship", "x"], "Missing option '--carrier'"),
        (["orders", "sync"], "give a STORE or --all"),
    ])
    def test_a_usage_error_is_one_line_on_stderr_exit_2(self, cli: Cli, argv: list[str], words: str) -> None:
        usage_error(cli(*argv), words)


class TestOutput:
    def test_tables_show_names_not_ids(self, cli: Cli, container: Container, shop: str) -> None:
        placed = container.tiktok_model().place_order(units=[("tee", 1)])
        ok(cli("orders", "sync", shop))
        listed = ok(cli("orders", "list")).stdout
        warehouse = json.loads(ok(cli("warehouses", "list", "--json")).stdout)[0]
        assert "Shop US" in listed and "East Coast" in listed and placed["id"] in listed
        assert warehouse["id"] not in listed
        assert "Tee" in ok(cli("listings", "list", shop)).stdout
        assert "East Coast" in ok(cli("stores", "show", shop)).stdout

    def test_cjk_and_emoji_align_and_long_cells_are_cut(self) -> None:
        drawn = table([{"a": "東京ストア🎉", "b": "x"}, {"a": "plain", "b": "y" * 80}], ["a", "b"]).splitlines()
        from rich.cells import cell_len

        b_at = {cell_len(line[:line.index(ch)]) for line, ch in ((drawn[2], "x"), (drawn[3], "y"))}
        assert len(b_at) == 1  # the second column starts at the same screen column
        assert drawn[3].rstrip().endswith("…") and cell_len(drawn[3]) < 80
        assert len(table([{"a": "two\nlines"}], ["a"]).splitlines()) == 3  # header, rule, one row

    def test_json_is_the_same_document_as_before(self, cli: Cli, container: Container, shop: str) -> None:
        for _ in range(3):
            container.tiktok_model().place_order(units=[("tee", 2)])
        ok(cli("orders", "sync", shop))
        printed = ok(cli("orders", "list", "--json")).stdout
        rows = container.queries().orders()
        assert json.loads(printed) == json.loads(json.dumps(rows, indent=2, default=str)) and len(rows) == 3
        assert printed.startswith("[\n  {\n")

    def test_orjson_renders_dates_and_decimals_as_str_did(self) -> None:
        from datetime import UTC, date, datetime
        from decimal import Decimal

        data = {"at": datetime(2026, 11, 27, 12, tzinfo=UTC), "day": date(2026, 11, 27), "price": Decimal("9.90"),
                "name": "東京", 1: None}
        assert json.loads(to_json(data)) == json.loads(json.dumps(data, indent=2, default=str))


@dataclass
class _Summary:
    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    quarantined: int = 0


class TestProgress:
    def test_without_a_terminal_one_line_every_ten_pages_and_the_last(self) -> None:
        stream = io.StringIO()
        with SyncProgress("Shop US", stream=stream) as progress:
            for page in range(1, 24):
                progress(_Summary(pages=page, new=page * 100))
        lines = stream.getvalue().splitlines()
        assert [line.split(",")[0] for line in lines] == ["sync Shop US: page 10", "sync Shop US: page 20",
                                                          "sync Shop US: page 23"]
        assert "2,300 orders (2,300 new, 0 updated)" in lines[-1] and lines[-1].endswith("orders/s")

    def test_verbose_says_what_the_oms_did_and_no_secret(self, cli: Cli, container: Container, shop: str) -> None:
        for _ in range(3):
            container.tiktok_model().place_order(units=[("tee", 1)])
        container.tiktok_model().expire_access_tokens()
        result = ok(cli("-v", "orders", "sync", shop))
        assert "sync Shop US: page 1 read, 3 orders so far" in result.stderr
        assert "access token refreshed" in result.stderr
        secrets = [container.settings().app_secret.get_secret_value()]
        with container.uow() as uow:
            conn = uow.stores.list()[0].connection
            secrets += [conn.access_token, conn.refresh_token]
        assert not [s for s in secrets if s in result.stderr + result.stdout]
        assert "sqlalchemy" not in result.stderr and "httpx" not in result.stderr

    def test_quiet_by_default(self, cli: Cli, container: Container, shop: str) -> None:
        container.tiktok_model().place_order(units=[("tee", 1)])
        assert ok(cli("orders", "sync", shop)).stderr == ""


class TestConfigurationMistakes:
    @pytest.mark.parametrize("url, words", [
        ("mysql://u:hunter22@db/oms", "TIKTOK_OMS_DATABASE_URL uses mysql://, which tiktok-oms does not support"),
        ("", "TIKTOK_OMS_DATABASE_URL is empty"),
        ("not a url", "TIKTOK_OMS_DATABASE_URL is not a URL"),
    ])
    def test_a_bad_database_url_names_the_variable_and_what_is_accepted(self, url: str, words: str,
                                                                       tmp_path: Path) -> None:
        import os

        done = subprocess.run([sys.executable, "-c", "from adapters.cli import main; main()", "stores", "list"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "TIKTOK_OMS_DATABASE_URL": url, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert words in done.stderr and "postgresql+psycopg://" in done.stderr and "hunter22" not in done.stderr

    def test_a_port_out_of_range_is_a_usage_error(self, cli: Cli) -> None:
        usage_error(cli("sandbox", "serve", "--port", "70000"), "70000 is not in the range 1<=x<=65535")

    @pytest.mark.parametrize("argv", [["serve"], ["sandbox", "serve"]])
    def test_a_port_in_use_is_a_usage_error(self, cli: Cli, argv: list[str]) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = str(taken.getsockname()[1])
            usage_error(cli(*argv, "--port", port), f"127.0.0.1:{port} is already in use")

    def test_an_empty_store_filter_is_refused(self, cli: Cli) -> None:
        usage_error(cli("orders", "list", "--store", ""), "give a store's id or name")

    def test_a_sqlite_file_in_a_missing_folder_is_refused_until_db_upgrade(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'typo' / 'oms.sqlite'}"
        refused = CliRunner().invoke(main, ["--database-url", url, "stores", "list"])
        assert refused.exit_code == 1 and "does not exist" in refused.stderr and "db upgrade" in refused.stderr
        assert not (tmp_path / "typo").exists()
        ok(CliRunner().invoke(main, ["--database-url", url, "db", "upgrade"]))
        ok(CliRunner().invoke(main, ["--database-url", url, "stores", "list"]))

    def test_a_database_of_other_tables_is_refused_until_db_upgrade(self, tmp_path: Path) -> None:
        path = tmp_path / "crm.sqlite"
        with sqlite3.connect(path) as db:
            db.execute("create table customers (id integer primary key)")
        url = f"sqlite:///{path}"
        refused = CliRunner().invoke(main, ["--database-url", url, "stores", "list"])
        assert refused.exit_code == 1 and "holds other tables and no tiktok-oms schema" in refused.stderr
        with sqlite3.connect(path) as db:
            assert [r[0] for r in db.execute("select name from sqlite_master where type='table'")] == ["customers"]
        ok(CliRunner().invoke(main, ["--database-url", url, "db", "upgrade"]))
        ok(CliRunner().invoke(main, ["--database-url", url, "stores", "list"]))


class TestOperatorCommands:
    def test_list_by_date_range_sku_and_limit(self, cli: Cli, container: Container, shop: str) -> None:
        model = container.tiktok_model()
        model.place_order(units=[("tee", 1)])
        mug = model.place_order(units=[("mug", 1)])
        ok(cli("orders", "sync", shop))
        everything = json.loads(ok(cli("orders", "list", "--json")).stdout)
        created = sorted(o["created_at"] for o in everything)
        by_sku = json.loads(ok(cli("orders", "list", "--sku", "mug", "--json")).stdout)
        assert [o["tiktok_order_id"] for o in by_sku] == [mug["id"]]
        day = created[0][:10]
        assert len(json.loads(ok(cli("orders", "list", "--since", day, "--until", day, "--json")).stdout)) == 2
        assert json.loads(ok(cli("orders", "list", "--until", "2000-01-01", "--json")).stdout) == []
        assert len(json.loads(ok(cli("orders", "list", "--limit", "1", "--json")).stdout)) == 1
        usage_error(cli("orders", "list", "--since", "yesterday"), "'yesterday' is not a date")

    def test_the_sku_and_request_filters_are_the_querys_own(self, cli: Cli, container: Container, shop: str) -> None:
        model = container.tiktok_model()
        asked = model.place_order(units=[("tee", 1)])
        model.buyer_requests_cancellation(str(asked["id"]))
        model.place_order(units=[("mug", 1)])  # newer, no request, another SKU
        ok(cli("orders", "sync", shop))

        pending = json.loads(ok(cli("orders", "list", "--cancellation-request", "pending", "--limit", "1", "--json")).stdout)
        assert [r["tiktok_order_id"] for r in pending] == [asked["id"]]
        by_sku = json.loads(ok(cli("orders", "list", "--sku", "tee", "--limit", "5", "--json")).stdout)
        assert [r["tiktok_order_id"] for r in by_sku] == [asked["id"]]
        assert json.loads(ok(cli("orders", "list", "--sku", str(asked["id"]), "--json")).stdout) == []  # a SKU, not an id
        queries = container.queries()
        assert [r["tiktok_order_id"] for r in queries.matching_orders(cancellation_request="pending", limit=1)] == [asked["id"]]

    def test_csv_on_list_commands(self, cli: Cli, container: Container, shop: str) -> None:
        container.tiktok_model().place_order(units=[("tee", 1)])
        ok(cli("orders", "sync", shop))
        import csv

        rows = list(csv.DictReader(io.StringIO(ok(cli("orders", "list", "--csv")).stdout)))
        assert len(rows) == 1 and rows[0]["store"] == "Shop US" and rows[0]["warehouse"] == "East Coast"
        assert ok(cli("products", "list", "--csv")).stdout == "sku,name\nTEE,Tee\n"
        assert ok(cli("warehouses", "list", "--csv")).stdout.startswith("id,name,type,store\n")
        usage_error(cli("orders", "list", "--csv", "--json"), "give --json or --csv, not both")

    def test_returns_list(self, cli: Cli, container: Container, shop: str) -> None:
        placed = container.tiktok_model().place_order(units=[("tee", 1)])
        ok(cli("orders", "sync", shop))
        order = json.loads(ok(cli("orders", "show", placed["id"], "--json")).stdout)
        ok(cli("orders", "ship", order["id"], "--carrier", "USPS", "--tracking", "9400111899223856789012"))
        ok(cli("returns", "create", order["id"], "--lines", order["lines"][0]["id"]))
        listed = json.loads(ok(cli("returns", "list", "--json")).stdout)
        assert [(r["order_id"], r["tiktok_order_id"]) for r in listed] == [(order["id"], placed["id"])]
        assert "Shop US" in ok(cli("returns", "list")).stdout
        assert "there are more" not in ok(cli("returns", "list")).stderr
        second = container.tiktok_model().place_order(units=[("tee", 1)])
        ok(cli("orders", "sync", shop))
        other = json.loads(ok(cli("orders", "show", second["id"], "--json")).stdout)
        ok(cli("orders", "ship", other["id"], "--carrier", "USPS", "--tracking", "9400111899223856789013"))
        ok(cli("returns", "create", other["id"], "--lines", other["lines"][0]["id"]))
        cut = ok(cli("returns", "list", "--limit", "1", "--json"))
        assert len(json.loads(cut.stdout)) == 1 and "showing the newest 1 returns; there are more" in cut.stderr

    def test_authorize_on_a_taken_port_is_a_usage_error(self, cli: Cli, shop: str) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            usage_error(cli("stores", "authorize", shop, "--port", str(port)), "is already in use")

    def test_set_aside_lists_reasons_and_retry_imports_what_now_reads_cleanly(self, cli: Cli, container: Container,
                                                                             shop: str) -> None:
        model = container.tiktok_model()
        now = model.now()
        bad = {"id": "576-bad", "status": "SHIPPED_BY_PIGEON", "create_time": now, "update_time": now,
               "line_items": [{"id": "x1", "seller_sku": "tee"}]}
        model.shop().orders["576-bad"] = bad
        assert cli("orders", "sync", shop).exit_code == 3
        listed = json.loads(ok(cli("orders", "set-aside", "--json")).stdout)
        assert [(r["store"], r["tiktok_order_id"]) for r in listed] == [("Shop US", "576-bad")]
        assert "SHIPPED_BY_PIGEON" in listed[0]["reason"]
        assert "576-bad" in ok(cli("orders", "set-aside", "--store", shop)).stdout
        still = ok(cli("orders", "set-aside", "--retry"))  # TikTok still sends it unreadable
        assert "retried 576-bad (Shop US): still set aside: " in still.stderr and "SHIPPED_BY_PIGEON" in still.stderr
        assert "576-bad" in still.stdout
        bad.update(status="AWAITING_SHIPMENT", update_time=now + 60)
        retried = ok(cli("orders", "set-aside", "--retry"))
        assert "(no order is set aside)" in retried.stdout and "retried 576-bad (Shop US): imported" in retried.stderr
        assert json.loads(ok(cli("orders", "show", "576-bad", "--json")).stdout)["status"] == "awaiting_fulfilment"

    def test_ship_reads_tiktoks_status_back_and_show_refresh_asks_tiktok(self, cli: Cli, container: Container,
                                                                       shop: str) -> None:
        model = container.tiktok_model()
        placed = model.place_order(units=[("tee", 1)])
        ok(cli("orders", "sync", shop))
        order = json.loads(ok(cli("orders", "show", placed["id"], "--json")).stdout)
        shipped = ok(cli("orders", "ship", order["id"], "--carrier", "USPS", "--tracking", "9400111899223856789012"))
        assert f"TikTok status now: {model.find_order(placed['id'])['status']}" in shipped.stdout
        assert json.loads(ok(cli("orders", "show", order["id"], "--json")).stdout)["tiktok_status"] == \
            model.find_order(placed["id"])["status"]
        model.buyer_cancels(placed["id"]) if model.find_order(placed["id"])["status"] == "AWAITING_SHIPMENT" else None
        model.find_order(placed["id"])["status"] = "DELIVERED"
        model.find_order(placed["id"])["update_time"] = model.now() + 120
        assert json.loads(ok(cli("orders", "show", order["id"], "--json")).stdout)["tiktok_status"] != "DELIVERED"
        assert json.loads(ok(cli("orders", "show", order["id"], "--refresh", "--json")).stdout)["tiktok_status"] == "DELIVERED"


class TestBreakerFindings:
    """What a fresh tester found: far dates, an empty range, CSV formulas, the demo's data folder."""

    def test_a_date_outside_the_years_the_oms_keeps_is_a_usage_error(self, cli: Cli) -> None:
        for option, value in (("--until", "9999-12-31"), ("--since", "0001-01-01")):
            refused = cli("orders", "list", option, value)
            assert refused.exit_code == 2 and "outside the years 1970-9998" in refused.stderr
            assert "Traceback" not in refused.stderr and "unexpected" not in refused.stderr
        empty = cli("orders", "list", "--since", "2026-12-01", "--until", "2026-11-01")
        assert empty.exit_code == 2 and "--since is after --until" in empty.stderr

    @pytest.mark.parametrize("setting", ["TIKTOK_API_BASE_URL", "TIKTOK_AUTH_BASE_URL", "TIKTOK_AUTHORIZE_URL"])
    @pytest.mark.parametrize("value", ["notaurl", "http://example.com", "ftp://open-api.tiktokglobalshop.com"])
    def test_a_tiktok_url_that_is_not_https_names_its_setting(self, setting: str, value: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv(setting, value)
        refused = CliRunner().invoke(main, ["stores", "list"])
        assert refused.exit_code == 2, refused.output
        assert refused.stderr.startswith(f"error: {setting}") and "is not an https:// URL" in refused.stderr

    def test_csv_cells_never_run_as_spreadsheet_formulas(self, cli: Cli) -> None:
        ok(cli("products", "add", "--sku", "=cmd|' /C calc'!A0", "--name", "@SUM(1+1)"))
        rows = list(csv.reader(io.StringIO(ok(cli("products", "list", "--csv")).stdout)))
        assert ["'=cmd|' /C calc'!A0", "'@SUM(1+1)"] in [row[:2] for row in rows]

    def test_the_data_folder_the_demo_makes_is_private_whatever_the_umask(self, tmp_path: Path) -> None:
        from adapters.persistence.engine import private_folder  # what adapters/demo_real.py calls

        before = os.umask(0o022)
        try:
            folder = tmp_path / "data" / "tiktok-oms"
            private_folder(folder)
        finally:
            os.umask(before)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(folder.parent.stat().st_mode) == 0o755


class TestDemo:
    def test_every_step_shows_its_command_and_warehouses_by_name(self, cli: Cli) -> None:
        told = ok(cli("demo", "--in-memory")).stdout
        steps = told.split("\n\n")[1:-1]
        assert len(steps) >= 10
        for step in steps:
            assert "   $ tiktok-oms " in step, step
        assert "wh_" not in told and "from Newark NJ" in told and "from Reno NV" in told


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_progress_bar_with_pages_orders_and_rate() -> None:
    stream = _Terminal()
    with SyncProgress("Shop US", stream=stream) as progress:
        for page in range(1, 4):
            progress(_Summary(pages=page, new=page * 50, updated=page))
    drawn = stream.getvalue()
    assert "syncing Shop US" in drawn and "page 3" in drawn and "orders/s" in drawn
    assert "sync Shop US: page" not in drawn  # the plain lines are for logs, not terminals
