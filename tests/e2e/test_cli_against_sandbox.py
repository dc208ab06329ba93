"""A new seller's story, command by command, as separate `tiktok-oms` processes.

`tiktok-oms sandbox serve` runs as its own process on a free loopback port; every OMS command
is a new process that shares only the database with the others (a SQLite file, and a PostgreSQL
database). The story is the one `docs/sandbox-walkthrough.md` tells: create the directory,
authorize (by hand, and waiting on the loopback callback), import, map, FBT import, split,
route, ship, cancel, return, report. Its steps run on both databases at once (one thread per
database, each with its own sandbox), which halves the wall time of ~40 process starts each.
"""

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import create_engine, inspect

from adapters.sandbox.seed import CATALOG, SHOP_NAME, UNMAPPED
from tests.databases import SQL_DIALECTS, Databases

pytestmark = pytest.mark.e2e

COMMAND_TIMEOUT = 30.0
START_TIMEOUT = 15.0
STORE = "Sunset US"
FBT_WAREHOUSE = "TikTok FBT US"
ORDER_KEYS = {"id", "tiktok_order_id", "store_id", "status", "fulfilled_by", "warehouse_id", "lines"}
LINE_KEYS = {"id", "tiktok_line_item_id", "seller_sku", "product_sku", "quantity", "status"}


# --- processes -----------------------------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports (held together while picked, so never the same one twice)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without the developer's TIKTOK_* settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIKTOK_")}
    return env | settings


def _default_sigint() -> None:
    # A process started from a non-interactive shell's background job inherits SIGINT ignored,
    # and Python then never raises KeyboardInterrupt: give the child the default disposition.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def parse_one_json(text: str, command: str) -> Any:
    """stdout must be exactly one JSON document: json.loads refuses anything before or after it."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"`{command}` did not print exactly one JSON document ({exc}):\n{text}") from None


class Oms:
    """Runs `tiktok-oms …` as a new process, with this environment, in this working folder."""

    def __init__(self, script: Path, env: dict[str, str], cwd: Path) -> None:
        self.script, self.env, self.cwd = script, env, cwd

    @staticmethod
    def describe(args: Sequence[str]) -> str:
        return "tiktok-oms " + shlex.join(args)

    def __call__(self, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([str(self.script), *args], env=self.env, cwd=self.cwd, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT)
        command = self.describe(args)
        assert "Traceback" not in done.stderr + done.stdout, f"`{command}` printed a traceback:\n{done.stderr}"
        assert done.returncode == code, (
            f"`{command}` exited {done.returncode}, expected {code}\n--- stdout\n{done.stdout}--- stderr\n{done.stderr}"
        )
        return done

    def json(self, *args: str) -> Any:
        """Runs the command with --json; returns the one document it printed on stdout."""
        return parse_one_json(self(*args, "--json").stdout, self.describe([*args, "--json"]))

    def refused(self, *args: str, words: str) -> str:
        """The command fails with exit 1 and one line on stderr that holds `words`; returns it."""
        done = self(*args, code=1)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), f"expected one error line, got:\n{done.stderr}"
        assert words in lines[0], f"{words!r} not in {lines[0]!r}"
        return lines[0]

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([str(self.script), *args], env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class SandboxProcess:
    """`tiktok-oms sandbox serve --port P` in the background, until stopped with Ctrl+C (SIGINT)."""

    def __init__(self, script: Path, port: int, env: dict[str, str], log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        with log.open("w") as sink:
            self.process = subprocess.Popen([str(script), "sandbox", "serve", "--port", str(port)], env=env,
                                            cwd=log.parent, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink,
                                            preexec_fn=_default_sigint)

    def wait_until_it_answers(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"the sandbox exited {self.process.returncode}:\n{self.log.read_text()}")
            try:
                httpx.get(f"{self.url}/", timeout=1.0)  # any answer (its 404 envelope) means it is up
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"the sandbox did not answer within {START_TIMEOUT:.0f} s") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def printed_url(process: subprocess.Popen[str]) -> str:
    """The authorization URL `stores authorize` prints on stderr before it waits."""
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if line.startswith("http"):
            return line.strip()
    process.wait(5)
    raise AssertionError(f"no authorization URL printed (exit {process.returncode}):\n{''.join(seen)}")


def browser_redirect(authorization_url: str) -> str:
    """A browser opens TikTok's authorization page: where TikTok sends it back (not followed)."""
    page = httpx.get(authorization_url, follow_redirects=False, timeout=10.0)
    assert page.status_code == 302, f"{page.status_code}: {page.text}"
    return page.headers["location"]


# --- the story: one world per database, each with its own sandbox ------------------------------------


@dataclass
class World:
    dialect: str
    oms: Oms
    sandbox: SandboxProcess
    callback_port: int
    redirect_url: str
    seen: dict[str, Any] = field(default_factory=dict)


@dataclass
class Story:
    worlds: list[World]
    postgresql_left_out: str | None

    def each(self, step: Callable[[World], None]) -> None:
        """Runs `step` in every world at once; a failure names the database it failed on."""
        with ThreadPoolExecutor(max_workers=len(self.worlds)) as pool:
            futures = [(w, pool.submit(step, w)) for w in self.worlds]
        failures = []
        for world, future in futures:
            exc = future.exception()
            if exc is not None:
                if not isinstance(exc, Exception):
                    raise exc
                exc.add_note(f"(on {world.dialect})")
                failures.append(exc)
        if len(failures) == 1:
            raise failures[0]
        if failures:
            raise ExceptionGroup("the step failed on every database", failures)


@pytest.fixture(scope="class")
def story(databases: Databases, oms_script: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    dialects, left_out = ["sqlite"], None
    try:
        databases.postgres()  # locally skips when no server answers; under CI=true fails
        dialects.append("postgresql")
    except pytest.skip.Exception as skipped:
        left_out = str(skipped)
    ports = free_ports(2 * len(dialects))
    with ExitStack() as stack:
        worlds = []
        for i, dialect in enumerate(dialects):
            folder = tmp_path_factory.mktemp(f"e2e-{dialect}")
            url = stack.enter_context(databases.fresh(dialect))
            sandbox_port, callback_port = ports[2 * i], ports[2 * i + 1]
            sandbox_url = f"http://127.0.0.1:{sandbox_port}"
            redirect_url = f"http://127.0.0.1:{callback_port}/callback"
            # The app's redirect URL is its setting on both sides: the sandbox sends the browser there.
            env = clean_environment(
                TIKTOK_OMS_DATABASE_URL=url,
                TIKTOK_API_BASE_URL=sandbox_url,
                TIKTOK_AUTH_BASE_URL=sandbox_url,
                TIKTOK_AUTHORIZE_URL=f"{sandbox_url}/open/authorize",
                TIKTOK_REDIRECT_URL=redirect_url,
            )
            sandbox = SandboxProcess(oms_script, sandbox_port, env, folder / "sandbox.log")
            stack.callback(sandbox.stop)
            worlds.append(World(dialect, Oms(oms_script, env, folder), sandbox, callback_port, redirect_url))
        for world in worlds:
            world.sandbox.wait_until_it_answers()
        yield Story(worlds, left_out)


def _skus(order: dict) -> list[str]:
    return sorted(line["seller_sku"] for line in order["lines"])


def _one(orders: list[dict], skus: list[str]) -> dict:
    found = [o for o in orders if _skus(o) == skus]
    assert len(found) == 1, f"expected one order of {skus}, found {len(found)}"
    return found[0]


def _line(order: dict, seller_sku: str) -> dict:
    return next(line for line in order["lines"] if line["seller_sku"] == seller_sku)


def create_the_directory(w: World) -> None:
    w.oms("warehouses", "create", "--name", "Newark NJ")
    w.oms("warehouses", "create", "--name", "Reno NV")
    store = w.oms.json("stores", "create", "--name", STORE, "--default-warehouse", "Newark NJ")
    assert {"id", "name", "status"} <= store.keys()
    assert (store["name"], store["status"]) == (STORE, "disconnected") and store["default_warehouse_id"]
    w.seen.update(store_id=store["id"], newark=store["default_warehouse_id"])
    for sku, (_, name) in CATALOG.items():
        w.oms("products", "add", "--sku", sku, "--name", name)


def authorize_by_hand(w: World) -> None:
    begun = w.oms.json("stores", "authorize", STORE, "--no-wait")
    assert set(begun) == {"authorization_url", "state"}
    url = begun["authorization_url"]
    assert url.startswith(f"{w.sandbox.url}/open/authorize?") and f"state={begun['state']}" in url
    # Nothing listens on the redirect URL: the seller copies it from the browser's address bar.
    redirect = browser_redirect(url)
    query = parse_qs(urlsplit(redirect).query)
    assert redirect.startswith(w.redirect_url + "?") and query["state"] == [begun["state"]] and query["code"]
    done = w.oms("stores", "connect", STORE, "--redirect-url", redirect)
    assert f"is connected to TikTok shop {SHOP_NAME}" in done.stdout


def authorize_waiting_on_loopback(w: World) -> None:
    w.oms("stores", "disconnect", STORE)
    waiting = w.oms.popen("stores", "authorize", STORE, "--port", str(w.callback_port))
    try:
        page = httpx.get(printed_url(waiting), follow_redirects=True, timeout=10.0)  # the seller's browser
        assert page.status_code == 200 and "You can close this window" in page.text, page.text
        out, err = waiting.communicate(timeout=COMMAND_TIMEOUT)
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.communicate()
    assert waiting.returncode == 0 and "Traceback" not in err, f"exit {waiting.returncode}:\n{err}"
    assert f"is connected to TikTok shop {SHOP_NAME}" in out
    stores = w.oms.json("stores", "list")
    assert [(s["name"], s["status"]) for s in stores] == [(STORE, "connected")]


def import_and_map(w: World) -> None:
    synced = w.oms("orders", "sync", STORE)
    assert "6 new" in synced.stdout and "3 skipped" in synced.stdout, synced.stdout  # FBT import is off
    unmapped = w.oms.json("listings", "list", STORE, "--unmapped")
    assert sorted(l["seller_sku"] for l in unmapped) == sorted([*CATALOG, "MUG-11OZ"])
    assert all(l["product_sku"] is None and not l["mapped"] for l in unmapped)
    for sku in CATALOG:
        w.oms("listings", "map", STORE, "--seller-sku", sku, "--product", sku)

    orders = w.oms.json("orders", "list")
    for order in orders:
        assert ORDER_KEYS <= order.keys() and order["store_id"] == w.seen["store_id"]
        assert order["fulfilled_by"] == "merchant" and order["warehouse_id"] == w.seen["newark"]
        for line in order["lines"]:
            assert LINE_KEYS <= line.keys() and line["quantity"] == 1
    assert Counter(o["status"] for o in orders) == {"awaiting_fulfilment": 3, "in_review": 1, "on_hold": 1,
                                                    "cancelled": 1}
    split = _one(orders, ["CAP-NVY", "TEE-WHT-L", "TEE-WHT-L", "TEE-WHT-L"])
    assert len({line["tiktok_line_item_id"] for line in split["lines"]}) == 4  # one line per unit
    review = _one(orders, ["MUG-11OZ", "MUG-11OZ", "TEE-BLK-M"])
    assert review["status"] == "in_review" and _line(review, "TEE-BLK-M")["product_sku"] == "TEE-BLK-M"
    w.seen.update(split=split, cancel=_one(orders, ["CAP-NVY", "CAP-NVY", "HOODIE-GRY-L"]),
                  single=_one(orders, ["TEE-BLK-M"]))


def import_fbt_orders(w: World) -> None:
    first_of_month = datetime.now(UTC).date().replace(day=1).isoformat()
    w.oms("warehouses", "create", "--name", FBT_WAREHOUSE, "--fbt", "--store", STORE)
    w.oms("stores", "fbt-import", STORE, "--enable", "--start-date", first_of_month, "--warehouse", FBT_WAREHOUSE)
    synced = w.oms("orders", "sync", STORE)
    assert "2 new" in synced.stdout, synced.stdout  # the FBT order from before the start date stays out

    fbt = w.oms.json("orders", "list", "--fulfilled-by", "store")
    assert {o["fulfilled_by"] for o in fbt} == {"store"} and len({o["warehouse_id"] for o in fbt}) == 1
    assert fbt[0]["warehouse_id"] not in (None, w.seen["newark"])
    tee, tote = _one(fbt, ["TEE-BLK-M", "TEE-BLK-M"]), _one(fbt, ["CAP-NVY", "TOTE-NAT"])
    assert (tee["status"], tote["status"]) == ("shipped", "in_review")
    w.oms("products", "add", "--sku", "TOTE-NAT", "--name", UNMAPPED["TOTE-NAT"][1])
    mapped = w.oms("listings", "map", STORE, "--seller-sku", "TOTE-NAT", "--product", "TOTE-NAT")
    assert "1 order(s) updated" in mapped.stdout
    assert w.oms.json("orders", "show", tote["id"])["status"] == "shipped"
    again = w.oms.json("orders", "sync", STORE, "--full")
    assert (again["new"], again["updated"]) == (0, 0)  # importing again changes nothing
    w.seen.update(fbt_tee=tee, fbt_warehouse=tee["warehouse_id"])


def split_route_and_ship(w: World) -> None:
    order, single = w.seen["split"], w.seen["single"]
    cap = _line(order, "CAP-NVY")
    split = w.oms("orders", "split", order["id"], "--lines", cap["tiktok_line_item_id"])
    found = re.search(r"into order (\S+)", split.stdout)
    assert found, split.stdout
    part = found.group(1)
    w.oms("orders", "assign", part, "--warehouse", "Reno NV")
    w.oms("orders", "ship", order["id"], "--carrier", "USPS", "--tracking", "9400111899223344556677")
    w.oms("orders", "ship", part, "--carrier", "UPS", "--tracking", "1Z999AA10123456784")
    w.oms("orders", "ship", single["id"], "--carrier", "FedEx", "--tracking", "794698432101")

    shipped = {o["id"]: o for o in w.oms.json("orders", "list", "--store", STORE, "--status", "shipped",
                                              "--fulfilled-by", "merchant")}
    assert set(shipped) == {order["id"], part, single["id"]}
    rest, moved = shipped[order["id"]], shipped[part]
    assert [l["id"] for l in moved["lines"]] == [cap["id"]] and len(rest["lines"]) == 3
    assert moved["tiktok_order_id"] == rest["tiktok_order_id"] and moved["parent_order_id"] == order["id"]
    assert rest["warehouse_id"] == w.seen["newark"] and moved["warehouse_id"] not in (None, w.seen["newark"])
    shown = {ref: w.oms.json("orders", "show", ref) for ref in shipped}
    carriers = {ref: [(s["carrier"], s["tracking_number"]) for s in o["shipments"]] for ref, o in shown.items()}
    assert carriers == {order["id"]: [("USPS", "9400111899223344556677")], part: [("UPS", "1Z999AA10123456784")],
                        single["id"]: [("FedEx", "794698432101")]}


def cancel_part_of_an_order(w: World) -> None:
    order = w.seen["cancel"]
    hoodie = _line(order, "HOODIE-GRY-L")
    w.oms.refused("orders", "cancel", order["id"], "--lines", hoodie["id"], "--reason", "wrong-price",
                  words="out-of-stock")
    w.oms("orders", "cancel", order["id"], "--lines", hoodie["id"], "--reason", "out-of-stock")
    shown = w.oms.json("orders", "show", order["id"])
    assert shown["status"] == "awaiting_fulfilment"
    assert sorted((l["seller_sku"], l["status"]) for l in shown["lines"]) == [
        ("CAP-NVY", "open"), ("CAP-NVY", "open"), ("HOODIE-GRY-L", "cancelled")]


def return_an_fbt_order(w: World) -> None:
    order = w.seen["fbt_tee"]
    line = order["lines"][0]["id"]
    w.oms.refused("returns", "create", order["id"], "--lines", line, words="name and address")
    done = w.oms("returns", "create", order["id"], "--lines", line, "--name", "Priya Raman",
                 "--address-line1", "1 Main St", "--city", "Cambridge", "--region", "MA", "--postal-code", "02142",
                 "--country", "US")
    assert re.search(r"created return \S+ for order", done.stdout), done.stdout


def report_sales(w: World) -> None:
    report = w.oms.json("reports", "sales", "--store", STORE)
    sales = {row["fulfilled_by"]: row for row in report["sales"]}
    assert set(sales) == {"merchant", "store"} and {r["store"] for r in sales.values()} == {STORE}
    assert (sales["store"]["orders"], sales["store"]["units"]) == (2, 4)
    stock = {(row["warehouse"], row["product_sku"]): row["quantity"] for row in report["fbt_stock"]}
    assert stock == {(FBT_WAREHOUSE, "TEE-BLK-M"): -2, (FBT_WAREHOUSE, "CAP-NVY"): -1,
                     (FBT_WAREHOUSE, "TOTE-NAT"): -1}


@pytest.mark.incremental
@pytest.mark.timeout(240)  # a hang guard; steps take over a minute when the shared machine is loaded
class TestANewSellerAgainstTheSandbox:
    """docs/sandbox-walkthrough.md, step by step, on SQLite and on PostgreSQL."""

    def test_create_the_store_directory(self, story: Story) -> None:
        story.each(create_the_directory)

    def test_authorize_without_waiting_then_connect_with_the_redirect_url(self, story: Story) -> None:
        story.each(authorize_by_hand)

    def test_authorize_waiting_for_the_browser_on_loopback(self, story: Story) -> None:
        story.each(authorize_waiting_on_loopback)

    def test_import_orders_then_map_the_listings_to_release_the_review(self, story: Story) -> None:
        story.each(import_and_map)

    def test_enable_fbt_import_and_filter_fulfilled_by_store(self, story: Story) -> None:
        story.each(import_fbt_orders)

    def test_split_route_and_ship_by_carrier_name(self, story: Story) -> None:
        story.each(split_route_and_ship)

    def test_a_partial_cancellation_needs_out_of_stock(self, story: Story) -> None:
        story.each(cancel_part_of_an_order)

    def test_a_return_for_an_fbt_order_needs_the_customers_address(self, story: Story) -> None:
        story.each(return_an_fbt_order)

    def test_sales_report(self, story: Story) -> None:
        story.each(report_sales)

    def test_the_story_also_ran_on_postgresql(self, story: Story) -> None:
        if story.postgresql_left_out:
            pytest.skip(story.postgresql_left_out)
        assert [w.dialect for w in story.worlds] == ["sqlite", "postgresql"]


# --- the commands around the story ----------------------------------------------------------------


@pytest.mark.timeout(120)  # a hang guard: each CLI process takes seconds on the loaded shared machine
def test_sandbox_serve_prints_its_address_answers_and_stops_on_ctrl_c(oms_script: Path, tmp_path: Path) -> None:
    (port,) = free_ports(1)
    serving = subprocess.Popen([str(oms_script), "sandbox", "serve", "--port", str(port), "--orders", "3"],
                               env=clean_environment(), cwd=tmp_path, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint)
    try:
        assert serving.stderr is not None
        banner = []
        for line in serving.stderr:
            banner.append(line)
            if line.startswith("Press Ctrl+C"):
                break
        text = "".join(banner)
        url = f"http://127.0.0.1:{port}"
        assert f"TikTok Shop sandbox on {url}" in banner[0], text
        assert "with 12 orders" in text  # the 9 fixed ones and --orders 3
        for setting in (f"TIKTOK_API_BASE_URL={url}", f"TIKTOK_AUTH_BASE_URL={url}",
                        f"TIKTOK_AUTHORIZE_URL={url}/open/authorize"):
            assert setting in text
        page = httpx.get(f"{url}/open/authorize", params={"service_id": "sandbox-service", "state": "s1"})
        assert page.status_code == 302
        assert page.headers["location"].startswith("http://127.0.0.1:8765/callback?code=")  # the default redirect
        assert httpx.get(f"{url}/no/such/path").json()["code"] != 0  # TikTok's envelope, even for a 404

        serving.send_signal(signal.SIGINT)
        code = serving.wait(10)
        rest = serving.stderr.read()
    finally:
        if serving.poll() is None:
            serving.kill()
            serving.communicate()
    assert code == 0 and "Traceback" not in rest, rest
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2.0)


@pytest.mark.timeout(120)  # a hang guard: each CLI process takes seconds on the loaded shared machine
@pytest.mark.parametrize("dialect", SQL_DIALECTS)
def test_db_upgrade_creates_the_schema_in_a_fresh_database(oms_script: Path, databases: Databases, tmp_path: Path,
                                                           dialect: str) -> None:
    with databases.fresh(dialect, migrated=False) as url:
        oms = Oms(oms_script, clean_environment(TIKTOK_OMS_DATABASE_URL=url), tmp_path)
        assert oms("db", "upgrade").stdout.strip() == "database is up to date"
        engine = create_engine(url)
        try:
            tables = set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
        assert {"alembic_version", "stores", "orders", "order_lines"} <= tables
        assert oms("db", "upgrade").stdout.strip() == "database is up to date"  # again: nothing to do
        assert oms.json("stores", "list") == []


@pytest.mark.timeout(120)  # a hang guard: each CLI process takes seconds on the loaded shared machine
def test_authorize_times_out_with_one_error_line_when_no_callback_comes(oms_script: Path, databases: Databases,
                                                                         tmp_path: Path) -> None:
    (port,) = free_ports(1)
    with databases.fresh("sqlite") as url:
        # No sandbox: the authorization URL is made locally, and no browser ever comes back.
        oms = Oms(oms_script, clean_environment(TIKTOK_OMS_DATABASE_URL=url, TIKTOK_APP_KEY="my-app-key",
                                                TIKTOK_APP_SECRET="my-app-secret",
                                                TIKTOK_REDIRECT_URL=f"http://127.0.0.1:{port}/callback"), tmp_path)
        oms("stores", "create", "--name", STORE)
        started = time.monotonic()
        done = oms("stores", "authorize", STORE, "--timeout", "1", code=1)
        assert time.monotonic() - started < 15
        lines = done.stderr.strip().splitlines()
        assert lines[0].startswith("Open this URL") and lines[1].startswith("https://")
        assert [l for l in lines if "error" in l.lower()] == [lines[-1]], done.stderr
        assert lines[-1].startswith("error: no callback from TikTok within 1 s") and "stores connect" in lines[-1]
        assert oms.json("stores", "show", STORE)["status"] == "disconnected"
