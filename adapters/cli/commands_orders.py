"""`orders`, `returns` and `reports`: import, find, split, route, ship, cancel, return, report.

Only click is imported at start-up; each command imports its use case when it runs.
"""

import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from adapters.cli.output import ExitCode, container, csv_option, emit, emit_rows, json_option, split_ids, table
from adapters.cli.params import STORE_NAME, LazyChoice

ORDER_STATUS = LazyChoice("domain.orders:OrderStatus")
FULFILLED_BY = LazyChoice("domain.orders:FulfilledBy")
REQUEST_STATUS = LazyChoice("domain.cancellation_requests:RequestStatus")
CANCEL_REASON = LazyChoice("domain.cancellation:CancelReason")


@click.group()
def orders() -> None:
    """Import, find, split, route, ship and cancel orders.

    \b
    Example:
      tiktok-oms orders sync "My Shop" && tiktok-oms orders list --status in_review
    """


# --all's exit code is the worst store's, in this order (0 best).
_SEVERITY = [ExitCode.OK, ExitCode.PARTIAL, ExitCode.FAILURE, ExitCode.REAUTHORIZE]


def _sync_all(ctx: click.Context, full: bool, as_json: bool) -> None:
    from application.commands import SyncOrders
    from application.errors import ApplicationError, StoreNeedsReauthorization, SyncAlreadyRunning
    from domain.exceptions import DomainError

    c = container(ctx)
    results = []
    for store in c.queries().stores():
        if store["status"] != "connected":
            results.append({"store": store["name"], "outcome": "not connected", "exit_code": None,
                            "message": store["status_reason"] or "not connected", "summary": None})
            continue
        code, summary = ExitCode.OK, None
        try:
            with _progress_reporter(store["name"]) as progress:
                found = c.sync_orders()(SyncOrders(store=store["id"], full=full), progress=progress)
            summary = vars(found)
            message = f"synced: {found.describe()}"
            code = ExitCode.PARTIAL if found.quarantined else ExitCode.OK
        except SyncAlreadyRunning:
            message, code = "not synced: another sync of this store is running", ExitCode.FAILURE
        except StoreNeedsReauthorization as exc:
            message, code = f"not synced: {exc}", ExitCode.REAUTHORIZE
        except (ApplicationError, DomainError) as exc:
            message, code = f"failed: {' '.join(str(exc).split())}", ExitCode.FAILURE
        outcome = {ExitCode.OK: "synced", ExitCode.PARTIAL: "partial", ExitCode.FAILURE: "failed",
                   ExitCode.REAUTHORIZE: "re-authorize"}[code]
        results.append({"store": store["name"], "outcome": outcome, "exit_code": int(code), "message": message,
                        "summary": summary})
        if not as_json:
            click.echo(f"{store['name']}: {message}")
    if as_json:
        emit(results, True, str)
    else:
        for row in results:
            if row["exit_code"] is None:
                click.echo(f"{row['store']}: not connected ({row['message']}), not synced")
    worst = max((ExitCode(r["exit_code"]) for r in results if r["exit_code"] is not None),
                key=_SEVERITY.index, default=ExitCode.OK)
    if worst != ExitCode.OK:
        ctx.exit(worst)


def _progress_reporter(store: str) -> Any:
    from adapters.cli.progress import SyncProgress

    return SyncProgress(store)


@orders.command("sync")
@click.argument("store", required=False, type=STORE_NAME)
@click.option("--all", "all_stores", is_flag=True, help="Every connected store once, one line each; exit code the worst.")
@click.option("--full", is_flag=True, help="Read every order again, not only those changed since the last sync.")
@json_option
@click.pass_context
def orders_sync(ctx: click.Context, store: str | None, all_stores: bool, full: bool, as_json: bool) -> None:
    """Import the orders TikTok changed since the last sync (of STORE, or of every connected store
    with --all). Only one sync of a store runs at a time: a second one, from anywhere, stops at once
    and says so (exit 1). On a terminal a progress bar runs on stderr (pages, orders, orders per
    second); otherwise one line every few pages.

    \b
    Example:
      tiktok-oms orders sync "My Shop"
      tiktok-oms orders sync --all --json
    """
    from application.commands import SyncOrders

    if all_stores == (store is not None):
        raise click.UsageError("give a STORE or --all")
    if all_stores:
        _sync_all(ctx, full, as_json)
        return
    assert store is not None
    with _progress_reporter(store) as progress:
        summary = container(ctx).sync_orders()(SyncOrders(store=store, full=full), progress=progress)
    data = {k: v for k, v in vars(summary).items()}
    emit(
        data,
        as_json,
        lambda s: (
            f"synced {store}: {s['new']} new, {s['updated']} updated, {s['in_review']} in review, "
            f"{s['skipped']} skipped (FBT import settings), {s['quarantined']} set aside"
            + (f"; {s['cancellation_requests']} with a buyer's cancellation request awaiting your answer "
               f"(orders list --cancellation-request pending)" if s.get("cancellation_requests") else "")
        ),
    )
    for reason in summary.quarantine_reasons:
        click.echo(f"set aside: {reason}", err=True)
    if summary.quarantined:
        click.echo(f"see them with: tiktok-oms orders set-aside --store {_quoted(store)}", err=True)
        ctx.exit(ExitCode.PARTIAL)


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text)


class When(click.ParamType):
    """A day (YYYY-MM-DD) or a moment (YYYY-MM-DDTHH:MM[:SS], UTC unless it names its offset).
    Converts to (aware datetime, whether only a day was given)."""

    name = "when"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        text = str(value).strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM)", param, ctx)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        from domain.limits import year_outside

        if (why := year_outside(moment.year)) is not None:
            self.fail(f"{value!r} is {why}", param, ctx)
        return moment, len(text) == 10


def _summary_rows(rows: list[dict], names: dict[str, str]) -> list[dict]:
    return [
        {**r, "store": names.get(r["store_id"], r["store_id"]),
         "warehouse": names.get(r["warehouse_id"], r["warehouse_id"]) if r["warehouse_id"] else None,
         "lines": len(r["lines"]), "skus": ",".join(sorted({l["seller_sku"] for l in r["lines"]})),
         "created": r["created_at"][:16].replace("T", " ")}
        for r in rows
    ]


ORDER_COLUMNS = ["id", "tiktok_order_id", "store", "status", "fulfilled_by", "warehouse", "lines", "skus", "created"]
ORDER_CSV_COLUMNS = ["id", "tiktok_order_id", "store_id", "store", "status", "tiktok_status", "fulfilled_by",
                     "warehouse_id", "warehouse", "lines", "skus", "created_at", "parent_order_id"]


def _names(c: Any) -> dict[str, str]:
    """Store and warehouse ids to their names, for tables (JSON keeps the ids)."""
    queries = c.queries()
    return {s["id"]: s["name"] for s in queries.stores()} | {w["id"]: w["name"] for w in queries.warehouses()}


@orders.command("list")
@click.option("--store", type=STORE_NAME, help="Only this store's orders (id or name).")
@click.option("--status", type=ORDER_STATUS, help="Only orders in this OMS status.")
@click.option("--fulfilled-by", type=FULFILLED_BY, help="store = Fulfilled by TikTok (FBT); merchant = yours.")
@click.option("--cancellation-request", type=REQUEST_STATUS,
              help="Orders whose buyer's cancellation request is in this state (pending: awaiting your answer).")
@click.option("--since", type=When(), metavar="DATE", help="Only orders created at or after DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC).")
@click.option("--until", type=When(), metavar="DATE", help="Only orders created before DATE's end (a day counts whole).")
@click.option("--sku", metavar="SELLER_SKU", help="Only orders with a line of this seller SKU (exact).")
@click.option("--limit", type=click.IntRange(1, 100_000), help="At most this many orders, newest first.")
@json_option
@csv_option
@click.pass_context
def orders_list(ctx: click.Context, store: str | None, status: str | None, fulfilled_by: str | None,
                cancellation_request: str | None, since: Any, until: Any, sku: str | None, limit: int | None,
                as_json: bool, as_csv: bool) -> None:
    """List orders, with the filters a seller uses. Without --since, --until, --sku or --limit
    every matching order is listed in import order; with any of them, newest first (the query
    behind the web app's orders page).

    \b
    Example:
      tiktok-oms orders list --store "My Shop" --since 2026-11-01 --sku TSHIRT-RED-M --limit 20
      tiktok-oms orders list --status awaiting_fulfilment --csv > to-ship.csv
    """
    newest_first = not (since is None and until is None and sku is None and limit is None)
    created_to = (until[0] + timedelta(days=1) if until[1] else until[0]) if until else None
    created_from = since[0] if since else None
    if created_from is not None and created_to is not None and created_from >= created_to:
        raise click.BadParameter("--since is after --until: the range holds no time", param_hint="--since")
    sql_reads = ctx.find_root().meta.get("sql_reads")
    if sql_reads is not None:  # the quick path: SQLAlchemy Core, no container
        from adapters.cli.reads import order_list

        rows, names = order_list(sql_reads["database_url"], store=store, status=status, fulfilled_by=fulfilled_by,
                                 cancellation_request=cancellation_request, newest_first=newest_first, sku=sku,
                                 created_from=created_from, created_to=created_to, limit=limit,
                                 with_names=not as_json)
    else:
        c = container(ctx)
        queries = c.queries()
        if not newest_first:
            rows = queries.orders(store=store, status=status, fulfilled_by=fulfilled_by,
                                  cancellation_request=cancellation_request)
        else:
            rows = queries.matching_orders(store=store, status=status, fulfilled_by=fulfilled_by, sku=sku,
                                           created_from=created_from, created_to=created_to,
                                           cancellation_request=cancellation_request, limit=limit)
        names = {} if as_json else _names(c)
    if as_json:
        emit(rows, True, str)
        return
    shown = _summary_rows(rows, names)
    emit_rows(shown, ORDER_CSV_COLUMNS if as_csv else ORDER_COLUMNS, as_csv=as_csv,
              human=lambda _: table(shown, ORDER_COLUMNS))


def _order_text(o: dict, names: dict[str, str]) -> str:
    def name(key: str | None) -> str:
        return f"{names[key]} ({key})" if key and key in names else (key or "-")

    out = [
        f"order {o['id']} (TikTok {o['tiktok_order_id']}): {o['status']}, fulfilled by {o['fulfilled_by']}",
        f"  store: {name(o['store_id'])}",
        f"  warehouse: {name(o['warehouse_id'])}   TikTok status: {o['tiktok_status']}"
        + (f"   split from: {o['parent_order_id']}" if o["parent_order_id"] else ""),
    ]
    for l in o["lines"]:
        if l.get("components"):
            out.append(f"  line {l['id']} (TikTok {l['tiktok_line_item_id']}): {l['seller_sku']} (virtual bundle) ×{l['quantity']} {l['status']}")
            out += [f"    {c['quantity']} × {c['seller_sku']} → {c['product_sku'] or 'UNMAPPED'}" for c in l["components"]]
        else:
            out.append(f"  line {l['id']} (TikTok {l['tiktok_line_item_id']}): {l['seller_sku']}{' ' + repr(l['product_name']) if l.get('product_name') else ''} → {l['product_sku'] or 'UNMAPPED'} ×{l['quantity']} {l['status']}")
    request = o.get("cancellation_request")
    if request:
        asked = f" on {request['requested_at']}" if request.get("requested_at") else ""
        why = f": {request.get('reason_text') or request.get('reason')}" if request.get("reason_text") or request.get("reason") else ""
        if request["status"] == "pending":
            due = f", answer by {request['respond_by']}" if request.get("respond_by") else ""
            out.append(f"  cancellation requested by the buyer{asked}{why} (PENDING{due}): "
                       f"tiktok-oms orders cancellation approve|reject {o['id']}")
        else:
            decided = f" ({request['decision']})" if request.get("decision") else ""
            out.append(f"  cancellation requested by the buyer{asked}{why}: {request['status']}{decided}")
    out += [f"  package {s['package_id']}: {s['carrier']} {s['tracking_number']} from {name(s['warehouse_id'])}" for s in o["shipments"]]
    out += [f"  return {r['id']}: lines {', '.join(r['line_ids'])}" for r in o.get("returns", [])]
    return "\n".join(out)


def _refresh_from_tiktok(c: Any, order: str) -> str:
    """Get Order Detail for ORDER now (newer only, R16): TikTok's current status without waiting
    for the next sync. Returns the import's one-line outcome."""
    shown = c.queries().order(order)
    return str(c.refresh_order()(shown["store_id"], shown["tiktok_order_id"]))


@orders.command("show")
@click.argument("order")
@click.option("--refresh", is_flag=True, help="Ask TikTok for the order first (Get Order Detail), so its TikTok status is current.")
@json_option
@click.pass_context
def orders_show(ctx: click.Context, order: str, refresh: bool, as_json: bool) -> None:
    """Show one order: its lines and their products, warehouse, packages, cancellation request, returns.

    \b
    Example:
      tiktok-oms orders show 577000000000000001 --refresh
    """
    c = container(ctx)
    if refresh:
        _refresh_from_tiktok(c, order)
    found = c.queries().order(order)
    if as_json:
        emit(found, True, str)
        return
    emit(found, False, lambda o: _order_text(o, _names(c)))


@orders.command("set-aside")
@click.option("--store", type=STORE_NAME, help="Only this store's (id or name); default every store's.")
@click.option("--retry", is_flag=True, help="Read each of them again from TikTok (Get Order Detail) and import those that now read cleanly.")
@json_option
@csv_option
@click.pass_context
def orders_set_aside(ctx: click.Context, store: str | None, retry: bool, as_json: bool, as_csv: bool) -> None:
    """The TikTok orders a sync set aside (quarantined) instead of importing, each with its reason.
    A later sync or --retry imports one once TikTok sends it in a shape the OMS can read.

    \b
    Example:
      tiktok-oms orders set-aside --store "My Shop" --retry
    """
    c = container(ctx)
    rows = c.queries().set_aside(store)
    if retry and rows:
        for done in c.retry_set_aside()(store):
            click.echo(f"retried {done.tiktok_order_id} ({done.store}): {done.outcome}", err=True)
        rows = c.queries().set_aside(store)
    columns = ["store", "tiktok_order_id", "reason"]
    emit_rows(rows, columns, as_json=as_json, as_csv=as_csv,
              human=lambda r: table(r, columns, empty="(no order is set aside)"))
    if rows and not as_json and not as_csv and not retry:
        click.echo("retry them with: tiktok-oms orders set-aside --retry", err=True)


@orders.command("split")
@click.argument("order")
@click.option("--lines", required=True, metavar="L1,L2", help="Comma-separated line ids to move to the new order.")
@click.pass_context
def orders_split(ctx: click.Context, order: str, lines: str) -> None:
    """Move some lines of a merchant order into a new order of its own (shipped separately).

    \b
    Example:
      tiktok-oms orders split ord_1a2b --lines ln_3c4d,ln_5e6f
    """
    from application.commands import SplitOrder
    from application.errors import AlreadyDone

    try:
        part = container(ctx).split_order()(SplitOrder(order=order, lines=split_ids(lines)))
    except AlreadyDone as done:  # an earlier run's split, whose answer was lost, is in place
        click.echo(str(done))
        return
    click.echo(f"split lines {lines} off into order {part}")


@orders.command("assign")
@click.argument("order")
@click.option("--warehouse", required=True, help="The warehouse to ship from (id or name).")
@click.pass_context
def orders_assign(ctx: click.Context, order: str, warehouse: str) -> None:
    """Choose the warehouse a merchant order ships from.

    \b
    Example:
      tiktok-oms orders assign ord_1a2b --warehouse "East Coast"
    """
    from application.commands import AssignWarehouse

    container(ctx).assign_warehouse()(AssignWarehouse(order=order, warehouse=warehouse))
    click.echo(f"order {order} will ship from {warehouse}")


@orders.command("ship")
@click.argument("order")
@click.option("--carrier", required=True, help="Carrier name as TikTok lists it, or its provider id.")
@click.option("--tracking", required=True, help="The package's tracking number.")
@click.option("--despite-cancel-request", is_flag=True,
              help="Ship although the buyer asked to cancel (in the US, shipping rejects the request).")
@click.pass_context
def orders_ship(ctx: click.Context, order: str, carrier: str, tracking: str, despite_cancel_request: bool) -> None:
    """Ship an order (warns first when its buyer asked to cancel it), then read the order back from
    TikTok so `orders show` gives TikTok's own status at once.

    \b
    Example:
      tiktok-oms orders ship ord_1a2b --carrier USPS --tracking 9400111899223856789012
    """
    from application.commands import ShipOrder
    from application.errors import AlreadyDone, PendingCancellationRequest

    c = container(ctx)
    command = ShipOrder(order=order, carrier=carrier, tracking=tracking, despite_cancel_request=despite_cancel_request)
    try:
        package = c.ship_order()(command)
    except AlreadyDone as done:  # an earlier run's shipment, whose answer was lost, is in place
        click.echo(str(done))
        return
    except PendingCancellationRequest as warning:
        # Asked in a terminal; a script must say --despite-cancel-request itself.
        if not (warning.ships_anyway and sys.stdin.isatty() and click.confirm(f"warning: {warning}. Ship anyway?", err=True)):
            raise
        package = c.ship_order()(command.model_copy(update={"despite_cancel_request": True}))
    click.echo(f"order {order} shipped: TikTok package {package}")
    try:
        _refresh_from_tiktok(c, order)
        click.echo(f"TikTok status now: {c.queries().order(order)['tiktok_status']}")
    except Exception as exc:  # shipped all the same; the next sync brings TikTok's status
        from adapters.cli.output import redact_line

        click.echo(f"warning: shipped, but TikTok's status could not be read yet ({redact_line(exc)}); "
                   f"'tiktok-oms orders show {_quoted(order)} --refresh' tries again", err=True)


@orders.command("cancel")
@click.argument("order")
@click.option("--lines", metavar="L1,L2", help="Comma-separated line ids (a partial cancellation: reason must be out-of-stock).")
@click.option("--reason", required=True, type=CANCEL_REASON, help="Why the seller cancels (TikTok's reasons).")
@click.pass_context
def orders_cancel(ctx: click.Context, order: str, lines: str | None, reason: str) -> None:
    """Cancel an order, or some of its lines (out of stock only), on TikTok and in the OMS.

    \b
    Example:
      tiktok-oms orders cancel ord_1a2b --lines ln_3c4d --reason out-of-stock
    """
    from application.commands import CancelOrder
    from application.errors import AlreadyDone
    from domain.cancellation import CancelReason

    try:
        container(ctx).cancel_order()(CancelOrder(order=order, lines=split_ids(lines), reason=CancelReason(reason)))
    except AlreadyDone as done:  # an earlier run's cancellation, whose answer was lost, is in place
        click.echo(str(done))
        return
    click.echo(f"cancelled {'lines ' + lines + ' of ' if lines else ''}order {order} ({reason})")


def _intent_line(i: dict) -> str:
    what = f"{i['kind']} of order {i['order_id']} (TikTok order {i['tiktok_order_id']})"
    if i["kind"] == "ship" and i["state"] == "done":
        return f"{what}: done, TikTok package {i['result']}, {i['carrier']} tracking number {i['tracking_number']}"
    if i["kind"] == "split" and i["state"] == "done":
        return f"{what}: done, lines {', '.join(i['line_ids'])} are now order {i['part_order_id']}"
    if i["state"] == "pending":
        return f"{what}: still pending (TikTok's answer for the order could not be read)"
    return f"{what}: {i['state']}" + (f" ({i['outcome']})" if i["outcome"] else "")


@orders.command("reconcile")
@click.option("--store", type=STORE_NAME, help="Only this store (default: every store with a pending request).")
@json_option
@click.pass_context
def orders_reconcile(ctx: click.Context, store: str | None, as_json: bool) -> None:
    """Settle ship, cancel and split requests whose answer from TikTok was lost: each is read back
    from TikTok and recorded once if TikTok applied it, or cleared if it did not. The next command
    on such an order and the next sync of its store do the same on their own. Exit 1 if a store
    could not be asked.

    \b
    Example:
      tiktok-oms orders reconcile --store "My Shop"
    """
    from application.commands import ReconcileIntents
    from application.handlers.reconcile_intents import intent_view

    report = container(ctx).reconcile_intents()(ReconcileIntents(store=store))
    rows = [intent_view(i) for i in report.intents]
    if as_json:
        emit({"intents": rows, "failed": [{"store": n, "message": m} for n, m in report.failed.items()]}, True, str)
    elif not rows and not report.failed:
        click.echo("nothing to reconcile: every ship, cancel and split sent to TikTok has its answer")
    else:
        for row in rows:
            click.echo(_intent_line(row))
    for name, message in report.failed.items():
        click.echo(f"{name}: not reconciled: {message}", err=True)
    if report.failed:
        ctx.exit(ExitCode.FAILURE)


@orders.group("cancellation")
def orders_cancellation() -> None:
    """Answer a buyer's request to cancel an order (see orders show / list --cancellation-request pending).

    \b
    Example:
      tiktok-oms orders cancellation approve ord_1a2b
    """


@orders_cancellation.command("approve")
@click.argument("order")
@click.pass_context
def cancellation_approve(ctx: click.Context, order: str) -> None:
    """Approve the buyer's pending request: TikTok cancels the order (or the lines asked for).

    \b
    Example:
      tiktok-oms orders cancellation approve ord_1a2b
    """
    from application.commands import AnswerCancellationRequest

    container(ctx).answer_cancellation_request()(AnswerCancellationRequest(order=order, decision="approve"))
    click.echo(f"approved the buyer's cancellation request of order {order}: it is cancelled")


@orders_cancellation.command("reject")
@click.argument("order")
@click.option("--reason", help="One of the reasons TikTok offers (its name or text); left out, they are listed.")
@click.option("--comment", default="", help="More detail for the buyer.")
@click.pass_context
def cancellation_reject(ctx: click.Context, order: str, reason: str | None, comment: str) -> None:
    """Reject the buyer's pending request with a reason from TikTok's Get Reject Reasons.

    \b
    Example:
      tiktok-oms orders cancellation reject ord_1a2b --reason "Product has been shipped"
    """
    from application.commands import AnswerCancellationRequest

    done = container(ctx).answer_cancellation_request()(
        AnswerCancellationRequest(order=order, decision="reject", reason=reason, comment=comment)
    )
    click.echo(f"rejected the buyer's cancellation request of order {order} ({done.reason}): the order goes on")


@click.group()
def returns() -> None:
    """Returns of shipped lines.

    \b
    Example:
      tiktok-oms returns list
    """


@returns.command("create")
@click.argument("order")
@click.option("--lines", required=True, metavar="L1,L2", help="Comma-separated ids of the shipped lines coming back.")
@click.option("--name", default="", help="The customer's full name (FBT orders).")
@click.option("--address-line1", default="", help="Street and number (FBT orders).")
@click.option("--address-line2", default="", help="Apartment, suite, … (optional).")
@click.option("--city", default="", help="City (FBT orders).")
@click.option("--region", default="", help="State or province.")
@click.option("--postal-code", default="", help="Postal or ZIP code (FBT orders).")
@click.option("--country", default="", help="ISO 3166 country code, e.g. US (FBT orders).")
@click.pass_context
def returns_create(ctx: click.Context, order: str, lines: str, name: str, address_line1: str, address_line2: str,
                   city: str, region: str, postal_code: str, country: str) -> None:
    """Create a return; FBT orders need the customer's full name and address.

    \b
    Example:
      tiktok-oms returns create ord_1a2b --lines ln_3c4d
    """
    from application.commands import CreateReturn, ReturnAddress

    address = ReturnAddress(name=name, line1=address_line1, line2=address_line2, city=city, region=region,
                            postal_code=postal_code, country=country)
    return_id = container(ctx).create_return()(CreateReturn(order=order, lines=split_ids(lines), address=address))
    click.echo(f"created return {return_id} for order {order}")


@returns.command("list")
@click.option("--limit", type=click.IntRange(1, 10_000), default=200, show_default=True,
              help="The newest this many returns (stderr says when there are more).")
@json_option
@csv_option
@click.pass_context
def returns_list(ctx: click.Context, limit: int, as_json: bool, as_csv: bool) -> None:
    """The newest returns: their order, lines and store.

    \b
    Example:
      tiktok-oms returns list --csv > returns.csv
    """
    c = container(ctx)
    rows = c.queries().returns(limit + 1)
    if len(rows) > limit:
        rows = rows[:limit]
        click.echo(f"showing the newest {limit} returns; there are more (--limit N shows up to 10,000)", err=True)
    if as_json:
        emit(rows, True, str)
        return
    names = _names(c)
    shown = [{**r, "store": names.get(r["store_id"] or "", r["store_id"]), "lines": ",".join(r["line_ids"]),
              "created": r["created_at"][:16].replace("T", " ")} for r in rows]
    columns = ["id", "order_id", "tiktok_order_id", "store", "fulfilled_by", "lines", "created"]
    emit_rows(shown, columns, as_csv=as_csv, human=lambda _: table(shown, columns))


@click.group()
def reports() -> None:
    """Reports.

    \b
    Example:
      tiktok-oms reports sales --store "My Shop"
    """


def _sales_text(report: dict) -> str:
    return (
        "Sales by store and fulfilment\n"
        + table(report["sales"], ["store", "fulfilled_by", "orders", "units", "revenue", "currency"])
        + "\n\nFBT stock movements (units that left the FBT warehouse)\n"
        + table(report["fbt_stock"], ["warehouse", "product_sku", "quantity"])
    )


@reports.command("sales")
@click.option("--store", type=STORE_NAME, help="Only this store (id or name).")
@json_option
@click.pass_context
def reports_sales(ctx: click.Context, store: str | None, as_json: bool) -> None:
    """Sales by store and fulfilment (orders, units, revenue) and the FBT stock that left.

    \b
    Example:
      tiktok-oms reports sales --json
    """
    emit(container(ctx).queries().sales(store), as_json, _sales_text)


GROUPS = (orders, returns, reports)
