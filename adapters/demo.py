"""The seed page's whole story, told on a demo TikTok shop, in a seller's words, with the
`tiktok-oms` command behind each step (`$ tiktok-oms …`) so a newcomer can do it by hand."""

import shlex
from collections.abc import Callable
from datetime import timedelta

from adapters.container import Container
from adapters.sandbox.model import TikTokShopModel
from application.commands import (
    AddProduct,
    AssignWarehouse,
    BeginAuthorization,
    CancelOrder,
    CompleteAuthorization,
    ConfigureFbtImport,
    CreateReturn,
    CreateStore,
    CreateWarehouse,
    MapListing,
    ReturnAddress,
    ShipOrder,
    SplitOrder,
    SyncOrders,
)
from application.errors import ApplicationError
from domain.cancellation import CancelReason
from domain.exceptions import DomainError

STORE = "TikTok US"
Echo = Callable[[str], None]


class _Story:
    def __init__(self, container: Container, model: TikTokShopModel, echo: Echo, authorize: Callable[[str], str]) -> None:
        self.c = container
        self.model = model
        self.echo = echo
        self.authorize = authorize
        self.step = 0

    def title(self, text: str) -> None:
        self.step += 1
        self.echo(f"\n{self.step}. {text}")

    def say(self, text: str) -> None:
        self.echo(f"   {text}")

    def cli(self, *argv: str) -> None:
        """The command a seller types for what the story does next."""
        self.echo("   $ tiktok-oms " + " ".join(shlex.quote(a) for a in argv))

    def warehouse(self, warehouse_id: str | None) -> str:
        names = {w["id"]: w["name"] for w in self.c.queries().warehouses()}
        return names.get(warehouse_id or "", warehouse_id or "-")

    def refused(self, action: Callable[[], object]) -> None:
        try:
            action()
        except (DomainError, ApplicationError) as exc:
            self.say(f"✗ refused: {exc}")
            return
        raise AssertionError("the demo expected a refusal here")

    def order(self, tiktok_id: str) -> dict:
        return self.c.queries().order(tiktok_id)

    def status_line(self, o: dict) -> str:
        skus = ", ".join(f"{l['seller_sku']}({l['status']})" for l in o["lines"])
        return f"order {o['tiktok_order_id']} [{o['id']}]: {o['status'].replace('_', ' ').title()} — {skus}"


def run_story(container: Container, model: TikTokShopModel, echo: Echo, authorize: Callable[[str], str]) -> None:
    s = _Story(container, model, echo, authorize)
    c = container
    today = c.clock().now()
    first_of_month = today.date().replace(day=1)

    s.title("Create the TikTok store in the store directory")
    for name in ("Newark NJ", "Reno NV"):
        s.cli("warehouses", "create", "--name", name)
        c.create_warehouse()(CreateWarehouse(name=name))
    s.cli("stores", "create", "--name", STORE, "--region", "US", "--currency", "USD", "--default-warehouse", "Newark NJ")
    c.create_store()(CreateStore(name=STORE, region="US", currency="USD", default_warehouse="Newark NJ"))
    s.say(f"store {STORE!r} saved with default warehouse Newark NJ — status: {c.queries().store(STORE)['status'].title()}")
    for sku, name in (("TEE-RED-L", "Red T-shirt, large"), ("CAP-BLK", "Black cap"), ("MUG-WHT", "White mug"),
                      ("HOODIE-GRY-M", "Grey hoodie, medium"), ("SOCKS-3PK", "Socks, 3-pack")):
        c.add_product()(AddProduct(sku=sku, name=name))
    s.cli("products", "add", "--sku", "TEE-RED-L", "--name", "Red T-shirt, large")
    s.say("(and four more products the same way)")
    for seller_sku, product in (("tee-red-l", "TEE-RED-L"), ("cap-black", "CAP-BLK"), ("mug-white", "MUG-WHT")):
        s.cli("listings", "map", STORE, "--seller-sku", seller_sku, "--product", product)
        c.map_listing()(MapListing(store=STORE, seller_sku=seller_sku, product=product))
    s.say("products added; listings tee-red-l, cap-black and mug-white mapped to them")

    s.title("Authorize: log in to TikTok as a shop admin, grant the permissions, come back")
    s.cli("stores", "authorize", STORE)
    begun = c.begin_authorization()(BeginAuthorization(store=STORE))
    s.say(f"authorization page: {begun['authorization_url'].split('&state=')[0]}&state=…")
    redirect = s.authorize(begun["authorization_url"])
    c.complete_authorization()(CompleteAuthorization(store=STORE, redirect_url=redirect))
    st = c.queries().store(STORE)
    s.say(f"TikTok sent us back; the code became tokens for shop {st['shop']['name']!r} — status: {st['status'].title()}")

    now = int(today.timestamp())
    split_me = model.place_order(units=[("tee-red-l", 2), ("cap-black", 1)], order_id="576000000000000101", created=now - 3600)
    review_me = model.place_order(units=[("hoodie-grey-m", 1), ("mug-white", 1)], order_id="576000000000000102", created=now - 3000)
    cancel_me = model.place_order(units=[("mug-white", 2), ("cap-black", 1)], order_id="576000000000000103", created=now - 2400)
    held = model.place_order(units=[("tee-red-l", 1)], status="ON_HOLD", order_id="576000000000000104", created=now - 60)
    model.place_order(units=[("tee-red-l", 1)], fbt=True, order_id="576000000000000201", created=now - 1800)
    model.place_order(units=[("socks-3pk-fbt", 2)], fbt=True, order_id="576000000000000202", created=now - 1200)
    last_month = int((today.replace(day=1) - timedelta(days=3)).timestamp())
    model.place_order(units=[("mug-white", 1)], fbt=True, order_id="576000000000000203", created=last_month)

    s.title("Import the store's orders")
    s.cli("orders", "sync", STORE)
    summary = c.sync_orders()(SyncOrders(store=STORE))
    s.say(f"{summary.new} merchant orders imported, {summary.skipped} FBT orders skipped (FBT import is off by default)")
    o = s.order(split_me["id"])
    s.say(f"TikTok has no multi-quantity lines: 2 × tee-red-l arrived as {sum(l['seller_sku'] == 'tee-red-l' for l in o['lines'])} lines of quantity 1")
    s.say(s.status_line(o))

    s.title("An order with an unmapped listing is held In Review until the listing is mapped")
    s.say(s.status_line(s.order(review_me["id"])))
    s.cli("orders", "ship", review_me["id"], "--carrier", "USPS", "--tracking", "X")
    s.refused(lambda: c.ship_order()(ShipOrder(order=review_me["id"], carrier="USPS", tracking="X")))
    s.cli("listings", "map", STORE, "--seller-sku", "hoodie-grey-m", "--product", "HOODIE-GRY-M")
    c.map_listing()(MapListing(store=STORE, seller_sku="hoodie-grey-m", product="HOODIE-GRY-M"))
    s.say("mapped hoodie-grey-m → HOODIE-GRY-M")
    s.say(s.status_line(s.order(review_me["id"])))

    s.title("Split a multi-line order and ship the parts from two warehouses")
    o = s.order(split_me["id"])
    cap_line = next(l["id"] for l in o["lines"] if l["seller_sku"] == "cap-black")
    s.cli("orders", "split", o["id"], "--lines", cap_line)
    part = c.split_order()(SplitOrder(order=o["id"], lines=[cap_line]))
    s.say(f"cap-black moved to new order {part}, linked to {o['id']}")
    s.cli("orders", "assign", o["id"], "--warehouse", "Newark NJ")
    c.assign_warehouse()(AssignWarehouse(order=o["id"], warehouse="Newark NJ"))
    s.cli("orders", "assign", part, "--warehouse", "Reno NV")
    c.assign_warehouse()(AssignWarehouse(order=part, warehouse="Reno NV"))
    s.cli("orders", "ship", o["id"], "--carrier", "USPS", "--tracking", "9400111899223344556677")
    c.ship_order()(ShipOrder(order=o["id"], carrier="USPS", tracking="9400111899223344556677"))
    s.cli("orders", "ship", part, "--carrier", "UPS", "--tracking", "1Z999AA10123456784")
    c.ship_order()(ShipOrder(order=part, carrier="UPS", tracking="1Z999AA10123456784"))
    for package in model.packages[-2:]:
        s.say(f"TikTok package {package['package_id']}: line items {', '.join(package['line_item_ids'])}")
    for ref in (o["id"], part):
        shown = s.order(ref)
        s.say(s.status_line(shown) + f" from {s.warehouse(shown['shipments'][0]['warehouse_id'])}")
    s.refused(lambda: c.split_order()(SplitOrder(order=o["id"], lines=["nope"])))

    s.title("Cancel part of an order: only 'out of stock' is accepted")
    o = s.order(cancel_me["id"])
    mug_line = next(l["id"] for l in o["lines"] if l["seller_sku"] == "mug-white")
    sent_before = len(model.cancellations)
    s.cli("orders", "cancel", o["id"], "--lines", mug_line, "--reason", "wrong-price")
    s.refused(lambda: c.cancel_order()(CancelOrder(order=o["id"], lines=[mug_line], reason=CancelReason.WRONG_PRICE)))
    s.say(f"nothing was sent to TikTok ({len(model.cancellations) - sent_before} cancellation requests)")
    s.cli("orders", "cancel", o["id"], "--lines", mug_line, "--reason", "out-of-stock")
    c.cancel_order()(CancelOrder(order=o["id"], lines=[mug_line], reason=CancelReason.OUT_OF_STOCK))
    s.say("with out-of-stock TikTok accepts it: " + s.status_line(s.order(o["id"])))

    s.title("An order TikTok still holds (ON_HOLD) cannot be shipped")
    s.say(s.status_line(s.order(held["id"])))
    s.cli("orders", "assign", held["id"], "--warehouse", "Newark NJ")
    c.assign_warehouse()(AssignWarehouse(order=held["id"], warehouse="Newark NJ"))
    s.cli("orders", "ship", held["id"], "--carrier", "USPS", "--tracking", "9400000000000000000001")
    s.refused(lambda: c.ship_order()(ShipOrder(order=held["id"], carrier="USPS", tracking="9400000000000000000001")))

    s.title("Enable FBT order import")
    s.cli("warehouses", "create", "--name", "TikTok FBT US", "--fbt", "--store", STORE)
    c.create_warehouse()(CreateWarehouse(name="TikTok FBT US", fbt=True, store=STORE))
    s.say("created the FBT warehouse 'TikTok FBT US' for this store")
    s.cli("stores", "fbt-import", STORE, "--enable", "--start-date", str(first_of_month - timedelta(days=1)),
          "--warehouse", "TikTok FBT US")
    s.refused(lambda: c.configure_fbt_import()(ConfigureFbtImport(
        store=STORE, enable=True, start_date=first_of_month - timedelta(days=1), warehouse="TikTok FBT US")))
    s.cli("orders", "assign", held["id"], "--warehouse", "TikTok FBT US")
    s.refused(lambda: c.assign_warehouse()(AssignWarehouse(order=held["id"], warehouse="TikTok FBT US")))
    s.cli("stores", "fbt-import", STORE, "--enable", "--start-date", str(first_of_month), "--warehouse", "TikTok FBT US")
    c.configure_fbt_import()(ConfigureFbtImport(store=STORE, enable=True, start_date=first_of_month, warehouse="TikTok FBT US"))
    s.say(f"FBT import enabled from {first_of_month} into TikTok FBT US")

    s.title("FBT orders arrive Shipped in the FBT warehouse; one with an unmapped listing waits In Review")
    s.cli("orders", "sync", STORE, "--full")
    summary = c.sync_orders()(SyncOrders(store=STORE, full=True))
    s.say(f"{summary.new} FBT orders imported; the one created last month (before the start date) was not")
    for ref in ("576000000000000201", "576000000000000202"):
        s.say(s.status_line(s.order(ref)))
    s.cli("listings", "map", STORE, "--seller-sku", "socks-3pk-fbt", "--product", "SOCKS-3PK")
    c.map_listing()(MapListing(store=STORE, seller_sku="socks-3pk-fbt", product="SOCKS-3PK"))
    s.say("mapped socks-3pk-fbt → SOCKS-3PK: " + s.status_line(s.order("576000000000000202")))
    s.cli("orders", "cancel", "576000000000000201", "--reason", "buyer-requested")
    s.refused(lambda: c.cancel_order()(CancelOrder(order="576000000000000201", reason=CancelReason.BUYER_REQUESTED)))

    s.title("Filter the order list: Fulfilled By: Store")
    s.cli("orders", "list", "--store", STORE, "--fulfilled-by", "store")
    for row in c.queries().orders(store=STORE, fulfilled_by="store"):
        s.say(s.status_line(row))

    s.title("Returns: TikTok gives no complete name and address for FBT orders")
    fbt = s.order("576000000000000201")
    line = fbt["lines"][0]["id"]
    s.cli("returns", "create", fbt["id"], "--lines", line)
    s.refused(lambda: c.create_return()(CreateReturn(order=fbt["id"], lines=[line])))
    s.cli("returns", "create", fbt["id"], "--lines", line, "--name", "Jordan Lee", "--address-line1", "12 Orchard St",
          "--city", "Springfield", "--region", "IL", "--postal-code", "62701", "--country", "US")
    ret = c.create_return()(CreateReturn(order=fbt["id"], lines=[line], address=ReturnAddress(
        name="Jordan Lee", line1="12 Orchard St", city="Springfield", region="IL", postal_code="62701", country="US")))
    s.say(f"with the customer's shipping details the return {ret} is created")

    s.title("Sales report, with FBT stock movements")
    s.cli("reports", "sales", "--store", STORE)
    report = c.queries().sales(STORE)
    for row in report["sales"]:
        s.say(f"{row['store']} — fulfilled by {row['fulfilled_by']}: {row['orders']} orders, {row['units']} units, {row['revenue']} {row['currency']}")
    for row in report["fbt_stock"]:
        s.say(f"{row['warehouse']}: {row['product_sku']} {row['quantity']:+d}")
    s.echo("\nDone: every step of the TikTok store page, end to end.")


def run_demo(container: Container | None, *, echo: Echo) -> None:
    if container is None:
        from adapters.demo_real import run_real_demo

        run_real_demo(echo=echo)
        return
    model = container.tiktok_model()
    model.add_shop("Goflow Demo Shop", region="US")
    redirect_url = container.settings().redirect_url
    echo("tiktok-oms demo — in memory, against an in-process TikTok shop")
    run_story(container, model, echo, lambda url: model.approve(url, redirect_url))
