import sys

import click

from adapters.cli.output import ExitCode, container, emit, json_option, split_ids, table
from application.commands import (
    AnswerCancellationRequest,
    AssignWarehouse,
    CancelOrder,
    CreateReturn,
    ReconcileIntents,
    ReturnAddress,
    ShipOrder,
    SplitOrder,
    SyncOrders,
)
from application.errors import AlreadyDone, PendingCancellationRequest
from application.handlers.reconcile_intents import Reconciled, intent_view
from application.handlers.sync_orders import SyncSummary
from domain.cancellation import CancelReason
from domain.cancellation_requests import RequestStatus
from domain.orders import FulfilledBy, OrderStatus


@click.group()
def orders() -> None:
    """Import, find, split, route, ship and cancel orders."""


def _progress(summary: SyncSummary) -> None:
    if sys.stderr.isatty():
        click.echo(f"\rpage {summary.pages}: {summary.new} new, {summary.updated} updated", err=True, nl=False)


# --all's exit code is the worst store's, in this order (0 best).
_SEVERITY = [ExitCode.OK, ExitCode.PARTIAL, ExitCode.FAILURE, ExitCode.REAUTHORIZE]


def _sync_all(ctx: click.Context, full: bool, as_json: bool) -> None:
    from application.errors import ApplicationError, SyncAlreadyRunning
    from application.errors import StoreNeedsReauthorization
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
            found = c.sync_orders()(SyncOrders(store=store["id"], full=full))
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


@orders.command("sync")
@click.argument("store", required=False)
@click.option("--all", "all_stores", is_flag=True, help="Every connected store once, one line each; exit code the worst.")
@click.option("--full", is_flag=True, help="Read every order again, not only those changed since the last sync.")
@json_option
@click.pass_context
def orders_sync(ctx: click.Context, store: str | None, all_stores: bool, full: bool, as_json: bool) -> None:
    """Import the orders TikTok changed since the last sync (of STORE, or of every connected store
    with --all). Only one sync of a store runs at a time: a second one, from anywhere, stops at once
    and says so (exit 1)."""
    if all_stores == (store is not None):
        raise click.UsageError("give a STORE or --all")
    if all_stores:
        _sync_all(ctx, full, as_json)
        return
    assert store is not None
    summary = container(ctx).sync_orders()(SyncOrders(store=store, full=full), progress=_progress)
    if sys.stderr.isatty():
        click.echo("", err=True)
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
        ctx.exit(ExitCode.PARTIAL)


def _order_rows(rows: list[dict]) -> str:
    flat = [
        {**r, "lines": len(r["lines"]), "skus": ",".join(sorted({l["seller_sku"] for l in r["lines"]}))} for r in rows
    ]
    return table(flat, ["id", "tiktok_order_id", "status", "fulfilled_by", "warehouse_id", "lines", "skus"])


@orders.command("list")
@click.option("--store")
@click.option("--status", type=click.Choice([s.value for s in OrderStatus]))
@click.option("--fulfilled-by", type=click.Choice([f.value for f in FulfilledBy]), help="store = Fulfilled by TikTok (FBT); merchant = yours.")
@click.option("--cancellation-request", type=click.Choice([r.value for r in RequestStatus]),
              help="Orders whose buyer's cancellation request is in this state (pending: awaiting your answer).")
@json_option
@click.pass_context
def orders_list(ctx: click.Context, store: str | None, status: str | None, fulfilled_by: str | None,
                cancellation_request: str | None, as_json: bool) -> None:
    rows = container(ctx).queries().orders(store=store, status=status, fulfilled_by=fulfilled_by,
                                           cancellation_request=cancellation_request)
    emit(rows, as_json, _order_rows)


def _order_text(o: dict) -> str:
    out = [
        f"order {o['id']} (TikTok {o['tiktok_order_id']}): {o['status']}, fulfilled by {o['fulfilled_by']}",
        f"  warehouse: {o['warehouse_id'] or '-'}   TikTok status: {o['tiktok_status']}"
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
    out += [f"  package {s['package_id']}: {s['carrier']} {s['tracking_number']} from {s['warehouse_id']}" for s in o["shipments"]]
    out += [f"  return {r['id']}: lines {', '.join(r['line_ids'])}" for r in o.get("returns", [])]
    return "\n".join(out)


@orders.command("show")
@click.argument("order")
@json_option
@click.pass_context
def orders_show(ctx: click.Context, order: str, as_json: bool) -> None:
    emit(container(ctx).queries().order(order), as_json, _order_text)


@orders.command("split")
@click.argument("order")
@click.option("--lines", required=True, help="Comma-separated line ids to move to the new order.")
@click.pass_context
def orders_split(ctx: click.Context, order: str, lines: str) -> None:
    try:
        part = container(ctx).split_order()(SplitOrder(order=order, lines=split_ids(lines)))
    except AlreadyDone as done:  # an earlier run's split, whose answer was lost, is in place
        click.echo(str(done))
        return
    click.echo(f"split lines {lines} off into order {part}")


@orders.command("assign")
@click.argument("order")
@click.option("--warehouse", required=True)
@click.pass_context
def orders_assign(ctx: click.Context, order: str, warehouse: str) -> None:
    container(ctx).assign_warehouse()(AssignWarehouse(order=order, warehouse=warehouse))
    click.echo(f"order {order} will ship from {warehouse}")


@orders.command("ship")
@click.argument("order")
@click.option("--carrier", required=True, help="Carrier name as TikTok lists it, or its provider id.")
@click.option("--tracking", required=True)
@click.option("--despite-cancel-request", is_flag=True,
              help="Ship although the buyer asked to cancel (in the US, shipping rejects the request).")
@click.pass_context
def orders_ship(ctx: click.Context, order: str, carrier: str, tracking: str, despite_cancel_request: bool) -> None:
    """Ship an order; warns first when its buyer asked to cancel it."""
    command = ShipOrder(order=order, carrier=carrier, tracking=tracking, despite_cancel_request=despite_cancel_request)
    try:
        package = container(ctx).ship_order()(command)
    except AlreadyDone as done:  # an earlier run's shipment, whose answer was lost, is in place
        click.echo(str(done))
        return
    except PendingCancellationRequest as warning:
        # Asked in a terminal; a script must say --despite-cancel-request itself.
        if not (warning.ships_anyway and sys.stdin.isatty() and click.confirm(f"warning: {warning}. Ship anyway?", err=True)):
            raise
        package = container(ctx).ship_order()(command.model_copy(update={"despite_cancel_request": True}))
    click.echo(f"order {order} shipped: TikTok package {package}")


@orders.command("cancel")
@click.argument("order")
@click.option("--lines", help="Comma-separated line ids (a partial cancellation: reason must be out-of-stock).")
@click.option("--reason", required=True, type=click.Choice([r.value for r in CancelReason]))
@click.pass_context
def orders_cancel(ctx: click.Context, order: str, lines: str | None, reason: str) -> None:
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
@click.option("--store", help="Only this store (default: every store with a pending request).")
@json_option
@click.pass_context
def orders_reconcile(ctx: click.Context, store: str | None, as_json: bool) -> None:
    """Settle ship, cancel and split requests whose answer from TikTok was lost: each is read back
    from TikTok and recorded once if TikTok applied it, or cleared if it did not. The next command
    on such an order and the next sync of its store do the same on their own. Exit 1 if a store
    could not be asked."""
    report: Reconciled = container(ctx).reconcile_intents()(ReconcileIntents(store=store))
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
    """Answer a buyer's request to cancel an order (see orders show / list --cancellation-request pending)."""


@orders_cancellation.command("approve")
@click.argument("order")
@click.pass_context
def cancellation_approve(ctx: click.Context, order: str) -> None:
    """Approve the buyer's pending request: TikTok cancels the order (or the lines asked for)."""
    container(ctx).answer_cancellation_request()(AnswerCancellationRequest(order=order, decision="approve"))
    click.echo(f"approved the buyer's cancellation request of order {order}: it is cancelled")


@orders_cancellation.command("reject")
@click.argument("order")
@click.option("--reason", help="One of the reasons TikTok offers (its name or text); left out, they are listed.")
@click.option("--comment", default="", help="More detail for the buyer.")
@click.pass_context
def cancellation_reject(ctx: click.Context, order: str, reason: str | None, comment: str) -> None:
    """Reject the buyer's pending request with a reason from TikTok's Get Reject Reasons."""
    done = container(ctx).answer_cancellation_request()(
        AnswerCancellationRequest(order=order, decision="reject", reason=reason, comment=comment)
    )
    click.echo(f"rejected the buyer's cancellation request of order {order} ({done.reason}): the order goes on")


@click.group()
def returns() -> None:
    """Returns of shipped lines."""


@returns.command("create")
@click.argument("order")
@click.option("--lines", required=True)
@click.option("--name", default="")
@click.option("--address-line1", default="")
@click.option("--address-line2", default="")
@click.option("--city", default="")
@click.option("--region", default="", help="State or province.")
@click.option("--postal-code", default="")
@click.option("--country", default="")
@click.pass_context
def returns_create(ctx: click.Context, order: str, lines: str, name: str, address_line1: str, address_line2: str,
                   city: str, region: str, postal_code: str, country: str) -> None:
    """Create a return; FBT orders need the customer's full name and address."""
    address = ReturnAddress(name=name, line1=address_line1, line2=address_line2, city=city, region=region,
                            postal_code=postal_code, country=country)
    return_id = container(ctx).create_return()(CreateReturn(order=order, lines=split_ids(lines), address=address))
    click.echo(f"created return {return_id} for order {order}")


@click.group()
def reports() -> None:
    """Reports."""


def _sales_text(report: dict) -> str:
    return (
        "Sales by store and fulfilment\n"
        + table(report["sales"], ["store", "fulfilled_by", "orders", "units", "revenue", "currency"])
        + "\n\nFBT stock movements (units that left the FBT warehouse)\n"
        + table(report["fbt_stock"], ["warehouse", "product_sku", "quantity"])
    )


@reports.command("sales")
@click.option("--store")
@json_option
@click.pass_context
def reports_sales(ctx: click.Context, store: str | None, as_json: bool) -> None:
    emit(container(ctx).queries().sales(store), as_json, _sales_text)


GROUPS = (orders, returns, reports)
