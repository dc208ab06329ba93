"""TikTok Shop webhooks as the OMS acts on them (TIKTOK_API.md §6.1; STACK.md I-12, I-13, S-2).

Webhooks are hints: the scheduled sync stays the source of truth, so a dropped, refused or late
delivery costs at most one sync interval. A delivery's effect and the record of its
`tts_notification_id` commit in one transaction, so a redelivery (TikTok retries after 2 min,
30 min, 3 h and 12 h) has no second effect.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from application.commands import ReceiveWebhook
from application.ports import BackgroundJobs, Clock, UnitOfWork, WebhookNotification

log = logging.getLogger(__name__)

# TikTok's webhook types (TIKTOK_API.md §6.1; Partner Center's webhook pages).
ORDER_STATUS_CHANGE = 1
RECIPIENT_ADDRESS_UPDATE = 3
PACKAGE_UPDATE = 4
SELLER_DEAUTHORIZATION = 6
UPCOMING_AUTHORIZATION_EXPIRATION = 7
CANCELLATION_STATUS_CHANGE = 11
RETURN_STATUS_CHANGE = 12
ORDER_TYPES = frozenset({ORDER_STATUS_CHANGE, RECIPIENT_ADDRESS_UPDATE, PACKAGE_UPDATE,
                         CANCELLATION_STATUS_CHANGE, RETURN_STATUS_CHANGE})

# TikTok signs only the body (no fresh timestamp per attempt) and retries the same body for about
# 15.5 hours (2 min + 30 min + 3 h + 12 h): a delivery is accepted for 72 hours after its
# `timestamp` (S-2: a window at least the retry horizon), and its id is remembered for longer.
REPLAY_WINDOW = timedelta(hours=72)
CLOCK_SKEW = timedelta(minutes=5)
DEDUP_RETENTION = timedelta(days=7)


class WebhookOutcome(str, Enum):
    REFRESH_QUEUED = "refresh queued"
    STORE_DEAUTHORIZED = "store deauthorized"
    EXPIRY_WARNING = "authorization expiry warning stored"
    IGNORED = "stored, type not used"
    DUPLICATE = "duplicate"
    UNKNOWN_SHOP = "unknown shop"
    STALE = "outside the replay window"


@dataclass(frozen=True, slots=True)
class WebhookResult:
    outcome: WebhookOutcome
    store_id: str | None = None
    order_ids: tuple[str, ...] = ()


def order_ids(kind: int, data: Mapping[str, Any]) -> tuple[str, ...]:
    """The TikTok order ids a webhook of `kind` names: `data.order_id`, or for a package update
    (type 4) every `package_list[].order_id_list[]`."""
    found: list[str] = []
    if kind == PACKAGE_UPDATE:
        for package in data.get("package_list") or ():
            if isinstance(package, Mapping):
                found += [str(o) for o in package.get("order_id_list") or () if str(o)]
    order_id = data.get("order_id")
    if order_id not in (None, ""):
        found.append(str(order_id))
    return tuple(dict.fromkeys(found))


class ReceiveWebhookHandler:
    """
    - A delivery for a shop no store is connected to is logged and changes nothing.
    - A delivery older than the replay window (72 h), or from the future, is logged and ignored.
    - The same `tts_notification_id` takes effect once, even when delivered concurrently.
    - Order status, address, package, cancellation and return changes (1, 3, 4, 11, 12) ask for a
      refresh of those orders from Get Order Detail; the webhook's own status is only a hint
      (TikTok spells it CANCEL there).
    - Deauthorization (6) puts the store back to Disconnected with TikTok's reason.
    - Upcoming authorization expiration (7) stores a warning with the date.
    - Other types are stored and otherwise ignored.
    """

    def __init__(self, uow: UnitOfWork, jobs: BackgroundJobs, clock: Clock) -> None:
        self._uow = uow
        self._jobs = jobs
        self._clock = clock

    def __call__(self, cmd: ReceiveWebhook) -> WebhookResult:
        now = self._clock.now()
        sent_at = datetime.fromtimestamp(cmd.timestamp, UTC)
        if now - sent_at > REPLAY_WINDOW or sent_at - now > CLOCK_SKEW:
            log.warning("webhook %s (type %s) ignored: sent at %s, outside the replay window",
                        cmd.notification_id, cmd.type, sent_at.isoformat())
            return WebhookResult(WebhookOutcome.STALE)
        with self._uow:
            store = self._uow.stores.by_shop_id(cmd.shop_id)
            if store is None:
                log.warning("webhook %s (type %s) for TikTok shop %s: no connected store has that shop",
                            cmd.notification_id, cmd.type, cmd.shop_id)
                return WebhookResult(WebhookOutcome.UNKNOWN_SHOP)
            notification = WebhookNotification(
                id=cmd.notification_id, store_id=store.id, type=cmd.type, sent_at=sent_at, received_at=now,
                payload=cmd.raw,
            )
            if not self._uow.webhooks.record(notification):
                return WebhookResult(WebhookOutcome.DUPLICATE, store.id)
            orders: tuple[str, ...] = ()
            if cmd.type in ORDER_TYPES:
                orders = order_ids(cmd.type, cmd.data)
                for order_id in orders:
                    self._uow.refresh_requests.request(store.id, order_id, now)
                outcome = WebhookOutcome.REFRESH_QUEUED
            elif cmd.type == SELLER_DEAUTHORIZATION:
                message = str(cmd.data.get("message") or "").strip()
                store.fail("the seller deauthorized the app on TikTok" + (f" ({message})" if message else ""))
                outcome = WebhookOutcome.STORE_DEAUTHORIZED
            elif cmd.type == UPCOMING_AUTHORIZATION_EXPIRATION:
                ends = _timestamp(cmd.data.get("expiration_time"))
                store.warn_authorization_ends(ends, str(cmd.data.get("message") or "").strip() or None)
                outcome = WebhookOutcome.EXPIRY_WARNING
            else:
                outcome = WebhookOutcome.IGNORED
            self._uow.commit()
            store_id = store.id
        # After the commit: the request rows are the durable record; a lost enqueue is re-sent by
        # the scheduler's sweep (RequeueRefreshes) and, at the latest, the next sync covers it.
        for order_id in orders:
            self._jobs.refresh_order_soon(store_id, order_id)
        log.info("webhook %s (type %s) for store %s: %s", cmd.notification_id, cmd.type, store_id, outcome.value)
        return WebhookResult(outcome, store_id, orders)


def _timestamp(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
