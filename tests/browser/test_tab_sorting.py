"""Issue 19 item 6 in a real Chromium: sorting a column of a customer page's tab (Atendimentos)
reopens that tab, sorted — not the "Cliente" tab."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enlace.core.models import Department
from enlace.support.models import Subject
from enlace.support.services import ticket_create
from tests.helpers.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sorting_the_tickets_tab_stays_in_it(page, admin_user, customer):
    department = Department.objects.create(name="Suporte")
    subject = Subject.objects.create(name="Sem conexão", default_department=department)
    ticket_create(actor=admin_user, customer=customer, subject=subject, description="Caiu")
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "admin")
    page.goto(f"{reverse('customers:customer_detail', args=[customer.pk])}?tab=tickets")
    header = page.locator("#tab-tickets-pane th a").first
    expect(header).to_be_visible()
    header.click()
    page.wait_for_url(re.compile(r"[?&]sort="))
    assert "tab=tickets" in page.url
    expect(page.locator("#tab-tickets")).to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator("#tab-tickets-pane")).to_be_visible()
    assert page.problems.errors == []
