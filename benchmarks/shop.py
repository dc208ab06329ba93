"""Large TikTok shops for the benchmark: merchant and FBT orders of 1-5 units each, in two shapes.

Every date is relative to a fixed epoch (`EPOCH`, late in a month), never to today: the OMS
under test runs on `BenchClock`, which starts at `EPOCH` and moves with the wall clock. So the
figures do not depend on the day of the month (FBT import starts on the first of the clock's
month, R9), and no order is dated in the future: a run of N orders imports exactly N.
"""

import json
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from adapters.sandbox.model import SimShop, TikTokShopModel
from application.ports import Clock

SKUS = [f"SKU-{n:03d}" for n in range(40)]
EPOCH = int(datetime(2026, 1, 28, 12, 0, tzinfo=UTC).timestamp())  # a Wednesday, 27 days into January
HOUR, DAY = 3600, 86400
SPAN = 26 * DAY  # orders are created over the 26 days before the epoch (all after the 1st)
SAMPLE = Path(__file__).resolve().parents[1] / "tests/fixtures/tiktok-samples/get-order-detail.json"
SHAPES = ("lean", "realistic")


class BenchClock(Clock):
    """The OMS's clock in the benchmark: `EPOCH` when created, then moving with real time."""

    def __init__(self, epoch: int = EPOCH) -> None:
        self._offset = epoch - time.time()

    def now(self) -> datetime:
        return datetime.fromtimestamp(time.time() + self._offset, UTC)


def fbt_start() -> datetime:
    """The FBT import start date the benchmark configures: the first of the epoch's month."""
    return datetime.fromtimestamp(EPOCH, UTC).replace(day=1, hour=0, minute=0, second=0)


def seed_large_shop(model: TikTokShopModel, orders: int, *, seed: int = 7, shape: str = "lean",
                    recent: bool = False) -> SimShop:
    """A shop of `orders` orders, 30 % FBT, all AWAITING_SHIPMENT on TikTok.

    shape "lean": the sandbox's own order (about 1.5 KB of JSON); "realistic": TikTok's sample
    order of Get Order Detail (tests/fixtures/tiktok-samples/get-order-detail.json, about 7 KB
    with one line item) reshaped per order: its own ids, SKUs, units and times.
    recent=False: created over the 26 days before `EPOCH`, updated up to an hour later but at
    least an hour before `EPOCH`; recent=True: every order updated within the hour before `EPOCH`.
    """
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}, not {shape!r}")
    rng = random.Random(seed)
    shop = model.add_shop("Benchmark Shop", region="US")
    sample = _sample() if shape == "realistic" else None
    for n in range(orders):
        units = rng.randint(1, 5)
        picks: dict[str, int] = {}
        for _ in range(units):
            sku = rng.choice(SKUS)
            picks[sku] = picks.get(sku, 0) + 1
        fbt = rng.random() < 0.3
        if recent:
            updated = EPOCH - rng.randint(60, HOUR)
            created = updated - rng.randint(0, HOUR)
        else:
            created = EPOCH - 2 * HOUR - rng.randint(0, SPAN)
            updated = created + rng.randint(0, HOUR)
        order_id = str(577_000_000_000_000_000 + n)
        if sample is None:
            order = model.place_order(shop.id, units=list(picks.items()), fbt=fbt, created=created, order_id=order_id)
            order["update_time"] = updated
        else:
            model.put_order(_reshaped(model, sample, order_id, picks, fbt, created, updated), shop.id)
    return shop


def _sample() -> dict:
    return json.loads(SAMPLE.read_text())["response_body"]["data"]["orders"][0]


def _reshaped(model: TikTokShopModel, sample: dict, order_id: str, picks: dict[str, int], fbt: bool, created: int,
              updated: int) -> dict:
    """TikTok's sample order as a new, paid order awaiting shipment: one line item per unit."""
    shift = created - sample["create_time"]
    order = {k: v + shift if k.endswith("_time") and isinstance(v, int) else v for k, v in sample.items()}
    for gone in ("cancellation_initiator", "cancel_reason", "cancel_time", "request_cancel_time", "replaced_order_id"):
        order.pop(gone, None)  # a paid order awaiting shipment: nothing cancelled or replaced
    package = model.new_id()
    item = sample["line_items"][0]
    items = []
    for sku, count in picks.items():
        for _ in range(count):
            line = {k: v + shift if k.endswith("_time") and isinstance(v, int) else v for k, v in item.items()
                    if k not in ("combined_listing_skus", "cancel_user", "cancel_reason")}  # a plain line, not a bundle
            line.update(id=model.new_id(), sku_id=f"sku-{sku}", seller_sku=sku, product_id=f"prod-{sku}",
                        display_status="AWAITING_SHIPMENT", package_id=package, currency="USD",
                        sale_price="19.99", original_price="19.99")
            items.append(line)
    order.update(
        id=order_id, status="AWAITING_SHIPMENT", create_time=created, update_time=updated, paid_time=created,
        fulfillment_type="FULFILLMENT_BY_TIKTOK" if fbt else "FULFILLMENT_BY_SELLER",
        shipping_type="TIKTOK" if fbt else "SELLER", is_on_hold_order=False, is_buyer_request_cancel=False,
        payment={**sample["payment"], "currency": "USD"}, packages=[{"id": package}], line_items=items,
    )
    return order

