"""`POST /webhooks/tiktok`: TikTok Shop's webhook deliveries (TIKTOK_API.md §6).

- The `Authorization` header must be hex HMAC-SHA256(app_secret, app_key + raw body), checked over
  the bytes as received, before any parsing, in constant time (§6.2; STACK.md S-1). A missing or
  wrong signature is answered 401 and nothing is stored.
- Bodies over `MAX_BODY_BYTES` are refused with 413 before they are read in full.
- A good delivery is answered with an empty 200 (TikTok wants it within 3 s); its work is
  enqueued, never done inline (`ReceiveWebhookHandler`). A signed body that is not a notification
  gets 400; a database that cannot take it, 503 (TikTok delivers it again later).
"""

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from adapters.container import Container
from adapters.tiktok.signing import verify_webhook
from application.commands import ReceiveWebhook
from application.errors import ApplicationError

log = logging.getLogger(__name__)

# TikTok's largest documented payloads (a package update listing many orders) stay far below this.
MAX_BODY_BYTES = 64 * 1024


class _TooLarge(Exception):
    pass


async def read_limited(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refusing (raising `_TooLarge`) as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def webhook_endpoint(container: Container) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for TikTok's webhooks, bound to the app's key and secret."""
    settings = container.settings()
    app_key = settings.app_key
    app_secret = settings.app_secret.get_secret_value()

    async def receive(request: Request) -> Response:
        try:
            body = await read_limited(request)
        except _TooLarge:
            log.warning("webhook refused: body over %d bytes", MAX_BODY_BYTES)
            return Response(status_code=413)
        except ClientDisconnect:
            return Response(status_code=400)
        signature = request.headers.get("authorization", "")
        if not signature or not verify_webhook(app_key, app_secret, body, signature.strip()):
            # The signature itself is never logged (S-5).
            log.warning("webhook refused: %s signature", "missing" if not signature else "invalid")
            return Response(status_code=401)
        try:
            envelope = json.loads(body)
            if not isinstance(envelope, dict):
                raise ValueError("not an object")
        except ValueError:
            log.warning("webhook refused: signed body is not a JSON object")
            return Response(status_code=400)
        try:
            command = ReceiveWebhook(
                notification_id=str(envelope.get("tts_notification_id") or "sha256:" + hashlib.sha256(body).hexdigest()),
                type=envelope.get("type"),  # type: ignore[arg-type]
                shop_id=str(envelope.get("shop_id") or ""),
                timestamp=envelope.get("timestamp"),  # type: ignore[arg-type]
                data=envelope.get("data") if isinstance(envelope.get("data"), dict) else {},
                raw=body.decode("utf-8", errors="replace"),
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            log.warning("webhook refused: %s %s", ".".join(str(p) for p in first["loc"]), first["msg"])
            return Response(status_code=400)
        try:
            # The work is queued, never done here: TikTok wants the answer within 3 seconds.
            await run_in_threadpool(container.receive_webhook(), command)
        except ApplicationError as exc:  # the database is unavailable: TikTok retries later
            log.warning("webhook %s not taken: %s", command.notification_id, exc)
            return Response(status_code=503)
        return Response(status_code=200)

    return receive
