"""Issue 9 in a real Chromium: a subscriber logs in to the portal on a phone-sized window, sees the
overdue invoice in red, copies the PIX "copia e cola" code, and opens a ticket; an operator sees the
ticket with origin Hotsite in the staff UI and answers it with a public message and a private
note; the subscriber sees the public reply and not the note."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from enlace.billing.selectors import invoice_pix
from enlace.billing.services.invoices import invoice_create
from enlace.contracts.services import contract_activate
from enlace.customers.services import customer_update
from enlace.support.models import Ticket
from tests.helpers.browser import PageProblems, log_in
from tests.portal.conftest import PASSWORD, PIX_KEY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: F-2's red as the browser computes it (billing/includes/colors.html).
RED = "rgb(248, 196, 201)"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def portal_page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url,
        locale="pt-BR",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.problems = PageProblems(page)
    yield page
    context.close()


@pytest.fixture
def staff_page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, locale="pt-BR", viewport={"width": 1366, "height": 860}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.problems = PageProblems(page)
    yield page
    context.close()


@pytest.fixture
def setup(admin_user, customer, contract, wallet, department):
    from enlace.support.models import Subject

    customer_update(
        actor=None,
        customer=customer,
        portal_login="maria",
        portal_password=PASSWORD,
        email="maria@example.com",
    )
    contract_activate(actor=admin_user, contract=contract)
    wallet.pix_key = PIX_KEY
    wallet.save()
    invoice = invoice_create(
        actor=admin_user,
        customer=customer,
        contract=contract,
        wallet=wallet,
        due_date=timezone.localdate() - datetime.timedelta(days=7),
        amount="99.90",
    )
    subject = Subject.objects.create(
        name="Sem conexão",
        default_description="Cliente sem conexão",
        default_opening_message="Recebemos seu pedido e vamos analisar.",
        default_department=department,
        portal_visible=True,
        purpose="T",
    )
    return {"invoice": invoice, "subject": subject, "contract": contract}


def test_subscriber_pays_with_pix_opens_a_ticket_and_sees_the_operators_reply(portal_page, staff_page, setup):
    page = portal_page
    invoice = setup["invoice"]

    # Log in on a phone
    page.goto("/portal/")
    page.wait_for_url("**/portal/login/")
    page.fill("#id_login", "maria")
    page.fill("#id_password", PASSWORD)
    page.click("#portal-login-button")
    page.wait_for_url(re.compile(r"/portal/$"))
    expect(page.locator("#portal-greeting")).to_contain_text("Maria Souza")
    expect(page.locator("#overdue-alert")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll

    # The menu folds into the toggler on a phone
    expect(page.locator("#nav-invoices")).to_be_hidden()
    page.click(".navbar-toggler")
    # wait for the menu to finish opening (Bootstrap animates it; a click meanwhile may miss)
    expect(page.locator("#portal-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.click("#nav-invoices")
    page.wait_for_url("**/portal/invoices/")

    # The overdue invoice in red
    card = page.locator(f"#invoice-{invoice.pk}")
    expect(card).to_have_attribute("data-color", "red")
    assert card.evaluate("el => getComputedStyle(el).borderLeftColor") == RED
    assert card.locator(".invoice-status").evaluate("el => getComputedStyle(el).backgroundColor") == RED

    # PIX copia e cola
    card.locator(".invoice-pay").click()
    page.wait_for_url(f"**/portal/invoices/{invoice.pk}/")
    expect(page.locator("#pix-qr")).to_be_visible()
    page.click("#pix-copy")
    expect(page.locator("#pix-copied")).to_be_visible()
    expect(page.locator("#pix-copied")).not_to_be_empty()
    # overdue: the PIX charges the amount due today (issue 16)
    assert page.evaluate("navigator.clipboard.readText()") == invoice_pix(invoice)[0]

    # Novo atendimento
    page.goto("/portal/tickets/new/")
    page.select_option("#id_subject", str(setup["subject"].pk))
    page.fill("#id_description", "Sem internet desde ontem à noite.")
    page.click("#ticket-submit")
    page.wait_for_url(re.compile(r"/portal/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    expect(page.locator("#ticket-protocol")).to_have_text(ticket.protocol)
    expect(page.locator("#ticket-messages")).to_contain_text("Recebemos seu pedido e vamos analisar.")

    # The operator answers in the staff UI: the ticket came from the Hotsite
    log_in(staff_page, "admin")
    staff_page.goto(f"/tickets/{ticket.pk}/")
    expect(staff_page.locator("dl")).to_contain_text("Hotsite")
    staff_page.fill("#id_text", "Um técnico vai até você amanhã de manhã.")
    expect(staff_page.locator("#id_public")).to_be_checked()
    staff_page.click("#send-message")
    expect(staff_page.locator("#thread")).to_contain_text("Um técnico vai até você amanhã de manhã.")
    staff_page.fill("#id_text", "Nota interna: cliente já ligou duas vezes.")
    staff_page.uncheck("#id_public")
    staff_page.click("#send-message")
    expect(staff_page.locator("#thread")).to_contain_text("Nota interna")

    # The subscriber sees the public reply, not the private note
    page.reload()
    thread = page.locator("#ticket-messages")
    expect(thread).to_contain_text("Um técnico vai até você amanhã de manhã.")
    expect(thread).not_to_contain_text("Nota interna")

    # and replies
    page.fill("#id_text", "Obrigada, estarei em casa.")
    page.click("#reply-submit")
    expect(page.locator("#ticket-messages")).to_contain_text("Obrigada, estarei em casa.")

    assert page.problems.errors == [] and staff_page.problems.errors == []
