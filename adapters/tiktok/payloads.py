from typing import Annotated

import msgspec
from msgspec import Meta, Struct
from pydantic import BaseModel, ConfigDict, Field


EPOCH_LIMIT = 253_402_300_800  # 10000-01-01 in Unix seconds: a later time is not a time


class _Payload(BaseModel):
    # TikTok adds fields all the time: unknown ones are ignored, never fatal (I-17).
    model_config = ConfigDict(extra="ignore", frozen=True)


# TikTok's orders are read with msgspec (issue 13): pages of orders are most of what the OMS
# reads from TikTok, and msgspec validates into these frozen structs several times faster than
# pydantic, while `msgspec.Raw` keeps each order's own bytes as TikTok sent them for the audit
# payload. Unknown fields are ignored, never fatal (I-17); `strict=False` (see `ORDER_DECODER`)
# accepts "123" for a number like pydantic did. Other answers stay pydantic models below.
Time = Annotated[int, Meta(ge=0, lt=EPOCH_LIMIT)]


class DistrictInfo(Struct, frozen=True):
    address_level_name: str = ""
    address_name: str = ""
    address_level: str = ""


class RecipientAddress(Struct, frozen=True):
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    phone_number: str = ""
    full_address: str = ""
    address_detail: str = ""
    address_line1: str = ""
    address_line2: str = ""
    postal_code: str = ""
    region_code: str = ""
    post_town: str = ""
    district_info: list[DistrictInfo] = msgspec.field(default_factory=list)


class CombinedListingSku(Struct, frozen=True):
    """One listing of a virtual bundle (`line_items[].combined_listing_skus[]`, Get Order List /
    Get Order Detail 202309; changelog "Virtual bundles are now available in order details")."""

    sku_id: str = ""
    sku_count: Annotated[int, Meta(ge=1)] = 1
    product_id: str = ""
    seller_sku: str = ""


class SubItem(Struct, frozen=True):
    """One unit inside a virtual bundle line (`line_items[].sub_item_info[]`); its `id` is the
    `sub_order_line_item_id` of the 202602 cancel body."""

    id: str
    sku_id: str = ""
    seller_sku: str = ""
    display_status: str = ""


class LineItem(Struct, frozen=True):
    id: str
    sku_id: str = ""
    seller_sku: str = ""
    product_name: str = ""
    sku_name: str = ""
    display_status: str = ""
    package_id: str = ""
    tracking_number: str = ""
    shipping_provider_id: str = ""
    sale_price: str = "0"
    currency: str = ""
    cancel_reason: str = ""
    quantity: int = 1  # not in TikTok's 202309 model; accepted so that legacy inputs explode (R3)
    combined_listing_skus: list[CombinedListingSku] | None = None  # TikTok sends null for a plain line
    sub_item_info: list[SubItem] | None = None


class Payment(Struct, frozen=True):
    currency: str = ""
    total_amount: str = "0"


class TikTokOrder(Struct, frozen=True):
    """One order of Search Orders / Get Order Detail 202309 (the fields the OMS reads)."""

    id: str
    status: str
    create_time: Time
    update_time: Time
    line_items: list[LineItem]  # at least one: checked by the mapping, with a clear reason
    fulfillment_type: str = "FULFILLMENT_BY_SELLER"
    recipient_address: RecipientAddress | None = None
    delivery_option_id: str = ""
    payment: Payment | None = None
    is_buyer_request_cancel: bool | None = None  # True while a buyer's request awaits the seller
    request_cancel_time: Time | None = None


class OrderUpdate(Struct, frozen=True):
    """The two fields that tell whether an order changed since it was stored (issue 13 item 4)."""

    id: str
    update_time: int


class OrdersPage(Struct, frozen=True):
    """A page of Search Orders / Get Order Detail: each order kept as TikTok's own bytes."""

    orders: list[msgspec.Raw] = msgspec.field(default_factory=list)
    next_page_token: str | None = ""  # the last page sends "" (observed), null or nothing
    total_count: msgspec.Raw = msgspec.Raw(b"null")  # only a bound on the walk: any type is accepted, see `count_of`


ORDER_DECODER = msgspec.json.Decoder(TikTokOrder, strict=False)
UPDATE_DECODER = msgspec.json.Decoder(OrderUpdate, strict=False)
PAGE_DECODER = msgspec.json.Decoder(OrdersPage)


class TokenData(_Payload):
    access_token: str
    access_token_expire_in: int
    refresh_token: str
    refresh_token_expire_in: int
    granted_scopes: list[str] = Field(default_factory=list)
    open_id: str = ""
    seller_name: str = ""


class Shop(_Payload):
    id: str
    name: str = ""
    region: str = ""
    cipher: str
    code: str = ""


class ShopsData(_Payload):
    shops: list[Shop] = Field(default_factory=list)


class ShippingProviderPayload(_Payload):
    id: str
    name: str


class ShippingProvidersData(_Payload):
    shipping_providers: list[ShippingProviderPayload] = Field(default_factory=list)


class CancelData(_Payload):
    cancel_id: str
    cancel_status: str = ""


class ShippedPackageData(_Payload):
    package_id: str
    order_line_item_ids: list[str] = Field(default_factory=list)


class SplitPackage(_Payload):
    id: str
    splittable_group_id: str = ""


class SplitData(_Payload):
    packages: list[SplitPackage] = Field(default_factory=list)


class SellerNextAction(_Payload):
    action: str = ""
    deadline: int | None = None


class CancelLineItem(_Payload):
    order_line_item_id: str = ""
    cancel_line_item_id: str = ""
    sku_id: str = ""
    seller_sku: str = ""


class CancellationRecord(_Payload):
    """One cancellation of Search Cancellations 202309 (return-and-refund/search-cancellations)."""

    cancel_id: str
    order_id: str
    cancel_type: str = ""  # CANCEL | BUYER_CANCEL (TikTok's own sample also says REQUEST_CANCEL_REFUND)
    cancel_status: str = ""
    role: str = ""
    cancel_reason: str = ""
    cancel_reason_text: str = ""
    create_time: int | None = None
    update_time: int | None = None
    seller_next_action_response: list[SellerNextAction] | None = None
    cancel_line_items: list[CancelLineItem] | None = None


class CancellationSearchData(_Payload):
    cancellations: list[CancellationRecord] = Field(default_factory=list)
    next_page_token: str | None = ""
    total_count: object = None  # unused


class RejectReasonPayload(_Payload):
    name: str
    text: str = ""


class RejectReasonsData(_Payload):
    reasons: list[RejectReasonPayload] = Field(default_factory=list)


def count_of(value: object) -> int | None:
    """A `total_count` as a number of orders, or None when TikTok sent something else ("lots", null,
    a negative or fractional number): the field only bounds a sync, so it never fails one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return value if isinstance(value, int) and value >= 0 else None
