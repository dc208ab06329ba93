"""The TikTok Shop sandbox: the HTTP face of `TikTokShopModel`, speaking TikTok's wire format.

`create_app(model)` returns a Starlette app whose state holds what tests script and read:
`app.state.faults` (a `FaultSchedule`), `app.state.requests` (a `RequestLog`) and
`app.state.consent` (what the seller grants on the authorization page). Faults can also be
scripted from outside the process, over HTTP: `POST /sandbox/faults` (see `_script_faults`).
"""

import asyncio
import json
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from adapters.sandbox.model import TikTokApiError, TikTokShopModel
from adapters.sandbox.faults import DroppedResponse, Fault, FaultSchedule
from adapters.sandbox.gate import check_signed_call, shop_of
from adapters.sandbox.routes import API, Api, Call, Guard

DEFAULT_REDIRECT_URL = "http://127.0.0.1:8765/callback"
_REFUSED_BEFORE_WORK = {
    "rate_limited": (429, 36009002, "Too many requests. Please retry later."),
    "unavailable": (503, 36009003, "Service is temporarily unavailable. Please retry."),
    "expired_token": (401, 105002, "Expired credentials: access token is expired, please refresh it."),
}


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    method: str
    path: str
    shop_id: str | None
    timestamp: int
    status: int
    code: int | None


class RequestLog:
    """Every request the sandbox answered, without its query or headers (they carry secrets)."""

    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    @property
    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def paths(self) -> list[str]:
        return [e.path for e in self.entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass
class Consent:
    """What the seller does on the authorization page: grant (these scopes, for this shop) or deny."""

    deny: bool = False
    scopes: tuple[str, ...] | None = None
    shop_id: str | None = None


def envelope(code: int, message: str, data: Any, status: int = 200,
             model: TikTokShopModel | None = None) -> JSONResponse:
    now = model.now() if model else int(time.time())
    request_id = time.strftime("%Y%m%d%H%M%S", time.gmtime(now)) + secrets.token_hex(7).upper()
    body = {"code": code, "message": message, "request_id": request_id, "data": data}
    return JSONResponse(body, status_code=status)


def _endpoint(api: Api) -> Callable[[Request], Awaitable[Response]]:
    async def answer(request: Request) -> Response:
        state = request.app.state
        model: TikTokShopModel = state.model
        query = dict(request.query_params)
        raw = await request.body()
        fault: Fault | None = state.faults.take(request.url.path)
        response = _answer(api, model, request, query, raw, fault)
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.seconds)
        code = _code_of(response)
        state.requests.add(LoggedRequest(request.method, request.url.path, shop_of(model, query.get("shop_cipher")),
                                         model.now(), response.status_code, code))
        if fault is not None and fault.kind == "truncated":
            body = bytes(response.body)
            return Response(body[: len(body) // 2], status_code=response.status_code, media_type="application/json")
        if fault is not None and fault.kind == "drop":
            return DroppedResponse()
        return response

    return answer


def _answer(api: Api, model: TikTokShopModel, request: Request, query: dict[str, str], raw: bytes,
            fault: Fault | None) -> JSONResponse:
    try:
        if fault is not None and fault.kind in _REFUSED_BEFORE_WORK:
            status, code, message = _REFUSED_BEFORE_WORK[fault.kind]
            response = envelope(code, message, None, status, model)
            if fault.kind == "rate_limited" and fault.retry_after is not None:
                response.headers["retry-after"] = fault.retry_after
            return response
        if fault is not None and fault.kind == "error_code":
            return envelope(fault.code, f"sandbox fault: code {fault.code}", None, 200, model)
        if fault is not None and fault.kind == "echo":
            headers = "; ".join(f"{k}: {v}" for k, v in request.headers.items())
            message = f"Invalid request {request.method} {request.url} with headers {headers} and body {raw.decode(errors='replace')}"
            return envelope(36009004, message, None, 400, model)
        token, cipher = "", ""
        if api.guard is not Guard.UNSIGNED:
            caller = check_signed_call(model, request.url.path, query, request.headers, raw,
                                       shop_scoped=api.guard is Guard.SHOP)
            token, cipher = caller.access_token, caller.shop_cipher or ""
        call = Call(model, query, _json_body(raw), token, cipher, dict(request.path_params))
        data = api.answer(call)
        if fault is not None and fault.kind == "malformed_order" and isinstance(data.get("orders"), list):
            data["orders"].insert(len(data["orders"]) // 2, dict(fault.order))
        if fault is not None and fault.kind == "repeat_token" and query.get("page_token") and data.get("next_page_token"):
            data["next_page_token"] = query["page_token"]
        if fault is not None and fault.kind == "total_count" and "total_count" in data:
            data["total_count"] = fault.value
        return envelope(0, "Success", data, 200, model)
    except TikTokApiError as exc:
        return envelope(exc.code, exc.message, None, exc.http_status, model)


def _json_body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise TikTokApiError(36009004, "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise TikTokApiError(36009004, "the request body must be a JSON object")
    return body


def _code_of(response: Response) -> int | None:
    try:
        return int(json.loads(bytes(response.body))["code"])
    except (ValueError, KeyError, TypeError):
        return None


async def _authorize_page(request: Request) -> Response:
    """The seller logs in with an admin account and grants at once; the browser goes back with a code."""
    state, query = request.app.state, request.query_params
    model: TikTokShopModel = state.model
    response = _consent_page(state, query, model)
    state.requests.add(LoggedRequest("GET", request.url.path, None, model.now(), response.status_code, None))
    return response


def _consent_page(state: Any, query: Mapping[str, str], model: TikTokShopModel) -> Response:
    if query.get("service_id") != model.service_id:
        return PlainTextResponse("This authorization link is not valid: unknown service_id.", 400)
    if not model.shops:
        return PlainTextResponse("No shop to authorize: seed the sandbox with a shop first.", 409)
    consent: Consent = state.consent
    deny = consent.deny or query.get("deny", "").lower() in ("1", "true", "yes")
    scopes = tuple(s for s in query["scopes"].split(",") if s) if "scopes" in query else consent.scopes
    redirect = query.get("redirect_uri") or state.redirect_url
    location = model.approve(query.get("state", ""), redirect, shop_id=consent.shop_id, scopes=scopes, deny=deny)
    return RedirectResponse(location, status_code=302)


async def _script_faults(request: Request) -> Response:
    """Faults scripted from outside the process: POST a fault (or a list), GET the pending ones, DELETE them.

    Not a TikTok API: the simulator's own control panel for tests that run it as `sandbox serve`.
    """
    schedule: FaultSchedule = request.app.state.faults
    if request.method == "DELETE":
        schedule.clear()
    elif request.method == "POST":
        try:
            body = json.loads(await request.body() or b"null")
            faults = [Fault.from_json(item) for item in (body if isinstance(body, list) else [body])]
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        schedule.add(*faults)
    pending = [{"kind": f.kind, "path": f.path, "times": f.times} for f in schedule.pending]
    return JSONResponse({"pending": pending})


async def _not_found(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        return envelope(36009010, "Invalid method for this path.", None, 405, request.app.state.model)
    return envelope(36009009, "Invalid path.", None, 404, request.app.state.model)


def create_app(model: TikTokShopModel, *, redirect_url: str = DEFAULT_REDIRECT_URL, benchmark: bool = False) -> Starlette:
    """`redirect_url` plays the redirect registered for the app in Partner Center.

    `benchmark=True` freezes the shops' orders and serves order search from pre-rendered pages.
    """
    routes = [Route("/open/authorize", _authorize_page, methods=["GET"]),
              Route("/sandbox/faults", _script_faults, methods=["GET", "POST", "DELETE"])]
    if benchmark:
        from adapters.sandbox.prerendered import PrerenderedSearch

        def log(request: Request, status: int, code: int | None) -> None:
            entry = LoggedRequest(request.method, request.url.path, shop_of(model, request.query_params.get("shop_cipher")),
                                  model.now(), status, code)
            request.app.state.requests.add(entry)

        routes.append(Route("/order/202309/orders/search", PrerenderedSearch(model, log).answer, methods=["POST"]))
    routes += [Route(api.path, _endpoint(api), methods=[api.method]) for api in API]
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_found})
    app.state.model = model
    app.state.faults = FaultSchedule()
    app.state.requests = RequestLog()
    app.state.consent = Consent()
    app.state.redirect_url = redirect_url
    return app
