"""The sandbox reached in process: the real TikTok client and gateway, no socket, no thread.

The in-memory mode (`--in-memory`, `demo --in-memory`) and the fast tests talk to the simulator
through exactly the code production uses against TikTok (request bodies, signing, envelope and
error mapping in `adapters.tiktok`), over `InProcessTransport` instead of a TCP connection.
"""

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import httpx
from starlette.types import ASGIApp, Message

from adapters.sandbox.app import create_app
from adapters.sandbox.model import TikTokShopModel
from adapters.tiktok.client import TikTokHttpClient
from adapters.tiktok.gateway import HttpxTikTokShop

IN_PROCESS_BASE_URL = "http://127.0.0.1"  # never dialled: the transport hands requests to the app
_loops = threading.local()


def _loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop | None = getattr(_loops, "loop", None)
    if loop is None or loop.is_closed():
        loop = _loops.loop = asyncio.new_event_loop()
    return loop


class InProcessTransport(httpx.BaseTransport):
    """A synchronous httpx transport that answers each request by running an ASGI app in this thread.

    httpx's own ASGITransport is async-only, and Starlette's TestClient crosses to a portal thread
    for every request. Here the app runs on the calling thread's own event loop (kept between
    requests), so a request costs one loop run and no thread switch. An exception the app raises after starting
    its answer (the `drop` fault) reaches the client as `httpx.ReadError`, like a closed connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        url = request.url
        scope: dict[str, Any] = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": request.method,
            "scheme": url.scheme, "path": url.path, "raw_path": url.raw_path.split(b"?", 1)[0],
            "query_string": url.query, "root_path": "",
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "client": ("127.0.0.1", 50000), "server": (url.host, url.port or 80), "state": {},
        }
        sent_body = False
        status: int | None = None
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def receive() -> Message:
            nonlocal sent_body
            if sent_body:
                return {"type": "http.disconnect"}
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            _run(self._app(scope, receive, send))
        except Exception as exc:
            if status is None:
                raise
            raise httpx.ReadError(f"the server closed the connection mid-answer ({type(exc).__name__})",
                                  request=request) from None
        if status is None:
            raise httpx.RemoteProtocolError("the server sent no answer", request=request)
        return httpx.Response(status, headers=headers, content=b"".join(chunks), request=request)


def _run(coro: Any) -> None:
    # One event loop per thread, kept: a request costs a loop step, not a loop.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        _loop().run_until_complete(coro)
        return
    # Called from inside a running loop (an async caller using this sync client): use a helper thread.
    failure: list[BaseException] = []

    def run() -> None:
        try:
            _loop().run_until_complete(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    helper = threading.Thread(target=run, name="sandbox-in-process")
    helper.start()
    helper.join()
    if failure:
        raise failure[0]


def in_process_client(model: TikTokShopModel, *, now: Callable[[], float] | None = None,
                      app: ASGIApp | None = None) -> tuple[TikTokHttpClient, httpx.Client]:
    """The signing client in front of `create_app(model)` (or `app`), in process.

    `now` is the client's clock (seconds; the model's by default, so signatures are never stale).
    Retries do not wait (nothing to wait for in process; a Retry-After is capped at 0 s).
    Returns the client and the httpx client under it (close it when done).
    """
    http = httpx.Client(transport=InProcessTransport(app or create_app(model)), base_url=IN_PROCESS_BASE_URL)
    client = TikTokHttpClient(http, app_key=model.app_key, app_secret=model.app_secret,
                              api_base_url=IN_PROCESS_BASE_URL, auth_base_url=IN_PROCESS_BASE_URL,
                              now=now or model.now, max_wait=0.0, first_wait=0.0)
    return client, http


class InProcessTikTokShop(HttpxTikTokShop):
    """The production TikTok gateway over the simulator `model`, with no network (demo and fast tests).

    `app` is the sandbox app to talk to (`create_app(model)` by default; pass one to script its
    faults), `now` the client's clock in seconds (the model's by default). Tests subclass it to
    script TikTok's side (a dropped page, a slow refresh) around the real calls.
    """

    def __init__(self, model: TikTokShopModel, *, authorize_url: str, now: Callable[[], float] | None = None,
                 app: ASGIApp | None = None) -> None:
        client, self.http = in_process_client(model, now=now, app=app)
        super().__init__(client, service_id=model.service_id, authorize_url=authorize_url)
        self.model = model
