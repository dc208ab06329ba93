from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.cancellation import CancelReason
from domain.markets import TIKTOK_SHOP_MARKETS, market


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class CreateStore(Command):
    name: str = Field(min_length=1)
    region: str = Field(default="US", pattern=r"^[A-Za-z]{2}$")
    currency: str = Field(default="USD", pattern=r"^[A-Za-z]{3}$")
    default_warehouse: str | None = None

    @field_validator("region")
    @classmethod
    def _tiktok_market(cls, value: str) -> str:
        if market(value) not in TIKTOK_SHOP_MARKETS:
            known = ", ".join(sorted(TIKTOK_SHOP_MARKETS))
            raise ValueError(f"TikTok Shop does not operate in {value.upper()}; its markets are {known} (UK = GB)")
        return value


class BeginAuthorization(Command):
    store: str


class CompleteAuthorization(Command):
    """Finish an authorization from the URL TikTok redirected the browser to.

    `install_without_state`: the seller named this store themselves (the `stores connect` command,
    or a signed-in seller choosing the store on the web app), so a URL with a code and no state is
    accepted as an install started in TikTok Shop's App Store. A URL with a state is always checked.
    Never set it for a callback that merely arrives (the loopback listener): that would be CSRF.
    """

    store: str
    redirect_url: str = Field(min_length=1)
    install_without_state: bool = False


class DisconnectStore(Command):
    store: str


class ConfigureFbtImport(Command):
    store: str
    enable: bool
    start_date: date | None = None
    warehouse: str | None = None


class CreateWarehouse(Command):
    name: str = Field(min_length=1)
    fbt: bool = False
    store: str | None = None


class AddProduct(Command):
    sku: str = Field(min_length=1)
    name: str = Field(min_length=1)


class MapListing(Command):
    store: str
    seller_sku: str = Field(min_length=1)
    product: str = Field(min_length=1)


class UnmapListing(Command):
    store: str
    seller_sku: str = Field(min_length=1)


class SyncOrders(Command):
    store: str
    full: bool = False


class SplitOrder(Command):
    order: str
    lines: list[str] = Field(min_length=1)


class AssignWarehouse(Command):
    order: str
    warehouse: str


class ShipOrder(Command):
    order: str
    carrier: str = Field(min_length=1)
    tracking: str = Field(min_length=1)


class CancelOrder(Command):
    order: str
    reason: CancelReason
    lines: list[str] | None = None


class ReturnAddress(Command):
    name: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


class CreateReturn(Command):
    order: str
    lines: list[str] = Field(min_length=1)
    address: ReturnAddress | None = None

    @field_validator("address")
    @classmethod
    def _blank_is_none(cls, value: ReturnAddress | None) -> ReturnAddress | None:
        return None if value is None or not any(value.model_dump().values()) else value


class ReceiveWebhook(Command):
    """A TikTok Shop webhook whose signature was checked (TIKTOK_API.md §6.1); `raw` is its body."""

    notification_id: str = Field(min_length=1, max_length=128)
    type: int
    shop_id: str = Field(min_length=1, max_length=64)
    timestamp: int
    data: dict[str, Any] = Field(default_factory=dict)
    raw: str
