"""The longest text the OMS keeps, in characters: one table for the commands and the schema.

A value is checked against it before anything is stored or sent to TikTok, so TikTok is never
told something (a tracking number, say) that the database would then refuse.
"""

import re
import unicodedata

# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

ID = 64  # OMS ids, TikTok order / line item / package / provider ids
NAME = 255  # store, warehouse and product names; shop names and ciphers
SKU = 255  # seller SKUs and product SKUs
CARRIER = 255
TRACKING_NUMBER = 255
ADDRESS_FIELD = 255  # each part of an address: name, lines, city, region, postal code, country, phone
STATUS = 32  # TikTok's status words
CURRENCY = 8  # ISO 4217 codes
REASON = 32
CANCEL_REASON = 128  # TikTok's cancel reason names (the longest known is 69 characters)
# Dates a filter may name: from the Unix epoch (TikTok's times) to a year whose next day still exists.
YEARS = (1970, 9998)


def control_characters(text: str) -> list[str]:
    """The control characters (newline, tab, NUL, …; Unicode category Cc) in `text`, as escapes."""
    return sorted({repr(ch)[1:-1] for ch in text if unicodedata.category(ch) == "Cc"})


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a control character (Unicode category Cc); fast, for every field read."""
    return _CONTROL.search(text) is not None


def too_long(text: str, limit: int) -> bool:
    return len(text) > limit


def year_outside(year: int) -> str | None:
    """Why a date filter's year cannot be used ("outside the years 1970-9998"), or None."""
    first, last = YEARS
    return None if first <= year <= last else f"outside the years {first}-{last}"
