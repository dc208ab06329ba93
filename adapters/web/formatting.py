"""Jinja filters: money in the store's currency and dates, formatted with Babel (CLDR data)."""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import UnknownCurrencyError, format_currency
from jinja2 import Environment

LOCALE = "en_US"


def money(amount: Any, currency: str | None) -> str:
    """`Decimal`/str amount in `currency` (ISO 4217), e.g. `$1,234.50`, `£3.00`, `¥1,200`."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    try:
        return format_currency(value, (currency or "USD").upper(), locale=LOCALE)
    except UnknownCurrencyError:
        return f"{value} {currency}"


def when(value: Any, style: str = "medium") -> str:
    """An ISO timestamp or datetime (UTC) as `Nov 30, 2026, 11:45 AM UTC`; '–' for nothing."""
    if value in (None, ""):
        return "–"
    moment = value if isinstance(value, datetime) else _parse(value)
    if moment is None:
        return str(value)
    return format_datetime(moment, format=style, tzinfo="UTC", locale=LOCALE) + " UTC"


def day(value: Any) -> str:
    if value in (None, ""):
        return "–"
    moment = value if not isinstance(value, str) else _parse(value)
    return format_date(moment, format="medium", locale=LOCALE) if moment else str(value)


def from_unix(seconds: Any) -> str:
    if not seconds:
        return "never"
    from datetime import UTC

    return when(datetime.fromtimestamp(int(seconds), UTC))


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def install(env: Environment) -> None:
    env.filters.update(money=money, when=when, day=day, from_unix=from_unix)
