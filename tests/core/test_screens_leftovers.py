"""Issue 19 items 4–6, what was left: titles and messages in local time (never UTC), the competência
as "12/2026", speeds as "300 Mbps", "Todos" on yes/no filters, sorting a customer tab's column
stays in the tab, and the searchable pickers on the employee and pool fields."""

import datetime
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from enlace.billing.models import BillingRun
from enlace.billing.services.invoices import invoice_create
from enlace.contracts.models import ContractHistory
from enlace.core import display
from enlace.core.models import Employee
from enlace.support.models import ServiceOrderEvent, Ticket, TicketMessage

pytestmark = pytest.mark.django_db

MOMENT = datetime.datetime(2026, 12, 7, 13, 39, tzinfo=datetime.UTC)  # 10:39 in São Paulo


@pytest.fixture(autouse=True)
def portuguese(settings):
    settings.LANGUAGE_CODE = "pt-br"
    with translation.override("pt-br"):
        yield


# --- Local time ------------------------------------------------------------------------------------


def test_titles_of_timed_records_are_in_local_time():
    assert display.local_datetime(MOMENT) == "07/12/2026 10:39"
    entry = ContractHistory(kind=ContractHistory._meta.get_field("kind").choices[0][0], created_at=MOMENT)
    assert str(entry).endswith("— 07/12/2026 10:39")
    event = ServiceOrderEvent(
        action=ServiceOrderEvent._meta.get_field("action").choices[0][0], created_at=MOMENT
    )
    assert str(event).endswith("— 07/12/2026 10:39")


def test_ticket_message_title_in_local_time():
    message = TicketMessage(ticket=Ticket(protocol="20261207000001"), created_at=MOMENT)
    assert str(message).endswith("— 07/12/2026 10:39")


# --- Competência and speeds ------------------------------------------------------------------------


def test_competence_and_speed_filters():
    html = Template("{% load enlace %}{{ p|competence }} {{ s|speed }}").render(
        Context({"p": "2026-12", "s": 300000})
    )
    assert html == "12/2026 300 Mbps"
    assert display.competence("") == "" and display.speed(512) == "512 kbps"
    assert str(BillingRun(period="2026-12")).endswith("12/2026")


def test_invoice_list_shows_the_competence_as_month_and_year(admin_web, admin_user, customer, wallet):
    invoice_create(
        actor=admin_user,
        customer=customer,
        wallet=wallet,
        due_date=timezone.localdate() + datetime.timedelta(days=10),
        amount=Decimal("100.00"),
        period="2026-12",
    )
    html = admin_web.get(reverse("billing:invoice_list")).content.decode()
    assert "12/2026" in html and ">2026-12<" not in html
    body = admin_web.get(reverse("billing:invoice_list"), {"export": "csv"}).content.decode("utf-8-sig")
    assert ";12/2026;" in body


def test_plan_speeds_in_mbps(admin_web, plan):
    html = admin_web.get(reverse("contracts:plan_list")).content.decode()
    assert "500 Mbps / 250 Mbps" in html and "500000k" not in html


# --- Filters ---------------------------------------------------------------------------------------


def test_yes_no_filters_offer_todos(admin_web):
    html = admin_web.get(reverse("core:branch_list")).content.decode()
    select = re.search(r'<select name="active".*?</select>', html, re.S).group(0)
    assert ">Todos<" in select and "Desconhecido" not in select
    assert ">Sim<" in select and ">Não<" in select


# --- Sorting inside a customer tab -----------------------------------------------------------------


def test_sorting_a_customer_tab_stays_in_the_tab(admin_web, customer):
    page = admin_web.get(f"/customers/{customer.pk}/?tab=tickets&sort=priority").content.decode()
    # the tab is loaded with the page's query: its table comes sorted and its links keep the tab
    assert f'hx-get="/customers/{customer.pk}/tab/tickets/?tab=tickets&amp;sort=priority"' in page
    assert f'hx-get="/customers/{customer.pk}/tab/tickets/?tab=tickets" hx-target' in page  # the tab bar
    tab = admin_web.get(f"/customers/{customer.pk}/tab/tickets/?tab=tickets", HTTP_HX_REQUEST="true")
    links = re.findall(r'<th[^>]*>\s*<a href="([^"]+)"', tab.content.decode())
    assert links and all("tab=tickets" in link and "sort=" in link for link in links)


# --- Pickers ---------------------------------------------------------------------------------------


def test_employee_pickers_offer_only_the_right_people(admin_web, branch_a):
    tech = Employee.objects.create(name="Tiago Técnico", is_technician=True)
    seller = Employee.objects.create(name="Sara Vendas", is_salesperson=True)
    tech.branches.set([branch_a])
    seller.branches.set([branch_a])
    names = lambda kind: {r["text"] for r in admin_web.get(f"/pick/{kind}/", {"q": ""}).json()["results"]}  # noqa: E731
    assert "Tiago Técnico" in names("technician") and "Sara Vendas" not in names("technician")
    assert "Sara Vendas" in names("salesperson") and "Tiago Técnico" not in names("salesperson")
    assert {"Tiago Técnico", "Sara Vendas"} <= names("employee")


def test_forms_use_the_pickers(admin_web, customer, active_contract):
    def pickers(url):
        return re.findall(r'name="(\w+)"[^>]*data-picker="/pick/(\w+)/"', admin_web.get(url).content.decode())

    assert ("salesperson", "salesperson") in pickers(reverse("customers:customer_add"))
    assert ("salesperson", "employee") in pickers(reverse("contracts:contract_add"))
    assert ("responsible", "employee") in pickers(f"{reverse('support:ticket_add')}?customer={customer.pk}")
    assert ("radius_pool", "pool") in pickers(f"/logins/add/?contract={active_contract.pk}")
    assert ("salesperson", "salesperson") in pickers(f"{reverse('sales:sale_add')}?customer={customer.pk}")
