"""Orders, the order page and its actions, Listings, Products, Returns and Reports."""

import base64
import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from adapters.csv_cells import csv_cell
from adapters.web import charts
from application.commands import (
    AnswerCancellationRequest,
    AddProduct,
    AssignWarehouse,
    CancelOrder,
    CreateReturn,
    MapListing,
    ReturnAddress,
    ShipOrder,
    SplitOrder,
    UnmapListing,
)
from application.errors import ApplicationError
from application.ports import OrderCursor, OrderFilter
from domain.cancellation import CancelReason
from domain.limits import year_outside
from domain.orders import FulfilledBy, OrderStatus

if TYPE_CHECKING:
    from adapters.web.app import WebApp

PAGE_SIZE = 50
CSV_BATCH = 1000
STATUS_LABELS = {
    OrderStatus.IN_REVIEW.value: "In Review",
    OrderStatus.ON_HOLD.value: "On Hold",
    OrderStatus.AWAITING_FULFILMENT.value: "Awaiting Fulfilment",
    OrderStatus.SHIPPED.value: "Shipped",
    OrderStatus.CANCELLED.value: "Cancelled",
}
FULFILLED_BY_LABELS = {FulfilledBy.STORE.value: "Store (FBT)", FulfilledBy.MERCHANT.value: "Merchant"}
REASON_LABELS = {
    CancelReason.OUT_OF_STOCK.value: "Out of stock",
    CancelReason.WRONG_PRICE.value: "Wrong price",
    CancelReason.ADDRESS_NOT_DELIVERABLE.value: "Address not deliverable",
    CancelReason.BUYER_REQUESTED.value: "Buyer requested",
}


def reason_label(value: str) -> str:
    return REASON_LABELS.get(value, value.replace("-", " ").capitalize())


def encode_cursor(cursor: OrderCursor | None) -> str | None:
    if cursor is None:
        return None
    raw = f"{cursor.created_at.isoformat()}|{cursor.order_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str | None) -> OrderCursor | None:
    """A cursor from the page's own link; anything else starts from the first page."""
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        moment, order_id = raw.split("|", 1)
        return OrderCursor(datetime.fromisoformat(moment), order_id)
    except (ValueError, UnicodeDecodeError):
        return None


def _day(text: str | None, label: str) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ApplicationError(f"the {label} date {text!r} is not a date (YYYY-MM-DD)") from None
    if (why := year_outside(day.year)) is not None:
        raise ApplicationError(f"the {label} date {text!r} is {why}")
    return day


def order_filter(params: QueryParams) -> OrderFilter:
    """The list's filters from the query string; a date range is whole UTC days, both ends included."""
    status = params.get("status") or None
    fulfilled_by = params.get("fulfilled_by") or None
    if status is not None and status not in STATUS_LABELS:
        raise ApplicationError(f"unknown order status {status!r}")
    if fulfilled_by is not None and fulfilled_by not in FULFILLED_BY_LABELS:
        raise ApplicationError(f"unknown 'fulfilled by' value {fulfilled_by!r}")
    start, end = _day(params.get("from"), "from"), _day(params.get("to"), "to")
    return OrderFilter(
        store_id=params.get("store") or None,
        status=status,
        fulfilled_by=fulfilled_by,
        search=(params.get("q") or "").strip() or None,
        created_from=datetime.combine(start, time.min, tzinfo=UTC) if start else None,
        created_to=datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC) if end else None,
    )


def _ids(form: FormData, name: str) -> list[str]:
    return [str(v) for v in form.getlist(name) if str(v).strip()]


class OrderPages:
    def __init__(self, web: "WebApp") -> None:
        self.web = web
        self.c = web.c

    def routes(self) -> list[BaseRoute]:
        g = self.web.guarded
        return [
            Route("/orders", g(self.orders), methods=["GET"]),
            Route("/orders.csv", g(self.orders_csv), methods=["GET"]),
            Route("/orders/{order}", g(self.order), methods=["GET"]),
            Route("/orders/{order}/split", g(self.split), methods=["POST"]),
            Route("/orders/{order}/assign", g(self.assign), methods=["POST"]),
            Route("/orders/{order}/ship", g(self.ship), methods=["POST"]),
            Route("/orders/{order}/cancel", g(self.cancel), methods=["POST"]),
            Route("/orders/{order}/return", g(self.create_return), methods=["POST"]),
            Route("/orders/{order}/cancellation/approve", g(self.approve_cancellation), methods=["POST"]),
            Route("/orders/{order}/cancellation/reject", g(self.reject_cancellation), methods=["POST"]),
            Route("/listings", g(self.listings), methods=["GET"]),
            Route("/listings/map", g(self.map_listing), methods=["POST"]),
            Route("/listings/unmap", g(self.unmap_listing), methods=["POST"]),
            Route("/products", g(self.products), methods=["GET"]),
            Route("/products", g(self.add_product), methods=["POST"]),
            Route("/returns", g(self.returns), methods=["GET"]),
            Route("/reports", g(self.reports), methods=["GET"]),
        ]

    def _names(self) -> dict[str, dict[str, str]]:
        q = self.c.queries()
        return {
            "stores": {s["id"]: s["name"] for s in q.stores()},
            "warehouses": {w["id"]: w["name"] for w in q.warehouses()},
        }

    # ---- the main orders page -------------------------------------------------------------

    async def orders(self, request: Request) -> Response:
        params = request.query_params
        try:
            where = order_filter(params)
        except ApplicationError as exc:
            self.web.flash(request, str(exc), "error")
            where = OrderFilter()
        after = decode_cursor(params.get("after"))

        def load() -> dict[str, Any]:
            rows, cursor = self.c.queries().order_page(where, after=after, limit=PAGE_SIZE)
            return {"orders": rows, "next": encode_cursor(cursor), **self._names()}

        data = await self.web.call(load)
        filters = {k: params.get(k, "") for k in ("store", "status", "fulfilled_by", "q", "from", "to")}
        query = "&".join(f"{k}={v}" for k, v in QueryParams(filters).multi_items() if v)
        return self.web.render(request, "orders.html", **data, filters=filters, query=query, first_page=after is None,
                               status_labels=STATUS_LABELS, fulfilled_by_labels=FULFILLED_BY_LABELS)

    async def orders_csv(self, request: Request) -> Response:
        where = await self.web.call(lambda: order_filter(request.query_params))
        names = await self.web.call(self._names)

        def rows() -> Iterator[str]:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["order_id", "tiktok_order_id", "store", "status", "fulfilled_by", "warehouse",
                             "created_at", "lines", "seller_skus"])
            after: OrderCursor | None = None
            while True:
                page, after = self.c.queries().order_page(where, after=after, limit=CSV_BATCH)
                for o in page:
                    writer.writerow([csv_cell(v) for v in (
                        o["id"], o["tiktok_order_id"], names["stores"].get(o["store_id"], o["store_id"]), o["status"],
                        o["fulfilled_by"], names["warehouses"].get(o["warehouse_id"] or "", o["warehouse_id"]),
                        o["created_at"], len(o["lines"]), " ".join(sorted({l["seller_sku"] for l in o["lines"]})))])
                yield out.getvalue()
                out.seek(0)
                out.truncate()
                if after is None:
                    return

        return StreamingResponse(rows(), media_type="text/csv; charset=utf-8",
                                 headers={"content-disposition": 'attachment; filename="orders.csv"'})

    # ---- the order page -------------------------------------------------------------------

    async def order(self, request: Request) -> Response:
        ref = request.path_params["order"]

        def load() -> dict[str, Any]:
            q = self.c.queries()
            order = q.order(ref)
            warehouses = q.warehouses()
            store = q.store(order["store_id"])
            return {
                "order": order,
                "store": store,
                "standard_warehouses": [w for w in warehouses if w["type"] == "standard"],
                "reasons": self.c.order_choices().cancel_reasons(order["id"]),
                "products": {p["sku"]: p["name"] for p in q.products()},
                **self._names(),
            }

        from adapters.web.app import unavailable_because

        data = await self.web.call(load)
        order = data["order"]
        carriers: list[dict[str, str]] = []
        carrier_error = None
        open_merchant = order["fulfilled_by"] == "merchant" and order["status"] == "awaiting_fulfilment"
        if open_merchant and order["warehouse_id"]:
            try:
                carriers = await self.web.call(lambda: self.c.order_choices().carriers(order["id"]))
            except Exception as exc:  # the page still shows; the form says why it cannot list carriers
                carrier_error = f"TikTok's carrier list is not available right now ({unavailable_because(exc)})."
        reject_reasons: list[dict[str, str]] = []
        reject_error = None
        pending = order.get("cancellation_request") or {}
        if pending.get("status") == "pending" and order["fulfilled_by"] == "merchant":
            try:
                reject_reasons = await self.web.call(lambda: self.c.order_choices().reject_reasons(order["id"]))
            except Exception as exc:  # the page still shows; approving needs no reason
                reject_error = f"TikTok's reject reasons are not available right now ({unavailable_because(exc)})."
        return self.web.render(request, "order.html", **data, carriers=carriers, carrier_error=carrier_error,
                               reject_reasons=reject_reasons, reject_error=reject_error,
                               status_labels=STATUS_LABELS, fulfilled_by_labels=FULFILLED_BY_LABELS,
                               reason_label=reason_label)

    async def split(self, request: Request) -> Response:
        ref = request.path_params["order"]
        return await self.web.act(
            request, lambda form: self.c.split_order()(SplitOrder(order=ref, lines=_ids(form, "lines"))),
            done=lambda part: "Split: the ticked lines are now their own order.", back=f"/orders/{ref}")

    async def assign(self, request: Request) -> Response:
        ref = request.path_params["order"]
        return await self.web.act(
            request,
            lambda form: self.c.assign_warehouse()(AssignWarehouse(order=ref, warehouse=str(form.get("warehouse", "")))),
            done=lambda _: "Warehouse assigned.", back=f"/orders/{ref}")

    async def ship(self, request: Request) -> Response:
        ref = request.path_params["order"]
        return await self.web.act(
            request,
            lambda form: self.c.ship_order()(ShipOrder(order=ref, carrier=str(form.get("carrier", "")),
                                                       tracking=str(form.get("tracking", "")))),
            done=lambda package: f"Shipped: TikTok package {package}.", back=f"/orders/{ref}")

    async def cancel(self, request: Request) -> Response:
        ref = request.path_params["order"]

        def cancel(form: FormData) -> None:
            reason = str(form.get("reason", ""))
            if reason not in REASON_LABELS:
                raise ApplicationError("choose a cancellation reason")
            self.c.cancel_order()(CancelOrder(order=ref, reason=CancelReason(reason), lines=_ids(form, "lines") or None))

        return await self.web.act(request, cancel, done=lambda _: "Cancelled on TikTok.", back=f"/orders/{ref}")

    async def approve_cancellation(self, request: Request) -> Response:
        ref = request.path_params["order"]
        return await self.web.act(
            request, lambda form: self.c.answer_cancellation_request()(AnswerCancellationRequest(order=ref, decision="approve")),
            done=lambda _: "Approved the buyer's cancellation request: the order is cancelled on TikTok.", back=f"/orders/{ref}")

    async def reject_cancellation(self, request: Request) -> Response:
        ref = request.path_params["order"]

        def reject(form: FormData) -> Any:
            return self.c.answer_cancellation_request()(AnswerCancellationRequest(
                order=ref, decision="reject", reason=str(form.get("reason", "")).strip() or None,
                comment=str(form.get("comment", "")).strip()))

        return await self.web.act(
            request, reject, done=lambda answered: f"Rejected the buyer's cancellation request ({answered.reason}): the order goes on.",
            back=f"/orders/{ref}")

    async def create_return(self, request: Request) -> Response:
        ref = request.path_params["order"]

        def create(form: FormData) -> str:
            address = ReturnAddress(**{k: str(form.get(k, "")) for k in
                                       ("name", "line1", "line2", "city", "region", "postal_code", "country")})
            return self.c.create_return()(CreateReturn(order=ref, lines=_ids(form, "lines"), address=address))

        return await self.web.act(request, create, done=lambda rid: f"Return {rid} created.", back=f"/orders/{ref}")

    # ---- listings, products, returns ------------------------------------------------------

    async def listings(self, request: Request) -> Response:
        stores = await self.web.call(lambda: self.c.queries().stores())
        chosen = request.query_params.get("store") or (stores[0]["id"] if stores else "")

        def load() -> dict[str, Any]:
            q = self.c.queries()
            rows = q.listings(chosen) if chosen else []
            rows.sort(key=lambda r: (r["mapped"], r["seller_sku"]))  # unmapped first
            return {"listings": rows, "products": q.products()}

        data = await self.web.call(load)
        return self.web.render(request, "listings.html", **data, stores=stores, chosen=chosen)

    async def map_listing(self, request: Request) -> Response:
        form = await request.form()
        store = str(form.get("store", ""))

        def map_it(form: FormData) -> Any:
            product = str(form.get("product", "")).strip()
            # The search box may hold "SKU — name" as the browser completed it.
            product = product.split(" — ", 1)[0].strip()
            return self.c.map_listing()(MapListing(store=store, seller_sku=str(form.get("seller_sku", "")), product=product))

        return await self.web.act(
            request, map_it, back=f"/listings?store={store}",
            done=lambda r: f"Mapped {form.get('seller_sku')}; {r.orders_changed} order(s) updated.")

    async def unmap_listing(self, request: Request) -> Response:
        form = await request.form()
        store = str(form.get("store", ""))
        return await self.web.act(
            request, lambda f: self.c.unmap_listing()(UnmapListing(store=store, seller_sku=str(f.get("seller_sku", "")))),
            back=f"/listings?store={store}",
            done=lambda r: f"Unmapped {form.get('seller_sku')}; {r.orders_changed} open order(s) back in review.")

    async def products(self, request: Request) -> Response:
        products = await self.web.call(lambda: self.c.queries().products())
        return self.web.render(request, "products.html", products=products)

    async def add_product(self, request: Request) -> Response:
        return await self.web.act(
            request, lambda f: self.c.add_product()(AddProduct(sku=str(f.get("sku", "")), name=str(f.get("name", "")))),
            done=lambda _: "Product added.", back="/products")

    async def returns(self, request: Request) -> Response:
        def load() -> dict[str, Any]:
            return {"returns": self.c.queries().returns(), **self._names()}

        return self.web.render(request, "returns.html", **await self.web.call(load))

    # ---- reports --------------------------------------------------------------------------

    async def reports(self, request: Request) -> Response:
        stores = await self.web.call(lambda: self.c.queries().stores())
        chosen = request.query_params.get("store") or None
        report = await self.web.call(lambda: self.c.queries().sales(chosen))
        chart = charts.sales_chart(report["sales"], FULFILLED_BY_LABELS)
        return self.web.render(request, "reports.html", report=report, chart=chart, stores=stores, chosen=chosen or "",
                               fulfilled_by_labels=FULFILLED_BY_LABELS)
