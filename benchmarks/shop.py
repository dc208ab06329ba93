"""A large TikTok shop for the benchmark: merchant and FBT orders of 1-5 units each."""

import random
from datetime import UTC, datetime

from adapters.sandbox.model import SimShop, TikTokShopModel

SKUS = [f"SKU-{n:03d}" for n in range(40)]


def seed_large_shop(model: TikTokShopModel, orders: int, *, seed: int = 7) -> SimShop:
    rng = random.Random(seed)
    shop = model.add_shop("Benchmark Shop", region="US")
    now = model.now()
    today = datetime.fromtimestamp(now, UTC)
    month_start = int(today.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp())
    for n in range(orders):
        units = rng.randint(1, 5)
        picks: dict[str, int] = {}
        for _ in range(units):
            sku = rng.choice(SKUS)
            picks[sku] = picks.get(sku, 0) + 1
        created = rng.randint(month_start, now - 60)
        order = model.place_order(
            shop.id, units=list(picks.items()), fbt=rng.random() < 0.3, created=created,
            order_id=str(577_000_000_000_000_000 + n),
        )
        order["update_time"] = created + rng.randint(0, 3600)
    return shop
