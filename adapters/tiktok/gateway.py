from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlencode

import msgspec
from pydantic import BaseModel, ValidationError

from adapters.tiktok.client import TikTokHttpClient
from adapters.tiktok.mapping import (
    cancel_line_list,
    package_holding,
    reason_of,
    parse_orders,
    read_stamps,
    to_cancellation,
    to_grant,
    to_shop,
)
from adapters.tiktok.payloads import (
    CancelData,
    CancellationSearchData,
    RejectReasonsData,
    PAGE_DECODER,
    OrdersPage,
    ShippedPackageData,
    ShippingProvidersData,
    ShopsData,
    SplitData,
    count_of,
)
from application.errors import AuthorizationFailed, AuthorizationRevoked, PageTokenExpired, TikTokError, TikTokRefused
from application.ports import (
    AuthorizedShop,
    CancellationPage,
    OrderPage,
    RejectReason,
    ShippingProvider,
    TikTokShop,
)
from domain.stores import Connection, Grant

P = TypeVar("P", bound=BaseModel)

_INVALID_PARAMETER = 36009004
_NOT_THE_SHOPS = 21008111
# What a refusal means for the seller; TikTok's own message follows it.
_HINTS = {
    21008025: "the order is fulfilled by TikTok (FBT), so the seller cannot operate it",
    21008111: "the order does not belong to this shop",
    21004015: "that carrier is not available for the order's delivery option",
    21011044: "TikTok still holds the order (ON_HOLD); it can be shipped once TikTok releases it",
    21011041: "the order is cancelled on TikTok",
    21011035: "TikTok does not split orders before shipping in this market; ship each part with its own lines",
    25001021: "TikTok does not accept this cancel reason for the order's status in the shop's market",
    25001011: "the order is already cancelled or has a return in process",
    25001051: "the order is completed or cancelled on TikTok",
    25005010: "TikTok cancels single lines only with the reason out of stock, and only in the US and UK",
    25011011: "the buyer's cancellation request is no longer pending",
    25011012: "the buyer's cancellation request is no longer pending",
    25020009: "the buyer withdrew the cancellation request",
    25001045: "the order has already shipped",
}


class HttpxTikTokShop(TikTokShop):
    """TikTok Shop's Partner API (version 202309) over HTTP, through the signing client."""

    def __init__(self, client: TikTokHttpClient, *, service_id: str, authorize_url: str) -> None:
        self._client = client
        self._service_id = service_id
        self._authorize_url = authorize_url

    def authorization_url(self, state: str) -> str:
        return f"{self._authorize_url}?{urlencode({'service_id': self._service_id, 'state': state})}"

    def exchange_code(self, auth_code: str) -> Grant:
        return _grant(self._client.get_token(auth_code), AuthorizationFailed)

    def refresh(self, refresh_token: str) -> Grant:
        return _grant(self._client.refresh_token(refresh_token), AuthorizationRevoked)

    def authorized_shops(self, access_token: str) -> list[AuthorizedShop]:
        data = self._client.call("GET", "/authorization/202309/shops", access_token=access_token)
        return [to_shop(shop) for shop in _read(ShopsData, data, "the authorized shops").shops]

    def search_orders(
        self, conn: Connection, *, update_time_ge: int, update_time_lt: int, page_token: str | None, page_size: int = 100
    ) -> OrderPage:
        query: dict[str, Any] = {"page_size": page_size, "page_token": page_token or None,
                                 "sort_field": "update_time", "sort_order": "ASC"}
        try:
            data = self._client.call_raw("POST", "/order/202309/orders/search", query=query,
                                         body={"update_time_ge": update_time_ge, "update_time_lt": update_time_lt},
                                         access_token=conn.access_token, shop_cipher=conn.shop_cipher)
        except TikTokRefused as exc:
            # The token is the only thing a follow-up page adds to the first page's request, and
            # TikTok answers a stale one with its generic invalid-parameter code.
            if page_token and exc.code == _INVALID_PARAMETER:
                raise PageTokenExpired(f"TikTok no longer accepts the page token: {exc}", code=exc.code) from None
            raise
        page = _read_page(data, "the order search page")
        orders, rejected, unread = read_stamps(page.orders)
        return OrderPage(orders, page.next_page_token or None, rejected, _count(page.total_count), unread)

    def cancel(self, conn: Connection, *, order_id: str, reason_name: str, line_item_ids: list[str] | None,
               bundle_line_item_ids: list[str] | None = None) -> str:
        body: dict[str, Any] = {"order_id": order_id, "cancel_reason": reason_name}
        path = "/return_refund/202309/cancellations"
        if line_item_ids and bundle_line_item_ids:
            # A virtual bundle line is cancelled unit by unit: 202602's order_line_list, with the
            # units TikTok lists in the order now (sub_item_info).
            with _explained(f"read order {order_id}"):
                data = self._client.call("GET", "/order/202309/orders", query={"ids": [order_id]},
                                         access_token=conn.access_token, shop_cipher=conn.shop_cipher)
            orders = data.get("orders") or []
            try:
                body["order_line_list"] = cancel_line_list(orders[0] if orders else {}, line_item_ids,
                                                           bundle_line_item_ids)
            except ValueError as exc:
                raise TikTokRefused(f"TikTok cannot cancel these lines: {exc}") from None
            path = "/return_refund/202602/cancellations"
        elif line_item_ids:
            body["order_line_item_ids"] = line_item_ids
        with _explained(f"cancel order {order_id}"):
            data = self._client.call("POST", path, body=body,
                                     access_token=conn.access_token, shop_cipher=conn.shop_cipher, retry=False)
        return _read(CancelData, data, "the cancellation").cancel_id

    def ship_package(
        self, conn: Connection, *, order_id: str, line_item_ids: list[str], tracking_number: str, provider_id: str,
        existing_package: bool = False,
    ) -> str:
        if existing_package:
            return self._ship_existing_package(conn, order_id, line_item_ids, tracking_number, provider_id)
        body = {"order_line_item_ids": line_item_ids, "tracking_number": tracking_number,
                "shipping_provider_id": provider_id}
        with _explained(f"mark a package of order {order_id} as shipped"):
            data = self._client.call("POST", f"/fulfillment/202309/orders/{order_id}/packages", body=body,
                                     access_token=conn.access_token, shop_cipher=conn.shop_cipher, retry=False)
        return _read(ShippedPackageData, data, "the shipped package").package_id

    def _ship_existing_package(
        self, conn: Connection, order_id: str, line_item_ids: list[str], tracking_number: str, provider_id: str
    ) -> str:
        # SEA and LATAM: the package exists since payment or the split; find it, then ship it.
        with _explained(f"read order {order_id}"):
            data = self._client.call("GET", "/order/202309/orders", query={"ids": [order_id]},
                                     access_token=conn.access_token, shop_cipher=conn.shop_cipher)
        orders = data.get("orders") or []
        try:
            package_id = package_holding(orders[0] if orders else {}, line_item_ids)
        except ValueError as exc:
            raise TikTokRefused(f"TikTok cannot ship these lines: {exc}") from None
        body = {"handover_method": "DROP_OFF",
                "self_shipment": {"tracking_number": tracking_number, "shipping_provider_id": provider_id}}
        with _explained(f"ship package {package_id}"):
            self._client.call("POST", f"/fulfillment/202309/packages/{package_id}/ship", body=body,
                              access_token=conn.access_token, shop_cipher=conn.shop_cipher, retry=False)
        return package_id

    def split(self, conn: Connection, *, order_id: str, groups: list[list[str]]) -> list[str]:
        body = {"splittable_groups": [{"id": str(n), "order_line_item_ids": ids} for n, ids in enumerate(groups, 1)]}
        with _explained(f"split order {order_id}"):
            # Not resent on an unclear failure: a second split of a split order is refused or worse.
            data = self._client.call("POST", f"/fulfillment/202309/orders/{order_id}/split", body=body,
                                     access_token=conn.access_token, shop_cipher=conn.shop_cipher, retry=False)
        return [package.id for package in _read(SplitData, data, "the split").packages]

    def shipping_providers(self, conn: Connection, *, delivery_option_id: str) -> list[ShippingProvider]:
        path = f"/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers"
        with _explained(f"list the carriers of delivery option {delivery_option_id}"):
            data = self._client.call("GET", path, access_token=conn.access_token, shop_cipher=conn.shop_cipher)
        providers = _read(ShippingProvidersData, data, "the shipping providers").shipping_providers
        return [ShippingProvider(p.id, p.name) for p in providers]

    def order_details(self, conn: Connection, order_ids: list[str]) -> OrderPage:
        """Get Order Detail (`GET /order/202309/orders?ids=…`, at most 50 ids: TIKTOK_API.md §3.2, §7.3).
        An order TikTok says is not the shop's (21008111, which refuses the whole call) is left out
        and the others asked for alone; malformed ones are rejected."""
        if len(order_ids) > 50:
            raise ValueError("Get Order Detail takes at most 50 ids")
        try:
            data = self._client.call_raw("GET", "/order/202309/orders", query={"ids": list(order_ids)},
                                         access_token=conn.access_token, shop_cipher=conn.shop_cipher)
        except TikTokRefused as exc:
            if exc.code != _NOT_THE_SHOPS:
                raise
            if len(order_ids) == 1:
                return OrderPage([], None)
            # One id TikTok does not hold for this shop refuses the whole call: ask for each alone,
            # so the others are not taken for gone (a lost ship would be cleared, not completed).
            pages = [self.order_details(conn, [order_id]) for order_id in order_ids]
            return OrderPage([o for p in pages for o in p.orders], None, [r for p in pages for r in p.rejected])
        orders, rejected = parse_orders(_read_page(data, "the order details").orders)
        return OrderPage(orders, None, rejected)
    def search_cancellations(
        self, conn: Connection, *, order_ids: list[str] | None = None, update_time_ge: int | None = None,
        update_time_lt: int | None = None, page_token: str | None = None, page_size: int = 50,
    ) -> CancellationPage:
        # Search Cancellations 202309 (return-and-refund/search-cancellations): page_size 1-50.
        query: dict[str, Any] = {"page_size": page_size, "page_token": page_token or None,
                                 "sort_field": "update_time", "sort_order": "ASC"}
        body: dict[str, Any] = {}
        if order_ids:
            body["order_ids"] = order_ids
        if update_time_ge is not None:
            body["update_time_ge"] = update_time_ge
        if update_time_lt is not None:
            body["update_time_lt"] = update_time_lt
        with _explained("search the cancellations"):
            data = self._client.call("POST", "/return_refund/202309/cancellations/search", query=query, body=body,
                                     access_token=conn.access_token, shop_cipher=conn.shop_cipher)
        page = _read(CancellationSearchData, data, "the cancellation search")
        return CancellationPage([to_cancellation(c) for c in page.cancellations], page.next_page_token or None)

    def approve_cancellation(self, conn: Connection, *, cancel_id: str, idempotency_key: str) -> None:
        # The idempotency key makes a resent approval harmless, so it is retried like a read.
        with _explained(f"approve cancellation request {cancel_id}"):
            self._client.call("POST", f"/return_refund/202309/cancellations/{cancel_id}/approve",
                              query={"idempotency_key": idempotency_key}, body={},
                              access_token=conn.access_token, shop_cipher=conn.shop_cipher)

    def reject_cancellation(
        self, conn: Connection, *, cancel_id: str, reason_name: str, comment: str, idempotency_key: str
    ) -> None:
        body: dict[str, Any] = {"reject_reason": reason_name}
        if comment:
            body["comment"] = comment
        with _explained(f"reject cancellation request {cancel_id}"):
            self._client.call("POST", f"/return_refund/202309/cancellations/{cancel_id}/reject",
                              query={"idempotency_key": idempotency_key}, body=body,
                              access_token=conn.access_token, shop_cipher=conn.shop_cipher)

    def reject_reasons(self, conn: Connection, *, cancel_id: str) -> list[RejectReason]:
        with _explained(f"list the reject reasons of cancellation request {cancel_id}"):
            data = self._client.call("GET", "/return_refund/202309/reject_reasons",
                                     query={"return_or_cancel_id": cancel_id, "locale": "en-US"},
                                     access_token=conn.access_token, shop_cipher=conn.shop_cipher)
        return [RejectReason(r.name, r.text) for r in _read(RejectReasonsData, data, "the reject reasons").reasons]


@contextmanager
def _explained(action: str) -> Iterator[None]:
    try:
        yield
    except TikTokRefused as exc:
        if type(exc) is not TikTokRefused:
            raise
        detail = str(exc).partition(": ")[2] or str(exc)  # drops the client's "TikTok refused POST /path"
        hint = _HINTS.get(exc.code or 0)
        error = TikTokRefused(f"TikTok refused to {action}: {f'{hint}. ' if hint else ''}{detail}", code=exc.code)
        error.request_id = getattr(exc, "request_id", None)  # type: ignore[attr-defined]
        raise error from None


def _read(model: type[P], data: dict[str, Any], what: str) -> P:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise TikTokError(f"TikTok answered {what} in an unexpected shape ({where}: {first['msg']})") from None


def _read_page(data: bytes, what: str) -> OrdersPage:
    # The page's frame only: each order stays TikTok's bytes until `parse_orders` reads it.
    try:
        return PAGE_DECODER.decode(data if data != b"null" else b"{}")
    except msgspec.DecodeError as exc:
        lenient = _lenient_page(data)
        if lenient is None:
            raise TikTokError(f"TikTok answered {what} in an unexpected shape ({reason_of(exc)})") from None
        return lenient


def _lenient_page(data: bytes) -> OrdersPage | None:
    # A page msgspec refuses only because one order's text holds a lone surrogate escape (valid
    # JSON, not valid UTF-8): split it with the standard library, each order written back with its
    # escapes, so that order alone is set aside when it is read (issue 9 item 4). None: truly unreadable.
    import json

    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("orders", []), list):
        return None
    token = parsed.get("next_page_token")
    return OrdersPage(orders=[msgspec.Raw(json.dumps(order).encode()) for order in parsed.get("orders", [])],
                      next_page_token=token if isinstance(token, str) or token is None else str(token),
                      total_count=msgspec.Raw(json.dumps(parsed.get("total_count")).encode()))


def _count(raw: msgspec.Raw) -> int | None:
    return count_of(msgspec.json.decode(raw))


def _grant(data: dict[str, Any], unusable: type[TikTokError]) -> Grant:
    try:
        return to_grant(data)
    except ValidationError as exc:
        missing = ", ".join(sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]}))
        raise unusable(f"TikTok's token answer is unusable: {missing or 'unexpected shape'}") from None
