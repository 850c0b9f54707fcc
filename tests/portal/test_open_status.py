"""Issue 19 item 7: the portal names an unpaid invoice in the subscriber's words — "Em aberto" —
not the ISP's "A receber"."""

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_open_invoice_is_open_to_the_subscriber(maria_web, maria_invoice):
    page = maria_web.get(reverse("portal:invoices")).text
    assert "Open" in page and "To receive" not in page


def test_open_invoice_reads_em_aberto_in_portuguese(settings, maria_web, maria_invoice):
    settings.LANGUAGE_CODE = "pt-br"
    with translation.override("pt-br"):
        page = maria_web.get(reverse("portal:invoices"), HTTP_ACCEPT_LANGUAGE="pt-br").text
    assert "Em aberto" in page and "A receber" not in page
