from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

from adapters.memory.tiktok_model import TikTokApiError, TikTokShopModel
from adapters.tiktok.mapping import package_holding, parse_order, to_grant, to_shop
from adapters.tiktok.payloads import OrderSearchData, ShippingProvidersData, ShopsData
from application.errors import (
    AccessTokenExpired,
    AuthorizationFailed,
    AuthorizationRevoked,
    PageTokenExpired,
    TikTokError,
    TikTokRefused,
    TikTokUnavailable,
)
from application.ports import AuthorizedShop, OrderPage, Rejected, ShippingProvider, TikTokShop
from domain.imports import RemoteOrder
from domain.stores import Connection, Grant

_RETRYABLE = {36009002, 36009003, 36009007}


def error_for(exc: TikTokApiError) -> TikTokError:
    text = f"TikTok refused the request: {exc.message} (code {exc.code})"
    if exc.code == 105002:
        return AccessTokenExpired(text, code=exc.code)
    if exc.code == 105001:
        return AuthorizationRevoked(text, code=exc.code)
    if exc.code in _RETRYABLE:
        return TikTokUnavailable(text, code=exc.code)
    if exc.code == 36009004 and "page_token" in exc.message:
        return PageTokenExpired(text, code=exc.code)
    return TikTokRefused(text, code=exc.code)


@contextmanager
def _translated(kind: type[TikTokError] | None = None) -> Iterator[None]:
    try:
        yield
    except TikTokApiError as exc:
        error = error_for(exc)
        if kind is not None and isinstance(error, TikTokRefused):
            raise kind(str(error), code=exc.code) from None
        raise error from None


class InMemoryTikTokShop(TikTokShop):
    """The TikTok gateway port over the in-process TikTok model (demo and fast tests)."""

    def __init__(self, model: TikTokShopModel, *, authorize_url: str) -> None:
        self.model = model
        self._authorize_url = authorize_url

    def authorization_url(self, state: str) -> str:
        return f"{self._authorize_url}?{urlencode({'service_id': self.model.service_id, 'state': state})}"

    def exchange_code(self, auth_code: str) -> Grant:
        with _translated(AuthorizationFailed):
            data = self.model.token_get(
                app_key=self.model.app_key, app_secret=self.model.app_secret, auth_code=auth_code, grant_type="authorized_code"
            )
        return to_grant(data)

    def refresh(self, refresh_token: str) -> Grant:
        with _translated(AuthorizationRevoked):
            data = self.model.token_refresh(
                app_key=self.model.app_key, app_secret=self.model.app_secret, refresh_token=refresh_token, grant_type="refresh_token"
            )
        return to_grant(data)

    def authorized_shops(self, access_token: str) -> list[AuthorizedShop]:
        with _translated():
            data = self.model.authorized_shops(access_token)
        return [to_shop(shop) for shop in ShopsData.model_validate(data).shops]

    def search_orders(
        self, conn: Connection, *, update_time_ge: int, update_time_lt: int, page_token: str | None, page_size: int = 100
    ) -> OrderPage:
        with _translated():
            data = self.model.search_orders(
                conn.access_token, conn.shop_cipher, page_size=page_size, page_token=page_token,
                body={"update_time_ge": update_time_ge, "update_time_lt": update_time_lt},
            )
        page = OrderSearchData.model_validate(data)
        orders: list[RemoteOrder] = []
        rejected: list[Rejected] = []
        for raw in page.orders:
            parsed = parse_order(raw)
            (rejected if isinstance(parsed, Rejected) else orders).append(parsed)  # type: ignore[arg-type]
        return OrderPage(orders, page.next_page_token or None, rejected)

    def cancel(self, conn: Connection, *, order_id: str, reason_name: str, line_item_ids: list[str] | None) -> str:
        body: dict = {"order_id": order_id, "cancel_reason": reason_name}
        if line_item_ids:
            body["order_line_item_ids"] = line_item_ids
        with _translated():
            return str(self.model.cancel(conn.access_token, conn.shop_cipher, body)["cancel_id"])

    def ship_package(
        self, conn: Connection, *, order_id: str, line_item_ids: list[str], tracking_number: str, provider_id: str,
        existing_package: bool = False,
    ) -> str:
        if existing_package:
            with _translated():
                (order,) = self.model.order_detail(conn.access_token, conn.shop_cipher, [order_id])["orders"]
            try:
                package_id = package_holding(order, line_item_ids)
            except ValueError as exc:
                raise TikTokRefused(f"TikTok cannot ship these lines: {exc}") from None
            body = {"handover_method": "DROP_OFF",
                    "self_shipment": {"tracking_number": tracking_number, "shipping_provider_id": provider_id}}
            with _translated():
                self.model.ship_existing_package(conn.access_token, conn.shop_cipher, package_id, body)
            return package_id
        body = {"order_line_item_ids": line_item_ids, "tracking_number": tracking_number, "shipping_provider_id": provider_id}
        with _translated():
            return str(self.model.mark_shipped(conn.access_token, conn.shop_cipher, order_id, body)["package_id"])

    def split(self, conn: Connection, *, order_id: str, groups: list[list[str]]) -> list[str]:
        body = {"splittable_groups": [{"id": str(n), "order_line_item_ids": ids} for n, ids in enumerate(groups, 1)]}
        with _translated():
            data = self.model.split(conn.access_token, conn.shop_cipher, order_id, body)
        return [str(p["id"]) for p in data["packages"]]

    def shipping_providers(self, conn: Connection, *, delivery_option_id: str) -> list[ShippingProvider]:
        with _translated():
            data = self.model.shipping_providers(conn.access_token, conn.shop_cipher, delivery_option_id)
        return [ShippingProvider(p.id, p.name) for p in ShippingProvidersData.model_validate(data).shipping_providers]
