"""The receivables list's amount by colour and row count (one aggregate over the filtered rows) is
kept for a while when it was slow to compute — a broad filter scans the whole invoice table — and
then shown with the time it was computed; a cheap one is computed on every view (issue 22)."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from enlace.billing.services.invoices import invoice_create
from enlace.billing.services.payments import payment_create
from enlace.core import slowcache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _invoice(customer, wallet, amount="100.00"):
    return invoice_create(
        actor=None,
        customer=customer,
        wallet=wallet,
        due_date=timezone.localdate() + datetime.timedelta(days=5),
        amount=Decimal(amount),
        description="Serviço avulso",
    )


def _chart(admin_web) -> tuple[int, str]:
    response = admin_web.get(reverse("billing:invoice_list"))
    assert response.status_code == 200
    html = response.content.decode()
    return response.context["chart"]["count"], html


def test_cheap_figures_follow_every_change(admin_web, admin_user, customer, wallet):
    _invoice(customer, wallet)
    assert _chart(admin_web)[0] == 1
    invoice = _invoice(customer, wallet)
    count, html = _chart(admin_web)
    assert count == 2 and "chart-computed-at" not in html
    payment_create(actor=admin_user, invoice=invoice, amount=invoice.amount, date=timezone.localdate())
    assert _chart(admin_web)[0] == 2


def test_slow_figures_are_kept_and_dated(admin_web, customer, wallet, monkeypatch):
    monkeypatch.setattr(slowcache, "SLOW_SECONDS", -1)  # every computation counts as slow
    _invoice(customer, wallet)
    count, html = _chart(admin_web)
    assert count == 1 and "chart-computed-at" not in html  # computed now

    _invoice(customer, wallet)
    count, html = _chart(admin_web)
    assert count == 1 and "chart-computed-at" in html  # the kept figures, with their time
    local = timezone.localtime().strftime("%H:")
    assert local in html.split("chart-computed-at", 1)[1][:120]

    # Another filter is another query: its own figures.
    response = admin_web.get(reverse("billing:invoice_list"), {"status": "A"})
    assert response.context["chart"]["count"] == 2

    cache.clear()  # after TTL_SECONDS
    assert _chart(admin_web)[0] == 2
