"""Issue 7 in a real Chromium: from the customer's "Atendimentos" tab an operator opens a ticket with a
subject whose process opens a service order; on the OS page they assign a technician, schedule,
start and finish it — the ticket goes in progress, its complementary status follows the process
and the second step's OS opens."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from enlace.support.apps import register_ui
from enlace.support.models import ServiceOrder, Ticket
from tests.helpers.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(page, admin_user):
    register_ui()  # another test may have replaced the tabs in this process
    log_in(page, "admin")
    return page


def act(page, name, *, fill=None, select=None):
    """Open the action's form on the OS page, wait until it has finished opening (Bootstrap's
    collapse animates: a click during the animation may land beside the button), fill it and
    submit it, waiting for the page the action redirects to."""
    page.wait_for_load_state()  # Bootstrap's handlers are attached
    page.click(f"#action-{name}")
    expect(page.locator(f"#form-{name}")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    for selector, value in (select or {}).items():
        page.select_option(selector, value)
    for selector, value in (fill or {}).items():
        page.fill(selector, value)
    with page.expect_navigation():
        page.click(f"#submit-{name}")


def test_ticket_with_process_from_the_customer_tab(page, customer, process_subject, technician):
    page.goto(f"/customers/{customer.pk}/")
    page.click("#tab-tickets")
    page.locator("#tab-tickets-pane").wait_for()
    page.click("#new-tickets")
    page.wait_for_url(f"**/tickets/add/?customer={customer.pk}")
    expect(page.locator("#id_status")).to_have_count(0)  # T-11: never offered
    expect(page.locator("#div_description .required-mark")).to_be_visible()
    page.select_option("#id_subject", str(process_subject.pk))
    page.fill("#id_description", "Instalar fibra no endereço do cliente")
    page.click("#save-button")
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    expect(page.locator("#ticket-status-badge")).to_have_attribute("data-status", "N")
    expect(page.locator("#complementary-status")).to_have_text("Vistoria")
    expect(page.locator("#ticket-orders tbody tr[data-order]")).to_have_count(1)

    first = ticket.service_orders.get()
    page.click(f"#ticket-orders a:has-text('{first.protocol}')")
    page.wait_for_url(f"**/service-orders/{first.pk}/")

    act(page, "assign", select={"#id_assign-technician": str(technician.pk)})
    expect(page.locator("#events tr[data-action='assign']")).to_have_count(1)

    start = (timezone.localtime() + datetime.timedelta(days=1)).replace(hour=9, minute=0)
    end = start + datetime.timedelta(hours=2)
    act(
        page,
        "schedule",
        fill={
            "#id_schedule-scheduled_start": start.strftime("%Y-%m-%dT%H:%M"),
            "#id_schedule-scheduled_end": end.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    expect(page.locator("#order-status-badge")).to_have_attribute("data-status", "AG")

    act(page, "start")
    expect(page.locator("#order-status-badge")).to_have_attribute("data-status", "EX")

    act(page, "finish", fill={"#id_finish-closing_note": "Vistoria feita, viabilidade ok"})
    expect(page.locator("#order-status-badge")).to_have_attribute("data-status", "F")

    page.click("#order-ticket")
    page.wait_for_url(f"**/tickets/{ticket.pk}/")
    expect(page.locator("#ticket-status-badge")).to_have_attribute("data-status", "EP")
    expect(page.locator("#complementary-status")).to_have_text("Instalação")
    expect(page.locator("#ticket-orders tbody tr[data-order]")).to_have_count(2)
    second = ticket.service_orders.exclude(pk=first.pk).get()
    assert second.status == ServiceOrder.Status.OPEN and second.process_step.order == 2
