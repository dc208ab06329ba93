"""One CSV cell, safe to open in a spreadsheet: the CLI's `--csv` and the web app's CSV export."""

from decimal import Decimal
from typing import Any

# OWASP "CSV Injection": a cell starting with one of these is run as a formula by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """`value` as CSV text: None is empty, booleans are true/false, numbers as they are, and text
    that a spreadsheet would run as a formula is prefixed with `'` (shown, never executed)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
