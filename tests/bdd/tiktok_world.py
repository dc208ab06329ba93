"""Builders and look-ups the step modules share: TikTok's side of the world and the OMS's views."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from pydantic import ValidationError

from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from application.commands import BeginAuthorization, CompleteAuthorization, CreateStore
from application.errors import ApplicationError
from domain.exceptions import DomainError

REDIRECT_URL = "http://127.0.0.1:8765/callback"
TODAY = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
SHOP_NAME = "Goflow Demo Shop"
# A regex fragment for steps that name an order or one part of a split order.
ORDER = r'(?:part (?P<part>\d+) of )?order "(?P<order>[^"]+)"'

Json = dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What a When step did: its result, or the business error it raised."""

    result: Any = None
    error: Exception | None = None


def attempt(action: Callable[..., Any], *args: Any) -> Outcome:
    try:
        return Outcome(result=action(*args))
    except (DomainError, ApplicationError, ValidationError) as exc:
        return Outcome(error=exc)


@dataclass(frozen=True)
class TikTokSnapshot:
    """Everything TikTok had been asked when the snapshot was taken."""

    calls: tuple[tuple[str, str], ...]
    cancellations: tuple[str, ...]
    packages: tuple[str, ...]

    @classmethod
    def of(cls, model: TikTokShopModel) -> "TikTokSnapshot":
        return cls(
            tuple(model.calls),
            tuple(c["cancel_id"] for c in model.cancellations),
            tuple(p["package_id"] for p in model.packages),
        )


def units(text: str) -> list[tuple[str, int]]:
    """'2 x tee-red-l, 1 x mug-1' -> [('tee-red-l', 2), ('mug-1', 1)]"""
    parsed = []
    for part in text.split(","):
        count, _, sku = part.strip().partition(" x ")
        parsed.append((sku.strip(), int(count)))
    return parsed


def names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def midday(day: datetime) -> int:
    return int(datetime.combine(day.date(), time(12), tzinfo=UTC).timestamp())


def connect_store(container: Container, model: TikTokShopModel, name: str, *, region: str = "US",
                  shop_id: str | None = None) -> None:
    container.create_store()(CreateStore(name=name, region=region))
    auth = container.begin_authorization()(BeginAuthorization(store=name))
    redirect = model.approve(auth["authorization_url"], REDIRECT_URL, shop_id=shop_id)
    container.complete_authorization()(CompleteAuthorization(store=name, redirect_url=redirect))


def parts_of(container: Container, tiktok_order_id: str) -> list[Json]:
    """The OMS orders of one TikTok order, the original first, then its split parts in order."""
    return [o for o in container.queries().orders() if o["tiktok_order_id"] == tiktok_order_id]


def order_ref(container: Container, order: str, part: str | None = None) -> str:
    """The OMS reference of a TikTok order, or of one part of it once it is split."""
    if part is None:
        return order
    return parts_of(container, order)[int(part) - 1]["id"]


def order_view(container: Container, order: str, part: str | None = None) -> Json:
    return container.queries().order(order_ref(container, order, part))


def line_counts(view: Json, *, live_only: bool = True) -> Counter[str]:
    return Counter(
        line["seller_sku"] for line in view["lines"] if not live_only or line["status"] != "cancelled"
    )


def pick_lines(view: Json, wanted: str) -> list[str]:
    """Ids of live lines of each SKU, open ones first, as many as asked for ('1 x tee-red-l')."""
    picked = []
    for sku, count in units(wanted):
        live = [l for l in view["lines"] if l["seller_sku"] == sku and l["status"] != "cancelled"]
        ids = [l["id"] for l in sorted(live, key=lambda l: l["status"] != "open")]
        assert len(ids) >= count, f"order {view['tiktok_order_id']} has only {len(ids)} live {sku}"
        picked += ids[:count]
    return picked


def tiktok_line_items(view: Json, line_ids: list[str]) -> list[str]:
    return [l["tiktok_line_item_id"] for l in view["lines"] if l["id"] in line_ids]


def warehouse_id(container: Container, name: str) -> str:
    return next(w["id"] for w in container.queries().warehouses() if w["name"] == name)
