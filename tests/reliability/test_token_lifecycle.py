"""I-18: access tokens are refreshed before they expire and kept before use; a dead grant disconnects the store."""

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select

from adapters.clock import FixedClock
from adapters.sandbox.model import ACCESS_TTL
from adapters.persistence import tables as t
from adapters.sandbox.faults import SEARCH_PATH, Fault
from tests.reliability.harness import STORE, Oms, Sandbox, SimulatedCrash

pytestmark = pytest.mark.integration

REFRESH = "/api/v2/token/refresh"
NEAR_EXPIRY = timedelta(seconds=ACCESS_TTL) - timedelta(hours=12)  # inside the OMS's 24 h refresh margin


def stored_access_token(oms: Oms) -> str:
    """What another process would read from the database right now."""
    engine = create_engine(oms.database_url)  # plain reads: no write lock, no migrations
    try:
        with engine.connect() as conn:
            return str(conn.scalar(select(t.stores.c.access_token).where(t.stores.c.name == STORE)))
    finally:
        engine.dispose()


def test_i18_the_token_is_refreshed_before_it_expires_and_the_new_pair_is_stored_before_it_is_used(
    oms: Oms, sandbox: Sandbox, clock: FixedClock
) -> None:
    model = sandbox.model
    old = oms.store_row()
    clock.advance(NEAR_EXPIRY)
    assert clock.now() < old["access_token_expires_at"]  # still valid on TikTok: refreshing early, not late
    stored_when_used: list[tuple[str, str]] = []
    model.before_search(1, lambda: stored_when_used.append((model.searches[-1].access_token, stored_access_token(oms))))

    oms.sync()

    paths = sandbox.paths()
    assert paths.count(REFRESH) == 1 and paths.index(REFRESH) < paths.index(SEARCH_PATH)
    newest = model.issued[-1]
    (used, stored), = stored_when_used
    assert used == stored == newest["access_token"] != old["access_token"]  # stored before the first use
    row = oms.store_row()
    assert (row["access_token"], row["refresh_token"]) == (newest["access_token"], newest["refresh_token"])
    assert row["status"].value == "connected"
    assert oms.dump() == oms.truth()


def test_i18_a_crash_right_after_a_refresh_loses_nothing_the_next_run_needs(
    oms: Oms, sandbox: Sandbox, clock: FixedClock
) -> None:
    clock.advance(NEAR_EXPIRY)
    oms.crash_gateway(crash_at=1)  # dies after the refresh, before the first page
    with pytest.raises(SimulatedCrash):
        oms.sync()
    newest = sandbox.model.issued[-1]
    assert oms.store_row()["refresh_token"] == newest["refresh_token"]  # TikTok already dropped the old one
    oms.heal()

    oms.sync()

    assert sandbox.paths().count(REFRESH) == 1
    assert oms.dump() == oms.truth()


def test_i18_an_access_token_tiktok_calls_expired_is_refreshed_once_and_the_page_asked_again(
    oms: Oms, sandbox: Sandbox
) -> None:
    sandbox.faults.at(2, Fault.expired_token())  # 105002 on page 2

    summary = oms.sync()

    assert sandbox.paths().count(REFRESH) == 1
    assert summary.pages == sandbox.pages()
    assert oms.store_row()["access_token"] == sandbox.model.issued[-1]["access_token"]
    assert oms.dump() == oms.truth()


@pytest.mark.parametrize("how", ["refresh refused", "revoked mid-sync"])
def test_i18_a_dead_grant_puts_the_store_back_to_disconnected_and_the_cli_exits_with_code_4(
    oms: Oms, sandbox: Sandbox, clock: FixedClock, how: str
) -> None:
    model = sandbox.model
    if how == "refresh refused":
        clock.advance(NEAR_EXPIRY)
        model.revoke(sandbox.shop_id)  # the seller deauthorized the app: the refresh token is dead too
        expected = "TikTok refused to refresh its access token"
    else:
        model.before_search(2, lambda: model.revoke(sandbox.shop_id))  # 105001 on page 2
        expected = "TikTok no longer accepts its authorization"

    failed = oms.cli("orders", "sync", STORE)

    assert failed.exit_code == 4, failed.output
    assert failed.stderr == (f"error: store '{STORE}' is disconnected: {expected}; "
                             f"run 'tiktok-oms stores authorize {STORE}'\n")
    row = oms.store_row()
    assert (row["status"].value, row["status_reason"]) == ("disconnected", expected)
    assert row["access_token"] is None and row["refresh_token"] is None
    kept = oms.checkpoint()
    if how == "revoked mid-sync":
        assert kept is not None and kept["page_token"] == model.searches[0].next_page_token  # page 1 kept
        assert oms.dump() == oms.truth(only=sandbox.first_pages(1))

    oms.authorize()  # the seller authorizes again; the sync picks up where it stopped
    rerun = oms.cli("orders", "sync", STORE)

    assert rerun.exit_code == 0, rerun.output
    assert oms.dump() == oms.truth()
