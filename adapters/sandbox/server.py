import ipaddress
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from adapters.sandbox.model import TikTokShopModel
from adapters.sandbox.app import DEFAULT_REDIRECT_URL, create_app
from adapters.sandbox.seed import seed_demo_shop

START_DEADLINE = 10.0
STOP_DEADLINE = 5.0


@contextmanager
def running_sandbox(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serves `app` with uvicorn in a daemon thread; yields its base URL (the bound port)."""
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the sandbox only binds a loopback address, not {host!r}")
    # No access log: TikTok URLs carry the sign, and the token endpoints the app secret and codes.
    config = uvicorn.Config(app, host=host, port=port, access_log=False, log_config=None, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)

    def run() -> None:
        try:
            server.run()
        except SystemExit:  # uvicorn's way of failing to bind; it has logged why, the caller is told below
            pass

    thread = threading.Thread(target=run, name="tiktok-sandbox", daemon=True)
    thread.start()
    try:
        # Bounded and watching the thread: a server that died at startup must not hang the caller.
        deadline = time.monotonic() + START_DEADLINE
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError(f"the sandbox failed to start on {host}:{port}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start within {START_DEADLINE:.0f} s")
            time.sleep(0.01)
        bound = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://{host}:{bound}" if ":" not in host else f"http://[{host}]:{bound}"
    finally:
        server.should_exit = True
        thread.join(STOP_DEADLINE)
        if thread.is_alive():
            server.force_exit = True
            thread.join(STOP_DEADLINE)


def serve(port: int, orders: int, app_key: str, app_secret: str, service_id: str, *,
          redirect_url: str = DEFAULT_REDIRECT_URL, webhook_url: str | None = None,
          webhook_retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0), order_every: float | None = None) -> None:
    """Runs a seeded sandbox on 127.0.0.1 until interrupted (`tiktok-oms sandbox serve`).

    With `webhook_url`, it signs and POSTs TikTok's webhooks there whenever its orders change
    (retrying a delivery that is not answered 200 after each of `webhook_retry_delays` seconds);
    with `order_every`, a new order is placed every that many seconds.
    """
    import random

    from adapters.sandbox.seed import place_random_order
    from adapters.sandbox.webhook_sender import ShopWatcher, WebhookSender, control_routes

    model = TikTokShopModel(app_key=app_key, app_secret=app_secret, service_id=service_id)
    shop = seed_demo_shop(model, orders=orders)
    rng = random.Random()
    sender = WebhookSender(webhook_url, app_key=app_key, app_secret=app_secret,
                           retry_delays=webhook_retry_delays) if webhook_url else None
    watcher = ShopWatcher(model, sender) if sender else None
    app = create_app(model, redirect_url=redirect_url)
    app.router.routes.extend(control_routes(model, sender, lambda: place_random_order(model, shop, rng)))
    with running_sandbox(app, port=port) as url:
        print(f"TikTok Shop sandbox on {url} (app key {app_key}, service id {service_id})", file=sys.stderr)
        print(f"shop {shop.name!r} with {len(shop.orders)} orders; point the OMS at it with:", file=sys.stderr)
        for name, value in (("TIKTOK_API_BASE_URL", url), ("TIKTOK_AUTH_BASE_URL", url),
                            ("TIKTOK_AUTHORIZE_URL", f"{url}/open/authorize")):
            print(f"  {name}={value}", file=sys.stderr)
        if sender:
            print(f"webhooks: signed, to {webhook_url} (POST {url}/sandbox/webhooks/faults to drop, "
                  "duplicate or delay them)", file=sys.stderr)
        print(f"new order: POST {url}/sandbox/orders" + (f"; one every {order_every:g} s" if order_every else ""),
              file=sys.stderr)
        print("Press Ctrl+C to stop.", file=sys.stderr)
        if watcher:
            watcher.start()
        try:
            while True:
                time.sleep(order_every or 3600)
                if order_every:
                    place_random_order(model, shop, rng)
        except KeyboardInterrupt:
            pass
        finally:
            if watcher:
                watcher.stop()
            if sender:
                sender.close()
