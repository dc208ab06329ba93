from pydantic import BaseModel, ConfigDict, Field


class _Payload(BaseModel):
    # TikTok adds fields all the time: unknown ones are ignored, never fatal (I-17).
    model_config = ConfigDict(extra="ignore", frozen=True)


class DistrictInfo(_Payload):
    address_level_name: str = ""
    address_name: str = ""
    address_level: str = ""


class RecipientAddress(_Payload):
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
    district_info: list[DistrictInfo] = Field(default_factory=list)


class LineItem(_Payload):
    id: str
    sku_id: str = ""
    seller_sku: str = ""
    product_name: str = ""
    sku_name: str = ""
    display_status: str = ""
    package_id: str = ""
    sale_price: str = "0"
    currency: str = ""
    cancel_reason: str = ""
    quantity: int = 1  # not in TikTok's 202309 model; accepted so that legacy inputs explode (R3)


class Payment(_Payload):
    currency: str = ""
    total_amount: str = "0"


class TikTokOrder(_Payload):
    id: str
    status: str
    fulfillment_type: str = "FULFILLMENT_BY_SELLER"
    create_time: int
    update_time: int
    line_items: list[LineItem] = Field(min_length=1)
    recipient_address: RecipientAddress | None = None
    delivery_option_id: str = ""
    payment: Payment | None = None


class OrderSearchData(_Payload):
    orders: list[dict] = Field(default_factory=list)
    next_page_token: str | None = ""  # the last page sends "" (observed), null or nothing
    total_count: int = 0


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
