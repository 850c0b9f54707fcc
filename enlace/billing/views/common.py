"""Helpers shared by the finance screens."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from enlace.core.charts import bar_chart
from enlace.core.exceptions import ApplicationError
from enlace.core.validators import validate_date_in_range

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
    """A preview's date from the query; malformed or outside 1900–2100 → the default (today)."""
    try:
        parsed = datetime.date.fromisoformat(value) if value else None
        validate_date_in_range(parsed)
    except (TypeError, ValueError, ValidationError):
        parsed = None
    return parsed or default or timezone.localdate()


def legend() -> list[dict]:
    """The colour legend of F-2, in the order the operators' manual gives it."""
    return [{"color": c.value, "label": c.label} for c in InvoiceColor]


# --- The chart of the receivables list (``selectors.amount_by_color``), inline SVG ---------------


def chart(rows: list[dict]) -> dict:
    """Geometry of the bar chart of ``rows`` by amount (drawn by ``billing/includes/chart.html``)."""
    geometry = bar_chart(rows, value_key="amount")
    geometry["total"] = sum((row["amount"] for row in rows), ZERO)
    return geometry
