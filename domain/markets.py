# Markets where TikTok splits before shipping (Split Orders API, SKU-level groups); elsewhere
# (US, UK, EU) each package is shipped with its own line items and no split call is needed.
PRESPLIT_MARKETS = frozenset({"ID", "MY", "PH", "SG", "TH", "VN", "BR", "MX"})


def splits_before_shipping(region: str) -> bool:
    return region.upper() in PRESPLIT_MARKETS


def market(region: str) -> str:
    """The TikTok market of a region code: sellers write UK, TikTok says GB."""
    code = region.strip().upper()
    return "GB" if code == "UK" else code
