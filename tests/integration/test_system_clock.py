"""Rules that read the time, with the production clock (SystemClock, the OS clock) moved by
time-machine rather than an injected fake: token expiry, FBT start dates, the webhook replay window.

The OMS (in-memory container, nothing overridden but the job queue) and its in-process TikTok
simulator both read the OS clock, so moving it moves both, as real time would.
"""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from dependency_injector import providers

from adapters.clock import SystemClock
from adapters.container import Container
from adapters.settings import Settings
from application.commands import (
    BeginAuthorization,
    CompleteAuthorization,
    ConfigureFbtImport,
    CreateStore,
    CreateWarehouse,
    ReceiveWebhook,
    SyncOrders,
)
from application.handlers.webhooks import WebhookOutcome
from domain.exceptions import DomainError

pytestmark = pytest.mark.integration

STORE = "Clock Shop"
REDIRECT = "http://127.0.0.1:8765/callback"
START = datetime(2026, 3, 1, 0, 30, tzinfo=UTC)  # half an hour into a month


class Jobs:
    def __init__(self) -> None:
        self.refreshes: list[tuple[str, str]] = []

    def refresh_order_soon(self, store_id: str, order_id: str) -> None:
        self.refreshes.append((store_id, order_id))


@pytest.fixture
def traveller() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as travelling:
        yield travelling


@pytest.fixture
def oms(traveller: time_machine.Traveller) -> Container:
    c = Container(settings=Settings(_env_file=None, in_memory=True))  # type: ignore[call-arg]
    assert isinstance(c.clock(), SystemClock)
    c.jobs.override(providers.Object(Jobs()))
    shop = c.tiktok_model().add_shop(f"{STORE} on TikTok", region="US")
    c.create_store()(CreateStore(name=STORE, region="US"))
    started = c.begin_authorization()(BeginAuthorization(store=STORE))
    redirect = c.tiktok_model().approve(started["authorization_url"], REDIRECT, shop_id=shop.id)
    c.complete_authorization()(CompleteAuthorization(store=STORE, redirect_url=redirect))
    return c


def refreshes(c: Container) -> int:
    return sum(1 for name, _ in c.tiktok_model().calls if "refresh" in name)


def test_the_access_token_is_refreshed_a_day_before_it_expires_by_the_system_clock(
        oms: Container, traveller: time_machine.Traveller) -> None:
    connection = oms.queries().store(STORE)
    expires = datetime.fromisoformat(str(connection["access_token_expires_at"]))
    assert expires == START + timedelta(days=7)  # the sandbox's 7-day access token

    traveller.move_to(expires - timedelta(hours=24, seconds=1))
    oms.sync_orders()(SyncOrders(store=STORE))
    assert refreshes(oms) == 0

    traveller.move_to(expires - timedelta(hours=23))
    oms.sync_orders()(SyncOrders(store=STORE))
    assert refreshes(oms) == 1
    renewed = datetime.fromisoformat(str(oms.queries().store(STORE)["access_token_expires_at"]))
    assert renewed == expires - timedelta(hours=23) + timedelta(days=7)


def test_fbt_import_can_start_on_the_first_of_the_current_month_by_the_system_clock(
        oms: Container, traveller: time_machine.Traveller) -> None:
    fbt = oms.create_warehouse()(CreateWarehouse(name="FBT", fbt=True, store=STORE))

    with pytest.raises(DomainError, match="2026-03-01"):  # yesterday was last month
        oms.configure_fbt_import()(ConfigureFbtImport(store=STORE, enable=True, start_date=date(2026, 2, 28),
                                                      warehouse=fbt))
    oms.configure_fbt_import()(ConfigureFbtImport(store=STORE, enable=True, start_date=date(2026, 3, 1), warehouse=fbt))

    model = oms.tiktok_model()
    shop = next(iter(model.shops.values()))
    before = int((START - timedelta(hours=1)).timestamp())  # 23:30 on the last day of February
    skipped = model.place_order(shop.id, units=[("tee-red-l", 1)], fbt=True, created=before)["id"]
    imported = model.place_order(shop.id, units=[("tee-red-l", 1)], fbt=True)["id"]
    traveller.shift(timedelta(minutes=5))
    oms.sync_orders()(SyncOrders(store=STORE))

    stored = {o["tiktok_order_id"] for o in oms.queries().orders(store=STORE)}
    assert imported in stored and skipped not in stored


def webhook(c: Container, sent: datetime, notification: str) -> WebhookOutcome:
    shop_id = next(iter(c.tiktok_model().shops))
    body = {"type": 1, "tts_notification_id": notification, "shop_id": shop_id,
            "timestamp": int(sent.timestamp()), "data": {"order_id": "576000000000000001"}}
    result = c.receive_webhook()(ReceiveWebhook(notification_id=notification, type=1, shop_id=shop_id,
                                                timestamp=int(sent.timestamp()), data=body["data"],
                                                raw=json.dumps(body)))
    return result.outcome


def test_the_webhook_replay_window_is_72_hours_by_the_system_clock(oms: Container,
                                                                   traveller: time_machine.Traveller) -> None:
    sent = START
    traveller.move_to(sent + timedelta(hours=71, minutes=59))
    assert webhook(oms, sent, "n-1") is WebhookOutcome.REFRESH_QUEUED
    assert webhook(oms, sent, "n-1") is WebhookOutcome.DUPLICATE

    traveller.move_to(sent + timedelta(hours=72, seconds=1))
    assert webhook(oms, sent, "n-2") is WebhookOutcome.STALE
    assert webhook(oms, sent + timedelta(hours=72, minutes=6), "n-3") is WebhookOutcome.STALE  # 5 min skew at most
    assert webhook(oms, sent + timedelta(hours=72, minutes=4), "n-4") is WebhookOutcome.REFRESH_QUEUED
