import http.server
import socket
import time
from urllib.parse import urlsplit

from application.errors import ApplicationError

_PAGE = b"<!doctype html><title>tiktok-oms</title><p>TikTok sent you back to tiktok-oms. You can close this window.</p>"


class LoopbackCallback:
    """Listens once on the loopback address of the redirect URL for TikTok's callback.

    Binds 127.0.0.1 only, answers the expected path once, and never echoes the code back.
    """

    def __init__(self, redirect_url: str, *, port: int | None = None) -> None:
        parts = urlsplit(redirect_url)
        if parts.hostname not in ("127.0.0.1", "localhost"):
            raise ApplicationError(
                f"the redirect URL {redirect_url} is not on this machine: use 'stores connect --redirect-url'"
            )
        self.port = port or parts.port or 80
        self.path = parts.path or "/"
        self.received: list[str] = []

    def __enter__(self) -> "LoopbackCallback":
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                if urlsplit(self.path).path != listener.path or listener.received:
                    self.send_error(404)
                    return
                listener.received.append(f"http://127.0.0.1:{listener.port}{self.path}")
                self.send_response(200)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(_PAGE)

            def log_message(self, *args: object) -> None:  # the query holds the auth code: never log it
                pass

        try:
            self._server = http.server.HTTPServer(("127.0.0.1", self.port), Handler)
        except OSError as exc:
            raise ApplicationError(f"cannot listen on 127.0.0.1:{self.port} for TikTok's callback: {exc.strerror}") from None
        return self

    def wait(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while not self.received:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ApplicationError(
                    f"no callback from TikTok within {int(timeout)} s; finish with "
                    "'tiktok-oms stores connect STORE --redirect-url URL'"
                )
            self._server.timeout = min(remaining, 1.0)
            try:
                self._server.handle_request()
            except socket.timeout:
                continue
        return self.received[0]

    def __exit__(self, *args: object) -> None:
        self._server.server_close()

