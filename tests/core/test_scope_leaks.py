"""Error messages do not leak another branch's records (issue 14, item 3): a record out of the
operator's scope is reported exactly as a missing one, and never named."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enlace.radius.services import login_create, login_update
from enlace.sales.models import Product
from enlace.sales.services import product_save, sale_create, sale_finish
from tests.helpers.contracts import make_wallet

pytestmark = pytest.mark.django_db


@pytest.fixture
def login_b(admin_user, contract_b):
    return login_create(
        actor=admin_user,
        contract=contract_b,
        username="joao@campinas",
        password="segredo123",
        fixed_ip="100.65.0.9",
    )


@pytest.fixture
def login_a(admin_user, contract):
    return login_create(actor=admin_user, contract=contract, username="maria@fibra", password="segredo123")


def test_a_fixed_ip_of_another_branch_is_in_use_without_naming_the_login(operator_a_admin, login_a, login_b):
    with pytest.raises(ValidationError) as refused:
        login_update(actor=operator_a_admin, login=login_a, fixed_ip="100.65.0.9")
    messages = refused.value.message_dict["fixed_ip"]
    assert "joao@campinas" not in " ".join(messages)
    assert "campinas" not in str(refused.value.message_dict)


def test_the_api_does_not_name_another_branchs_login(operator_a_admin_api, login_a, login_b):
    response = operator_a_admin_api.patch(
        reverse("api:login-detail", args=[login_a.pk]), {"fixed_ip": "100.65.0.9"}, format="json"
    )
    assert response.status_code == 400
    assert "fixed_ip" in response.json()
    assert "joao@campinas" not in response.text


def test_a_fixed_ip_of_the_same_branch_names_the_login(operator_a_admin, admin_user, contract, login_a):
    other = login_create(
        actor=admin_user,
        contract=contract,
        username="maria2@fibra",
        password="segredo123",
        fixed_ip="100.65.0.7",
    )
    with pytest.raises(ValidationError) as refused:
        login_update(actor=operator_a_admin, login=login_a, fixed_ip="100.65.0.7")
    assert other.username in " ".join(refused.value.message_dict["fixed_ip"])


@pytest.fixture
def open_sale(admin_user, customer, wallet):
    product = product_save(Product(name="Roteador", price=Decimal("100.00")), actor=None)
    return sale_create(actor=admin_user, customer=customer, items=[{"product": product}])


def test_finishing_a_sale_with_another_branchs_wallet_answers_as_a_missing_wallet(
    operator_a_admin_api, open_sale, branch_b
):
    theirs = make_wallet(branch_b, name="Carteira Campinas")
    url = reverse("api:sale-finish", args=[open_sale.pk])
    missing = operator_a_admin_api.post(url, {"generate_receivables": True, "wallet": 999_999}, format="json")
    other = operator_a_admin_api.post(url, {"generate_receivables": True, "wallet": theirs.pk}, format="json")
    assert missing.status_code == other.status_code == 400
    # the same answer as for an id that does not exist, but for the id itself
    assert other.text.replace(f'\\"{theirs.pk}\\"', '\\"999999\\"') == missing.text, (
        other.text,
        missing.text,
    )
    assert "branch" not in other.text.lower()
    open_sale.refresh_from_db()
    assert open_sale.is_open


def test_the_service_refuses_another_branchs_wallet_as_an_invalid_choice(
    operator_a_admin, open_sale, branch_b
):
    theirs = make_wallet(branch_b, name="Carteira Campinas")
    with pytest.raises(ValidationError) as refused:
        sale_finish(actor=operator_a_admin, sale=open_sale, generate_receivables=True, wallet=theirs)
    assert list(refused.value.message_dict) == ["wallet"]
    assert "Campinas" not in str(refused.value.message_dict)
    open_sale.refresh_from_db()
    assert open_sale.is_open
