"""What can go wrong between the OMS and TikTok, scripted per request for tests."""

import threading
from dataclasses import dataclass, field
from typing import Literal

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

SEARCH_PATH = "/order/202309/orders/search"

FaultKind = Literal[
    "rate_limited", "unavailable", "error_code", "expired_token",  # refused before any work is done
    "slow", "truncated", "drop",  # the work is done, the answer is late or lost
    "malformed_order",  # the next search page carries an order the OMS cannot read
    "echo",  # refused with a message that echoes the request: URL with its query, and the headers
    "repeat_token",  # a search page names itself as the next page (the token it was asked for)
    "total_count",  # a search page says its window holds `value` orders (any JSON value)
]
KINDS: tuple[str, ...] = FaultKind.__args__  # type: ignore[attr-defined]
# An order TikTok might send after a schema change: no line items, an unknown status.
MALFORMED_ORDER = {"id": "576999999999999999", "status": "AWAITING_PICKUP", "create_time": 1, "update_time": 1,
                   "line_items": []}


@dataclass
class Fault:
    """One scripted failure; `path` limits it to requests whose path starts with it."""

    kind: FaultKind
    path: str | None = None
    times: int = 1
    retry_after: str | None = None
    seconds: float = 0.0
    code: int = 36009003
    order: dict = field(default_factory=lambda: dict(MALFORMED_ORDER))
    value: object = None

    @classmethod
    def rate_limited(cls, retry_after: float | str | None = 1, *, path: str | None = None, times: int = 1) -> "Fault":
        """HTTP 429 with code 36009002 and (unless None) a Retry-After header."""
        after = None if retry_after is None else str(retry_after)
        return cls("rate_limited", path, times, retry_after=after)

    @classmethod
    def unavailable(cls, *, path: str | None = None, times: int = 1) -> "Fault":
        """HTTP 503, TikTok's overload guard."""
        return cls("unavailable", path, times)

    @classmethod
    def error_code(cls, code: int, *, path: str | None = None, times: int = 1) -> "Fault":
        """HTTP 200 with a non-zero code (36009002 throttled, 36009003 internal error, …)."""
        return cls("error_code", path, times, code=code)

    @classmethod
    def expired_token(cls, *, path: str | None = None, times: int = 1) -> "Fault":
        """105002, as if the access token had just expired."""
        return cls("expired_token", path, times)

    @classmethod
    def slow(cls, seconds: float, *, path: str | None = None, times: int = 1) -> "Fault":
        """The answer comes `seconds` late (a client read timeout)."""
        return cls("slow", path, times, seconds=seconds)

    @classmethod
    def truncated(cls, *, path: str | None = None, times: int = 1) -> "Fault":
        """HTTP 200 whose JSON body is cut in half."""
        return cls("truncated", path, times)

    @classmethod
    def drop(cls, *, path: str | None = None, times: int = 1) -> "Fault":
        """The connection closes after the status line, before any body."""
        return cls("drop", path, times)

    @classmethod
    def malformed_order(cls, order: dict | None = None, *, path: str = SEARCH_PATH, times: int = 1) -> "Fault":
        return cls("malformed_order", path, times, order=dict(order or MALFORMED_ORDER))

    @classmethod
    def repeat_token(cls, *, path: str = SEARCH_PATH, times: int = 1) -> "Fault":
        """A follow-up search page answers with the token it was asked for as its next_page_token
        (the first page, asked without a token, is answered as usual): a walk that never ends."""
        return cls("repeat_token", path, times)

    @classmethod
    def total_count(cls, value: object, *, path: str = SEARCH_PATH, times: int = 1) -> "Fault":
        """The search page's total_count is `value` ("lots", None, -1, …) instead of the real count."""
        return cls("total_count", path, times, value=value)

    @classmethod
    def echo(cls, *, path: str | None = None, times: int = 1) -> "Fault":
        """HTTP 400, 36009004, with TikTok's habit of quoting the request it refuses (sign and all)."""
        return cls("echo", path, times)

    @classmethod
    def from_json(cls, data: object) -> "Fault":
        """A fault scripted from outside the process (`POST /sandbox/faults`); ValueError if malformed."""
        if not isinstance(data, dict) or data.get("kind") not in KINDS:
            raise ValueError(f"a fault is an object whose kind is one of: {', '.join(KINDS)}")
        allowed = {"kind", "path", "times", "retry_after", "seconds", "code", "order", "value"}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(unknown)}")
        try:
            fault = cls(**data)
            fault.times, fault.seconds, fault.code = int(fault.times), float(fault.seconds), int(fault.code)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"bad fault: {exc}") from None
        if fault.times < 1 or not 0 <= fault.seconds <= 60:
            raise ValueError("a fault fires at least once, and is at most 60 s slow")
        return fault

    def matches(self, path: str) -> bool:
        return self.path is None or path.startswith(self.path)


class FaultSchedule:
    """Faults applied in order to the next requests they match; each one `times` times."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()  # tests script faults while the server thread takes them

    def add(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None


class DroppedResponse(Response):
    """Starts a response and then fails, so the server closes the connection mid-answer."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"512")]})
        raise ConnectionAbortedError("sandbox fault: connection dropped")
