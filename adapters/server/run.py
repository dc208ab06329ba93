"""Serving the OMS app with uvicorn: address checks and a clean stop on SIGTERM/Ctrl+C."""

import contextlib
import ipaddress
import signal
import socket
import threading
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080

HTTPS_WARNING = (
    "warning: listening on {host}, beyond this machine. Put tiktok-oms behind an HTTPS reverse proxy: "
    "TikTok only delivers webhooks over HTTPS, and the OAuth callback carries an authorization code."
)


def is_loopback(host: str) -> bool:
    """True when every address `host` names is a loopback one (127.0.0.0/8, ::1, `localhost`)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown, so the process would end
    killed by the signal; here the stop is the expected end of the service: exit status 0."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        stops = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in stops}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port; raises OSError naming the address when that fails."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise OSError(f"could not listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def run(app: ASGIApp, sock: socket.socket) -> None:
    """Serve on the bound `sock` until SIGTERM or SIGINT; uvicorn then stops accepting, lets requests
    in flight end (up to 10 s) and runs the app's shutdown (lifespan) before returning.

    No access log: the OAuth callback's query holds the authorization code (S-5).
    """
    config = uvicorn.Config(
        app,
        access_log=False,
        log_config=None,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=10,
        server_header=False,
    )
    server = _Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
