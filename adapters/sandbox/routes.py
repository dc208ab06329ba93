"""TikTok's API paths, each answered by the one model of TikTok's behaviour."""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from adapters.sandbox.model import TikTokApiError, TikTokShopModel


class Guard(Enum):
    UNSIGNED = "unsigned"  # the token endpoints: app_secret in the query, no sign
    ACCOUNT = "account"  # signed, and shop_cipher must be absent (/authorization/*)
    SHOP = "shop"  # signed, and shop_cipher is required


@dataclass(frozen=True, slots=True)
class Call:
    model: TikTokShopModel
    query: dict[str, str]
    body: dict[str, Any]
    access_token: str = ""
    shop_cipher: str = ""
    path_params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Api:
    method: str
    path: str
    guard: Guard
    answer: Callable[[Call], dict[str, Any]]


def _token_get(c: Call) -> dict[str, Any]:
    q = c.query
    return c.model.token_get(app_key=q.get("app_key", ""), app_secret=q.get("app_secret", ""),
                             auth_code=q.get("auth_code", ""), grant_type=q.get("grant_type", ""))


def _token_refresh(c: Call) -> dict[str, Any]:
    q = c.query
    return c.model.token_refresh(app_key=q.get("app_key", ""), app_secret=q.get("app_secret", ""),
                                 refresh_token=q.get("refresh_token", ""), grant_type=q.get("grant_type", ""))


def _search(c: Call) -> dict[str, Any]:
    raw_size = c.query.get("page_size", "")
    if not raw_size.isdigit():
        raise TikTokApiError(36009004, "param query.page_size is missing or not a number")
    # TikTok defaults to create_time DESC; the model pages by update_time ASC only, so a caller
    # relying on the defaults would page differently on TikTok: refuse rather than pretend.
    if (c.query.get("sort_field"), c.query.get("sort_order")) != ("update_time", "ASC"):
        raise TikTokApiError(36009004, "the sandbox searches with sort_field=update_time&sort_order=ASC only")
    return c.model.search_orders(c.access_token, c.shop_cipher, page_size=int(raw_size),
                                 page_token=c.query.get("page_token") or None, body=c.body)


def _detail(c: Call) -> dict[str, Any]:
    ids = [i for i in c.query.get("ids", "").split(",") if i]
    if not ids:
        raise TikTokApiError(36009004, "param query.ids is missing")
    return c.model.order_detail(c.access_token, c.shop_cipher, ids)


def _cancel(c: Call) -> dict[str, Any]:
    if not c.body.get("order_id") or not c.body.get("cancel_reason"):
        raise TikTokApiError(25001001, "param body.order_id and body.cancel_reason are required")
    return c.model.cancel(c.access_token, c.shop_cipher, c.body)


def _cancel_202602(c: Call) -> dict[str, Any]:
    if not c.body.get("order_id") or not c.body.get("cancel_reason"):
        raise TikTokApiError(25001001, "param body.order_id and body.cancel_reason are required")
    return c.model.cancel(c.access_token, c.shop_cipher, c.body, version="202602")


def _search_cancellations(c: Call) -> dict[str, Any]:
    raw_size = c.query.get("page_size", "10")  # TikTok's default page size here is 10
    if not raw_size.isdigit():
        raise TikTokApiError(25001001, "param query.page_size is not a number")
    return c.model.search_cancellations(c.access_token, c.shop_cipher, page_size=int(raw_size),
                                        page_token=c.query.get("page_token") or None, body=c.body)


def _approve_cancellation(c: Call) -> dict[str, Any]:
    return c.model.approve_cancellation(c.access_token, c.shop_cipher, c.path_params["cancel_id"],
                                        c.query.get("idempotency_key"))


def _reject_cancellation(c: Call) -> dict[str, Any]:
    return c.model.reject_cancellation(c.access_token, c.shop_cipher, c.path_params["cancel_id"],
                                       c.query.get("idempotency_key"), c.body)


def _reject_reasons(c: Call) -> dict[str, Any]:
    cancel_id = c.query.get("return_or_cancel_id", "")
    if not cancel_id:
        raise TikTokApiError(25001001, "param query.return_or_cancel_id is missing")
    return c.model.reject_reasons(c.access_token, c.shop_cipher, cancel_id)


def _ship(c: Call) -> dict[str, Any]:
    return c.model.mark_shipped(c.access_token, c.shop_cipher, c.path_params["order_id"], c.body)


def _ship_package(c: Call) -> dict[str, Any]:
    return c.model.ship_existing_package(c.access_token, c.shop_cipher, c.path_params["package_id"], c.body)


def _split(c: Call) -> dict[str, Any]:
    return c.model.split(c.access_token, c.shop_cipher, c.path_params["order_id"], c.body)


def _providers(c: Call) -> dict[str, Any]:
    return c.model.shipping_providers(c.access_token, c.shop_cipher, c.path_params["delivery_option_id"])


API = (
    Api("GET", "/api/v2/token/get", Guard.UNSIGNED, _token_get),
    Api("GET", "/api/v2/token/refresh", Guard.UNSIGNED, _token_refresh),
    Api("GET", "/authorization/202309/shops", Guard.ACCOUNT,
        lambda c: c.model.authorized_shops(c.access_token)),
    Api("POST", "/order/202309/orders/search", Guard.SHOP, _search),
    Api("GET", "/order/202309/orders", Guard.SHOP, _detail),
    Api("POST", "/return_refund/202309/cancellations", Guard.SHOP, _cancel),
    Api("POST", "/return_refund/202602/cancellations", Guard.SHOP, _cancel_202602),
    Api("POST", "/return_refund/202309/cancellations/search", Guard.SHOP, _search_cancellations),
    Api("POST", "/return_refund/202309/cancellations/{cancel_id}/approve", Guard.SHOP, _approve_cancellation),
    Api("POST", "/return_refund/202309/cancellations/{cancel_id}/reject", Guard.SHOP, _reject_cancellation),
    Api("GET", "/return_refund/202309/reject_reasons", Guard.SHOP, _reject_reasons),
    Api("POST", "/fulfillment/202309/orders/{order_id}/packages", Guard.SHOP, _ship),
    Api("POST", "/fulfillment/202309/orders/{order_id}/split", Guard.SHOP, _split),
    Api("POST", "/fulfillment/202309/packages/{package_id}/ship", Guard.SHOP, _ship_package),
    Api("GET", "/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers", Guard.SHOP,
        _providers),
)
