"""The sellers' web app: server-rendered pages over the same use cases as the CLI.

`web_routes(container)` and `web_middleware(container)` plug it into the `tiktok-oms serve` app.
(Imported lazily: the container imports `adapters.web.accounts`, and this package must stay light.)
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.middleware import Middleware
    from starlette.routing import BaseRoute


def web_routes(container: Any) -> "list[BaseRoute]":
    """The pages (/login, /stores, /orders, …) and /static, for Starlette's `routes=`."""
    from adapters.web.app import web_routes as routes

    return routes(container)


def web_middleware(container: Any) -> "list[Middleware]":
    """Security headers, signed session cookie, CSRF and the sign-in gate, outermost first."""
    from urllib.parse import urlsplit

    from adapters.web.security import WebSecurity, new_secret
    from adapters.web.security import web_middleware as stack

    settings = container.settings()
    secret = settings.session_secret.get_secret_value() if settings.session_secret else new_secret()
    parts = urlsplit(settings.authorize_url)
    return stack(WebSecurity(
        secret=secret,
        session_seconds=int(settings.session_hours * 3600),
        accounts=container.accounts(),
        form_targets=(f"{parts.scheme}://{parts.netloc}",) if parts.netloc else (),
    ))
