"""Fixtures of the sales tests: products, a salesperson, a Comercial operator of branch A."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from enlace.core import roles
from enlace.core.models import Employee, PaymentCondition
from enlace.sales.models import Product
from enlace.sales.services import product_save


@pytest.fixture
def router_product(db):
    return product_save(
        Product(name="Roteador Wi-Fi 6", type="P", unit="UN", price=Decimal("349.90")), actor=None
    )


@pytest.fixture
def visit_product(db):
    return product_save(
        Product(name="Visita técnica", type="S", unit="H", price=Decimal("80.00")), actor=None
    )


@pytest.fixture
def salesperson(branch_a):
    employee = Employee.objects.create(name="Juliana Costa", is_salesperson=True)
    employee.branches.set([branch_a])
    return employee


@pytest.fixture
def three_times(db):
    return PaymentCondition.objects.create(
        name="3x 30/60/90", instalments=3, first_due_days=30, days_between=30
    )


@pytest.fixture
def seller(django_user_model, branch_a, branch_b):
    """A Comercial operator of branch A (sales.*, including "Alterar")."""
    user = django_user_model.objects.create_user(username="carla", password="s3nha-Forte!")
    user.groups.add(Group.objects.get(name=roles.COMMERCIAL))
    Employee.objects.create(name="Carla Vendas", user=user).branches.set([branch_a])
    return user


@pytest.fixture
def seller_web(seller):
    from django.test import Client

    client = Client()
    client.force_login(seller)
    return client


@pytest.fixture
def seller_api(seller):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token, _ = Token.objects.get_or_create(user=seller)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
