"""One model of TikTok Shop's behaviour, in TikTok's wire format: the simulator's state and rules.

Its only face is the sandbox app (`adapters.sandbox.app`), served over HTTP (`sandbox serve`, the
end-to-end tests) or in process (`adapters.sandbox.inprocess`: `--in-memory`, the demo, fast
tests). Either way the OMS reaches it through its production TikTok client and gateway, so there
is one set of request bodies, one signature check and one error mapping.
"""

import base64
import bisect
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

# TikTok's own seller cancel reasons, by market and order status: "Cancel reasons",
# https://partner.tiktokshop.com/docv2/page/cancel-reasons (mirrored in lazykern/ecommerce-api-docs,
# .../return-and-refund/cancel-reasons.json, page updated 2025-10-24), "Seller Initiates Cancel
# Reason" tables. Written apart from the OMS's copy on purpose, in TikTok's names only: the
# simulator must refuse what TikTok refuses even when the OMS gets it wrong.
_U, _P = "seller_cancel_unpaid_reason_", "seller_cancel_reason_"
_OOS_U, _PRICE_U, _LATE_U, _ASKED_U = _U + "out_of_stock", _U + "wrong_price", _U + "buyer_hasnt_paid_within_time_allowed", _U + "buyer_requested_cancellation"
_OOS_P, _PRICE_P = _P + "out_of_stock", _P + "wrong_price"
_ADDR_P, _ASKED_P = "seller_cancel_paid_reason_address_not_deliver", "seller_cancel_paid_reason_buyer_requested_cancellation"
_US_TABLE = ((_OOS_U, _PRICE_U, _LATE_U, _ASKED_U), (_OOS_P, _PRICE_P, _ADDR_P, _ASKED_P))
_SELLER_REASONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "US": _US_TABLE, "ES": _US_TABLE, "IE": _US_TABLE, "FR": _US_TABLE, "DE": _US_TABLE, "IT": _US_TABLE,
    "GB": ((_OOS_U + "_uk", _PRICE_U + "_uk", _LATE_U + "_uk"), (_PRICE_P + "_uk", _ADDR_P + "_uk", _OOS_P + "_uk")),
    "JP": ((_PRICE_U, _OOS_U, _ASKED_U, _LATE_U), (_PRICE_P, _OOS_P, _ASKED_P, _ADDR_P, "seller_cancel_order_reason_potential_fraud")),
    "ID": ((_OOS_U, _PRICE_U, _LATE_U), (_OOS_P, _PRICE_P, _ADDR_P)),
    "MY": ((_OOS_U, _PRICE_U, _LATE_U), (_OOS_P, _PRICE_P, _ADDR_P)),
    "PH": ((_OOS_U, _PRICE_U, _LATE_U, _ASKED_U), (_OOS_P, _PRICE_P, _ADDR_P, _ASKED_P)),
    "SG": ((_OOS_U, _PRICE_U), (_OOS_P, _PRICE_P, "seller_cancel_unable_to_deliver_to_buyer_address")),
    "TH": ((_OOS_U, _PRICE_U, _LATE_U), (_OOS_P, _PRICE_P, _ADDR_P)),
    "VN": ((_OOS_U, _PRICE_U, _LATE_U), (_OOS_P, _PRICE_P, _ADDR_P)),
    "MX": ((_OOS_U, _LATE_U, _ASKED_U), (_OOS_P, _ASKED_P, _ADDR_P)),
    "BR": ((_OOS_U, _PRICE_U, _LATE_U, _ASKED_U), (_OOS_P, _ASKED_P, _ADDR_P)),
}
# Withdrawn later (TikTok's changelog, order-cancellation): (reason name, markets, from, as epoch seconds UTC).
_WITHDRAWN = (
    # "Removal of 'unable to deliver to buyer address'... in ID, VN, TH, SG, PH" (2023-12-22): from 2024-03-01.
    ("address", frozenset({"ID", "VN", "TH", "SG", "PH"}), 1709251200),
    # "SEA market only: Three Seller Initiates Cancel Reasons will be changed" (2025-07-15): from 2025-08-31.
    ("address", frozenset({"ID", "PH", "VN", "MY", "TH", "SG"}), 1756598400),
)


def seller_cancel_reasons(status: str, region: str, now: int) -> tuple[str, ...]:
    """The reason names TikTok accepts from a seller for an order in `status` in this market at `now`."""
    market = "GB" if region == "UK" else region
    unpaid, paid = _SELLER_REASONS.get(market, _US_TABLE)
    if status == "UNPAID":
        names = unpaid
    elif status in ("ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING") or (status == "AWAITING_COLLECTION" and market == "US"):
        names = paid
    else:
        return ()
    gone = {kind for kind, markets, since in _WITHDRAWN if market in markets and now >= since}
    return tuple(n for n in names if not ("address" in gone and ("address" in n)))

# TikTok's reasons for rejecting a buyer's cancellation request, by market (cancel-reasons page,
# "Seller Reject Cancel Request Reason", as of 2025-10-24), served by Get Reject Reasons. The OMS
# keeps no copy: it always asks.
_REJECT_DEFAULT = (
    ("order_manage_list_action_respond_popup_reject_reason_invalid_cancellation_reason", "Invalid reason for cancellation"),
    ("order_manage_list_action_respond_popup_reject_reason_delivered", "Product delivery is on schedule"),
    ("order_manage_list_action_respond_popup_reject_reason_buyer_agree", "Reached an agreement with the buyer"),
    ("seller_reject_apply_product_has_been_packed", "Product has been packed"),
)
_REJECT_BY_MARKET = {
    "GB": (
        ("order_manage_list_action_respond_popup_reject_reason_invalid_cancellation_reason_uk",
         "Invalid reason for cancellation"),
        ("order_manage_list_action_respond_popup_reject_reason_delivered_uk", "Product delivery is on schedule"),
        ("order_manage_list_action_respond_popup_reject_reason_buyer_agree_uk", "Reached an agreement with the buyer"),
        ("seller_reject_apply_product_has_been_packed", "Product has been packed"),
    ),
    "MX": (
        ("seller_reject_apply_product_has_been_packed", "Product shipped. Tracking updates will be available soon."),
        ("reverse_reject_request_reason_5", "You have reached an agreement with the customer"),
        ("seller_reject_apply_unable_to_change_address", "Unable to change address"),
    ),
    "EU": (
        ("ecom_refund_reject_reason_cancel_unacceptable_uk", "The seller didn't accept your cancellation request."),
        ("ecom_reverse_reject_cancel_reason_product_packed", "Your product has been shipped. Please wait for tracking updates."),
    ),
}
_REJECT_BY_MARKET["BR"] = _REJECT_BY_MARKET["MX"]
_REJECT_BY_MARKET["UK"] = _REJECT_BY_MARKET["GB"]
for _eu in ("DE", "ES", "FR", "IE", "IT"):
    _REJECT_BY_MARKET[_eu] = _REJECT_BY_MARKET["EU"]
REQUEST_ANSWER_WINDOW = 48 * 3600  # the sandbox gives the seller two days to answer a buyer's request


def reject_reasons_of(region: str) -> tuple[tuple[str, str], ...]:
    """(name, text) of the reasons a seller in this market may give to reject a buyer's request."""
    return _REJECT_BY_MARKET.get(region.upper(), _REJECT_DEFAULT)


APP_SCOPES = (
    "seller.authorization.info",
    "seller.order.info",
    "seller.fulfillment.basic",
    "seller.return_refund.basic",
    "seller.logistics",
)
ACCESS_TTL = 7 * 24 * 3600
REFRESH_TTL = 365 * 24 * 3600
AUTH_CODE_TTL = 30 * 60
PRESPLIT_MARKETS = frozenset({"ID", "MY", "PH", "SG", "TH", "VN", "BR", "MX"})
SHIPPING_PROVIDERS = (
    {"id": "7117858858072016686", "name": "USPS"},
    {"id": "7117859084333745966", "name": "UPS"},
    {"id": "7129736293521401643", "name": "FedEx"},
)
_SHIPPED = ("AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED")


class TikTokApiError(Exception):
    def __init__(self, code: int, message: str, http_status: int = 200) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status


@dataclass
class SimShop:
    id: str
    name: str
    region: str
    cipher: str
    code: str
    orders: dict[str, dict] = field(default_factory=dict)
    # Virtual bundles made in Seller Center: seller_sku -> combined_listing_skus entries.
    bundles: dict[str, list[dict]] = field(default_factory=dict)


@dataclass
class _Token:
    shop_ids: tuple[str, ...]
    scopes: tuple[str, ...]
    expires_at: int
    used: bool = False


class TikTokShopModel:
    def __init__(
        self,
        *,
        app_key: str = "sandbox-app-key",
        app_secret: str = "sandbox-app-secret",
        service_id: str = "sandbox-service",
        now: Callable[[], float] = time.time,
        page_token_ttl: int | None = None,
    ) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.service_id = service_id
        self._now = now
        self.page_token_ttl = page_token_ttl
        self.shops: dict[str, SimShop] = {}
        self._codes: dict[str, _Token] = {}
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, _Token] = {}
        self._ids = itertools.count(int(self._now()) * 1000)
        self.cancellations: list[dict] = []
        # Every cancellation as Search Cancellations shows it, buyer requests included, by cancel_id.
        self.cancellation_records: dict[str, dict] = {}
        self._answered: dict[str, dict] = {}  # idempotency_key -> the answer already given
        self.packages: list[dict] = []
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.RLock()

    def now(self) -> int:
        return int(self._now())

    def new_id(self) -> str:
        return str(576_000_000_000_000_000 + next(self._ids))

    # --- the seller's side: shops, the authorization page ---------------------------------

    def add_shop(self, name: str, *, region: str = "US", shop_id: str | None = None) -> SimShop:
        shop_id = shop_id or str(7_000_000_000_000_000_000 + len(self.shops) + 1)
        shop = SimShop(shop_id, name, region, f"ROW_{secrets.token_urlsafe(12)}", f"{region}LC{len(self.shops) + 1:04d}")
        self.shops[shop_id] = shop
        return shop

    def shop(self, shop_id: str | None = None) -> SimShop:
        return self.shops[shop_id] if shop_id else next(iter(self.shops.values()))

    def approve(
        self, authorize_url_or_state: str, redirect_url: str, *, shop_id: str | None = None,
        scopes: tuple[str, ...] | None = None, deny: bool = False,
    ) -> str:
        """The seller logs in with an admin account and grants (or denies); returns the redirect."""
        state = authorize_url_or_state
        if "state=" in authorize_url_or_state:
            from urllib.parse import parse_qs, urlsplit

            state = parse_qs(urlsplit(authorize_url_or_state).query).get("state", [""])[0]
        sep = "&" if "?" in redirect_url else "?"
        if deny:
            return f"{redirect_url}{sep}{urlencode({'code': 'null', 'error': 'auth_denied', 'state': state})}"
        with self.lock:
            code = secrets.token_urlsafe(24)
            shop = self.shop(shop_id)
            self._codes[code] = _Token((shop.id,), scopes or APP_SCOPES, self.now() + AUTH_CODE_TTL)
        return f"{redirect_url}{sep}{urlencode({'code': code, 'state': state})}"

    def app_store_install(self, redirect_url: str, *, shop_id: str | None = None) -> str:
        """The seller installs the app from TikTok Shop's App Store: TikTok redirects with a code
        and no state, since the OMS never started this authorization."""
        with self.lock:
            code = secrets.token_urlsafe(24)
            shop = self.shop(shop_id)
            self._codes[code] = _Token((shop.id,), APP_SCOPES, self.now() + AUTH_CODE_TTL)
        return f"{redirect_url}{'&' if '?' in redirect_url else '?'}{urlencode({'code': code})}"

    # --- auth API ------------------------------------------------------------------------------

    def _check_app(self, app_key: str, app_secret: str) -> None:
        if app_key != self.app_key or not secrets.compare_digest(app_secret, self.app_secret):
            raise TikTokApiError(36009004, "app_key or app_secret is invalid", 401)

    def token_get(self, *, app_key: str, app_secret: str, auth_code: str, grant_type: str) -> dict:
        with self.lock:
            self.calls.append(("token_get", ""))
            self._check_app(app_key, app_secret)
            if grant_type != "authorized_code":
                raise TikTokApiError(36009004, "grant_type must be authorized_code")
            grant = self._codes.get(auth_code)
            if grant is None or grant.used:
                raise TikTokApiError(36004004, "auth_code is invalid or already used")
            if self.now() > grant.expires_at:
                raise TikTokApiError(36004005, "auth_code is expired")
            grant.used = True
            return self._issue(grant.shop_ids, grant.scopes)

    def token_refresh(self, *, app_key: str, app_secret: str, refresh_token: str, grant_type: str) -> dict:
        with self.lock:
            self.calls.append(("token_refresh", ""))
            self._check_app(app_key, app_secret)
            grant = self._refresh.pop(refresh_token, None)
            if grant_type != "refresh_token" or grant is None or self.now() > grant.expires_at:
                raise TikTokApiError(36004006, "refresh_token is invalid or expired")
            return self._issue(grant.shop_ids, grant.scopes)

    def _issue(self, shop_ids: tuple[str, ...], scopes: tuple[str, ...]) -> dict:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.now()
        self._access[access] = _Token(shop_ids, scopes, now + ACCESS_TTL)
        self._refresh[refresh] = _Token(shop_ids, scopes, now + REFRESH_TTL)
        shop = self.shops[shop_ids[0]]
        return {
            "access_token": access,
            "access_token_expire_in": now + ACCESS_TTL,
            "refresh_token": refresh,
            "refresh_token_expire_in": now + REFRESH_TTL,
            "open_id": f"open-{shop.id}",
            "seller_name": shop.name,
            "seller_base_region": shop.region,
            "user_type": 0,
            "granted_scopes": list(scopes),
        }

    def issue_grant(self, shop_id: str, scopes: tuple[str, ...] = APP_SCOPES) -> dict:
        """A token answer for `shop_id` without the authorization page (benchmarks); TikTok's shape."""
        with self.lock:
            return self._issue((shop_id,), scopes)

    def expire_access_tokens(self) -> None:
        with self.lock:
            for token in self._access.values():
                token.expires_at = self.now() - 1

    def revoke(self, shop_id: str) -> None:
        """The seller deauthorizes the app: every token of the shop stops working."""
        with self.lock:
            for tokens in (self._access, self._refresh):
                for key in [k for k, t in tokens.items() if shop_id in t.shop_ids]:
                    del tokens[key]

    # --- shop API ------------------------------------------------------------------------------

    def _authorize(self, access_token: str, cipher: str | None, op: str) -> SimShop | None:
        grant = self._access.get(access_token)
        if grant is None:
            raise TikTokApiError(105001, "access token is invalid", 401)
        if self.now() > grant.expires_at:
            raise TikTokApiError(105002, "access token is expired, please refresh it", 401)
        if cipher is None:
            self.calls.append((op, ""))
            return None
        shop = next((s for s in self.shops.values() if s.cipher == cipher), None)
        if shop is None or shop.id not in grant.shop_ids:
            raise TikTokApiError(106013, "shop_cipher is invalid for this access token")
        self.calls.append((op, shop.id))
        return shop

    def authorized_shops(self, access_token: str) -> dict:
        with self.lock:
            self._authorize(access_token, None, "shops")
            grant = self._access[access_token]
            shops = [self.shops[s] for s in grant.shop_ids]
            return {
                "shops": [
                    {"id": s.id, "name": s.name, "region": s.region, "seller_type": "LOCAL", "cipher": s.cipher, "code": s.code}
                    for s in shops
                ]
            }

    def search_orders(self, access_token: str, cipher: str, *, page_size: int, page_token: str | None, body: dict) -> dict:
        with self.lock:
            shop, ge, lt = self.open_search(access_token, cipher, page_size=page_size, body=body)
            ordered = self.in_search_order(shop)
            start, stop, end, token = self.page_bounds([(o["update_time"], o["id"]) for o in ordered],
                                                       ge, lt, page_token, page_size)
            orders = [json.loads(json.dumps(o)) for o in ordered[start:stop]]
            return {"orders": orders, "next_page_token": token, "total_count": end - start}

    # Order search in three public steps, so that a faster face (the benchmark's pre-rendered
    # pages, adapters/sandbox/prerendered.py) pages exactly like search_orders.

    def open_search(self, access_token: str, cipher: str, *, page_size: int, body: dict) -> tuple[SimShop, int, int]:
        """Checks a search call (token, shop, page size 1-100); returns the shop and its window [ge, lt) in seconds."""
        with self.lock:
            shop = self._authorize(access_token, cipher, "search")
            assert shop is not None
            if not 1 <= page_size <= 100:
                raise TikTokApiError(36009004, "page_size must be between 1 and 100")
            ge = int(body.get("update_time_ge") or 0)
            lt = int(body.get("update_time_lt") or self.now() + 1)
            return shop, ge, lt

    @staticmethod
    def in_search_order(shop: SimShop) -> list[dict]:
        """The shop's orders in the order search pages them: by (update_time, id) ascending."""
        return sorted(shop.orders.values(), key=lambda o: (o["update_time"], o["id"]))

    def page_bounds(self, keys: list[tuple[int, str]], ge: int, lt: int, page_token: str | None,
                    page_size: int) -> tuple[int, int, int, str]:
        """One page of `keys` (sorted (update_time, id)) inside [ge, lt), after `page_token` if given.

        Returns (start, stop, end, next_page_token): the page is keys[start:stop], the window
        after the token ends at `end`, and the token is "" on the last page.
        """
        start = bisect.bisect_right(keys, self._read_token(page_token, ge, lt)) if page_token else bisect.bisect_left(keys, (ge, ""))
        end = bisect.bisect_left(keys, (lt, ""), lo=start)
        stop = min(start + page_size, end)
        token = self._make_token({"update_time": keys[stop - 1][0], "id": keys[stop - 1][1]}, ge, lt) if stop < end else ""
        return start, stop, end, token

    def _make_token(self, last: dict, ge: int, lt: int) -> str:
        raw = json.dumps({"u": last["update_time"], "i": last["id"], "ge": ge, "lt": lt, "t": self.now()})
        return base64.urlsafe_b64encode(raw.encode()).decode()

    def _read_token(self, token: str, ge: int, lt: int) -> tuple[int, str]:
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()))
            key = (int(data["u"]), str(data["i"]))
            issued, window = int(data["t"]), (int(data["ge"]), int(data["lt"]))
        except (ValueError, KeyError, TypeError):
            raise TikTokApiError(36009004, "page_token is invalid") from None
        if window != (ge, lt):
            raise TikTokApiError(36009004, "page_token does not belong to this search")
        if self.page_token_ttl is not None and self.now() - issued > self.page_token_ttl:
            raise TikTokApiError(36009004, "page_token is expired")
        return key

    def _order(self, shop: SimShop, order_id: str) -> dict:
        order = shop.orders.get(order_id)
        if order is None:
            raise TikTokApiError(21008111, "The order or package does not belong to the current seller")
        return order

    def order_detail(self, access_token: str, cipher: str, ids: list[str]) -> dict:
        with self.lock:
            shop = self._authorize(access_token, cipher, "detail")
            assert shop is not None
            if len(ids) > 50:
                raise TikTokApiError(36009004, "at most 50 ids")
            return {"orders": [json.loads(json.dumps(self._order(shop, i))) for i in ids]}

    def cancel(self, access_token: str, cipher: str, body: dict, version: str = "202309") -> dict:
        """Cancel Order: 202309 names line items (`order_line_item_ids`); 202602 may name them with
        `order_line_list[]{order_line_item_id, sub_order_line_item_id}`, which a virtual bundle
        line needs: one entry per unit inside it (NODE-SDK ReturnRefund202602CancelOrderRequestBody)."""
        with self.lock:
            shop = self._authorize(access_token, cipher, "cancel")
            assert shop is not None
            order = self._order(shop, str(body.get("order_id", "")))
            if order["fulfillment_type"] == "FULFILLMENT_BY_TIKTOK":
                raise TikTokApiError(21008025, "Seller cannot operate orders which are fulfilled by platform")
            reason = str(body.get("cancel_reason", ""))
            allowed = seller_cancel_reasons(order["status"], shop.region, self.now())
            if not allowed:
                raise TikTokApiError(25001051, f"order in status {order['status']} cannot be cancelled")
            if reason not in allowed:
                raise TikTokApiError(25001021, "Reason not match order status")
            live = [i for i in order["line_items"] if i["display_status"] != "CANCELLED"]
            items, units = self._cancel_targets(live, body, version)
            if len(items) < len(live) or units:
                if not reason.startswith("seller_cancel_reason_out_of_stock") or shop.region not in ("US", "GB", "UK"):
                    raise TikTokApiError(25005010, "Unable to cancel individual line items within this request")
            for unit in units:  # some units of a bundle, the bundle line itself goes on
                unit.update(display_status="CANCELLED", cancel_reason=reason, cancel_user="SELLER")
            for item in items:
                item["display_status"] = "CANCELLED"
                item["cancel_reason"] = reason
                item["cancel_user"] = "SELLER"
                for unit in item.get("sub_item_info") or []:
                    unit.update(display_status="CANCELLED", cancel_reason=reason, cancel_user="SELLER")
            if len(items) == len(live):
                order["status"] = "CANCELLED"
                order["cancellation_initiator"] = "SELLER"
                self._mask_when_closed(order)
            self._touch(order)
            cancel_id = self.new_id()
            self.cancellations.append({"cancel_id": cancel_id, "order_id": order["id"], "reason": reason, "line_item_ids": [i["id"] for i in items]})
            self._record(shop, order, cancel_id, role="SELLER", cancel_type="CANCEL", reason=reason,
                         status="CANCELLATION_REQUEST_SUCCESS", items=items)
            return {"cancel_id": cancel_id, "cancel_status": "CANCELLATION_REQUEST_SUCCESS"}

    @staticmethod
    def _cancel_targets(live: list[dict], body: dict, version: str) -> tuple[list[dict], list[dict]]:
        """The line items a cancel body names whole, and the units of bundles it names in part."""
        by_id = {i["id"]: i for i in live}
        entries = body.get("order_line_list") if version >= "202602" else None
        if not entries:
            wanted = body.get("order_line_item_ids") or list(by_id)
            items = [by_id[i] for i in dict.fromkeys(wanted) if i in by_id]
            if len(items) != len(set(wanted)):
                raise TikTokApiError(25001011, "some line items are unknown or already cancelled")
            if body.get("order_line_item_ids") and any(i.get("sub_item_info") for i in items):
                raise TikTokApiError(25001001, "a virtual bundle line is cancelled unit by unit: "
                                               "order_line_list with sub_order_line_item_id (202602)")
            return items, []
        named: dict[str, set[str]] = {}
        for entry in entries:
            line_id = str(entry.get("order_line_item_id") or "")
            if line_id not in by_id:
                raise TikTokApiError(25001011, "some line items are unknown or already cancelled")
            sub = entry.get("sub_order_line_item_id")
            named.setdefault(line_id, set()).update([str(sub)] if sub else [])
        items: list[dict] = []
        units: list[dict] = []
        for line_id, subs in named.items():
            item = by_id[line_id]
            inside = {u["id"]: u for u in item.get("sub_item_info") or [] if u.get("display_status") != "CANCELLED"}
            if not inside:
                items.append(item)
                continue
            if not subs:
                raise TikTokApiError(25001001, "sub_order_line_item_id is required for bundle products")
            if not subs <= inside.keys():
                raise TikTokApiError(25001011, "some sub line items are unknown or already cancelled")
            if subs == inside.keys():
                items.append(item)
            else:
                units += [inside[u] for u in sorted(subs)]
        return items, units

    # --- buyer cancellation requests (Search/Approve/Reject Cancellation, Get Reject Reasons) ----

    def _record(self, shop: SimShop, order: dict, cancel_id: str, *, role: str, cancel_type: str, reason: str,
                status: str, items: list[dict], reason_text: str = "") -> dict:
        now = self.now()
        record = {
            "cancel_id": cancel_id, "order_id": order["id"], "cancel_type": cancel_type, "cancel_status": status,
            "role": role, "cancel_reason": reason, "cancel_reason_text": reason_text or reason,
            "create_time": now, "update_time": now,
            "seller_next_action_response": (
                [{"action": "SELLER_RESPOND_CANCEL", "deadline": now + REQUEST_ANSWER_WINDOW}]
                if status == "CANCELLATION_REQUEST_PENDING" else []
            ),
            "refund_amount": {"currency": "USD", "refund_total": order.get("payment", {}).get("total_amount", "0")},
            "cancel_line_items": [
                {"cancel_line_item_id": self.new_id(), "order_line_item_id": i["id"], "sku_id": i.get("sku_id", ""),
                 "seller_sku": i.get("seller_sku", ""), "product_name": i.get("product_name", "")}
                for i in items
            ],
            "_shop_id": shop.id,
        }
        self.cancellation_records[cancel_id] = record
        return record

    def _shop_of_order(self, order_id: str) -> SimShop:
        return next(s for s in self.shops.values() if order_id in s.orders)

    def buyer_requests_cancellation(
        self, order_id: str, *, reason: str = "ecom_order_to_ship_canceled_reason_created_by_mistakes",
        reason_text: str = "Order created by mistake",
    ) -> str:
        """After the remorse hour the buyer can only ask; TikTok flags the order until the seller answers."""
        with self.lock:
            order = self.find_order(order_id)
            shop = self._shop_of_order(order_id)
            if order["status"] not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
                raise TikTokApiError(25001003, f"order in status {order['status']} takes no cancellation request")
            live = [i for i in order["line_items"] if i["display_status"] != "CANCELLED"]
            record = self._record(shop, order, self.new_id(), role="BUYER", cancel_type="BUYER_CANCEL", reason=reason,
                                  reason_text=reason_text, status="CANCELLATION_REQUEST_PENDING", items=live)
            if order.get("is_buyer_request_cancel") and order.get("request_cancel_time"):
                record["create_time"] = order["request_cancel_time"]  # a recorded case already says when
            order.update(is_buyer_request_cancel=True, request_cancel_time=record["create_time"])
            self._touch(order)
            return str(record["cancel_id"])

    def buyer_withdraws_cancellation(self, order_id: str) -> None:
        with self.lock:
            record = self._pending_request(order_id)
            self._close_request(record, "CANCELLATION_REQUEST_CANCELLED")

    def _pending_request(self, order_id: str) -> dict:
        found = [r for r in self.cancellation_records.values()
                 if r["order_id"] == order_id and r["role"] == "BUYER" and r["cancel_status"] == "CANCELLATION_REQUEST_PENDING"]
        if not found:
            raise KeyError(f"no pending cancellation request on order {order_id}")
        return found[-1]

    def _close_request(self, record: dict, status: str) -> None:
        record.update(cancel_status=status, update_time=self.now(), seller_next_action_response=[])
        order = self.find_order(record["order_id"])
        order["is_buyer_request_cancel"] = False
        self._touch(order)

    def search_cancellations(self, access_token: str, cipher: str, *, page_size: int, page_token: str | None,
                             body: dict) -> dict:
        with self.lock:
            shop = self._authorize(access_token, cipher, "search_cancellations")
            assert shop is not None
            if not 1 <= page_size <= 50:
                raise TikTokApiError(25001001, "page_size must be between 1 and 50")

            def wanted(record: dict) -> bool:
                for key, field_name in (("order_ids", "order_id"), ("cancel_ids", "cancel_id"),
                                        ("cancel_status", "cancel_status"), ("cancel_types", "cancel_type")):
                    if body.get(key) and record[field_name] not in body[key]:
                        return False
                for key, field_name in (("update_time", "update_time"), ("create_time", "create_time")):
                    if body.get(f"{key}_ge") is not None and record[field_name] < int(body[f"{key}_ge"]):
                        return False
                    if body.get(f"{key}_lt") is not None and record[field_name] >= int(body[f"{key}_lt"]):
                        return False
                return True

            matching = sorted((r for r in self.cancellation_records.values() if r["_shop_id"] == shop.id and wanted(r)),
                              key=lambda r: (r["update_time"], r["cancel_id"]))
            try:
                start = int(page_token) if page_token else 0
            except ValueError:
                raise TikTokApiError(25001001, "page_token is invalid") from None
            page = matching[start:start + page_size]
            token = str(start + page_size) if start + page_size < len(matching) else ""
            return {"cancellations": [{k: v for k, v in json.loads(json.dumps(r)).items() if not k.startswith("_")}
                                      for r in page],
                    "total_count": len(matching), "next_page_token": token}

    def _request_of(self, shop: SimShop, cancel_id: str) -> dict:
        record = self.cancellation_records.get(cancel_id)
        if record is None or record["_shop_id"] != shop.id:
            raise TikTokApiError(25007006, "Order not found.")
        return record

    def _once(self, key: str | None, answer: Callable[[], dict]) -> dict:
        if key and key in self._answered:
            return self._answered[key]
        result = answer()
        if key:
            self._answered[key] = result
        return result

    def approve_cancellation(self, access_token: str, cipher: str, cancel_id: str, idempotency_key: str | None) -> dict:
        with self.lock:
            shop = self._authorize(access_token, cipher, "approve_cancellation")
            assert shop is not None

            def approve() -> dict:
                record = self._request_of(shop, cancel_id)
                if record["cancel_status"] != "CANCELLATION_REQUEST_PENDING":
                    raise TikTokApiError(25011012, "reverse status cannot approve application")
                order = self._order(shop, record["order_id"])
                if order["status"] not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "ON_HOLD"):
                    raise TikTokApiError(25001045, "The order has already been shipped and we are unable to cancel shipment with the courier.")
                ids = {i["order_line_item_id"] for i in record["cancel_line_items"]}
                for item in order["line_items"]:
                    if item["id"] in ids and item["display_status"] != "CANCELLED":
                        item.update(display_status="CANCELLED", cancel_user="BUYER", cancel_reason=record["cancel_reason"])
                if all(i["display_status"] == "CANCELLED" for i in order["line_items"]):
                    order.update(status="CANCELLED", cancellation_initiator="BUYER", cancel_reason=record["cancel_reason"])
                self._close_request(record, "CANCELLATION_REQUEST_SUCCESS")
                return {}

            return self._once(idempotency_key, approve)

    def reject_cancellation(self, access_token: str, cipher: str, cancel_id: str, idempotency_key: str | None,
                            body: dict) -> dict:
        with self.lock:
            shop = self._authorize(access_token, cipher, "reject_cancellation")
            assert shop is not None

            def reject() -> dict:
                record = self._request_of(shop, cancel_id)
                reason = str(body.get("reject_reason") or "")
                if not reason:
                    raise TikTokApiError(25001001, "param body.reject_reason is missing")
                if reason not in {name for name, _ in reject_reasons_of(shop.region)}:
                    raise TikTokApiError(25001014, "Unknown return reason. Please ensure you are passing a valid return reason.")
                if record["cancel_status"] != "CANCELLATION_REQUEST_PENDING":
                    raise TikTokApiError(25011011, "reverse status cannot reject application")
                record["reject_reason"] = reason
                self._close_request(record, "CANCELLATION_REQUEST_CANCELLED")
                return {}

            return self._once(idempotency_key, reject)

    def reject_reasons(self, access_token: str, cipher: str, cancel_id: str) -> dict:
        with self.lock:
            shop = self._authorize(access_token, cipher, "reject_reasons")
            assert shop is not None
            self._request_of(shop, cancel_id)
            return {"reasons": [{"name": name, "text": text} for name, text in reject_reasons_of(shop.region)]}

    def mark_shipped(self, access_token: str, cipher: str, order_id: str, body: dict) -> dict:
        """Mark Package As Shipped: the package is made as it ships (US, UK, EU, JP)."""
        with self.lock:
            shop = self._authorize(access_token, cipher, "ship")
            assert shop is not None
            if shop.region in PRESPLIT_MARKETS:
                raise TikTokApiError(36009004, f"Mark Package As Shipped is not available in {shop.region}: ship the package")
            order = self._order(shop, order_id)
            self._check_fulfillable(order)
            open_items = [i for i in order["line_items"] if i["display_status"] in ("AWAITING_SHIPMENT", "ON_HOLD", "")]
            wanted = body.get("order_line_item_ids") or [i["id"] for i in open_items]
            items = [i for i in open_items if i["id"] in wanted]
            if not items or len(items) != len(set(wanted)):
                raise TikTokApiError(21011007, "some line items cannot be shipped")
            self._refuse_shipping_with_pending_request(shop, order)
            package_id = self.new_id()
            order.setdefault("packages", []).append({"id": package_id})
            self._ship(order, items, package_id, str(body.get("tracking_number") or ""), str(body.get("shipping_provider_id", "")))
            self._reject_request_by_shipping(order)
            return {"order_id": order_id, "order_line_item_ids": [i["id"] for i in items], "package_id": package_id}

    def ship_existing_package(self, access_token: str, cipher: str, package_id: str, body: dict) -> dict:
        """Ship Package: the package exists since payment or a split (SEA, LATAM)."""
        with self.lock:
            shop = self._authorize(access_token, cipher, "ship")
            assert shop is not None
            found = [(o, i) for o in shop.orders.values() for i in o["line_items"] if i.get("package_id") == package_id]
            if not found:
                raise TikTokApiError(21008111, "The order or package does not belong to the current seller")
            order = found[0][0]
            self._check_fulfillable(order)
            items = [i for _, i in found if i["display_status"] in ("AWAITING_SHIPMENT", "")]
            if not items:
                raise TikTokApiError(21011007, "the package has nothing left to ship")
            self._refuse_shipping_with_pending_request(shop, order)
            shipment = body.get("self_shipment") or {}
            self._ship(order, items, package_id, str(shipment.get("tracking_number") or ""), str(shipment.get("shipping_provider_id", "")))
            self._reject_request_by_shipping(order)
            return {}

    def _ship(self, order: dict, items: list[dict], package_id: str, tracking: str, provider: str) -> None:
        if not tracking:
            raise TikTokApiError(36009004, "param body.tracking_number is missing")
        if provider not in {p["id"] for p in SHIPPING_PROVIDERS}:
            raise TikTokApiError(21004015, "shipping provider is not available for this delivery option")
        for item in items:
            item.update(display_status="AWAITING_COLLECTION", package_id=package_id, package_status="PROCESSING",
                        tracking_number=tracking, shipping_provider_id=provider)
        remaining = [i for i in order["line_items"] if i["display_status"] == "AWAITING_SHIPMENT"]
        order["status"] = "PARTIALLY_SHIPPING" if remaining else "AWAITING_COLLECTION"
        self._touch(order)
        self.packages.append({"package_id": package_id, "order_id": order["id"],
                              "line_item_ids": [i["id"] for i in items], "tracking_number": tracking})

    def _refuse_shipping_with_pending_request(self, shop: SimShop, order: dict) -> None:
        """US: shipping rejects a pending buyer request; elsewhere it is refused (changelog
        "US only: order cancellation workflow updates")."""
        if order.get("is_buyer_request_cancel") and shop.region != "US":
            raise TikTokApiError(21011007, "Package item has after-sale request")

    def _reject_request_by_shipping(self, order: dict) -> None:
        if not order.get("is_buyer_request_cancel"):
            return
        try:
            record = self._pending_request(order["id"])
        except KeyError:
            order["is_buyer_request_cancel"] = False
            return
        self._close_request(record, "CANCELLATION_REQUEST_CANCELLED")

    def _check_fulfillable(self, order: dict) -> None:
        if order["fulfillment_type"] == "FULFILLMENT_BY_TIKTOK":
            raise TikTokApiError(21008025, "Seller cannot operate orders which are fulfilled by platform")
        if order["status"] == "ON_HOLD":
            raise TikTokApiError(21011044, "Order status is on hold, fulfillment is not allowed")
        if order["status"] == "CANCELLED":
            raise TikTokApiError(21011041, "Order has been cancelled")
        if order["status"] not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
            raise TikTokApiError(21011001, f"order in status {order['status']} cannot be fulfilled")

    def split(self, access_token: str, cipher: str, order_id: str, body: dict) -> dict:
        with self.lock:
            shop = self._authorize(access_token, cipher, "split")
            assert shop is not None
            order = self._order(shop, order_id)
            self._check_fulfillable(order)
            if shop.region not in PRESPLIT_MARKETS:
                raise TikTokApiError(21011035, "split is not allowed: ship each package with its line items instead")
            groups = body.get("splittable_groups") or []
            by_id = {i["id"]: i for i in order["line_items"]}
            packages = []
            for group in groups:
                ids = group.get("order_line_item_ids") or []
                if not ids or any(i not in by_id for i in ids):
                    raise TikTokApiError(21011036, "unknown line items in a splittable group")
                skus = {by_id[i]["sku_id"] for i in ids}
                outside = [i for i in by_id.values() if i["sku_id"] in skus and i["id"] not in ids]
                if outside:
                    raise TikTokApiError(21011046, "cannot split below SKU level")
                package_id = self.new_id()
                for i in ids:
                    by_id[i]["package_id"] = package_id
                packages.append({"splittable_group_id": group.get("id", ""), "id": package_id})
            order["split_or_combine_tag"] = "SPLIT"
            self._touch(order)
            return {"packages": packages}

    def shipping_providers(self, access_token: str, cipher: str, delivery_option_id: str) -> dict:
        with self.lock:
            self._authorize(access_token, cipher, "providers")
            return {"shipping_providers": [dict(p) for p in SHIPPING_PROVIDERS]}

    # --- what happens on TikTok's side: orders placed and changed -------------------------------

    def _touch(self, order: dict) -> None:
        # Seconds, like TikTok: two changes within one second share an update_time.
        order["update_time"] = max(self.now(), order["update_time"])

    def place_order(
        self,
        shop_id: str | None = None,
        *,
        units: list[tuple[str, int]] | list[tuple[str, int, str]],
        fbt: bool = False,
        status: str = "AWAITING_SHIPMENT",
        order_id: str | None = None,
        created: int | None = None,
        address: dict | None = None,
        price: str = "19.99",
    ) -> dict:
        """Place an order of (seller_sku, units[, sku_id]); TikTok sends one line item per unit."""
        with self.lock:
            shop = self.shop(shop_id)
            now = self.now()
            created = created or now
            order_id = order_id or self.new_id()
            items = []
            for entry in units:
                seller_sku, count = entry[0], entry[1]
                sku_id = entry[2] if len(entry) > 2 else f"sku-{seller_sku}"  # type: ignore[misc]
                for _ in range(count):
                    items.append({
                        "id": self.new_id(), "sku_id": sku_id, "seller_sku": seller_sku,
                        "product_id": f"prod-{seller_sku}", "product_name": seller_sku, "sku_name": seller_sku,
                        "display_status": status, "sale_price": price, "original_price": price,
                        "currency": "USD", "is_gift": False, **self._bundle_fields(shop, seller_sku, status),
                    })
            order = {
                "id": order_id, "status": status,
                "fulfillment_type": "FULFILLMENT_BY_TIKTOK" if fbt else "FULFILLMENT_BY_SELLER",
                "shipping_type": "TIKTOK" if fbt else "SELLER",
                "create_time": created, "update_time": max(now, created), "paid_time": created,
                "is_on_hold_order": status == "ON_HOLD",
                "delivery_option_id": "7091146663229654785", "delivery_option_name": "Standard Shipping",
                "payment": {"currency": "USD", "total_amount": price, "sub_total": price},
                "recipient_address": self._address(address, fbt=fbt, on_hold=status == "ON_HOLD", region=shop.region),
                "line_items": items, "packages": [], "user_id": "7021436810468230477",
                "buyer_email": "v3m8x2@scs3.tiktok.com",
            }
            if shop.region in PRESPLIT_MARKETS:  # there, the package exists from payment
                package_id = self.new_id()
                order["packages"] = [{"id": package_id}]
                for item in items:
                    item["package_id"] = package_id
            shop.orders[order_id] = order
            return order

    @staticmethod
    def _address(given: dict | None, *, fbt: bool, on_hold: bool, region: str) -> dict:
        if on_hold:
            return {"full_address": "", "district_info": []}
        full = given or {
            "name": "Dana Whitfield", "first_name": "Dana", "last_name": "Whitfield", "phone_number": "(+1)213-555-0142",
            "address_line1": "5800 Bristol Pkwy", "address_line2": "Suite 100", "postal_code": "90230",
            "full_address": "5800 Bristol Pkwy Suite 100, Culver City, CA 90230", "region_code": region,
            "district_info": [
                {"address_level_name": "Country", "address_name": "United States", "address_level": "L0"},
                {"address_level_name": "State", "address_name": "California", "address_level": "L1"},
                {"address_level_name": "County", "address_name": "Los Angeles", "address_level": "L2"},
                {"address_level_name": "City", "address_name": "Culver City", "address_level": "L3"},
            ],
        }
        if not fbt:
            return full
        # FBT: TikTok desensitizes the buyer; only the country, state and county stay readable.
        return {
            "name": "D***", "phone_number": "(+1)213-***-0142", "address_line1": "", "address_detail": "",
            "postal_code": "", "full_address": "", "region_code": full.get("region_code", region),
            "district_info": [d for d in full.get("district_info", []) if d.get("address_level") in ("L0", "L1", "L2")],
        }

    def define_bundle(self, seller_sku: str, components: list[tuple[str, int]], shop_id: str | None = None) -> None:
        """The seller makes a virtual bundle in Seller Center of (seller_sku, count) listings."""
        with self.lock:
            self.shop(shop_id).bundles[seller_sku] = [
                {"sku_id": f"sku-{sku}", "sku_count": count, "product_id": f"prod-{sku}", "seller_sku": sku}
                for sku, count in components
            ]

    def _bundle_fields(self, shop: SimShop, seller_sku: str, status: str) -> dict:
        combined = shop.bundles.get(seller_sku)
        if not combined:
            return {}
        # Each unit inside the bundle has its own sub line item id (sub_item_info, 202507 model).
        subs = [
            {"id": self.new_id(), "sku_id": c["sku_id"], "seller_sku": c["seller_sku"], "product_id": c["product_id"],
             "display_status": status}
            for c in combined for _ in range(c["sku_count"])
        ]
        return {"combined_listing_skus": [dict(c) for c in combined], "sub_item_info": subs}

    def put_order(self, payload: dict, shop_id: str | None = None) -> dict:
        """An order exactly as TikTok sends it (a recorded case), into a shop."""
        with self.lock:
            order = json.loads(json.dumps(payload))
            order.pop("note", None)
            self.shop(shop_id).orders[str(order["id"])] = order
            return order

    def find_order(self, order_id: str) -> dict:
        for shop in self.shops.values():
            if order_id in shop.orders:
                return shop.orders[order_id]
        raise KeyError(order_id)

    def buyer_cancels(self, order_id: str) -> None:
        with self.lock:
            order = self.find_order(order_id)
            order.update(status="CANCELLED", cancellation_initiator="BUYER")
            for item in order["line_items"]:
                item.update(display_status="CANCELLED", cancel_user="BUYER")
            self._mask_when_closed(order)
            self._touch(order)

    def system_cancels(self, order_id: str, reason: str = "package_lost") -> None:
        """TikTok cancels the order itself (a SYSTEM reason from the cancel-reasons page)."""
        with self.lock:
            order = self.find_order(order_id)
            order.update(status="CANCELLED", cancellation_initiator="SYSTEM")
            for item in order["line_items"]:
                if item["display_status"] != "CANCELLED":
                    item.update(display_status="CANCELLED", cancel_user="SYSTEM", cancel_reason=reason)
            self._mask_when_closed(order)
            self._touch(order)

    def change_address(self, order_id: str, address: dict) -> None:
        """The buyer's address changes on TikTok (the recipient-address-update webhook, type 3)."""
        with self.lock:
            order = self.find_order(order_id)
            order["recipient_address"] = dict(address)
            self._touch(order)

    def ship_in_seller_center(self, order_id: str, line_item_ids: list[str], tracking: str = "1Z999AA10123456784") -> None:
        """The seller ships some lines in TikTok Seller Center, outside the OMS."""
        with self.lock:
            order = self.find_order(order_id)
            items = [i for i in order["line_items"] if i["id"] in line_item_ids]
            package_id = self.new_id()
            order.setdefault("packages", []).append({"id": package_id})
            self._ship(order, items, package_id, tracking, SHIPPING_PROVIDERS[0]["id"])

    def _mask_when_closed(self, order: dict) -> None:
        # US, seller-shipped, from 2025-07-21: CANCELLED orders (and 30 days after COMPLETED) come
        # masked again (changelog us-market-changes-to-recipient-address-masking).
        shop = next(s for s in self.shops.values() if order["id"] in s.orders)
        if shop.region != "US" or order["fulfillment_type"] == "FULFILLMENT_BY_TIKTOK":
            return
        address = dict(order.get("recipient_address") or {})
        for key in ("name", "first_name", "last_name", "address_line1", "address_line2", "address_detail"):
            if address.get(key):
                address[key] = address[key][:1] + "***"
        if address.get("phone_number"):
            address["phone_number"] = address["phone_number"][:-8] + "***-" + address["phone_number"][-4:]
        if address.get("postal_code"):
            address["postal_code"] = address["postal_code"][:3] + "**"
        address["full_address"] = ""
        address["district_info"] = [d for d in address.get("district_info", []) if d.get("address_level") not in ("L3", "L4")]
        order["recipient_address"] = address

    def shipped_elsewhere(self, order_id: str, tracking: str = "1Z999AA10123456784") -> None:
        with self.lock:
            order = self.find_order(order_id)
            order["status"] = "IN_TRANSIT"
            for item in order["line_items"]:
                if item["display_status"] != "CANCELLED":
                    item.update(display_status="IN_TRANSIT", tracking_number=tracking)
            self._touch(order)

    def release_hold(self, order_id: str, address: dict | None = None) -> None:
        with self.lock:
            order = self.find_order(order_id)
            shop = next(s for s in self.shops.values() if order_id in s.orders)
            order.update(status="AWAITING_SHIPMENT", is_on_hold_order=False)
            order["recipient_address"] = self._address(
                address, fbt=order["fulfillment_type"] == "FULFILLMENT_BY_TIKTOK", on_hold=False, region=shop.region
            )
            for item in order["line_items"]:
                if item["display_status"] == "ON_HOLD":
                    item["display_status"] = "AWAITING_SHIPMENT"
            self._touch(order)
