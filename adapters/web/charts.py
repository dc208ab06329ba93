"""Server-rendered SVG charts (no script, no external library): readable at a glance, with a
text alternative, and only SVG presentation attributes (the content security policy forbids
inline styles)."""

from decimal import Decimal
from html import escape
from typing import Any

from markupsafe import Markup

from adapters.web.formatting import money

COLOURS = {"merchant": "#0b57d0", "store": "#e8710a"}
ROW, BAR, LABEL_W, CHART_W, VALUE_W = 34, 22, 220, 360, 150


def sales_chart(rows: list[dict[str, Any]], labels: dict[str, str]) -> Markup:
    """Horizontal bars of revenue per store and fulfiller. Bars compare within one currency
    (the longest bar of each currency is full width); each bar is labelled in its currency."""
    if not rows:
        return Markup("")
    top: dict[str, Decimal] = {}
    for r in rows:
        top[r["currency"]] = max(top.get(r["currency"], Decimal(0)), Decimal(r["revenue"]))
    height = ROW * len(rows) + 40
    width = LABEL_W + CHART_W + VALUE_W
    summary = "; ".join(
        f"{r['store']}, {labels.get(r['fulfilled_by'], r['fulfilled_by'])}: {money(r['revenue'], r['currency'])}"
        for r in rows)
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Sales by store and by who fulfils</title>',
        f'<desc id="chart-desc">{escape(summary)}</desc>',
    ]
    for i, r in enumerate(rows):
        y = 10 + i * ROW
        peak = top[r["currency"]] or Decimal(1)
        length = max(2, int(CHART_W * Decimal(r["revenue"]) / peak)) if Decimal(r["revenue"]) > 0 else 2
        who = labels.get(r["fulfilled_by"], r["fulfilled_by"])
        name = r["store"] if len(r["store"]) <= 22 else r["store"][:21] + "…"
        parts += [
            f'<text x="{LABEL_W - 8}" y="{y + 16}" text-anchor="end" font-size="13" fill="#1c1c1e">'
            f'{escape(name)} · {escape(who)}</text>',
            f'<rect x="{LABEL_W}" y="{y}" width="{length}" height="{BAR}" rx="3" '
            f'fill="{COLOURS.get(r["fulfilled_by"], "#5f6368")}"/>',
            f'<text x="{LABEL_W + length + 6}" y="{y + 16}" font-size="13" fill="#1c1c1e">'
            f'{escape(money(r["revenue"], r["currency"]))} · {r["units"]} units</text>',
        ]
    legend_y = height - 14
    parts += [
        f'<rect x="{LABEL_W}" y="{legend_y - 10}" width="12" height="12" fill="{COLOURS["merchant"]}"/>',
        f'<text x="{LABEL_W + 18}" y="{legend_y}" font-size="12" fill="#1c1c1e">{escape(labels.get("merchant", "Merchant"))}</text>',
        f'<rect x="{LABEL_W + 120}" y="{legend_y - 10}" width="12" height="12" fill="{COLOURS["store"]}"/>',
        f'<text x="{LABEL_W + 138}" y="{legend_y}" font-size="12" fill="#1c1c1e">{escape(labels.get("store", "Store"))}</text>',
        "</svg>",
    ]
    return Markup("".join(parts))
