"""Fixtures of the fiscal tests: the SEFAZ stand-in, a branch with its emitter settings and a test A1,
a customer with an address, invoices."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from enlace.billing.services.invoices import invoice_create
from enlace.core.models import City
from enlace.customers.models import Customer
from enlace.fiscal.models import FiscalSettings
from enlace.fiscal.services import fiscal_settings_save

PASSWORD = "s3nha-A1"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def a1(test_ca, branch_a):
    return test_ca.a1(branch_a.cnpj, PASSWORD)


@pytest.fixture
def fiscal(admin_user, branch_a, a1, sefaz):
    branch_a.street, branch_a.number, branch_a.neighborhood = "Av. Paulista", "1000", "Bela Vista"
    branch_a.save()
    settings = FiscalSettings(
        branch=branch_a,
        cnpj=branch_a.cnpj,
        ie="123456789012",
        crt="3",
        city=branch_a.city,
        icms_rate=Decimal("18"),
        fust_rate=Decimal("1"),
        funttel_rate=Decimal("0.5"),
        sefaz_url=sefaz.url,
    )
    return fiscal_settings_save(instance=settings, actor=admin_user, certificate=a1, password=PASSWORD)


@pytest.fixture
def addressed_customer(customer):
    Customer.objects.filter(pk=customer.pk).update(
        city=City.objects.get(code=3550308),
        street="Rua Augusta",
        number="500",
        neighborhood="Consolação",
        cep="01305000",
    )
    customer.refresh_from_db()
    return customer


@pytest.fixture
def make_invoice(admin_user, addressed_customer, wallet):
    def make(amount="99.90", **extra):
        values = {
            "customer": addressed_customer,
            "wallet": wallet,
            "amount": Decimal(amount),
            "due_date": datetime.date(2026, 12, 20),
            "description": "Fibra 500",
        }
        values.update(extra)
        return invoice_create(actor=admin_user, **values)

    return make
