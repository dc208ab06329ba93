"""`stores`, `warehouses`, `products` and `listings`: set up what orders are imported into.

Only click is imported at start-up; each command imports its use case when it runs.
"""

from datetime import date
from typing import Any
from urllib.parse import urlsplit

import click

from adapters.cli.output import container, csv_option, emit, emit_rows, json_option, table
from adapters.cli.params import PORT, SECONDS, STORE_NAME

# Where `tiktok-oms serve` takes TikTok's redirect (adapters.server.app.CALLBACK_PATH).
SERVE_CALLBACK_PATH = "/oauth/tiktok/callback"


@click.group()
def stores() -> None:
    """The TikTok stores in your directory.

    \b
    Example:
      tiktok-oms stores create --name "My Shop" && tiktok-oms stores authorize "My Shop"
    """


@stores.command("create")
@click.option("--name", required=True, help="A name of your choosing, unique among your stores.")
@click.option("--region", default="US", show_default=True, help="The shop's TikTok region (ISO country code).")
@click.option("--currency", default="USD", show_default=True, help="The shop's currency (ISO 4217).")
@click.option("--default-warehouse", help="Warehouse for merchant orders (id or name).")
@json_option
@click.pass_context
def stores_create(ctx: click.Context, name: str, region: str, currency: str, default_warehouse: str | None, as_json: bool) -> None:
    """Create a TikTok store; it starts Disconnected.

    \b
    Example:
      tiktok-oms stores create --name "My Shop" --default-warehouse "East Coast"
    """
    from application.commands import CreateStore

    c = container(ctx)
    store_id = c.create_store()(CreateStore(name=name, region=region, currency=currency, default_warehouse=default_warehouse))
    emit(c.queries().store(store_id), as_json, lambda s: f"created store {s['name']} ({s['id']}): {s['status']}")


@stores.command("list")
@json_option
@csv_option
@click.pass_context
def stores_list(ctx: click.Context, as_json: bool, as_csv: bool) -> None:
    """List your stores: status, region, currency, and a warning when an authorization ends soon.

    \b
    Example:
      tiktok-oms stores list --json
    """
    rows = container(ctx).queries().stores()
    if as_json:
        emit(rows, True, str)
        return
    shown = _store_rows(rows)
    columns = ["id", "name", "status", "region", "currency"] + (["warning"] if any(r["warning"] for r in shown) else [])
    emit_rows(shown, columns, as_csv=as_csv)


def _store_rows(rows: list[dict]) -> list[dict]:
    return [{**r, "warning": (f"authorization ends {r['authorization_ends_at'][:10]}" if r.get("authorization_ends_at")
                              else "authorization ends soon" if r.get("authorization_warning") else None)}
            for r in rows]


def _warehouse_names(ctx: click.Context) -> dict[str, str]:
    return {w["id"]: w["name"] for w in container(ctx).queries().warehouses()}


def _store_text(s: dict, warehouses: dict[str, str]) -> str:
    def name(key: str | None) -> str:
        return f"{warehouses[key]} ({key})" if key and key in warehouses else (key or "-")

    fbt = s["fbt_import"]
    lines = [
        f"{s['name']} ({s['id']})",
        f"  status:     {s['status']}" + (f" — {s['status_reason']}" if s["status_reason"] else ""),
        f"  region:     {s['region']}   currency: {s['currency']}",
        f"  default warehouse: {name(s['default_warehouse_id'])}",
        f"  TikTok shop: {s['shop']['name'] + ' (' + s['shop']['id'] + ')' if s['shop'] else '-'}",
        f"  FBT import: " + (f"enabled from {fbt['start_date']} into {name(fbt['warehouse_id'])}" if fbt["enabled"] else "disabled"),
    ]
    if s.get("authorization_warning"):
        lines.append(f"  warning:    {s['authorization_warning']}")
    return "\n".join(lines)


@stores.command("show")
@click.argument("store", type=STORE_NAME)
@json_option
@click.pass_context
def stores_show(ctx: click.Context, store: str, as_json: bool) -> None:
    """Show one store: status (and why), TikTok shop, default warehouse, FBT import.

    \b
    Example:
      tiktok-oms stores show "My Shop"
    """
    found = container(ctx).queries().store(store)
    if as_json:
        emit(found, True, str)
        return
    emit(found, False, lambda s: _store_text(s, _warehouse_names(ctx)))


@stores.command("authorize")
@click.argument("store", type=STORE_NAME)
@click.option("--no-wait", is_flag=True, help="Print the URL and state and return; finish with 'stores connect'.")
@click.option("--port", type=PORT, help="Loopback port to listen on, 1-65535 (default: the redirect URL's).")
@click.option("--timeout", type=SECONDS, default=300.0, show_default=True, help="Seconds to wait for the callback.")
@json_option
@click.pass_context
def stores_authorize(ctx: click.Context, store: str, no_wait: bool, port: int | None, timeout: float, as_json: bool) -> None:
    """Open TikTok's authorization page, log in as a shop admin, grant the permissions, return.

    \b
    Example:
      tiktok-oms stores authorize "My Shop"
    """
    from adapters.oauth_callback import LoopbackCallback
    from application.commands import BeginAuthorization, CompleteAuthorization

    c = container(ctx)
    if no_wait:
        begun = c.begin_authorization()(BeginAuthorization(store=store))
        emit(begun, as_json, lambda b: f"Open this URL, log in to TikTok with an admin account and grant access:\n{b['authorization_url']}")
        return
    if urlsplit(c.settings().redirect_url).path == SERVE_CALLBACK_PATH:
        _authorize_through_serve(c, store, timeout, as_json)
        return
    from adapters.cli.params import ensure_port_free

    listen_on = port or urlsplit(c.settings().redirect_url).port or 80
    ensure_port_free("127.0.0.1", listen_on)  # taken: a usage error (exit 2), like serve's
    # Listen before printing the URL: a quick browser must never find the loopback port closed.
    with LoopbackCallback(c.settings().redirect_url, port=port) as callback:
        begun = c.begin_authorization()(BeginAuthorization(store=store))
        click.echo(f"Open this URL, log in to TikTok with an admin account and grant access:\n{begun['authorization_url']}", err=True)
        click.echo("Waiting for TikTok to send you back…", err=True)
        redirect = callback.wait(timeout)
    c.complete_authorization()(CompleteAuthorization(store=store, redirect_url=redirect))
    emit(c.queries().store(store), as_json, lambda s: f"store {s['name']} is {s['status']} to TikTok shop {s['shop']['name']}")


def _authorize_through_serve(c: Any, store: str, timeout: float, as_json: bool) -> None:
    """TIKTOK_REDIRECT_URL points at `tiktok-oms serve`: it receives TikTok's redirect and completes
    the authorization; this command waits for that in the database."""
    import time

    from application.commands import BeginAuthorization
    from application.errors import ApplicationError

    begun = c.begin_authorization()(BeginAuthorization(store=store))
    click.echo(f"Open this URL, log in to TikTok with an admin account and grant access:\n{begun['authorization_url']}", err=True)
    click.echo(f"Waiting for 'tiktok-oms serve' at {c.settings().redirect_url} to receive TikTok's redirect…", err=True)
    deadline = time.monotonic() + timeout
    while c.queries().store_awaiting_callback(begun["state"]) is not None:
        if time.monotonic() > deadline:
            raise ApplicationError(
                f"no callback reached 'tiktok-oms serve' within {int(timeout)} s: is it running, and is "
                f"{c.settings().redirect_url} the redirect URL registered in Partner Center?"
            )
        time.sleep(0.25)
    shown = c.queries().store(store)
    if shown["status"] != "connected":
        raise ApplicationError(shown["status_reason"] or "authorization refused")
    emit(shown, as_json, lambda s: f"store {s['name']} is {s['status']} to TikTok shop {s['shop']['name']}")


@stores.command("connect")
@click.argument("store", type=STORE_NAME)
@click.option("--redirect-url", required=True, help="The URL TikTok sent the browser to (with code and state; an install from TikTok Shop's App Store has no state).")
@json_option
@click.pass_context
def stores_connect(ctx: click.Context, store: str, redirect_url: str, as_json: bool) -> None:
    """Finish an authorization by hand (after 'stores authorize --no-wait').

    \b
    Example:
      tiktok-oms stores connect "My Shop" --redirect-url 'http://127.0.0.1:8765/callback?code=…&state=…'
    """
    from application.commands import CompleteAuthorization

    c = container(ctx)
    # The seller names the store: a URL with a code and no state is an install from the App Store.
    c.complete_authorization()(CompleteAuthorization(store=store, redirect_url=redirect_url, install_without_state=True))
    emit(c.queries().store(store), as_json, lambda s: f"store {s['name']} is {s['status']} to TikTok shop {s['shop']['name']}")


@stores.command("disconnect")
@click.argument("store", type=STORE_NAME)
@click.pass_context
def stores_disconnect(ctx: click.Context, store: str) -> None:
    """Stop importing a store's orders and forget its tokens (authorize again to reconnect).

    \b
    Example:
      tiktok-oms stores disconnect "My Shop"
    """
    from application.commands import DisconnectStore

    container(ctx).disconnect_store()(DisconnectStore(store=store))
    click.echo(f"store {store} is disconnected")


@stores.command("fbt-import")
@click.argument("store", type=STORE_NAME)
@click.option("--enable/--disable", default=None, help="Turn FBT order import on or off.")
@click.option("--start-date", type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD, no earlier than the first of this month.")
@click.option("--warehouse", help="The store's FBT warehouse (id or name).")
@click.pass_context
def stores_fbt_import(ctx: click.Context, store: str, enable: bool | None, start_date: Any, warehouse: str | None) -> None:
    """Import Fulfilled-by-TikTok orders for inventory balancing and reporting.

    \b
    Example:
      tiktok-oms stores fbt-import "My Shop" --enable --start-date 2026-11-01 --warehouse "My Shop FBT"
    """
    from application.commands import ConfigureFbtImport

    if enable is None:
        raise click.UsageError("give --enable (with --start-date and --warehouse) or --disable")
    start: date | None = start_date.date() if start_date else None
    container(ctx).configure_fbt_import()(ConfigureFbtImport(store=store, enable=enable, start_date=start, warehouse=warehouse))
    click.echo(f"FBT order import for {store}: " + (f"enabled from {start} into {warehouse}" if enable else "disabled"))


@click.group()
def warehouses() -> None:
    """Warehouses: standard ones, and the FBT warehouse of a TikTok store.

    \b
    Example:
      tiktok-oms warehouses create --name "East Coast"
    """


@warehouses.command("create")
@click.option("--name", required=True, help="A name of your choosing, unique among your warehouses.")
@click.option("--fbt", is_flag=True, help="An FBT warehouse, created for one TikTok store.")
@click.option("--store", type=STORE_NAME, help="The TikTok store an FBT warehouse belongs to.")
@json_option
@click.pass_context
def warehouses_create(ctx: click.Context, name: str, fbt: bool, store: str | None, as_json: bool) -> None:
    """Create a warehouse (a standard one, or with --fbt the FBT warehouse of a store).

    \b
    Example:
      tiktok-oms warehouses create --name "My Shop FBT" --fbt --store "My Shop"
    """
    from application.commands import CreateWarehouse

    warehouse_id = container(ctx).create_warehouse()(CreateWarehouse(name=name, fbt=fbt, store=store))
    emit({"id": warehouse_id, "name": name}, as_json, lambda w: f"created warehouse {w['name']} ({w['id']})")


@warehouses.command("list")
@json_option
@csv_option
@click.pass_context
def warehouses_list(ctx: click.Context, as_json: bool, as_csv: bool) -> None:
    """List the warehouses: name, type and, for an FBT one, its store.

    \b
    Example:
      tiktok-oms warehouses list
    """
    c = container(ctx)
    rows = c.queries().warehouses()
    if as_json:
        emit(rows, True, str)
        return
    stores = {s["id"]: s["name"] for s in c.queries().stores()}
    shown = [{**w, "store": stores.get(w["store_id"], w["store_id"]) if w["store_id"] else None} for w in rows]
    emit_rows(shown, ["id", "name", "type", "store"], as_csv=as_csv)


@click.group()
def products() -> None:
    """Your products (your own SKUs).

    \b
    Example:
      tiktok-oms products add --sku TSHIRT-RED-M --name "T-shirt, red, M"
    """


@products.command("add")
@click.option("--sku", required=True, help="Your own SKU for the product (unique).")
@click.option("--name", required=True, help="What the product is called.")
@click.pass_context
def products_add(ctx: click.Context, sku: str, name: str) -> None:
    """Add a product that listings can be mapped to.

    \b
    Example:
      tiktok-oms products add --sku TSHIRT-RED-M --name "T-shirt, red, M"
    """
    from application.commands import AddProduct

    container(ctx).add_product()(AddProduct(sku=sku, name=name))
    click.echo(f"added product {sku}")


@products.command("list")
@json_option
@csv_option
@click.pass_context
def products_list(ctx: click.Context, as_json: bool, as_csv: bool) -> None:
    """List your products.

    \b
    Example:
      tiktok-oms products list --csv
    """
    emit_rows(container(ctx).queries().products(), ["sku", "name"], as_json=as_json, as_csv=as_csv)


@click.group()
def listings() -> None:
    """A store's TikTok SKUs and the products they are mapped to.

    \b
    Example:
      tiktok-oms listings list "My Shop" --unmapped
    """


@listings.command("list")
@click.argument("store", type=STORE_NAME)
@click.option("--unmapped", is_flag=True, help="Only listings not yet mapped to a product.")
@json_option
@csv_option
@click.pass_context
def listings_list(ctx: click.Context, store: str, unmapped: bool, as_json: bool, as_csv: bool) -> None:
    """List a store's seller SKUs seen on TikTok orders and the product each is mapped to.

    \b
    Example:
      tiktok-oms listings list "My Shop" --unmapped
    """
    c = container(ctx)
    rows = c.queries().listings(store, unmapped=unmapped)
    if as_json:
        emit(rows, True, str)
        return
    names = {p["sku"]: p["name"] for p in c.queries().products()}
    shown = [{**r, "product": names.get(r["product_sku"]) if r["product_sku"] else None} for r in rows]
    emit_rows(shown, ["seller_sku", "product_sku", "product", "mapped"], as_csv=as_csv)


@listings.command("map")
@click.argument("store", type=STORE_NAME)
@click.option("--seller-sku", required=True, help="The SKU as the seller set it on TikTok.")
@click.option("--product", required=True, help="Your product's SKU.")
@click.pass_context
def listings_map(ctx: click.Context, store: str, seller_sku: str, product: str) -> None:
    """Map a TikTok seller SKU to one of your products; its orders held In Review go on.

    \b
    Example:
      tiktok-oms listings map "My Shop" --seller-sku TS-RED-M --product TSHIRT-RED-M
    """
    from application.commands import MapListing

    result = container(ctx).map_listing()(MapListing(store=store, seller_sku=seller_sku, product=product))
    click.echo(f"mapped {seller_sku} to {product}; {result.orders_changed} order(s) updated")


@listings.command("unmap")
@click.argument("store", type=STORE_NAME)
@click.option("--seller-sku", required=True, help="The SKU as the seller set it on TikTok.")
@click.pass_context
def listings_unmap(ctx: click.Context, store: str, seller_sku: str) -> None:
    """Remove a seller SKU's mapping; its open orders go back In Review.

    \b
    Example:
      tiktok-oms listings unmap "My Shop" --seller-sku TS-RED-M
    """
    from application.commands import UnmapListing

    result = container(ctx).unmap_listing()(UnmapListing(store=store, seller_sku=seller_sku))
    click.echo(f"unmapped {seller_sku}; {result.orders_changed} open order(s) back in review")


GROUPS = (stores, warehouses, products, listings)
