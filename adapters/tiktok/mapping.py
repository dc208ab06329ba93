"""Anti-corruption layer: TikTok's wire format in, domain values out."""

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from application.ports import AuthorizedShop, Rejected
from domain.addresses import Address
from domain.imports import RemoteLine, RemoteOrder
from domain.orders import FulfilledBy
from domain.stores import Grant
from adapters.tiktok.payloads import RecipientAddress, Shop, TikTokOrder, TokenData

ORDER_STATUSES = {
    "UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION",
    "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED",
}
# The order-status webhook spells it CANCEL.
_STATUS_ALIASES = {"CANCEL": "CANCELLED"}


def status_of(raw: str) -> str:
    status = _STATUS_ALIASES.get(raw, raw)
    if status not in ORDER_STATUSES:
        raise ValueError(f"unknown order status {raw!r}")
    return status


def _epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _money(value: str) -> Decimal:
    try:
        return Decimal(value or "0")
    except InvalidOperation:
        raise ValueError(f"amount {value!r} is not a number") from None


def to_address(raw: RecipientAddress | None) -> Address:
    if raw is None:
        return Address()
    levels = {d.address_level: d.address_name for d in raw.district_info}
    name = raw.name or " ".join(part for part in (raw.first_name, raw.last_name) if part)
    return Address(
        name=name,
        line1=raw.address_line1 or raw.address_detail,
        line2=raw.address_line2,
        city=levels.get("L3") or raw.post_town or levels.get("L2", ""),
        region=levels.get("L1", ""),
        postal_code=raw.postal_code,
        country=raw.region_code or levels.get("L0", ""),
        phone=raw.phone_number,
    )


def readable_name(product_name: str, sku_name: str) -> str:
    """'Logo Mug (11 oz)': what a person reads for a line, gift lines without a seller SKU included."""
    product, sku = product_name.strip(), sku_name.strip()
    return f"{product} ({sku})" if product and sku and sku != product else product or sku


def to_remote_order(payload: TikTokOrder, raw: dict | None = None) -> RemoteOrder:
    by_tiktok = payload.fulfillment_type == "FULFILLMENT_BY_TIKTOK"
    return RemoteOrder(
        tiktok_order_id=payload.id,
        status=status_of(payload.status),
        fulfilled_by=FulfilledBy.STORE if by_tiktok else FulfilledBy.MERCHANT,
        created_at=_epoch(payload.create_time),
        update_time=payload.update_time,
        lines=tuple(
            RemoteLine(
                tiktok_line_item_id=item.id,
                seller_sku=item.seller_sku.strip() or item.sku_id,
                sku_id=item.sku_id,
                status=_STATUS_ALIASES.get(item.display_status, item.display_status),
                sale_price=_money(item.sale_price),
                quantity=max(1, item.quantity),
                product_name=readable_name(item.product_name, item.sku_name),
                cancel_reason=item.cancel_reason,
            )
            for item in payload.line_items
        ),
        address=to_address(payload.recipient_address),
        delivery_option_id=payload.delivery_option_id,
        currency=(payload.payment.currency if payload.payment else "") or "USD",
        raw=raw,
    )


def parse_order(raw: object) -> RemoteOrder | Rejected:
    """Read one order of a page; a malformed one comes back as Rejected with its reason."""
    order_id = str(raw.get("id", "?")) if isinstance(raw, dict) else "?"
    try:
        if not isinstance(raw, dict):
            raise ValueError("an order must be a JSON object")
        return to_remote_order(TikTokOrder.model_validate(raw), raw)
    except (ValidationError, ValueError) as exc:
        reason = _reason(exc)
        return Rejected(tiktok_order_id=order_id, reason=reason, raw=json.dumps(raw, default=str)[:20000])


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}"
    return str(exc)


def to_grant(data: dict) -> Grant:
    token = TokenData.model_validate(data)
    return Grant(
        access_token=token.access_token,
        access_token_expires_at=_epoch(token.access_token_expire_in),
        refresh_token=token.refresh_token,
        refresh_token_expires_at=_epoch(token.refresh_token_expire_in),
        granted_scopes=tuple(token.granted_scopes),
    )


def to_shop(shop: Shop) -> AuthorizedShop:
    return AuthorizedShop(id=shop.id, name=shop.name, region=shop.region, cipher=shop.cipher)


def package_holding(order: dict, line_item_ids: list[str]) -> str:
    """The one TikTok package that holds exactly these line items (markets that split first)."""
    items = order.get("line_items") or []
    packages = {str(i.get("package_id") or "") for i in items if i.get("id") in line_item_ids}
    if len(packages) != 1 or "" in packages:
        raise ValueError("these lines are not one TikTok package: split the order first")
    (package,) = packages
    others = [i for i in items if i.get("package_id") == package and i.get("id") not in line_item_ids]
    if any(i.get("display_status") != "CANCELLED" for i in others):
        raise ValueError(f"TikTok's package {package} also holds other lines: split the order first")
    return package
