"""Issue 8 item 6: a virtual bundle (combined listing) is imported as the listings it is made of."""

from adapters.sandbox.model import TikTokApiError
from adapters.tiktok.mapping import cancel_line_list, parse_order
from application.commands import CancelOrder
from domain.cancellation import CancelReason
from domain.imports import RemoteComponent, RemoteOrder
from domain.orders import OrderStatus
from tests.application.gateways import any_world, case  # noqa: F401  (fixture)
from tests.application.world import World

BUNDLE_CASE = "virtual-bundle-fbt.json"


def test_the_case_parses_into_a_bundle_line_with_its_components() -> None:
    remote = parse_order(case(BUNDLE_CASE))
    assert isinstance(remote, RemoteOrder)
    (line,) = remote.lines
    assert line.components == (
        RemoteComponent(seller_sku="TEE-BLK-M", sku_id="1729000000000000011", product_id="1729000000000000100", quantity=1),
        # TikTok's own sample pads this seller SKU with a space: the listing is the SKU without it.
        RemoteComponent(seller_sku="yellow-24-XL", sku_id="1729000000000000012", product_id="1729000000000000200", quantity=2),
    )
    assert remote.seller_skus == {"TEE-BLK-M", "yellow-24-XL"}


def test_an_fbt_bundle_waits_for_every_component_listing_then_moves_the_components_out_of_stock(any_world: World) -> None:
    world = any_world
    store = world.connected_store()
    fbt = world.with_fbt_import(store.name)
    world.model.put_order(case(BUNDLE_CASE), shop_id=world.shops[store.id].id)

    world.sync(store.name)

    (order,) = world.parts("576900000000000701")
    assert order.status is OrderStatus.IN_REVIEW
    assert order.unmapped_skus == ["TEE-BLK-M", "yellow-24-XL"]
    listings = world.queries.listings(store.name, unmapped=True)
    assert [l["seller_sku"] for l in listings] == ["TEE-BLK-M", "yellow-24-XL"]  # not the bundle itself
    view = world.queries.order(order.id)
    assert view["lines"][0]["components"] == [
        {"seller_sku": "TEE-BLK-M", "sku_id": "1729000000000000011", "product_sku": None, "quantity": 1},
        {"seller_sku": "yellow-24-XL", "sku_id": "1729000000000000012", "product_sku": None, "quantity": 2},
    ]

    world.mapped(store.name, "TEE-BLK-M", "TEE-BLK-M")
    assert world.order(order.id).status is OrderStatus.IN_REVIEW
    assert world.db.movements == []
    world.mapped(store.name, "yellow-24-XL", "CAP-YELLOW")

    assert world.order(order.id).status is OrderStatus.SHIPPED
    moved = sorted((m.warehouse_id, m.product_sku, m.quantity) for m in world.db.movements)
    assert moved == [(fbt, "CAP-YELLOW", -2), (fbt, "TEE-BLK-M", -1)]

    world.sync(store.name, full=True)  # importing again moves nothing twice
    assert len(world.db.movements) == 2


def test_a_bundle_line_is_cancelled_unit_by_unit_with_tiktoks_202602_body(any_world: World) -> None:
    world = any_world
    store = world.ready()
    world.model.define_bundle("tee-2cap", [("tee-red-l", 1), ("cap-yel", 2)], shop_id=world.shops[store.id].id)
    world.mapped(store.name, "cap-yel", "CAP")
    order = world.imported(store, [("tee-2cap", 1), ("mug", 1)])
    bundle = next(line for line in order.lines if line.is_bundle)

    world.cancel_order(CancelOrder(order=order.id, lines=[bundle.id], reason=CancelReason.OUT_OF_STOCK))

    remote = world.model.find_order(order.tiktok_order_id)
    (item,) = [i for i in remote["line_items"] if i["id"] == bundle.tiktok_line_item_id]
    assert item["display_status"] == "CANCELLED"
    assert [u["display_status"] for u in item["sub_item_info"]] == ["CANCELLED"] * 3
    assert remote["status"] == "AWAITING_SHIPMENT"
    assert [l.seller_sku for l in world.order(order.id).live_lines] == ["mug"]


def test_tiktok_wants_the_units_of_a_bundle_line_not_the_line_alone() -> None:
    world = World()
    store = world.ready()
    world.model.define_bundle("tee-2cap", [("tee-red-l", 1), ("cap-yel", 2)], shop_id=world.shops[store.id].id)
    placed = world.model.place_order(world.shops[store.id].id, units=[("tee-2cap", 1), ("mug", 1)])
    bundle, mug = placed["line_items"]
    conn = world.store().connection
    assert conn is not None
    body = {"order_id": placed["id"], "cancel_reason": "seller_cancel_reason_out_of_stock"}

    for wrong, version in (({"order_line_item_ids": [bundle["id"]]}, "202309"),
                           ({"order_line_list": [{"order_line_item_id": bundle["id"]}]}, "202602")):
        try:
            world.model.cancel(conn.access_token, conn.shop_cipher, {**body, **wrong}, version=version)
        except TikTokApiError as exc:
            assert exc.code == 25001001
        else:
            raise AssertionError(f"TikTok took {wrong}")

    entries = cancel_line_list(placed, [bundle["id"], mug["id"]], [bundle["id"]])
    assert entries == [{"order_line_item_id": bundle["id"], "sub_order_line_item_id": u["id"]} for u in bundle["sub_item_info"]] + [
        {"order_line_item_id": mug["id"]}]
    # One unit of a bundle only: TikTok cancels that unit and the bundle line goes on.
    world.model.cancel(conn.access_token, conn.shop_cipher, {**body, "order_line_list": entries[:1]}, version="202602")
    assert bundle["display_status"] == "AWAITING_SHIPMENT"
    assert [u["display_status"] for u in bundle["sub_item_info"]] == ["CANCELLED", "AWAITING_SHIPMENT", "AWAITING_SHIPMENT"]
    try:
        cancel_line_list(case(BUNDLE_CASE), ["576900000000000702"], ["576900000000000702"])
    except ValueError as exc:
        assert "lists no units inside virtual bundle line 576900000000000702" in str(exc)
    else:
        raise AssertionError("a bundle line without its units cannot be cancelled by line")
