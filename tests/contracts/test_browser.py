"""Issue 4, item 8, in a real Chromium: from a customer's "Contratos" tab, create a contract, activate
it, block it with a reason, see the entry (operator and reason) in the customer's "Histórico" tab
and print the report."""

import re

import pytest

from enlace.contracts.apps import register_contract_tabs, register_tabs
from enlace.contracts.models import Contract
from tests.helpers.browser import log_in, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(page, admin_user):
    """The shared browser page (tests/helpers/browser.py), logged in as the administrator."""
    register_tabs()  # another test may have replaced them in this process
    register_contract_tabs()
    log_in(page, "admin")
    return page


def test_contract_from_the_customer_page_to_the_printed_history(page, customer, plan, wallet, condition):
    page.goto(f"/customers/{customer.pk}/")
    page.click("#tab-contracts")
    page.wait_for_url("**?tab=contracts")
    page.locator("#tab-contracts-pane").wait_for()
    page.click("#new-contract")
    page.wait_for_url("**/contracts/add/**")
    # Pre-filled from the customer (CT-1).
    assert page.input_value("#id_customer") == str(customer.pk)
    assert page.input_value("#id_branch") == str(customer.branch_id)
    pick(page, "id_plan", plan.name[:5], plan.name)  # searchable pickers (core.pickers)
    page.select_option("#id_type", "I")
    page.fill("#id_due_day", "10")
    pick(page, "id_wallet", wallet.name[:5], wallet.name)
    page.select_option("#id_payment_condition", str(condition.pk))
    page.fill("#id_first_billing_date", "2026-12-10")
    page.click("#save-button")

    # Back on the customer's "Contratos" tab, which lists the new pre-contract.
    page.wait_for_url(re.compile(rf"/customers/{customer.pk}/\?tab=contracts$"))
    contract = Contract.objects.get(customer=customer)
    row = page.locator(f'#contracts tr[data-contract="{contract.pk}"]')
    row.wait_for()
    assert contract.status == "P"
    row.locator("a").first.click()
    page.wait_for_url(f"**/contracts/{contract.pk}/")

    # The contract page's tabs load in place.
    page.locator("#tab-data-pane").wait_for()
    assert plan.name in page.inner_text("#data-plan")
    page.click("#tab-billing")
    page.locator("#tab-billing-pane").wait_for()
    page.wait_for_url("**?tab=billing")
    assert page.inner_text("#billing-due-day").strip() == "10"

    page.click("#button-activate")
    page.wait_for_load_state()
    page.locator("#action-block").wait_for()
    contract.refresh_from_db()
    assert contract.status == "A" and contract.access_status == "A"

    page.fill("#reason-block", "Pedido do cliente")
    page.click("#button-block")
    page.locator("#action-unblock").wait_for()
    contract.refresh_from_db()
    assert contract.access_status == "CM"

    # The customer's "Histórico" tab shows the entry with the operator and the reason.
    page.goto(f"/customers/{customer.pk}/")
    page.click("#tab-history")
    page.locator("#tab-history-pane").wait_for()
    entry = page.locator("#history tbody tr", has_text="Pedido do cliente")
    entry.wait_for()
    assert "admin" in entry.inner_text()

    # "Imprimir": the PDF report.
    with page.context.expect_event("response", lambda r: "history.pdf" in r.url) as info:
        page.click("#print-history")
    response = info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = page.request.get(response.url).body()
    assert body.startswith(b"%PDF")
    assert page.problems.errors == []
