"""TikTok webhooks at POST /webhooks/tiktok (issue 10 item 4; STACK.md I-12, S-1, S-2).

On both SQL dialects: a signed delivery is answered 200 with an empty body and its work is
queued (never done inline); a refused one (401/413/400) stores nothing; one notification id has
one effect however often, and however concurrently, it arrives.
"""

import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dependency_injector import providers
from sqlalchemy import func, select
from starlette.testclient import TestClient

from adapters.clock import FixedClock
from adapters.container import Container
from adapters.persistence import tables as t
from adapters.server.app import build_app
from adapters.settings import Settings
from application.commands import CreateStore
from domain.stores import REQUIRED_SCOPES, Connection
from tests.databases import SQL_DIALECTS, Databases

pytestmark = pytest.mark.integration

APP_KEY, APP_SECRET = "hook-app-key", "hook-app-secret"
SHOP_ID = "7494726673780148744"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class RecordedJobs:
    """The job queue as the application sees it: what was asked for, in order."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, ...]] = []
        self._lock = threading.Lock()

    def sync_store_soon(self, store_id: str) -> None:
        with self._lock:
            self.asked.append(("sync", store_id))

    def refresh_order_soon(self, store_id: str, tiktok_order_id: str) -> None:
        with self._lock:
            self.asked.append(("refresh", store_id, tiktok_order_id))


def signed(body: bytes, secret: str = APP_SECRET, key: str = APP_KEY) -> dict[str, str]:
    return {"Authorization": hmac.new(secret.encode(), key.encode() + body, hashlib.sha256).hexdigest()}


def delivery(kind: int, data: dict[str, Any], *, notification_id: str = "n-1", shop_id: str = SHOP_ID,
             sent: datetime = NOW) -> bytes:
    return json.dumps({"type": kind, "tts_notification_id": notification_id, "shop_id": shop_id,
                       "timestamp": int(sent.timestamp()), "data": data}, separators=(",", ":")).encode()


@pytest.fixture(params=SQL_DIALECTS)
def oms(request: pytest.FixtureRequest, databases: Databases) -> Iterator[Container]:
    with databases.fresh(request.param) as url:
        c = Container(settings=Settings(_env_file=None, database_url=url, app_key=APP_KEY, app_secret=APP_SECRET))
        c.jobs.override(providers.Object(RecordedJobs()))
        with c.clock.override(FixedClock(NOW)):
            store_id = c.create_store()(CreateStore(name="Hook US", region="US"))
            with c.uow() as uow:
                store = uow.stores.get(store_id)
                assert store is not None
                store.connect(Connection(
                    shop_id=SHOP_ID, shop_cipher="ROW_x", shop_name="Hook Shop", access_token="at",
                    access_token_expires_at=NOW + timedelta(days=7), refresh_token="rt",
                    refresh_token_expires_at=NOW + timedelta(days=365), granted_scopes=REQUIRED_SCOPES))
                uow.commit()
            yield c
        c.engine().dispose()


@pytest.fixture
def client(oms: Container) -> Iterator[TestClient]:
    with TestClient(build_app(oms), base_url="http://127.0.0.1:8080") as test_client:
        yield test_client


def post(client: TestClient, body: bytes, headers: dict[str, str] | None = None) -> int:
    return client.post("/webhooks/tiktok", content=body, headers=headers if headers is not None else signed(body)).status_code


def stored(oms: Container) -> int:
    with oms.engine().connect() as connection:
        return int(connection.execute(select(func.count()).select_from(t.webhook_notifications)).scalar_one())


def refresh_requests(oms: Container) -> list[tuple[str, str]]:
    with oms.engine().connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(t.order_refresh_requests.c.store_id, t.order_refresh_requests.c.tiktok_order_id))]


def store(oms: Container) -> dict[str, Any]:
    return oms.queries().store("Hook US")


# --- S-1: the signature --------------------------------------------------------------------------


class TestSignature:
    def test_a_good_signature_is_answered_with_an_empty_200_and_the_refresh_is_queued(self, oms: Container, client: TestClient) -> None:
        body = delivery(1, {"order_id": "576684019603311365", "order_status": "CANCEL", "update_time": 1})
        response = client.post("/webhooks/tiktok", content=body, headers=signed(body))
        assert (response.status_code, response.content) == (200, b"")
        store_id = store(oms)["id"]
        assert oms.jobs().asked == [("refresh", store_id, "576684019603311365")]
        assert refresh_requests(oms) == [(store_id, "576684019603311365")]

    @pytest.mark.parametrize("tamper", ["missing", "empty", "one-byte-off", "shorter", "longer", "other-secret",
                                        "body-changed", "re-serialized"])
    def test_a_bad_signature_gets_401_and_nothing_is_stored(self, oms: Container, client: TestClient, tamper: str) -> None:
        body = delivery(6, {"message": "bye"})
        good = signed(body)["Authorization"]
        headers = {
            "missing": {},
            "empty": {"Authorization": ""},
            "one-byte-off": {"Authorization": good[:-1] + ("0" if good[-1] != "0" else "1")},
            "shorter": {"Authorization": good[:-2]},
            "longer": {"Authorization": good + "00"},
            "other-secret": signed(body, secret="not-the-secret"),
            "body-changed": {"Authorization": good},
            "re-serialized": {"Authorization": good},
        }[tamper]
        sent = body
        if tamper == "body-changed":
            sent = body.replace(b"bye", b"bye!")
        if tamper == "re-serialized":
            sent = json.dumps(json.loads(body), indent=1).encode()  # same JSON, other bytes
        assert post(client, sent, headers) == 401
        assert stored(oms) == 0
        assert store(oms)["status"] == "connected"
        assert oms.jobs().asked == []

    def test_an_oversized_body_gets_413_and_nothing_is_stored(self, oms: Container, client: TestClient) -> None:
        body = delivery(1, {"order_id": "1", "padding": "x" * 70_000})
        assert post(client, body) == 413
        assert stored(oms) == 0

    def test_a_signed_body_that_is_not_a_notification_gets_400(self, oms: Container, client: TestClient) -> None:
        for body in (b"[1,2]", b"{not json", json.dumps({"type": "one", "shop_id": SHOP_ID}).encode()):
            assert post(client, body) == 400
        assert stored(oms) == 0


# --- I-12 and S-2: duplicates, replays -----------------------------------------------------------


class TestOnce:
    def test_the_same_notification_three_times_has_one_effect(self, oms: Container, client: TestClient) -> None:
        body = delivery(1, {"order_id": "42", "order_status": "AWAITING_SHIPMENT"})
        assert [post(client, body) for _ in range(3)] == [200, 200, 200]
        assert stored(oms) == 1
        assert oms.jobs().asked == [("refresh", store(oms)["id"], "42")]

    def test_the_same_notification_three_times_at_once_has_one_effect(self, oms: Container, client: TestClient) -> None:
        body = delivery(6, {"message": "The seller removed the app"})
        barrier = threading.Barrier(3)
        codes: list[int] = []

        def deliver() -> None:
            barrier.wait(5)
            codes.append(post(client, body))

        threads = [threading.Thread(target=deliver) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert codes == [200, 200, 200]
        assert stored(oms) == 1
        assert store(oms)["status"] == "disconnected"

    def test_a_replay_inside_the_window_is_deduplicated_even_71_hours_later(self, oms: Container, client: TestClient) -> None:
        body = delivery(1, {"order_id": "7"})
        assert post(client, body) == 200
        with oms.clock.override(FixedClock(NOW + timedelta(hours=71))):
            assert post(client, body) == 200
        assert stored(oms) == 1
        assert len(oms.jobs().asked) == 1

    def test_a_delivery_older_than_the_window_is_refused_and_not_stored(self, oms: Container, client: TestClient,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
        body = delivery(6, {"message": "old"}, sent=NOW - timedelta(hours=73))
        with caplog.at_level(logging.WARNING):
            assert post(client, body) == 200  # acknowledged, so TikTok stops; no effect
        assert stored(oms) == 0
        assert store(oms)["status"] == "connected"
        assert "replay window" in caplog.text


# --- what each type does ----------------------------------------------------------------------


class TestTypes:
    @pytest.mark.parametrize("kind,data,orders", [
        (1, {"order_id": "1001", "order_status": "CANCEL"}, ["1001"]),
        (3, {"order_id": "1003", "update_time": 5}, ["1003"]),
        (4, {"sc_type": "SPLIT", "package_list": [{"package_id": "p", "order_id_list": ["1004", "1005"]}]}, ["1004", "1005"]),
        (11, {"order_id": "1011", "cancel_status": "CANCELLATION_REQUEST_PENDING"}, ["1011"]),
        (12, {"order_id": "1012", "return_status": "RETURN_OR_REFUND_REQUEST_PENDING"}, ["1012"]),
    ])
    def test_order_changes_queue_a_refresh_of_those_orders(self, oms: Container, client: TestClient, kind: int,
                                                           data: dict[str, Any], orders: list[str]) -> None:
        assert post(client, delivery(kind, data)) == 200
        store_id = store(oms)["id"]
        assert oms.jobs().asked == [("refresh", store_id, o) for o in orders]
        assert sorted(refresh_requests(oms)) == [(store_id, o) for o in orders]

    def test_deauthorization_disconnects_the_store_with_the_reason(self, oms: Container, client: TestClient) -> None:
        assert post(client, delivery(6, {"message": "Seller deauthorized the app"})) == 200
        shown = store(oms)
        assert shown["status"] == "disconnected"
        assert "deauthorized" in shown["status_reason"] and "Seller deauthorized the app" in shown["status_reason"]

    def test_an_upcoming_expiration_is_a_warning_with_the_date(self, oms: Container, client: TestClient) -> None:
        ends = NOW + timedelta(days=30)
        body = delivery(7, {"message": "authorization expires soon", "expiration_time": int(ends.timestamp())})
        assert post(client, body) == 200
        shown = store(oms)
        assert shown["status"] == "connected"
        assert shown["authorization_ends_at"].startswith(ends.date().isoformat())
        assert ends.date().isoformat() in shown["authorization_warning"]

    def test_an_unknown_type_is_stored_and_ignored(self, oms: Container, client: TestClient) -> None:
        assert post(client, delivery(99, {"anything": [1, 2]})) == 200
        assert stored(oms) == 1
        assert oms.jobs().asked == [] and refresh_requests(oms) == []
        assert store(oms)["status"] == "connected"

    def test_a_webhook_for_an_unknown_shop_is_answered_200_and_logged(self, oms: Container, client: TestClient,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
        with caplog.at_level(logging.WARNING):
            assert post(client, delivery(1, {"order_id": "1"}, shop_id="999")) == 200
        assert stored(oms) == 0
        assert "no connected store" in caplog.text


def test_delivery_ids_are_forgotten_only_a_week_later(oms: Container, client: TestClient) -> None:
    assert post(client, delivery(1, {"order_id": "9"})) == 200
    with oms.clock.override(FixedClock(NOW + timedelta(days=6))):
        oms.schedule_syncs()()
    assert stored(oms) == 1
    with oms.clock.override(FixedClock(NOW + timedelta(days=8))):
        oms.schedule_syncs()()
    assert stored(oms) == 0
