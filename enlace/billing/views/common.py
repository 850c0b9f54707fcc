"""Helpers shared by the finance screens."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from enlace.core.exceptions import ApplicationError

from ..filtersets import color_condition
from ..models import ZERO, InvoiceColor


def pdf_response(pdf: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{file_name}"'
    return response


def error_messages(request, exc) -> None:
    """A service's refusal as messages at the top of the next page."""
    if isinstance(exc, ApplicationError):
        messages.error(request, exc.message)
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def parse_date(value, default: datetime.date | None = None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else (default or timezone.localdate())
    except (TypeError, ValueError):
        return default or timezone.localdate()


def legend() -> list[dict]:
    """The colour legend of F-2, in the order the operators' manual gives it."""
    return [{"color": c.value, "label": c.label} for c in InvoiceColor]


# --- The chart of the receivables list: amount by colour, inline SVG ----------------------------------

CHART_WIDTH = 640
BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 190
VALUE_WIDTH = 150


def amount_by_color(queryset, today: datetime.date | None = None) -> list[dict]:
    """Amount and count of ``queryset``'s invoices per F-2 colour (one query)."""
    today = today or timezone.localdate()
    aggregates = {}
    for color in InvoiceColor:
        condition = color_condition(color, today)
        aggregates[f"{color.value}_amount"] = Sum("amount", filter=condition)
        aggregates[f"{color.value}_count"] = Count("pk", filter=condition)
    values = queryset.order_by().aggregate(**aggregates)
    return [
        {
            "color": color.value,
            "label": color.label,
            "amount": values[f"{color.value}_amount"] or ZERO,
            "count": values[f"{color.value}_count"] or 0,
        }
        for color in InvoiceColor
    ]


def chart(rows: list[dict]) -> dict:
    """Geometry of a horizontal bar chart of ``rows`` (drawn by ``billing/includes/chart.html``)."""
    largest = max((row["amount"] for row in rows), default=ZERO)
    plot = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for n, row in enumerate(rows):
        width = int(Decimal(plot) * row["amount"] / largest) if largest else 0
        y = n * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            {
                **row,
                "y": y,
                "text_y": y + BAR_HEIGHT // 2 + 5,
                "width": max(width, 2 if row["amount"] else 0),
                "value_x": LABEL_WIDTH + max(width, 2) + 6,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": len(rows) * (BAR_HEIGHT + BAR_GAP),
        "bar_height": BAR_HEIGHT,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "total": sum((row["amount"] for row in rows), ZERO),
        "count": sum(row["count"] for row in rows),
    }
