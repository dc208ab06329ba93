import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import Enum

from domain.exceptions import (
    AuthorizationStateMismatch,
    MerchantOrderCannotUseFbtWarehouse,
    FbtStartDateTooEarly,
    FbtWarehouseRequired,
    MissingPermissions,
    StoreNameRequired,
)
from domain.warehouses import Warehouse, WarehouseType

AUTHORIZATION_TTL = timedelta(minutes=10)
REFRESH_MARGIN = timedelta(hours=24)
# What the OMS calls on TikTok: orders, fulfilment (ship, split), cancellations, shop info.
REQUIRED_SCOPES = (
    "seller.authorization.info",
    "seller.order.info",
    "seller.fulfillment.basic",
    "seller.return_refund.basic",
)


def earliest_fbt_start(today: date) -> date:
    """FBT order import can go back to the first day of the current month (seed page, R9)."""
    return today.replace(day=1)


class StoreStatus(str, Enum):
    DISCONNECTED = "disconnected"
    CONNECTED = "connected"


@dataclass(frozen=True, slots=True)
class FbtImportSettings:
    enabled: bool = False
    start_date: date | None = None
    warehouse_id: str | None = None


@dataclass(frozen=True, slots=True)
class Connection:
    """What TikTok gave when the seller authorized: tokens (secret) and the shop they open."""

    shop_id: str
    shop_cipher: str
    shop_name: str
    access_token: str = field(repr=False)
    access_token_expires_at: datetime
    refresh_token: str = field(repr=False)
    refresh_token_expires_at: datetime
    granted_scopes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Grant:
    access_token: str = field(repr=False)
    access_token_expires_at: datetime
    refresh_token: str = field(repr=False)
    refresh_token_expires_at: datetime
    granted_scopes: tuple[str, ...] = ()


class Store:
    def __init__(
        self,
        *,
        id: str,
        name: str,
        region: str = "US",
        currency: str = "USD",
        default_warehouse_id: str | None = None,
    ) -> None:
        if not name or not name.strip():
            raise StoreNameRequired()
        self.id = id
        self.name = name.strip()
        self.region = region.upper()
        self.currency = currency.upper()
        self.default_warehouse_id = default_warehouse_id
        self.status = StoreStatus.DISCONNECTED
        self.status_reason: str | None = None
        self.connection: Connection | None = None
        self.fbt = FbtImportSettings()
        self.pending_state: str | None = None
        self.pending_since: datetime | None = None
        # TikTok's warning that the seller's authorization ends (webhook 7, or token upkeep).
        self.authorization_ends_at: datetime | None = None
        self.authorization_warning: str | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Store) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"<Store {self.id} {self.name!r} {self.status.value}>"

    @property
    def is_connected(self) -> bool:
        return self.status is StoreStatus.CONNECTED

    def begin_authorization(self, *, state: str, now: datetime) -> None:
        self.pending_state = state
        self.pending_since = now

    def check_callback(self, *, state: str | None, now: datetime) -> None:
        """Check a callback's state against the pending authorization (256 bits, 10 minutes).

        A matching state is single-use: it is spent here. A state that does not match (truncated,
        forged, from an older attempt) is refused and leaves the pending authorization usable until
        it is used or expires; an expired one is dropped.
        """
        expected, since = self.pending_state, self.pending_since
        if expected is None or since is None:
            raise AuthorizationStateMismatch(
                "no authorization is pending for this store (it was used or never started): "
                f"start one with 'stores authorize {self.name}'"
            )
        if not state or not hmac.compare_digest(state.encode(), expected.encode()):
            raise AuthorizationStateMismatch(
                "the callback's state does not match the authorization started for this store: "
                "give the whole URL of the latest authorization, or start again with "
                f"'stores authorize {self.name}'"
            )
        self.pending_state = self.pending_since = None
        if now - since > AUTHORIZATION_TTL:
            raise AuthorizationStateMismatch(
                f"the authorization expired (over 10 minutes old): start again with 'stores authorize {self.name}'"
            )

    @staticmethod
    def check_scopes(granted: tuple[str, ...]) -> None:
        missing = [scope for scope in REQUIRED_SCOPES if scope not in granted]
        if missing:
            raise MissingPermissions(missing)

    def connect(self, connection: Connection) -> None:
        self.check_scopes(connection.granted_scopes)
        self.connection = connection
        self.status = StoreStatus.CONNECTED
        self.status_reason = None
        self.authorization_ends_at = None
        self.authorization_warning = None

    def fail(self, reason: str) -> None:
        self.status = StoreStatus.DISCONNECTED
        self.status_reason = reason
        self.connection = None

    def warn_authorization_ends(self, ends_at: datetime | None, message: str | None) -> bool:
        """Keep the warning that the seller's authorization ends at `ends_at` (UTC), shown with
        the store until it is authorized again. Returns False when the same warning is already kept."""
        when = f"on {ends_at.date().isoformat()}" if ends_at is not None else "soon"
        warning = f"TikTok authorization ends {when}: authorize the store again before then"
        if message:
            warning += f" (TikTok: {message})"
        if (self.authorization_ends_at, self.authorization_warning) == (ends_at, warning):
            return False
        if self.authorization_ends_at is not None and ends_at is not None and message is None \
                and self.authorization_ends_at == ends_at:
            return False  # TikTok's own words for the same date stay
        self.authorization_ends_at = ends_at
        self.authorization_warning = warning
        return True

    def disconnect(self) -> None:
        self.fail("disconnected by the seller")

    def needs_refresh(self, now: datetime) -> bool:
        return self.connection is not None and now >= self.connection.access_token_expires_at - REFRESH_MARGIN

    def refresh_expired(self, now: datetime) -> bool:
        return self.connection is not None and now >= self.connection.refresh_token_expires_at

    def refreshed(self, grant: Grant) -> None:
        assert self.connection is not None
        self.connection = replace(
            self.connection,
            access_token=grant.access_token,
            access_token_expires_at=grant.access_token_expires_at,
            refresh_token=grant.refresh_token,
            refresh_token_expires_at=grant.refresh_token_expires_at,
            granted_scopes=grant.granted_scopes or self.connection.granted_scopes,
        )

    def route_merchant_orders_to(self, warehouse: Warehouse | None) -> None:
        if warehouse is not None and warehouse.is_fbt:
            raise MerchantOrderCannotUseFbtWarehouse(warehouse.name)
        self.default_warehouse_id = warehouse.id if warehouse else None

    def enable_fbt_import(self, *, start_date: date, warehouse: Warehouse, today: date) -> None:
        earliest = earliest_fbt_start(today)
        if start_date < earliest:
            raise FbtStartDateTooEarly(earliest)
        if warehouse.type is not WarehouseType.FBT:
            raise FbtWarehouseRequired(
                f"warehouse {warehouse.name!r} is not an FBT warehouse: create one with "
                f"'warehouses create --fbt --store {self.name}'"
            )
        if warehouse.store_id != self.id:
            raise FbtWarehouseRequired(
                f"FBT warehouse {warehouse.name!r} belongs to another store"
            )
        self.fbt = FbtImportSettings(enabled=True, start_date=start_date, warehouse_id=warehouse.id)

    def disable_fbt_import(self) -> None:
        self.fbt = FbtImportSettings()

    def imports_fbt_order(self, created_at: datetime) -> bool:
        return (
            self.fbt.enabled
            and self.fbt.start_date is not None
            and created_at.date() >= self.fbt.start_date
        )


def store_named(name: str, stores: Iterable[tuple[str, str]]) -> str | None:
    """The id among `(id, name)` pairs whose name is `name` regardless of case, in any script
    (Unicode case folding: "Öl" is "öl"), the exact spelling first, then by name; else None.
    Store names are unique regardless of case (issue 8 item 5)."""
    wanted = name.casefold()
    matches = sorted((stored != name, stored, store_id) for store_id, stored in stores if stored.casefold() == wanted)
    return matches[0][2] if matches else None
