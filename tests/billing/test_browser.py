"""Issue 6 in a real Chromium: a Financeiro operator opens the customer's "Financeiro" tab, sees the
colour legend and the rows in its colours (F-2: computed background of a blue, a red and a light
green row), settles the overdue invoice through the "Baixa" form — amount prefilled with fine and
interest (F-6, F-7) — and opens the receipt (a PDF)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from enlace.billing.apps import register_ui
from enlace.billing.models import InvoiceStatus, Payment
from enlace.billing.selectors import amount_due
from enlace.billing.services.invoices import invoice_create
from enlace.billing.services.payments import payment_create
from enlace.contracts.apps import register_contract_tabs, register_tabs
from enlace.core import roles
from enlace.core.models import Employee
from tests.helpers.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The F-2 colours as the browser computes them (billing/includes/colors.html).
BLUE = "rgb(207, 226, 255)"
RED = "rgb(248, 196, 201)"
LIGHT_GREEN = "rgb(204, 239, 207)"
DARK_GREEN = "rgb(46, 125, 50)"


@pytest.fixture
def cashier(django_user_model, branch_a):
    """A Financeiro operator of branch A."""
    user = django_user_model.objects.create_user(username="fabio", password="s3nha-Forte!")
    user.groups.add(Group.objects.get(name=roles.FINANCE))
    Employee.objects.create(name="Fábio Caixa", user=user).branches.set([branch_a])
    return user


@pytest.fixture
def page(page, cashier):
    register_tabs()  # another test may have replaced them in this process
    register_contract_tabs()
    register_ui()
    log_in(page, "fabio")
    return page


def background(page, invoice) -> str:
    return page.eval_on_selector(
        f'#tab-finance-pane tr[data-invoice="{invoice.pk}"] td:nth-child(2)',
        "cell => getComputedStyle(cell).backgroundColor",
    )


def test_finance_tab_colours_settle_and_receipt(page, admin_user, customer, wallet):
    wallet.pix_key = "123e4567-e12b-12d1-a456-426655440000"
    wallet.save()
    today = timezone.localdate()

    def invoice(days, amount="100.00"):
        return invoice_create(
            actor=admin_user,
            customer=customer,
            wallet=wallet,
            due_date=today + datetime.timedelta(days=days),
            amount=Decimal(amount),
            description="Mensalidade",
        )

    future = invoice(12)
    overdue = invoice(-10)
    paid = invoice(-20)
    payment_create(actor=admin_user, invoice=paid, date=paid.due_date)

    page.goto(f"/customers/{customer.pk}/")
    page.click("#tab-finance")
    page.wait_for_url("**?tab=finance")
    page.locator("#tab-finance-pane").wait_for()

    # The legend is on the tab, each swatch in its colour.
    legend = page.locator("#invoice-legend")
    expect(legend).to_be_visible()
    for color, rgb in (("blue", BLUE), ("red", RED), ("lightgreen", LIGHT_GREEN), ("darkgreen", DARK_GREEN)):
        swatch = legend.locator(f'[data-legend="{color}"] .invoice-swatch')
        assert swatch.evaluate("e => getComputedStyle(e).backgroundColor") == rgb, color
    # Each row in its colour (F-2).
    assert background(page, future) == BLUE
    assert background(page, overdue) == RED
    assert background(page, paid) == LIGHT_GREEN
    expect(page.locator("#total-overdue")).to_contain_text("100,00")

    # "Baixar" the overdue invoice: the amount comes with fine and interest (F-7).
    page.click(f'#tab-finance-pane tr[data-invoice="{overdue.pk}"] [data-action="settle"]')
    page.wait_for_url(re.compile(rf"/invoices/{overdue.pk}/settle/"))
    due = amount_due(overdue, today)
    assert due["fine"] == Decimal("2.00")
    # Money inputs show amounts the Brazilian way (core.fields.MoneyField, issue 19).
    expect(page.locator("#id_amount")).to_have_value(str(due["total"]).replace(".", ","))
    expect(page.locator("#id_fine")).to_have_value("2,00")
    expect(page.locator("#div_date .required-mark")).to_be_visible()  # G-1
    page.select_option("#id_method", "P")
    page.click("#save-button")

    # The payment page, with the receipt.
    page.wait_for_url(re.compile(r"/payments/\d+/"))
    payment = Payment.objects.get(invoice=overdue)
    assert payment.amount == due["total"] and payment.method == "P"
    overdue.refresh_from_db()
    assert overdue.status == InvoiceStatus.RECEIVED
    expect(page.locator(".alert-success")).to_be_visible()
    receipt = page.locator("#receipt-link")
    expect(receipt).to_have_attribute("href", f"/payments/{payment.pk}/receipt.pdf")
    with page.context.expect_event(
        "response", lambda r: r.url.endswith(f"/payments/{payment.pk}/receipt.pdf")
    ) as event:
        receipt.click()
    response = event.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = page.request.get(f"/payments/{payment.pk}/receipt.pdf")
    assert pdf.ok and pdf.body()[:4] == b"%PDF"

    # Back on the customer's tab, the invoice paid late is dark green.
    page.click("#customer-finance-link")
    page.locator("#tab-finance-pane").wait_for()
    assert background(page, overdue) == DARK_GREEN
    assert page.problems.errors == []
