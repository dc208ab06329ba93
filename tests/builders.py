import secrets
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.addresses import Address
from domain.imports import RemoteLine, RemoteOrder
from domain.orders import FulfilledBy, LineStatus, Order, OrderLine
from domain.stores import REQUIRED_SCOPES, Connection, FbtImportSettings, Store
from domain.warehouses import Warehouse, WarehouseType

T0 = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def a_ref(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


def an_address(
    *,
    name: str = "Dana Whitfield",
    line1: str = "5800 Bristol Pkwy",
    line2: str = "Suite 100",
    city: str = "Culver City",
    region: str = "California",
    postal_code: str = "90230",
    country: str = "US",
    phone: str = "(+1)213-555-0142",
) -> Address:
    return Address(
        name=name, line1=line1, line2=line2, city=city, region=region, postal_code=postal_code, country=country, phone=phone
    )


def a_masked_address() -> Address:
    """What TikTok sends for an FBT order: the buyer desensitized, only the country readable."""
    return Address(name="D***", phone="(+1)213-***-0142", region="California", country="US")


def a_store(
    *,
    id: str | None = None,
    name: str | None = None,
    region: str = "US",
    currency: str = "USD",
    default_warehouse_id: str | None = None,
    fbt_warehouse_id: str | None = None,
    fbt_start: date | None = None,
) -> Store:
    store = Store(
        id=id or a_ref("st"),
        name=name or a_ref("TikTok"),
        region=region,
        currency=currency,
        default_warehouse_id=default_warehouse_id,
    )
    if fbt_warehouse_id is not None:
        store.fbt = FbtImportSettings(enabled=True, start_date=fbt_start or T0.date().replace(day=1), warehouse_id=fbt_warehouse_id)
    return store


def a_connection(
    *,
    access_token_expires_at: datetime = T0 + timedelta(days=7),
    refresh_token_expires_at: datetime = T0 + timedelta(days=365),
    granted_scopes: tuple[str, ...] = REQUIRED_SCOPES,
) -> Connection:
    return Connection(
        shop_id="7000000000000000001",
        shop_cipher="ROW_cipher",
        shop_name="Demo Shop",
        access_token=a_ref("access"),
        access_token_expires_at=access_token_expires_at,
        refresh_token=a_ref("refresh"),
        refresh_token_expires_at=refresh_token_expires_at,
        granted_scopes=granted_scopes,
    )


def a_connected_store(
    *,
    id: str | None = None,
    name: str | None = None,
    region: str = "US",
    default_warehouse_id: str | None = None,
    connection: Connection | None = None,
) -> Store:
    store = a_store(id=id, name=name, region=region, default_warehouse_id=default_warehouse_id)
    store.connect(connection or a_connection())
    return store


def a_warehouse(*, id: str | None = None, name: str | None = None) -> Warehouse:
    return Warehouse(id=id or a_ref("wh"), name=name or a_ref("Warehouse"))


def an_fbt_warehouse(*, store: Store | None = None, store_id: str | None = None, id: str | None = None, name: str | None = None) -> Warehouse:
    owner = store_id or (store.id if store is not None else a_ref("st"))
    return Warehouse(id=id or a_ref("wh"), name=name or a_ref("FBT"), type=WarehouseType.FBT, store_id=owner)


def a_line(
    *,
    id: str | None = None,
    tiktok_line_item_id: str | None = None,
    seller_sku: str = "tee-red-l",
    sku_id: str | None = None,
    product_sku: str | None = "TEE-RED-L",
    status: LineStatus = LineStatus.OPEN,
    sale_price: Decimal = Decimal("19.99"),
) -> OrderLine:
    return OrderLine(
        id=id or a_ref("ln"),
        tiktok_line_item_id=tiktok_line_item_id or a_ref("item"),
        seller_sku=seller_sku,
        sku_id=sku_id if sku_id is not None else f"sku-{seller_sku}",
        product_sku=product_sku,
        status=status,
        sale_price=sale_price,
    )


def an_order(
    *,
    id: str | None = None,
    store_id: str = "st_1",
    tiktok_order_id: str | None = None,
    fulfilled_by: FulfilledBy = FulfilledBy.MERCHANT,
    lines: list[OrderLine] | None = None,
    tiktok_status: str = "AWAITING_SHIPMENT",
    tiktok_update_time: int = 1_000,
    created_at: datetime = T0,
    address: Address | None = None,
    warehouse_id: str | None = None,
    currency: str = "USD",
) -> Order:
    return Order(
        id=id or a_ref("ord"),
        store_id=store_id,
        tiktok_order_id=tiktok_order_id or a_ref("576"),
        fulfilled_by=fulfilled_by,
        lines=lines if lines is not None else [a_line(), a_line(seller_sku="mug", product_sku="MUG")],
        tiktok_status=tiktok_status,
        tiktok_update_time=tiktok_update_time,
        created_at=created_at,
        address=address if address is not None else an_address(),
        warehouse_id=warehouse_id,
        currency=currency,
    )


def an_fbt_order(*, warehouse_id: str = "wh_fbt", **kwargs: object) -> Order:
    return an_order(fulfilled_by=FulfilledBy.STORE, warehouse_id=warehouse_id, **kwargs)  # type: ignore[arg-type]


def a_remote_line(
    *,
    tiktok_line_item_id: str | None = None,
    seller_sku: str = "tee-red-l",
    sku_id: str | None = None,
    status: str = "AWAITING_SHIPMENT",
    sale_price: Decimal = Decimal("19.99"),
    quantity: int = 1,
) -> RemoteLine:
    return RemoteLine(
        tiktok_line_item_id=tiktok_line_item_id or a_ref("item"),
        seller_sku=seller_sku,
        sku_id=sku_id if sku_id is not None else f"sku-{seller_sku}",
        status=status,
        sale_price=sale_price,
        quantity=quantity,
    )


def a_remote_order(
    *,
    tiktok_order_id: str | None = None,
    status: str = "AWAITING_SHIPMENT",
    fbt: bool = False,
    created_at: datetime = T0,
    update_time: int = 1_000,
    lines: list[RemoteLine] | None = None,
    address: Address | None = None,
    delivery_option_id: str = "7091146663229654785",
) -> RemoteOrder:
    return RemoteOrder(
        tiktok_order_id=tiktok_order_id or a_ref("576"),
        status=status,
        fulfilled_by=FulfilledBy.STORE if fbt else FulfilledBy.MERCHANT,
        created_at=created_at,
        update_time=update_time,
        lines=tuple(lines if lines is not None else [a_remote_line(status=status)]),
        address=address if address is not None else (a_masked_address() if fbt else an_address()),
        delivery_option_id=delivery_option_id,
    )
