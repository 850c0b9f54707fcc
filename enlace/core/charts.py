"""Geometry of the horizontal bar charts drawn as inline SVG (no JavaScript, no CDN): the
receivables by colour (billing) and the open tickets by department (support). The template
``includes/bar_chart.html`` draws what ``bar_chart`` computes."""

WIDTH = 640
BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 190
VALUE_WIDTH = 150


def bar_chart(rows: list[dict], *, value_key: str) -> dict:
    """Bars for ``rows`` (dicts with at least ``value_key``; every key is kept on its bar), scaled to
    the largest value, plus the chart's size, ``total`` (sum of the values) and ``count`` (sum of
    the rows' ``count``, when they have one)."""
    values = [row[value_key] for row in rows]
    largest = max(values, default=0)
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for n, (row, value) in enumerate(zip(rows, values, strict=True)):
        width = int(plot * value / largest) if largest else 0
        y = n * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            {
                **row,
                "value": value,
                "y": y,
                "text_y": y + BAR_HEIGHT // 2 + 5,
                "width": max(width, 2 if value else 0),
                "value_x": LABEL_WIDTH + max(width, 2) + 6,
            }
        )
    return {
        "bars": bars,
        "width": WIDTH,
        "height": len(rows) * (BAR_HEIGHT + BAR_GAP),
        "bar_height": BAR_HEIGHT,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "total": sum(values),
        "count": sum(row.get("count", 0) for row in rows),
    }


COLUMN_WIDTH = 640
COLUMN_HEIGHT = 160
COLUMN_TOP = 10
COLUMN_BOTTOM = 22
COLUMN_LEFT = 8


def column_chart(chart: dict) -> dict:
    """Geometry of a column chart (the dashboard's months or hours): ``chart`` has ``labels`` (one
    per period) and ``series`` (each ``label``, ``values`` — one per period — and ``colour``); the
    series of a period stand side by side, scaled to the largest value. The template
    ``core/includes/column_chart.html`` draws it."""
    labels = chart["labels"]
    series = chart["series"]
    largest = max((v for s in series for v in s["values"]), default=0) or 1
    slot = (COLUMN_WIDTH - COLUMN_LEFT) / max(len(labels), 1)
    bar = max((slot - 6) / max(len(series), 1), 2)
    plot = COLUMN_HEIGHT - COLUMN_TOP - COLUMN_BOTTOM
    columns = []
    for n, label in enumerate(labels):
        x0 = COLUMN_LEFT + n * slot + 3
        bars = []
        for k, item in enumerate(series):
            value = item["values"][n]
            height = float(value) / float(largest) * plot
            height = max(height, 1 if value else 0)
            bars.append(
                {
                    "x": round(x0 + k * bar, 1),
                    "y": round(COLUMN_TOP + plot - height, 1),
                    "width": round(bar - 1, 1),
                    "height": round(height, 1),
                    "value": value,
                    "label": item["label"],
                    "colour": item["colour"],
                    "money": item.get("money", False),
                }
            )
        columns.append({"label": label, "text_x": round(x0 + (slot - 6) / 2, 1), "bars": bars})
    return {
        **chart,
        "columns": columns,
        "width": COLUMN_WIDTH,
        "height": COLUMN_HEIGHT,
        "label_y": COLUMN_HEIGHT - 6,
        "totals": [
            {
                "label": s["label"],
                "colour": s["colour"],
                "total": sum(s["values"]),
                "money": s.get("money", False),
            }
            for s in series
        ],
    }
