"""Helpers shared by the finance screens (the ones every area shares — ``safe_next``,
``error_messages``, ``legend`` — are in ``enlace.core.views.common``)."""

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone

from enlace.core.charts import bar_chart
from enlace.core.validators import validate_date_in_range

from ..models import ZERO


def pdf_response(pdf: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{file_name}"'
    return response


def parse_date(value, default: datetime.date | None = None) -> datetime.date:
    """A preview's date from the query; malformed or outside 1900–2100 → the default (today)."""
    try:
        parsed = datetime.date.fromisoformat(value) if value else None
        validate_date_in_range(parsed)
    except (TypeError, ValueError, ValidationError):
        parsed = None
    return parsed or default or timezone.localdate()


# --- The chart of the receivables list (``selectors.amount_by_color``), inline SVG ---------------


def chart(rows: list[dict]) -> dict:
    """Geometry of the bar chart of ``rows`` by amount (drawn by ``billing/includes/chart.html``)."""
    geometry = bar_chart(rows, value_key="amount")
    geometry["total"] = sum((row["amount"] for row in rows), ZERO)
    return geometry
