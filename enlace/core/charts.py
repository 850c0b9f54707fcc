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
