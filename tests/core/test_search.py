"""The top bar's global search (issue 19, item 2) on the demo ISP: a CPF without mask opens the
customer, a login finds its contract, name fragments without accents, protocols, nosso número and
linha digitável, IP address; results grouped by kind; branch scope holds."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from enlace.billing.models import Invoice
from enlace.core.models import Branch, Employee
from enlace.customers.models import Customer
from enlace.radius.models import Login
from enlace.support.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def _client(username="admin"):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _dropdown(client, text):
    response = client.get(
        reverse("core:search"),
        {"q": text},
        headers={"HX-Request": "true", "HX-Target": "global-search-results"},
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_cpf_without_mask_opens_the_customer(demo):
    customer = Customer.objects.filter(person_type="F", is_lead=False).exclude(cpf_cnpj="").first()
    client = _client()
    for text in (customer.cpf_cnpj, customer.cpf_cnpj_display):
        response = client.get(reverse("core:search"), {"q": text})
        assert response.status_code == 302, text
        assert response.url == reverse("customers:customer_detail", args=[customer.pk])


def test_a_login_finds_its_contract(demo):
    login = Login.objects.exclude(contract=None).first()
    html = _dropdown(_client(), login.username[:8])
    assert reverse("contracts:contract_detail", args=[login.contract_id]) in html
    assert login.username in html
    response = _client().get(reverse("core:search"), {"q": login.username.upper()})
    assert response.status_code in (200, 302)


def test_name_fragment_without_accents_and_grouping(demo):
    customer = (
        Customer.objects.filter(name__contains="ã").first()
        or Customer.objects.filter(name__contains="é").first()
    )
    assert customer is not None
    word = next(w for w in customer.name.split() if any(c in w for c in "ãéí"))
    folded = word.translate(str.maketrans("ãéí", "aei")).lower()[:4]
    html = _dropdown(_client(), folded)
    assert customer.name in html
    assert 'id="global-search-list"' in html and "search-hit" in html


def test_protocols_boletos_and_addresses(demo):
    client = _client()
    ticket = Ticket.objects.first()
    response = client.get(reverse("core:search"), {"q": ticket.protocol})
    assert reverse("support:ticket_detail", args=[ticket.pk]).encode() in (
        response.content if response.status_code == 200 else response.url.encode()
    )
    invoice = Invoice.objects.exclude(digitable_line="").first()
    for text in (invoice.digitable_line, invoice.nosso_numero_display):
        response = client.get(reverse("core:search"), {"q": text})
        assert response.status_code == 302 and response.url == reverse(
            "billing:invoice_detail", args=[invoice.pk]
        )
    login = Login.objects.exclude(contract=None).first()
    Login.objects.filter(pk=login.pk).update(fixed_ip="10.99.0.7")
    html = _dropdown(client, "10.99.0.7")
    assert login.username in html


def test_nothing_outside_the_branch_scope(demo):
    franca = Branch.objects.get(name__icontains="Franca")
    other = Customer.objects.exclude(branch=franca).filter(is_lead=False).first()
    user = get_user_model().objects.get(username="atendimento")
    Employee.objects.get(user=user).branches.set([franca])
    response = _client("atendimento").get(reverse("core:search"), {"q": other.cpf_cnpj})
    assert response.status_code == 200
    assert other.name not in response.content.decode()
    Employee.objects.get(user=user).branches.set([])


def test_the_search_box_is_on_every_page(demo):
    html = _client().get(reverse("customers:customer_list")).content.decode()
    assert 'id="global-search-q"' in html
