"""What `tiktok-oms serve` runs: the OMS app with everything other adapters mount on it."""

from starlette.applications import Starlette

from adapters.container import Container
from adapters.server.app import build_app


def serve_app(container: Container) -> Starlette:
    """The app `serve` runs: the OMS routes plus the adapters that mount on them.

    This is the one place that wires extra routes (the sellers' web pages), middleware and the
    single-machine scheduler into `build_app`.
    """
    from adapters.web import web_middleware, web_routes

    return build_app(container, extra_routes=web_routes(container), middleware=web_middleware(container))
