# The markets TikTok Shop operates in (Partner Center's market list; the cancel-reasons page has a
# table for each, 2025-10-24): the US, the UK, the EU markets, JP, South-East Asia and LATAM.
TIKTOK_SHOP_MARKETS = frozenset(
    {"US", "GB", "ES", "IE", "FR", "DE", "IT", "JP", "ID", "MY", "PH", "SG", "TH", "VN", "MX", "BR"}
)
# Markets where TikTok splits before shipping (Split Orders API, SKU-level groups); elsewhere
# (US, UK, EU) each package is shipped with its own line items and no split call is needed.
PRESPLIT_MARKETS = frozenset({"ID", "MY", "PH", "SG", "TH", "VN", "BR", "MX"})


def splits_before_shipping(region: str) -> bool:
    return region.upper() in PRESPLIT_MARKETS


# Where shipping an order rejects the buyer's pending cancellation request (TikTok does it as the
# package ships: cancel-reasons page, "Seller Reject Cancel Request", US only, 2025-10-24);
# elsewhere TikTok does not ship the order until the request is answered.
SHIPPING_REJECTS_CANCEL_REQUEST = frozenset({"US"})


def shipping_rejects_cancel_request(region: str) -> bool:
    return market(region) in SHIPPING_REJECTS_CANCEL_REQUEST


def market(region: str) -> str:
    """The TikTok market of a region code: sellers write UK, TikTok says GB."""
    code = region.strip().upper()
    return "GB" if code == "UK" else code
