"""The sandbox pushes TikTok's webhooks (issue 10 item 6): signed like TikTok's, retried when not
answered 200, and scriptable: dropped, duplicated, delayed; the shop watcher names the right types."""

import threading
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.sandbox.model import TikTokShopModel
from adapters.sandbox.server import running_sandbox
from adapters.sandbox.webhook_sender import ShopWatcher, WebhookSender
from adapters.tiktok.signing import verify_webhook

pytestmark = pytest.mark.integration

KEY, SECRET = "push-key", "push-secret"


class Receiver:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.signed: list[bool] = []
        self.refuse_next = 0
        self.lock = threading.Lock()

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        with self.lock:
            self.bodies.append(body)
            self.signed.append(verify_webhook(KEY, SECRET, body, request.headers.get("authorization", "")))
            if self.refuse_next:
                self.refuse_next -= 1
                return Response(status_code=500)
        return Response(status_code=200)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, WebhookSender]]:
    got = Receiver()
    app = Starlette(routes=[Route("/hook", got.receive, methods=["POST"])])
    with running_sandbox(app) as url:
        sender = WebhookSender(f"{url}/hook", app_key=KEY, app_secret=SECRET, retry_delays=(0.05, 0.05))
        try:
            yield got, sender
        finally:
            sender.close()


def test_deliveries_are_signed_with_the_app_secret_over_the_raw_body(receiver: tuple[Receiver, WebhookSender]) -> None:
    got, sender = receiver
    sender.notify(1, "shop-1", {"order_id": "1", "order_status": "AWAITING_SHIPMENT"})
    assert sender.idle(10)
    assert got.signed == [True]


def test_an_unanswered_delivery_is_retried_until_it_is_taken(receiver: tuple[Receiver, WebhookSender]) -> None:
    got, sender = receiver
    got.refuse_next = 2
    delivery = sender.notify(1, "shop-1", {"order_id": "1"})
    assert sender.idle(10)
    assert delivery.statuses == [500, 500, 200]
    assert len(set(got.bodies)) == 1  # the same body each time, like TikTok


def test_one_given_up_after_the_last_retry(receiver: tuple[Receiver, WebhookSender]) -> None:
    got, sender = receiver
    got.refuse_next = 10
    delivery = sender.notify(1, "shop-1", {"order_id": "1"})
    assert sender.idle(10)
    assert delivery.statuses == [500, 500, 500]


def test_scripted_drop_duplicate_and_delay(receiver: tuple[Receiver, WebhookSender]) -> None:
    got, sender = receiver
    sender.faults.drop = 1
    dropped = sender.notify(1, "shop-1", {"order_id": "dropped"})
    sender.faults.duplicate = 1
    twice = sender.notify(1, "shop-1", {"order_id": "twice"})
    sender.faults.delay_seconds = 0.2
    late = sender.notify(1, "shop-1", {"order_id": "late"})
    assert sender.idle(10)
    assert dropped.statuses == ["dropped"]
    assert twice.statuses == [200, 200] and got.bodies.count(twice.body) == 2
    assert late.statuses == [200]
    assert dropped.body not in got.bodies


def test_the_watcher_names_tiktoks_webhook_types(receiver: tuple[Receiver, WebhookSender]) -> None:
    _, sender = receiver
    model = TikTokShopModel(app_key=KEY, app_secret=SECRET)
    shop = model.add_shop("Push Shop")
    existing = model.place_order(shop.id, units=[("tee", 1)])
    watcher = ShopWatcher(model, sender)  # what is there already is not news

    placed = model.place_order(shop.id, units=[("mug", 1)])
    assert watcher.poll() == 1
    model.buyer_cancels(existing["id"])
    assert watcher.poll() == 2
    assert watcher.poll() == 0

    sent = [(d.notification["type"], d.notification["data"].get("order_id"), d.notification["data"].get("order_status"))
            for d in sender.sent]
    assert sent == [(1, placed["id"], "AWAITING_SHIPMENT"), (1, existing["id"], "CANCEL"), (11, existing["id"], None)]
    assert all(d.notification["shop_id"] == shop.id and d.notification["tts_notification_id"] for d in sender.sent)
