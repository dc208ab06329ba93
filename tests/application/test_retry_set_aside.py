"""`orders set-aside --retry` as a use case: every set-aside order read again, 50 a call."""

from application.handlers.retry_set_aside import RetrySetAsideHandler
from tests.application.world import World


def broken(world: World, n: int) -> dict:  # type: ignore[type-arg]
    now = world.model.now()
    order = {"id": f"576000000000{n:06d}", "status": "SHIPPED_BY_PIGEON", "create_time": now, "update_time": now,
             "line_items": [{"id": f"576000000001{n:06d}", "seller_sku": "tee-red-l"}]}
    world.model.shop().orders[order["id"]] = order
    return order


def test_every_set_aside_order_is_read_again_fifty_a_call_and_the_readable_ones_imported() -> None:
    world = World()
    world.ready()
    orders = [broken(world, n) for n in range(60)]
    assert world.sync().quarantined == 60
    for order in orders[:55]:  # TikTok now sends these in a shape the OMS reads
        order.update(status="AWAITING_SHIPMENT", update_time=order["update_time"] + 60)
    del world.model.shop().orders[orders[59]["id"]]  # and no longer lists this one
    before = world.calls("detail")

    retried = RetrySetAsideHandler(world.uow, world.tiktok, world.clock)()

    # 60 ids: 50, then 10 — which TikTok refuses whole for the one it no longer holds, so each alone
    assert world.calls("detail") - before == 2 + 10
    outcomes = {r.tiktok_order_id: r.outcome for r in retried}
    assert [outcomes[o["id"]] for o in orders[:55]] == ["imported"] * 55
    assert all(outcomes[o["id"]].startswith("still set aside: ") for o in orders[55:59])
    assert outcomes[orders[59]["id"]].startswith("TikTok did not send it")
    assert sorted(q.tiktok_order_id for q in world.db.quarantine) == sorted(o["id"] for o in orders[55:])
