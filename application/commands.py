from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from domain import limits
from domain.cancellation import CancelReason
from domain.markets import TIKTOK_SHOP_MARKETS, market


def _printable(value: str) -> str:
    found = limits.control_characters(value)
    if found:
        raise ValueError(f"must not contain control characters such as newlines or tabs (found {', '.join(found)})")
    return value


_Printable = AfterValidator(_printable)
# Everything the OMS stores from a command is bounded by the schema's own table (domain/limits.py)
# and free of control characters, checked before anything is stored or sent to TikTok.
Name = Annotated[str, Field(min_length=1, max_length=limits.NAME), _Printable]
Sku = Annotated[str, Field(min_length=1, max_length=limits.SKU), _Printable]
Carrier = Annotated[str, Field(min_length=1, max_length=limits.CARRIER), _Printable]
TrackingNumber = Annotated[str, Field(min_length=1, max_length=limits.TRACKING_NUMBER), _Printable]
AddressPart = Annotated[str, Field(max_length=limits.ADDRESS_FIELD), _Printable]
# A store, warehouse or order named by id, name or TikTok id: looked up, never stored.
Ref = Annotated[str, Field(min_length=1, max_length=limits.NAME), _Printable]


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class CreateStore(Command):
    name: Name
    region: str = Field(default="US", pattern=r"^[A-Za-z]{2}$")
    currency: str = Field(default="USD", pattern=r"^[A-Za-z]{3}$")
    default_warehouse: Ref | None = None

    @field_validator("region")
    @classmethod
    def _tiktok_market(cls, value: str) -> str:
        if market(value) not in TIKTOK_SHOP_MARKETS:
            known = ", ".join(sorted(TIKTOK_SHOP_MARKETS))
            raise ValueError(f"TikTok Shop does not operate in {value.upper()}; its markets are {known} (UK = GB)")
        return value


class BeginAuthorization(Command):
    store: Ref


class CompleteAuthorization(Command):
    """Finish an authorization from the URL TikTok redirected the browser to.

    `install_without_state`: the seller named this store themselves (the `stores connect` command,
    or a signed-in seller choosing the store on the web app), so a URL with a code and no state is
    accepted as an install started in TikTok Shop's App Store. A URL with a state is always checked.
    Never set it for a callback that merely arrives (the loopback listener): that would be CSRF.
    """

    store: Ref
    redirect_url: str = Field(min_length=1)
    install_without_state: bool = False


class DisconnectStore(Command):
    store: Ref


class ConfigureFbtImport(Command):
    store: Ref
    enable: bool
    start_date: date | None = None
    warehouse: Ref | None = None


class CreateWarehouse(Command):
    name: Name
    fbt: bool = False
    store: Ref | None = None


class AddProduct(Command):
    sku: Sku
    name: Name


class MapListing(Command):
    store: Ref
    seller_sku: Sku
    product: Sku


class UnmapListing(Command):
    store: Ref
    seller_sku: Sku


class SyncOrders(Command):
    store: Ref
    full: bool = False


class SplitOrder(Command):
    order: Ref
    lines: list[Ref] = Field(min_length=1)


class AssignWarehouse(Command):
    order: Ref
    warehouse: Ref


class ShipOrder(Command):
    order: Ref
    carrier: Carrier
    tracking: TrackingNumber
    # The buyer asked to cancel and waits for an answer: ship anyway (in the US that rejects it).
    despite_cancel_request: bool = False


class AnswerCancellationRequest(Command):
    order: Ref
    decision: Literal["approve", "reject"]
    reason: str | None = None  # reject only: a reason name (or its text) from Get Reject Reasons
    comment: str = Field(default="", max_length=500)


class CancelOrder(Command):
    order: Ref
    reason: CancelReason
    lines: list[Ref] | None = None


class ReturnAddress(Command):
    name: AddressPart = ""
    line1: AddressPart = ""
    line2: AddressPart = ""
    city: AddressPart = ""
    region: AddressPart = ""
    postal_code: AddressPart = ""
    country: AddressPart = ""


class CreateReturn(Command):
    order: Ref
    lines: list[Ref] = Field(min_length=1)
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


class ReconcileIntents(Command):
    """Settle pending ship/cancel/split requests from TikTok's state: of one store, or of all."""

    store: Ref | None = None
