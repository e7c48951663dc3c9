"""Server-rendered SVG charts: geometry only, the templates draw it. No JavaScript and no
external library; each chart is followed by its data table for screen readers."""

from django.utils.translation import gettext_lazy as _

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 36, 28, 10

SERIES = (
    ("requests", _("Requests opened"), "#2e1f5e"),
    ("assigned", _("Pairings assigned"), "#007d7e"),
    ("closed", _("Pairings closed"), "#c27c00"),
    ("premature", _("Closed prematurely"), "#cd4444"),
)


def _nice_max(value):
    if value <= 5:
        return 5
    for step in (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if value <= step:
            return step
    magnitude = 10 ** (len(str(int(value))) - 1)
    return ((int(value) // magnitude) + 1) * magnitude


def monthly_chart(rows):
    """Grouped bars per month for the four series of ``metrics.monthly``."""
    if not rows:
        return None
    top = _nice_max(max(max(row[key] for key, _label, _c in SERIES) for row in rows))
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / len(rows)
    bar = max(1.0, slot * 0.8 / len(SERIES))
    months, bars = [], []
    for i, row in enumerate(rows):
        x0 = LEFT + i * slot + slot * 0.1
        months.append(
            {
                "x": round(LEFT + i * slot + slot / 2, 1),
                "label": row["month"].strftime("%m") if len(rows) <= 24 else "",
            }
        )
        for j, (key, label, colour) in enumerate(SERIES):
            h = plot_h * row[key] / top
            bars.append(
                {
                    "x": round(x0 + j * bar, 1),
                    "y": round(TOP + plot_h - h, 1),
                    "w": round(bar * 0.9, 1),
                    "h": round(h, 1),
                    "colour": colour,
                    "title": f"{row['month']:%Y-%m} — {label}: {row[key]}",
                }
            )
    ticks = [
        {"y": round(TOP + plot_h - plot_h * k / 4, 1), "label": round(top * k / 4)}
        for k in range(5)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - 8,
        "baseline": TOP + plot_h,
        "label_y": HEIGHT - 8,
        "bars": bars,
        "months": months,
        "ticks": ticks,
        "legend": [{"label": label, "colour": colour} for _k, label, colour in SERIES],
    }


def share_bars(indicators):
    """One horizontal bar per percentage indicator, with its reference as a marker."""
    rows = []
    for indicator in indicators:
        if indicator.unit != "%" or indicator.value is None:
            continue
        value = max(0.0, min(100.0, float(indicator.value)))
        rows.append(
            {
                "label": indicator.label,
                "value": indicator.value,
                "width": value,
                "reference": indicator.reference,
                "good": indicator.meets_reference,
            }
        )
    return rows
