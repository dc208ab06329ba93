"""Anti-corruption layer: TikTok's wire format in, domain values out."""

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import msgspec

from application.ports import AuthorizedShop, Rejected, UnreadOrder
from domain.addresses import Address
from domain import limits
from domain.imports import RemoteComponent, RemoteLine, RemoteOrder, unfit
from domain.orders import FulfilledBy
from domain.stores import Grant
from adapters.tiktok.payloads import (
    ORDER_DECODER,
    UPDATE_DECODER,
    CancellationRecord,
    CombinedListingSku,
    RecipientAddress,
    Shop,
    TikTokOrder,
    TokenData,
)
from domain.cancellation_requests import RemoteCancellation

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
        amount = Decimal(value or "0")
    except InvalidOperation:
        raise ValueError(f"amount {value!r} is not a number") from None
    if not amount.is_finite() or abs(amount) >= 10**12:  # NaN, Infinity, 1e999999: no price
        raise ValueError(f"amount {value!r} is not a price")
    return amount


# Control characters (Unicode Cc: NUL, tab, newline, …) in TikTok's free text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """TikTok's free text (names, address parts, product names) as the OMS keeps it, the same on
    SQLite and PostgreSQL: NULs removed (PostgreSQL cannot store them, and they mean nothing in a
    name), every other control character (tab, newline, …) a space, so it never breaks a table.

    Identifiers (ids, SKUs) are never cleaned: one with a control character is set aside whole
    (`domain.imports.unfit`), since a changed SKU would match another listing.
    """
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(" ", text.replace("\x00", "")).strip()


def to_address(raw: RecipientAddress | None) -> Address:
    if raw is None:
        return Address()
    levels = {d.address_level: d.address_name for d in raw.district_info}
    name = raw.name or " ".join(part for part in (raw.first_name, raw.last_name) if part)
    return Address(
        name=clean_text(name),
        line1=clean_text(raw.address_line1 or raw.address_detail),
        line2=clean_text(raw.address_line2),
        city=clean_text(levels.get("L3") or raw.post_town or levels.get("L2", "")),
        region=clean_text(levels.get("L1", "")),
        postal_code=clean_text(raw.postal_code),
        country=clean_text(raw.region_code or levels.get("L0", "")),
        phone=clean_text(raw.phone_number),
    )


def readable_name(product_name: str, sku_name: str) -> str:
    """'Logo Mug (11 oz)': what a person reads for a line, gift lines without a seller SKU included."""
    product, sku = clean_text(product_name).strip(), clean_text(sku_name).strip()
    return f"{product} ({sku})" if product and sku and sku != product else product or sku


def to_remote_order(payload: TikTokOrder, raw: bytes | None = None) -> RemoteOrder:
    if not payload.line_items:
        raise ValueError("line_items: List should have at least 1 item")
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
                quantity=item.quantity,  # below 1 is set aside by `unfit`, never made 1
                product_name=readable_name(item.product_name, item.sku_name),
                cancel_reason=item.cancel_reason,
                components=to_components(item.combined_listing_skus or []),
                package_id=item.package_id,
                tracking_number=item.tracking_number,
                shipping_provider_id=item.shipping_provider_id,
            )
            for item in payload.line_items
        ),
        address=to_address(payload.recipient_address),
        delivery_option_id=payload.delivery_option_id,
        currency=(payload.payment.currency if payload.payment else "") or "USD",
        raw=raw,
        buyer_requested_cancel=bool(payload.is_buyer_request_cancel),
        cancel_requested_at=_epoch(payload.request_cancel_time) if payload.request_cancel_time else None,
    )


def to_cancellation(record: CancellationRecord) -> RemoteCancellation:
    """One Search Cancellations record; the deadline is that of SELLER_RESPOND_CANCEL."""
    deadlines = [a.deadline for a in record.seller_next_action_response or [] if a.deadline]
    respond = [a.deadline for a in record.seller_next_action_response or []
               if a.deadline and a.action == "SELLER_RESPOND_CANCEL"] or deadlines
    return RemoteCancellation(
        cancel_id=record.cancel_id,
        tiktok_order_id=record.order_id,
        status=record.cancel_status,
        role=record.role,
        reason=record.cancel_reason,
        reason_text=record.cancel_reason_text,
        created_at=_epoch(record.create_time) if record.create_time else None,
        respond_by=_epoch(min(respond)) if respond else None,
        line_item_ids=tuple(i.order_line_item_id for i in record.cancel_line_items or [] if i.order_line_item_id),
    )


def to_components(skus: list[CombinedListingSku]) -> tuple[RemoteComponent, ...]:
    """A virtual bundle's listings, one per seller SKU (TikTok pads some with spaces, as in its
    own doc sample `"yellow-24-XL "`); a listing without a seller SKU goes by its sku_id."""
    merged: dict[str, RemoteComponent] = {}
    for sku in skus:
        seller_sku = sku.seller_sku.strip() or sku.sku_id
        if not seller_sku:
            raise ValueError("a virtual bundle component has neither seller_sku nor sku_id")
        kept = merged.get(seller_sku)
        count = sku.sku_count + (kept.quantity if kept else 0)
        merged[seller_sku] = RemoteComponent(seller_sku=seller_sku, sku_id=sku.sku_id, product_id=sku.product_id,
                                             quantity=count)
    return tuple(merged.values())


def parse_order(raw: object) -> RemoteOrder | Rejected:
    """Read one order (TikTok's JSON bytes, or an already parsed object); a malformed one, or one
    the OMS cannot keep as sent (a control character in an identifier, a text longer than its
    column: `domain.imports.unfit`), comes back as Rejected with a one-line reason naming the
    field. The order's own bytes are kept on it as the audit payload, never re-serialised."""
    data = raw if isinstance(raw, bytes) else msgspec.json.encode(raw)
    try:
        remote = to_remote_order(ORDER_DECODER.decode(data), data)
        why = unfit(remote)
        if why is not None:
            raise ValueError(why)
        return remote
    except (msgspec.ValidationError, msgspec.DecodeError, ValueError, OverflowError, OSError) as exc:
        return Rejected(tiktok_order_id=_id_of(data), reason=reason_of(exc), raw=data.decode(errors="replace")[:20000])


def parse_orders(raws: list[msgspec.Raw]) -> tuple[list[RemoteOrder], list[Rejected]]:
    """A page's orders, each read from its own bytes: the readable ones and the set-aside ones."""
    orders: list[RemoteOrder] = []
    rejected: list[Rejected] = []
    for raw in raws:
        parsed = parse_order(bytes(raw))
        if isinstance(parsed, Rejected):
            rejected.append(parsed)
        else:
            orders.append(parsed)
    return orders, rejected


def read_stamps(raws: list[msgspec.Raw]) -> tuple[list[RemoteOrder], list[Rejected], list[UnreadOrder]]:
    """A search page's orders left unread but for their id and update_time (issue 13: an order
    the OMS already holds in this version costs no parsing); one whose id or update_time cannot
    be read is read in full at once, and so set aside with its reason."""
    orders: list[RemoteOrder] = []
    rejected: list[Rejected] = []
    unread: list[UnreadOrder] = []
    for raw in raws:
        data = bytes(raw)
        try:
            stamp = UPDATE_DECODER.decode(data)
        except msgspec.DecodeError:
            parsed = parse_order(data)
            (rejected if isinstance(parsed, Rejected) else orders).append(parsed)  # type: ignore[arg-type]
            continue
        unread.append(UnreadOrder(stamp.id, stamp.update_time, data, parse_order))
    return orders, rejected, unread


_ID = re.compile(rb'"id"\s*:\s*"([^"\\]{1,64})"')


def _id_of(data: bytes) -> str:
    try:
        found = msgspec.json.decode(data)
    except msgspec.DecodeError:
        # Unreadable as a whole (a byte that is not UTF-8 in a buyer's name, say): the order's id
        # is still its first "id" (TikTok sends it first), so the quarantine keeps each apart.
        match = _ID.search(data)
        return shown_id(match.group(1).decode("utf-8", errors="replace")) if match else "?"
    return shown_id(found.get("id", "?")) if isinstance(found, dict) else "?"


def shown_id(value: object) -> str:
    """An order id as the quarantine can hold and show it, whatever TikTok sent: control
    characters escaped, cut to the id length."""
    text = str(value)
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
    return text[: limits.ID]


_AT = re.compile(r"^(?P<msg>.*) - at `\$(?P<where>[^`]*)`$")


def reason_of(exc: Exception) -> str:
    # msgspec says "Expected `int`, got `str` - at `$.line_items[0].quantity`": the field first.
    if isinstance(exc, msgspec.ValidationError):
        found = _AT.match(str(exc))
        if found:
            where = found["where"].lstrip(".")
            return f"{where}: {found['msg']}" if where else found["msg"]
    elif isinstance(exc, msgspec.DecodeError):
        return f"not readable as JSON: {exc}"
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


def cancel_line_list(order: dict, line_item_ids: list[str], bundle_line_item_ids: list[str]) -> list[dict[str, str]]:
    """The 202602 Cancel Order `order_line_list` for these line items: a virtual bundle line is
    named once per unit inside it (`sub_item_info[].id` as `sub_order_line_item_id`, "required for
    bundle products"); any other line by its own id (NODE-SDK ReturnRefund202602CancelOrderRequestBody)."""
    items = {str(i.get("id")): i for i in order.get("line_items") or [] if isinstance(i, dict)}
    bundles = set(bundle_line_item_ids)
    entries: list[dict[str, str]] = []
    for line_id in line_item_ids:
        if line_id not in bundles:
            entries.append({"order_line_item_id": line_id})
            continue
        units = [u for u in (items.get(line_id) or {}).get("sub_item_info") or []
                 if isinstance(u, dict) and u.get("id") and u.get("display_status") != "CANCELLED"]
        if not units:
            raise ValueError(f"TikTok lists no units inside virtual bundle line {line_id}; "
                             "cancel the whole order, or this line in Seller Center")
        entries += [{"order_line_item_id": line_id, "sub_order_line_item_id": str(u["id"])} for u in units]
    return entries
