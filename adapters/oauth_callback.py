import http.server
import socket
import time
from urllib.parse import urlsplit

from application.errors import ApplicationError

_PAGE = b"<!doctype html><title>tiktok-oms</title><p>TikTok sent you back to tiktok-oms. You can close this window.</p>"


def wait_for_callback(redirect_url: str, *, port: int | None = None, timeout: float = 300.0) -> str:
    """Listen once on the loopback address of the redirect URL; return the URL TikTok sent the browser to.

    Binds 127.0.0.1 only, serves the expected path once, and never echoes the code back.
    """
    parts = urlsplit(redirect_url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        raise ApplicationError(
            f"the redirect URL {redirect_url} is not on this machine: use 'stores connect --redirect-url'"
        )
    port = port or parts.port or 80
    path = parts.path or "/"
    received: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if urlsplit(self.path).path != path or received:
                self.send_error(404)
                return
            received.append(f"http://127.0.0.1:{port}{self.path}")
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(_PAGE)

        def log_message(self, *args: object) -> None:  # the query holds the auth code: never log it
            pass

    try:
        server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    except OSError as exc:
        raise ApplicationError(f"cannot listen on 127.0.0.1:{port} for TikTok's callback: {exc.strerror}") from None
    deadline = time.monotonic() + timeout
    with server:
        while not received:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ApplicationError(
                    f"no callback from TikTok within {int(timeout)} s; finish with "
                    "'tiktok-oms stores connect STORE --redirect-url URL'"
                )
            server.timeout = min(remaining, 1.0)
            try:
                server.handle_request()
            except socket.timeout:
                continue
    return received[0]
