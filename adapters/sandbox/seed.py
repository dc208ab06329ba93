"""A realistic US TikTok shop for the demo, the sandbox server and tests."""

import random
from datetime import UTC, datetime

from adapters.sandbox.model import SimShop, TikTokShopModel

SHOP_NAME = "Sunset Apparel US"
# seller_sku -> (TikTok sku_id, product name). The demo adds products for these...
CATALOG = {
    "TEE-BLK-M": ("1729587769570544551", "Classic Tee, black, M"),
    "TEE-WHT-L": ("1729587769570544552", "Classic Tee, white, L"),
    "HOODIE-GRY-L": ("1729587769570544553", "Zip Hoodie, grey, L"),
    "CAP-NVY": ("1729587769570544554", "Dad Cap, navy"),
}
# ...and not for these, so that their orders stay in review until the seller maps them.
UNMAPPED = {
    "MUG-11OZ": ("1729587769570544561", "Logo Mug, 11 oz"),
    "TOTE-NAT": ("1729587769570544562", "Canvas Tote, natural"),
}
_BUYERS = (
    ("Dana Whitfield", "5800 Bristol Pkwy", "Suite 100", "Culver City", "California", "Los Angeles", "90230"),
    ("Marcus Lee", "410 Terry Ave N", "", "Seattle", "Washington", "King", "98109"),
    ("Priya Raman", "1 Main St", "Apt 4B", "Cambridge", "Massachusetts", "Middlesex", "02142"),
)
_HOUR, _DAY = 3600, 86400


def _units(*entries: tuple[str, int]) -> list[tuple[str, int, str]]:
    skus = {**CATALOG, **UNMAPPED}
    return [(sku, count, skus[sku][0]) for sku, count in entries]


def _address(buyer: tuple[str, ...]) -> dict:
    name, line1, line2, city, state, county, postal = buyer
    first, _, last = name.partition(" ")
    levels = (("Country", "United States", "L0"), ("State", state, "L1"), ("County", county, "L2"),
              ("City", city, "L3"))
    return {
        "name": name, "first_name": first, "last_name": last, "phone_number": "(+1)206-555-0199",
        "address_line1": line1, "address_line2": line2, "postal_code": postal, "region_code": "US",
        "full_address": f"{line1} {line2}, {city}, {state} {postal}".replace("  ", " "),
        "district_info": [{"address_level_name": n, "address_name": v, "address_level": lvl} for n, v, lvl in levels],
    }


def _month_start(now: int) -> int:
    day = datetime.fromtimestamp(now, UTC)
    return int(day.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp())


def seed_demo_shop(model: TikTokShopModel, *, orders: int = 0, seed: int = 2309) -> SimShop:
    """Adds the demo shop with a fixed set of orders, plus `orders` random ones (reproducible by `seed`).

    Fixed orders: merchant orders with multi-unit SKUs (one line item per unit), one with an
    unmapped SKU, one ON_HOLD (empty address), one cancelled by the buyer; FBT orders (masked
    addresses) from this month and one from before this month.
    """
    shop = model.add_shop(SHOP_NAME, region="US")
    now = model.now()
    dana, marcus, priya = (_address(b) for b in _BUYERS)
    model.place_order(shop.id, units=_units(("TEE-BLK-M", 1)), created=now - 5 * _HOUR, address=dana)
    model.place_order(shop.id, units=_units(("TEE-WHT-L", 3), ("CAP-NVY", 1)), created=now - 4 * _HOUR, address=marcus)
    model.place_order(shop.id, units=_units(("HOODIE-GRY-L", 1), ("CAP-NVY", 2)), created=now - 3 * _HOUR,
                      address=priya)
    model.place_order(shop.id, units=_units(("MUG-11OZ", 2), ("TEE-BLK-M", 1)), created=now - 2 * _HOUR, address=dana)
    model.place_order(shop.id, units=_units(("HOODIE-GRY-L", 1)), status="ON_HOLD", created=now - 20 * 60)
    cancelled = model.place_order(shop.id, units=_units(("TEE-WHT-L", 1)), created=now - 6 * _HOUR, address=marcus)
    model.buyer_cancels(cancelled["id"])
    start = _month_start(now)
    model.place_order(shop.id, units=_units(("TEE-BLK-M", 2)), fbt=True, status="IN_TRANSIT",
                      created=max(start, now - 2 * _DAY), address=priya)
    model.place_order(shop.id, units=_units(("CAP-NVY", 1), ("TOTE-NAT", 1)), fbt=True, status="DELIVERED",
                      created=max(start, now - _DAY), address=dana)
    model.place_order(shop.id, units=_units(("HOODIE-GRY-L", 1)), fbt=True, status="DELIVERED",
                      created=start - 3 * _DAY, address=marcus)
    _random_orders(model, shop, orders, random.Random(seed))
    return shop


def _random_orders(model: TikTokShopModel, shop: SimShop, count: int, rng: random.Random) -> None:
    skus = list(CATALOG) + list(UNMAPPED)
    now = model.now()
    for _ in range(count):
        fbt = rng.random() < 0.2
        picked = rng.sample(skus, rng.randint(1, 3))
        status = rng.choice(("IN_TRANSIT", "DELIVERED")) if fbt else rng.choices(
            ("AWAITING_SHIPMENT", "ON_HOLD"), weights=(9, 1))[0]
        model.place_order(shop.id, units=_units(*((sku, rng.randint(1, 3)) for sku in picked)), fbt=fbt,
                          status=status, created=now - rng.randint(60, 20 * _DAY),
                          address=_address(rng.choice(_BUYERS)),
                          price=f"{rng.randint(8, 60)}.{rng.choice((0, 49, 99)):02d}")


def place_random_order(model: TikTokShopModel, shop: SimShop, rng: random.Random) -> dict:
    """One new merchant order of 1-3 catalog SKUs, paid now (the running sandbox's "new order")."""
    picked = rng.sample(list(CATALOG), rng.randint(1, 3))
    return model.place_order(shop.id, units=_units(*((sku, rng.randint(1, 2)) for sku in picked)),
                             address=_address(rng.choice(_BUYERS)),
                             price=f"{rng.randint(8, 60)}.{rng.choice((0, 49, 99)):02d}")
