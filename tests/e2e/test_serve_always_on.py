"""`tiktok-oms serve` on the default SQLite kind of database, as its own process (issue 10 item 7):
an order placed in the sandbox reaches the OMS by a signed webhook within seconds, and, with
every webhook dropped, by the schedule alone (I-13)."""

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from adapters.persistence import tables as t
from adapters.persistence.migrations import upgrade
from adapters.sandbox.app import create_app
from adapters.sandbox.server import running_sandbox
from adapters.sandbox.webhook_sender import ShopWatcher, WebhookSender
from adapters.settings import Settings
from application.commands import BeginAuthorization, CompleteAuthorization, CreateStore
from tests.e2e.test_cli_against_sandbox import _default_sigint, clean_environment, free_ports

pytestmark = pytest.mark.e2e

APP_KEY, APP_SECRET = "serve-app-key", "serve-app-secret"
REDIRECT = "http://127.0.0.1:8765/callback"
DEADLINE = 60.0


class Rig:
    def __init__(self, stack: ExitStack, tmp_path: Path, *, sync_interval: str) -> None:
        self.model = TikTokShopModel(app_key=APP_KEY, app_secret=APP_SECRET, service_id="serve")
        self.shop = self.model.add_shop("Serve Shop", region="US")
        base = stack.enter_context(running_sandbox(create_app(self.model, redirect_url=REDIRECT)))
        (port,) = free_ports(1)
        self.url = f"http://127.0.0.1:{port}"
        self.sender = WebhookSender(f"{self.url}/webhooks/tiktok", app_key=APP_KEY, app_secret=APP_SECRET,
                                    retry_delays=(0.5, 1.0, 2.0))
        stack.callback(self.sender.close)
        self.database = f"sqlite:///{tmp_path / 'oms.sqlite'}"
        upgrade(self.database)
        settings = dict(TIKTOK_OMS_DATABASE_URL=self.database, TIKTOK_API_BASE_URL=base, TIKTOK_AUTH_BASE_URL=base,
                        TIKTOK_AUTHORIZE_URL=f"{base}/open/authorize", TIKTOK_APP_KEY=APP_KEY,
                        TIKTOK_APP_SECRET=APP_SECRET, TIKTOK_SERVICE_ID="serve", TIKTOK_OMS_SYNC_INTERVAL=sync_interval)
        oms = Container(settings=Settings(_env_file=None, **settings))
        self.store_id = oms.create_store()(CreateStore(name="Serve US", region="US"))
        begun = oms.begin_authorization()(BeginAuthorization(store=self.store_id))
        redirect = self.model.approve(begun["authorization_url"], REDIRECT, shop_id=self.shop.id)
        oms.complete_authorization()(CompleteAuthorization(store=self.store_id, redirect_url=redirect))
        oms.engine().dispose()
        self.model.place_order(self.shop.id, units=[("tee", 1)])  # there before serve starts
        self.watcher = ShopWatcher(self.model, self.sender, interval=0.1)
        stack.callback(self.watcher.stop)
        script = Path(sys.executable).parent / "tiktok-oms"
        self.process = subprocess.Popen([str(script), "serve", "--port", str(port)], env=clean_environment(**settings),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        preexec_fn=_default_sigint)
        stack.callback(self.stop)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.communicate()
        return int(self.process.returncode)

    def statuses(self) -> dict[str, str]:
        engine = create_engine(self.database)
        try:
            with engine.connect() as connection:
                rows = connection.execute(select(t.orders.c.tiktok_order_id, t.orders.c.tiktok_status))
                return {order_id: status for order_id, status in rows}
        finally:
            engine.dispose()

    def wait_for(self, order_id: str, status: str) -> None:
        end = time.monotonic() + DEADLINE
        while self.statuses().get(order_id) != status:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited ({self.process.returncode}): {self.process.stderr.read() if self.process.stderr else ''}")
            if time.monotonic() > end:
                raise AssertionError(f"order {order_id} not {status} in the OMS within {DEADLINE:.0f} s: {self.statuses()}")
            time.sleep(0.1)

    def wait_healthy(self) -> None:
        end = time.monotonic() + DEADLINE
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > end:
                raise AssertionError(f"serve did not come up: {self.process.stderr.read() if self.process.stderr else ''}")
            time.sleep(0.1)


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as running:
        yield running


def test_an_order_placed_in_the_sandbox_arrives_by_webhook(stack: ExitStack, tmp_path: Path) -> None:
    rig = Rig(stack, tmp_path, sync_interval="3600")  # the schedule syncs once, at start, then not for an hour
    rig.wait_healthy()
    first = next(iter(rig.shop.orders))
    rig.wait_for(first, "AWAITING_SHIPMENT")  # the first scheduled sync
    rig.watcher.start()

    placed = rig.model.place_order(rig.shop.id, units=[("mug", 2)])
    rig.wait_for(placed["id"], "AWAITING_SHIPMENT")
    rig.model.buyer_cancels(placed["id"])
    rig.wait_for(placed["id"], "CANCELLED")

    assert rig.sender.idle(10)
    kinds = [d.notification["type"] for d in rig.sender.sent]
    assert kinds == [1, 1, 11] and all(d.statuses == [200] for d in rig.sender.sent)
    assert rig.stop() == 0


def test_with_every_webhook_dropped_the_schedule_brings_the_order(stack: ExitStack, tmp_path: Path) -> None:
    rig = Rig(stack, tmp_path, sync_interval="2")
    rig.sender.faults.drop_all = True
    rig.wait_healthy()
    rig.watcher.start()

    placed = rig.model.place_order(rig.shop.id, units=[("cap", 1)])
    rig.wait_for(placed["id"], "AWAITING_SHIPMENT")

    assert rig.sender.sent and all(d.statuses == ["dropped"] for d in rig.sender.sent)
    assert rig.stop() == 0


def test_sandbox_serve_pushes_signed_webhooks_to_the_url_given(tmp_path: Path) -> None:
    """`tiktok-oms sandbox serve --webhook-url URL` as its own process: a new order placed through
    its control API reaches URL as a signed type-1 webhook."""
    import json
    import threading

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from adapters.tiktok.signing import verify_webhook

    got: list[tuple[dict, bool]] = []
    arrived = threading.Event()

    async def hook(request: Request) -> Response:
        body = await request.body()
        got.append((json.loads(body), verify_webhook(APP_KEY, APP_SECRET, body, request.headers.get("authorization", ""))))
        arrived.set()
        return Response(status_code=200)

    with running_sandbox(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as receiver:
        (port,) = free_ports(1)
        env = clean_environment(TIKTOK_APP_KEY=APP_KEY, TIKTOK_APP_SECRET=APP_SECRET,
                                TIKTOK_OMS_DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite'}")
        sandbox = subprocess.Popen([str(Path(sys.executable).parent / "tiktok-oms"), "sandbox", "serve", "--port", str(port),
                                    "--webhook-url", f"{receiver}/hook"], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint)
        try:
            end = time.monotonic() + DEADLINE
            while True:
                try:
                    placed = httpx.post(f"http://127.0.0.1:{port}/sandbox/orders", timeout=5.0).json()
                    break
                except httpx.TransportError:
                    if sandbox.poll() is not None or time.monotonic() > end:
                        raise AssertionError("the sandbox did not come up") from None
                    time.sleep(0.1)
            assert arrived.wait(DEADLINE)
        finally:
            sandbox.send_signal(signal.SIGINT)
            try:
                sandbox.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                sandbox.kill()
                sandbox.communicate()
    notification, signed = got[0]
    assert signed
    assert notification["type"] == 1 and notification["data"]["order_id"] == placed["order_id"]
    assert notification["data"]["order_status"] == "AWAITING_SHIPMENT" and notification["tts_notification_id"]
