"""The sandbox's side of TikTok Shop webhooks: signed deliveries to the OMS, retried like TikTok's.

TikTok (TIKTOK_API.md §6.1) POSTs `{type, tts_notification_id, shop_id, timestamp, data}` with
`Authorization` = hex HMAC-SHA256(app_secret, app_key + body), expects 200 within 3 s, and
retries after 2 min, 30 min, 3 h and 12 h. The sandbox does the same on a shorter, settable
schedule, and tests can script faults: drop the next deliveries, deliver them twice, or late.
"""

import hashlib
import hmac
import itertools
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger(__name__)

TIKTOK_RETRY_DELAYS = (120.0, 1800.0, 10800.0, 43200.0)  # TikTok's: 2 min, 30 min, 3 h, 12 h
TIMEOUT_SECONDS = 3.0


@dataclass
class Delivery:
    notification: dict[str, Any]
    body: bytes
    attempts: int = 0
    statuses: list[int | str] = field(default_factory=list)


@dataclass
class WebhookFaults:
    """Scripted faults, applied to the next notifications in order (each number is a count)."""

    drop: int = 0  # never delivered at all
    duplicate: int = 0  # delivered twice (two POSTs of the same body)
    delay_seconds: float = 0.0  # every delivery waits this long first
    drop_all: bool = False  # webhooks off: nothing is ever delivered


def sign(app_key: str, app_secret: str, body: bytes) -> str:
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


class WebhookSender:
    """Sends the sandbox's webhooks from one background thread, in order, with retries."""

    def __init__(
        self,
        url: str,
        *,
        app_key: str,
        app_secret: str,
        retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self._app_key = app_key
        self._app_secret = app_secret
        self.retry_delays = retry_delays
        self._clock = clock
        self.faults = WebhookFaults()
        self.sent: list[Delivery] = []  # every notification made, with its attempts
        self._queue: list[tuple[float, Delivery]] = []
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._closed = False
        self._http = httpx.Client(timeout=TIMEOUT_SECONDS)
        self._thread = threading.Thread(target=self._loop, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    def notify(self, kind: int, shop_id: str, data: dict[str, Any]) -> Delivery:
        """Make one notification and schedule its delivery (subject to the scripted faults)."""
        notification = {
            "type": kind,
            "tts_notification_id": f"{int(self._clock() * 1000)}{next(self._ids):06d}{secrets.token_hex(2)}",
            "shop_id": shop_id,
            "timestamp": int(self._clock()),
            "data": data,
        }
        delivery = Delivery(notification, json.dumps(notification, separators=(",", ":")).encode())
        with self._cond:
            self.sent.append(delivery)
            if self.faults.drop_all:
                delivery.statuses.append("dropped")
                return delivery
            if self.faults.drop > 0:
                self.faults.drop -= 1
                delivery.statuses.append("dropped")
                return delivery
            copies = 1
            if self.faults.duplicate > 0:
                self.faults.duplicate -= 1
                copies = 2
            at = time.monotonic() + self.faults.delay_seconds
            for _ in range(copies):
                self._queue.append((at, delivery))
            self._queue.sort(key=lambda item: item[0])
            self._cond.notify()
        return delivery

    def redeliver(self, delivery: Delivery) -> None:
        """Send an already delivered notification again, byte for byte (a replay)."""
        with self._cond:
            self._queue.append((time.monotonic(), delivery))
            self._queue.sort(key=lambda item: item[0])
            self._cond.notify()

    def idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued; False on time-out."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))
        return True

    _busy = False

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(5.0)
        self._http.close()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._queue or self._queue[0][0] > time.monotonic()):
                    wait = None if not self._queue else max(0.0, self._queue[0][0] - time.monotonic())
                    self._cond.wait(wait if wait is None else min(wait, 1.0))
                if self._closed:
                    return
                _, delivery = self._queue.pop(0)
                self._busy = True
            try:
                self._attempt(delivery)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _attempt(self, delivery: Delivery) -> None:
        delivery.attempts += 1
        try:
            response = self._http.post(
                self.url, content=delivery.body,
                headers={"Authorization": sign(self._app_key, self._app_secret, delivery.body),
                         "Content-Type": "application/json"},
            )
            status: int | str = response.status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        delivery.statuses.append(status)
        if status == 200:
            return
        retry = delivery.attempts - 1
        if retry < len(self.retry_delays):
            log.info("webhook %s got %s; retrying in %.0f s", delivery.notification["tts_notification_id"], status,
                     self.retry_delays[retry])
            with self._cond:
                self._queue.append((time.monotonic() + self.retry_delays[retry], delivery))
                self._queue.sort(key=lambda item: item[0])
        else:
            log.warning("webhook %s given up after %d attempts", delivery.notification["tts_notification_id"],
                        delivery.attempts)


# --- what changed in the sandbox's shops, as TikTok's webhook types -------------------------------

ORDER_STATUS_CHANGE, RECIPIENT_ADDRESS_UPDATE, PACKAGE_UPDATE, CANCELLATION_STATUS_CHANGE = 1, 3, 4, 11


def _webhook_status(status: str) -> str:
    # TikTok's type-1 webhook spells the cancelled status CANCEL (TIKTOK_API.md §6.1).
    return "CANCEL" if status == "CANCELLED" else status


def _fingerprint(order: dict[str, Any]) -> tuple[Any, ...]:
    return (
        order.get("status"),
        json.dumps(order.get("recipient_address"), sort_keys=True),
        tuple(sorted(p.get("id", "") for p in order.get("packages") or ())),
        tuple(item.get("display_status") for item in order.get("line_items") or ()),
        order.get("update_time"),
    )


class ShopWatcher:
    """Turns changes of the model's orders into TikTok's webhooks, whatever made them (an API call,
    a placed order, a buyer's cancellation): new order or status change → 1, cancelled lines → 11,
    address → 3, packages → 4. `poll()` compares with the last look; `start()` polls in a thread."""

    def __init__(self, model: Any, sender: WebhookSender, *, interval: float = 0.2) -> None:
        self._model = model
        self._sender = sender
        self._interval = interval
        self._seen: dict[str, tuple[Any, ...]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.poll(announce=False)  # what is there at start is known, not news

    def poll(self, *, announce: bool = True) -> int:
        """Send the webhooks for what changed since the last poll; returns how many were made."""
        made = 0
        with self._model.lock:
            current = {(shop.id, order_id): (shop.id, json.loads(json.dumps(order)))
                       for shop in self._model.shops.values() for order_id, order in shop.orders.items()}
        for (shop_id, order_id), (_, order) in sorted(current.items(), key=lambda kv: kv[1][1]["update_time"]):
            now = _fingerprint(order)
            before = self._seen.get(order_id)
            self._seen[order_id] = now
            if not announce or before == now:
                continue
            made += self._announce(shop_id, order, before, now)
        return made

    def _announce(self, shop_id: str, order: dict[str, Any], before: tuple[Any, ...] | None,
                  now: tuple[Any, ...]) -> int:
        made = 0
        if before is None or before[0] != now[0]:
            self._sender.notify(ORDER_STATUS_CHANGE, shop_id, {
                "order_id": order["id"], "order_status": _webhook_status(order["status"]),
                "is_on_hold_order": bool(order.get("is_on_hold_order")), "update_time": order["update_time"]})
            made += 1
        if before is not None and before[3] != now[3] and "CANCELLED" in now[3]:
            self._sender.notify(CANCELLATION_STATUS_CHANGE, shop_id, {
                "order_id": order["id"], "cancellations_role": order.get("cancellation_initiator") or "SELLER",
                "cancel_status": "CANCELLATION_REQUEST_COMPLETE", "cancel_id": f"cancel-{order['id']}",
                "create_time": order["update_time"]})
            made += 1
        # TikTok masking a closed order's address (US, CANCELLED) is not the buyer changing it.
        if before is not None and before[1] != now[1] and "*" not in now[1]:
            self._sender.notify(RECIPIENT_ADDRESS_UPDATE, shop_id, {"order_id": order["id"], "update_time": order["update_time"]})
            made += 1
        if before is not None and before[2] != now[2]:
            self._sender.notify(PACKAGE_UPDATE, shop_id, {
                "sc_type": "SPLIT", "role_type": "SELLER", "update_time": order["update_time"],
                "package_list": [{"package_id": p, "order_id_list": [order["id"]]} for p in now[2]]})
            made += 1
        return made

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.wait(self._interval):
                try:
                    self.poll()
                except Exception:  # the sandbox keeps serving; the next look tries again
                    log.exception("sandbox webhook watcher")

        self._thread = threading.Thread(target=loop, name="sandbox-webhook-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)


def control_routes(model: Any, sender: WebhookSender | None, place: Callable[[], dict[str, Any]]) -> list[Any]:
    """The sandbox's own control API (not TikTok's), for demos and scripts:

    - `POST /sandbox/orders` places one new order in the shop (answers its id);
    - `POST /sandbox/webhooks/faults` scripts the next deliveries: JSON `{"drop": n, "duplicate": n,
      "delay_seconds": s, "drop_all": bool}` (fields left out keep their value).
    """
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def new_order(request: Request) -> JSONResponse:
        order = place()
        return JSONResponse({"order_id": order["id"], "status": order["status"]})

    async def faults(request: Request) -> JSONResponse:
        if sender is None:
            return JSONResponse({"error": "the sandbox sends no webhooks (start it with --webhook-url)"}, 409)
        try:
            given = await request.json()
            for name in ("drop", "duplicate"):
                if name in given:
                    setattr(sender.faults, name, max(0, int(given[name])))
            if "delay_seconds" in given:
                sender.faults.delay_seconds = max(0.0, float(given["delay_seconds"]))
            if "drop_all" in given:
                sender.faults.drop_all = bool(given["drop_all"])
        except (ValueError, TypeError, AttributeError):
            return JSONResponse({"error": "expected {drop, duplicate, delay_seconds, drop_all}"}, 400)
        return JSONResponse(vars(sender.faults))

    return [Route("/sandbox/orders", new_order, methods=["POST"]),
            Route("/sandbox/webhooks/faults", faults, methods=["POST"])]
