"""Fixtures of the subscriber portal tests: two customers with portal accounts (Maria, of
``branch_a``, and João, of ``branch_b``), their contracts, invoices, logins and tickets, and a
helper that logs a Django test client in through the portal's own login form."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from enlace.billing.services.invoices import invoice_create
from enlace.contracts.services import contract_activate
from enlace.customers.services import customer_update
from enlace.radius.freeradius import RadAcct
from enlace.radius.services import login_create

PASSWORD = "senha-portal-1"  # noqa: S105 - test credential
PIX_KEY = "123e4567-e12b-12d1-a456-426655440000"
HOME_IP = "100.64.0.10"


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are asserted by their English msgids (the pt-BR catalog translates them): the
    portal's pages answer in English to a client that asks for no language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def portal_login(client: Client, login: str, password: str = PASSWORD, ip: str = "198.51.100.1"):
    return client.post(reverse("portal:login"), {"login": login, "password": password}, REMOTE_ADDR=ip)


def open_session(login, ip: str = HOME_IP, *, stopped: bool = False, suffix: str = "1"):
    now = timezone.now()
    return RadAcct.objects.create(
        acctsessionid=f"81a0000{suffix}",
        acctuniqueid=f"uniq-{login.username}-{suffix}",
        username=login.username,
        nasipaddress="10.0.0.1",
        acctstarttime=now - datetime.timedelta(hours=2),
        acctupdatetime=now - datetime.timedelta(minutes=3),
        acctstoptime=now - datetime.timedelta(minutes=1) if stopped else None,
        framedipaddress=ip,
    )


@pytest.fixture
def maria(customer):
    """``customer`` (Maria Souza, branch_a) with a portal account and an e-mail."""
    return customer_update(
        actor=None,
        customer=customer,
        portal_login="maria",
        portal_password=PASSWORD,
        email="maria@example.com",
        confirm_duplicate_address=True,
    )


@pytest.fixture
def joao(customer_b):
    return customer_update(
        actor=None,
        customer=customer_b,
        portal_login="joao",
        portal_password=PASSWORD,
        email="joao@example.com",
        confirm_duplicate_address=True,
    )


@pytest.fixture
def maria_contract(admin_user, maria, contract):
    return contract_activate(actor=admin_user, contract=contract)


@pytest.fixture
def joao_contract(admin_user, joao, contract_b):
    return contract_activate(actor=admin_user, contract=contract_b)


def _pix_wallet(wallet):
    wallet.pix_key = PIX_KEY
    wallet.save()
    return wallet


@pytest.fixture
def maria_invoice(admin_user, maria_contract, wallet):
    """An overdue invoice of Maria (red)."""
    return invoice_create(
        actor=admin_user,
        customer=maria_contract.customer,
        contract=maria_contract,
        wallet=_pix_wallet(wallet),
        due_date=timezone.localdate() - datetime.timedelta(days=5),
        amount="99.90",
    )


@pytest.fixture
def joao_invoice(admin_user, joao_contract, wallet_b):
    return invoice_create(
        actor=admin_user,
        customer=joao_contract.customer,
        contract=joao_contract,
        wallet=_pix_wallet(wallet_b),
        due_date=timezone.localdate() + datetime.timedelta(days=5),
        amount="79.90",
    )


@pytest.fixture
def maria_login(admin_user, maria_contract):
    return login_create(
        actor=admin_user, contract=maria_contract, username="maria@fibra.com.br", password="Segredo123abc"
    )


@pytest.fixture
def joao_login(admin_user, joao_contract):
    return login_create(
        actor=admin_user, contract=joao_contract, username="joao@fibra.com.br", password="Segredo123abc"
    )


@pytest.fixture
def department(db):
    from enlace.core.models import Department

    return Department.objects.create(name="Suporte técnico", serves_tickets=True)


@pytest.fixture
def subject(department):
    from enlace.support.models import Subject

    return Subject.objects.create(
        default_department=department,
        name="Sem conexão",
        default_description="Cliente sem conexão",
        default_opening_message="Recebemos seu pedido e vamos analisar.",
        portal_visible=True,
        purpose="T",
    )


@pytest.fixture
def hidden_subject(department):
    from enlace.support.models import Subject

    return Subject.objects.create(
        name="Cobrança interna", portal_visible=False, purpose="T", default_department=department
    )


def make_ticket(customer, subject, contract=None, description="Internet caiu"):
    from enlace.support.services import ticket_create

    return ticket_create(
        actor=None, customer=customer, subject=subject, description=description, contract=contract
    )


@pytest.fixture
def maria_web(maria):
    client = Client()
    response = portal_login(client, "maria")
    assert response.status_code == 302 and response.url == reverse("portal:home")
    return client


@pytest.fixture
def joao_web(joao):
    client = Client()
    response = portal_login(client, "joao")
    assert response.status_code == 302
    return client
