"""Read models: what list and show commands print, JSON-ready (snake_case, no secrets)."""

from dataclasses import asdict
from typing import Any

from application.ports import OrderSummary, line_summary, order_summary
from domain.catalog import Listing, Product
from domain.orders import Order
from domain.reports import SalesRow, StockRow
from domain.returns import Return
from domain.stores import Store
from domain.warehouses import Warehouse


def store_view(store: Store) -> dict[str, Any]:
    conn = store.connection
    return {
        "id": store.id,
        "name": store.name,
        "status": store.status.value,
        "status_reason": store.status_reason,
        "region": store.region,
        "currency": store.currency,
        "default_warehouse_id": store.default_warehouse_id,
        "shop": None if conn is None else {"id": conn.shop_id, "name": conn.shop_name},
        "access_token_expires_at": None if conn is None else conn.access_token_expires_at.isoformat(),
        "refresh_token_expires_at": None if conn is None else conn.refresh_token_expires_at.isoformat(),
        "authorization_ends_at": store.authorization_ends_at.isoformat() if store.authorization_ends_at else None,
        "authorization_warning": store.authorization_warning,
        "fbt_import": {
            "enabled": store.fbt.enabled,
            "start_date": store.fbt.start_date.isoformat() if store.fbt.start_date else None,
            "warehouse_id": store.fbt.warehouse_id,
        },
    }


def warehouse_view(warehouse: Warehouse) -> dict[str, Any]:
    return {"id": warehouse.id, "name": warehouse.name, "type": warehouse.type.value, "store_id": warehouse.store_id}


def product_view(product: Product) -> dict[str, Any]:
    return {"sku": product.sku, "name": product.name}


def listing_view(listing: Listing) -> dict[str, Any]:
    return {
        "store_id": listing.store_id,
        "seller_sku": listing.seller_sku,
        "product_sku": listing.product_sku,
        "mapped": listing.is_mapped,
    }


def order_summary_of(order: Order) -> OrderSummary:
    """The order-list row of an aggregate (the in-memory adapter's list, and `order_view`)."""
    return order_summary(
        (order.id, order.tiktok_order_id, order.store_id, order.status.value, order.fulfilled_by.value,
         order.warehouse_id, order.tiktok_status, order.parent_order_id, order.created_at.isoformat()),
        [line_summary((line.id, line.tiktok_line_item_id, line.seller_sku, line.product_sku, line.quantity,
                       line.status.value)) for line in order.lines],
        (None, None) if (r := order.cancellation_request) is None else
        (r.status.value, r.requested_at.isoformat() if r.requested_at else None),
    )


def order_view(order: Order) -> dict[str, Any]:
    """`order_summary` plus the address, shipments, TikTok's product name of each line and, on a
    virtual bundle line, `components` (each `seller_sku`, `product_sku` or null, and `quantity`)."""
    summary = order_summary_of(order)
    components = {line.id: line.components for line in order.lines if line.components}

    def line_view(view: Any, line: Any) -> dict[str, Any]:
        shown = {**view, "product_name": line.product_name}
        if line.id in components:
            shown["components"] = [
                {"seller_sku": c.seller_sku, "sku_id": c.sku_id, "product_sku": c.product_sku, "quantity": c.quantity}
                for c in components[line.id]
            ]
        return shown

    return {
        **summary,
        # TikTok's product name: a gift line without a seller SKU reads as a product, not a number.
        "lines": [line_view(view, line) for view, line in zip(summary["lines"], order.lines)],
        "cancellation_request": cancellation_request_view(order),
        "address": asdict(order.address),
        "shipments": [
            {
                "package_id": s.package_id,
                "line_ids": list(s.line_ids),
                "warehouse_id": s.warehouse_id,
                "carrier": s.carrier,
                "tracking_number": s.tracking_number,
                "shipped_at": s.shipped_at.isoformat(),
            }
            for s in order.shipments
        ],
    }


def cancellation_request_view(order: Order) -> dict[str, Any] | None:
    """The buyer's latest cancellation request: `status` (pending|approved|rejected|closed),
    `requested_at` and `respond_by` (ISO UTC or null), TikTok's `cancel_id`, `reason` and
    `reason_text`, the `line_item_ids` asked for (empty: the whole order) and the seller's
    `decision` (the reject reason, or "shipped")."""
    request = order.cancellation_request
    if request is None:
        return None
    return {
        "status": request.status.value,
        "requested_at": request.requested_at.isoformat() if request.requested_at else None,
        "respond_by": request.respond_by.isoformat() if request.respond_by else None,
        "cancel_id": request.cancel_id or None,
        "reason": request.reason or None,
        "reason_text": request.reason_text or None,
        "line_item_ids": list(request.line_item_ids),
        "decision": request.decision or None,
    }


def return_view(ret: Return) -> dict[str, Any]:
    return {
        "id": ret.id,
        "order_id": ret.order_id,
        "line_ids": list(ret.line_ids),
        "address": asdict(ret.address),
        "created_at": ret.created_at.isoformat(),
    }


def sales_view(rows: list[SalesRow], stock: list[StockRow], names: dict[str, str]) -> dict[str, Any]:
    return {
        "sales": [
            {
                "store_id": r.store_id,
                "store": names.get(r.store_id, r.store_id),
                "fulfilled_by": r.fulfilled_by,
                "orders": r.orders,
                "units": r.units,
                "revenue": str(r.revenue),
                "currency": r.currency,
            }
            for r in rows
        ],
        "fbt_stock": [
            {"warehouse_id": s.warehouse_id, "warehouse": names.get(s.warehouse_id, s.warehouse_id),
             "product_sku": s.product_sku, "quantity": s.quantity}
            for s in stock
        ],
    }
