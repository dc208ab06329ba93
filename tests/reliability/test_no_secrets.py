"""S-5: no secret ever reaches a log, an error message or the CLI's output, even at DEBUG.

Every run includes a fault where TikTok echoes the refused request (URL with its `sign`, headers
with the access token) in its error message, so the `sign` is searched for in echoed text too.

Secrets: the app secret, every auth code, access and refresh token TikTok issued, every `sign`
the OMS computed, and their URL-encoded forms. TikTok's side is read after the fact.
"""

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_plus

import pytest

from adapters.sandbox.faults import Fault
from application.commands import CreateStore, CreateWarehouse
from application.errors import ApplicationError
from tests.databases import Databases
from tests.reliability.harness import STORE, Cli, Oms, Sandbox, sandbox_running

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


@pytest.fixture
def live_sandbox() -> Iterator[Sandbox]:
    with sandbox_running(clock=None) as running:  # the CLI process signs with the time of day
        yield running


@pytest.fixture
def every_logger_at_debug(request: pytest.FixtureRequest,
                          caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """DEBUG on the root and on every logger that exists, whatever level a library or the OMS chose.

    Except SQLAlchemy's engine logger, at INFO (statements and their parameters) unless a test asks
    for more: at DEBUG SQLAlchemy prints every row it reads, i.e. the database's content by design.
    """
    engine_level = getattr(request, "param", logging.INFO)
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    # Loggers made later (SQLAlchemy makes its engine's on first use) take their parent's level.
    loggers += [logging.getLogger(n) for n in ("httpx", "httpcore", "uvicorn", "sqlalchemy", "sqlalchemy.engine",
                                               "sqlalchemy.pool", "tiktok_oms")]
    before = {logger: logger.level for logger in loggers}
    for logger in loggers:
        is_engine = logger.name == "sqlalchemy.engine" or logger.name.startswith("sqlalchemy.engine.")
        logger.setLevel(engine_level if is_engine else logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for logger, level in before.items():
        logger.setLevel(level)


def needles(sandbox: Sandbox) -> set[str]:
    secrets = sandbox.model.secrets()
    for query in sandbox.recorder.queries:
        secrets.update(parse_qs(query).get("sign", []))
    assert len(secrets) > 5
    return {form for s in secrets for form in (s, quote(s, safe=""), quote_plus(s))}


def leaks(haystack: str, sandbox: Sandbox) -> list[str]:
    return sorted(n for n in needles(sandbox) if n in haystack)


def connect_sync_and_fail(sandbox: Sandbox, url: str) -> list[str]:
    """Connect, sync through a 429 and a token refresh, run out of retries, show, lose the grant.

    Returns every error message and CLI output on the way.
    """
    said: list[str] = []
    oms = Oms(sandbox, url)
    try:
        oms.setup_store(browser=False)  # the code exchange and the shop lookup; no browser in the logs
        sandbox.faults.at(1, Fault.rate_limited(retry_after=1))
        sandbox.faults.at(2, Fault.expired_token())  # 105002: refresh, then ask again
        oms.sync()
        assert oms.dump() == oms.truth()
        sandbox.faults.at(1, Fault.echo())  # TikTok quotes the refused request: URL with sign, token header
        echoed = oms.cli("-vv", "orders", "sync", STORE, "--full")
        assert echoed.exit_code == 1 and "sign=***" in echoed.output and "x-tts-access-token: ***" in echoed.output
        said.append(echoed.output)
        for n in range(1, 6):  # retries run out
            sandbox.faults.at(n, Fault.unavailable())
        failed = oms.cli("-vv", "orders", "sync", STORE, "--full")
        assert failed.exit_code == 1
        said.append(failed.output)
        for args in (("orders", "sync", STORE, "--json"), ("stores", "show", STORE, "--json"),
                     ("stores", "list", "--json")):
            shown = oms.cli("-vv", *args)
            assert shown.exit_code == 0, shown.output
            said.append(shown.output)
        sandbox.model.revoke(sandbox.shop_id)
        with pytest.raises(ApplicationError) as revoked:
            oms.sync()
        said.append(str(revoked.value))
    finally:
        oms.close()
    paths = sandbox.paths()
    assert "/api/v2/token/get" in paths and "/api/v2/token/refresh" in paths
    assert any(kind == "rate_limited" for _, kind in sandbox.faults.hits)
    return said


def logged(caplog: pytest.LogCaptureFixture) -> str:
    # The sandbox's own server logs are TikTok's side of the wire (pytest captures them even though
    # uvicorn's access log has no handler): only the OMS's records count.
    ours = [r for r in caplog.records if not r.name.startswith("uvicorn")]
    assert any(r.levelno == logging.DEBUG and r.name.startswith("tiktok_oms") for r in ours)  # DEBUG was on
    return "\n".join([*(caplog.handler.format(r) for r in ours), *(str(r.args) for r in ours)])


def test_s5_connect_sync_refresh_and_retries_in_process_log_no_secret_at_debug(
    live_sandbox: Sandbox, dialect: str, databases: Databases, every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    with databases.fresh(dialect) as url:
        said = connect_sync_and_fail(live_sandbox, url)

    assert leaks(logged(every_logger_at_debug), live_sandbox) == []
    assert leaks("\n".join(said), live_sandbox) == []


@pytest.mark.parametrize("every_logger_at_debug", [logging.DEBUG], ids=["sqlalchemy.engine-at-DEBUG"], indirect=True)
def test_s5_sqlalchemy_row_echo_at_debug_shows_no_token(
    live_sandbox: Sandbox, databases: Databases, every_logger_at_debug: pytest.LogCaptureFixture
) -> None:
    with databases.fresh("sqlite") as url:
        connect_sync_and_fail(live_sandbox, url)

    assert leaks(logged(every_logger_at_debug), live_sandbox) == []


def test_s5_the_cli_at_vv_prints_and_logs_no_secret(live_sandbox: Sandbox, dialect: str, databases: Databases,
                                                  tmp_path: Path) -> None:
    sandbox = live_sandbox
    with databases.fresh(dialect) as url:
        oms = Oms(sandbox, url)  # creates the store (nothing secret), plays the seller's browser, reads the result
        try:
            oms.container.create_warehouse()(CreateWarehouse(name="Main"))
            oms.container.create_store()(CreateStore(name=STORE, default_warehouse="Main"))
            cli = Cli(sandbox, url, tmp_path)
            begun = cli.run("-vv", "stores", "authorize", STORE, "--no-wait", "--json")
            assert begun.returncode == 0, begun.stderr
            redirect = oms.http.get(json.loads(begun.stdout)["authorization_url"]).headers["location"]
            connected = cli.run("-vv", "stores", "connect", STORE, "--redirect-url", redirect, "--json")
            assert connected.returncode == 0, connected.stderr
            sandbox.faults.at(1, Fault.rate_limited(retry_after=0))
            sandbox.faults.at(2, Fault.expired_token())
            synced = cli.run("-vv", "orders", "sync", STORE, "--json")
            assert synced.returncode == 0, synced.stderr
            sandbox.faults.at(1, Fault.echo())
            echoed = cli.run("-vv", "orders", "sync", STORE, "--full")
            assert echoed.returncode == 1 and "sign=***" in echoed.stderr, echoed.stderr
            assert cli.run("orders", "sync", STORE).returncode == 0
            assert oms.dump() == oms.truth()
            assert cli.run("-vv", "stores", "show", STORE, "--json").returncode == 0
            sandbox.model.revoke(sandbox.shop_id)
            disconnected = cli.run("-vv", "orders", "sync", STORE)
            assert disconnected.returncode == 4, disconnected.stderr
        finally:
            oms.close()

    transcript = "\n".join(cli.transcripts)
    assert "DEBUG tiktok_oms.tiktok: POST /order/202309/orders/search attempt 1: HTTP 429" in transcript
    assert "/api/v2/token/refresh" in sandbox.paths()
    assert leaks(transcript, sandbox) == []
