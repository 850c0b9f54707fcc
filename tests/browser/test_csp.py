"""The Content-Security-Policy in a real Chromium (issue 14, item 6): the main operator pages, every
tab of the customer and contract pages, the invoice and sale pages, the API's Swagger UI and the
subscriber portal run without a single policy violation or console error, and the behaviour
moved from inline scripts to static files still works (tabs, confirmations, alert modal, PIX
copy, sale items)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from enlace.billing.apps import register_ui as register_billing_ui
from enlace.billing.services.invoices import invoice_create
from enlace.contracts.apps import register_contract_tabs, register_tabs
from enlace.customers.apps import register_files_tab
from enlace.customers.services import customer_update
from enlace.radius.apps import register_ui as register_radius_ui
from enlace.sales.apps import register_ui as register_sales_ui
from enlace.support.apps import register_ui as register_support_ui
from tests.helpers.browser import log_in, wait_modal_shown

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects the violations the page reports (the listener is installed by Playwright, outside the policy).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def page(page):
    for register in (
        register_tabs,
        register_contract_tabs,
        register_files_tab,
        register_billing_ui,
        register_radius_ui,
        register_sales_ui,
        register_support_ui,
    ):
        register()  # another test may have replaced the tab registries in this process
    page.context.add_init_script(WATCH_CSP)
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__csp || []")


def visit(page, url: str, ready: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(ready).first.wait_for()
    assert violations(page) == [], url


def walk_tabs(page, bar: str) -> list[str]:
    keys = page.eval_on_selector_all(f"{bar} .nav-link[data-tab]", "links => links.map(a => a.dataset.tab)")
    for key in keys:
        page.click(f"{bar} #tab-{key}")
        page.locator(f'#tab-content [data-tab-key="{key}"]').wait_for()
        expect(page.locator(f"{bar} #tab-{key}")).to_have_class("nav-link active")  # enlace.js
        assert violations(page) == [], key
    return keys


def test_operator_pages_run_under_the_policy(page, admin_user, customer, contract, wallet):
    wallet.pix_key = "123e4567-e12b-12d1-a456-426655440000"
    wallet.save()
    invoice = invoice_create(
        actor=admin_user,
        customer=customer,
        contract=contract,
        wallet=wallet,
        due_date=timezone.localdate() + datetime.timedelta(days=5),
        amount="99.90",
    )
    customer.alert = "Cliente pede contato só à tarde."
    customer.save()

    visit(page, "/login/", "#login-form")
    log_in(page, "admin")
    visit(page, "/", "#nav-menu")

    # The customer page: its alert opens by itself (data-show-on-load), every tab loads.
    visit(page, customer.get_absolute_url(), "#customer-tabs")
    wait_modal_shown(page, "alert-modal")
    page.click("#alert-ok")
    expect(page.locator("#alert-modal")).to_be_hidden()
    keys = walk_tabs(page, "#customer-tabs")
    assert {"customer", "contracts", "finance"} <= set(keys)

    # The finance tab's selection script (a static file loaded with the tab).
    page.click("#tab-finance")
    page.locator("#invoice-selection").wait_for()
    expect(page.locator("#carne-button")).to_be_disabled()
    page.check(f'input.invoice-check[value="{invoice.pk}"]')
    expect(page.locator("#selected-count")).to_have_text("1")
    expect(page.locator("#carne-button")).to_be_enabled()

    # "Deactivate" asks first (data-confirm): dismissing keeps the customer active.
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    url = page.url
    page.click("#deactivate")
    assert questions == [page.get_attribute("form:has(#deactivate)", "data-confirm")], questions
    page.wait_for_load_state()
    assert page.url == url
    customer.refresh_from_db()
    assert customer.active

    visit(page, contract.get_absolute_url(), "#contract-tabs")
    walk_tabs(page, "#contract-tabs")

    # The invoice page: the PIX copy button answers "Copied!".
    visit(page, invoice.get_absolute_url(), "#invoice-header")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("#pix-copy")
    expect(page.locator("#pix-copy")).to_have_text(page.get_attribute("#pix-copy", "data-copied"))
    assert violations(page) == []

    # The sale form adds item rows (static/sales/sale_form.js).
    visit(page, f"/sales/add/?customer={customer.pk}", "#sale-items")
    rows = page.locator("#item-rows tr.item-row").count()
    page.click("#add-item")
    expect(page.locator("#item-rows tr.item-row")).to_have_count(rows + 1)

    visit(page, "/customers/add/", "#object-form")

    # Swagger UI renders the API's operations.
    visit(page, "/api/docs/", "#swagger-ui")
    page.locator(".opblock").first.wait_for()
    assert violations(page) == []
    assert page.problems.errors == []


def test_portal_runs_under_the_policy(page, admin_user, customer):
    customer_update(
        actor=None,
        customer=customer,
        portal_login="maria",
        portal_password="senha-portal-1",
        confirm_duplicate_address=True,
    )
    visit(page, "/portal/login/", "#portal-login-button")
    page.fill("#id_login", "maria")
    page.fill("#id_password", "senha-portal-1")
    page.click("#portal-login-button")
    page.locator("#portal-logout").wait_for()
    assert violations(page) == []
    for url in ("/portal/invoices/", "/portal/tickets/", "/portal/tickets/new/"):
        visit(page, url, "#portal-name")
    assert page.problems.errors == []
