"""Issue 19, items 3, 4 and 6 without a browser: money typed the Brazilian way, the pickers'
JSON endpoints in the branch scope, the customer form without the 5,570 cities, "Adicionar" on the
tickets and service orders lists asking for the customer instead of answering 403."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enlace.core.fields import MoneyField, parse_decimal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("150,00", "150.00"),
        ("1.234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("R$ 150,00", "150.00"),
        ("1.234.567", "1234567"),
        ("0,5", "0.5"),
        ("150", "150"),
    ],
)
def test_money_is_read_the_brazilian_way(text, value):
    assert parse_decimal(text) == Decimal(value)


def test_money_field_refuses_what_it_cannot_read_and_never_multiplies():
    field = MoneyField()
    assert field.clean("150,00") == Decimal("150.00")
    for text in ("abc", "1.234", "12,345"):  # "1.234": three decimal places, refused
        with pytest.raises(ValidationError):
            field.clean(text)


def test_every_money_field_of_a_form_is_a_money_field(contract, admin_user):
    from enlace.contracts.forms import ContractForm

    form = ContractForm(user=admin_user, instance=contract)
    for name in ("price", "discount", "installation_fee"):
        assert isinstance(form.fields[name], MoneyField), name
    html = str(form["installation_fee"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html and "data-money" in html


def test_the_contract_form_shows_money_in_reais(admin_web, contract):
    response = admin_web.get(reverse("contracts:contract_edit", args=[contract.pk]))
    assert response.status_code == 200
    assert '<span class="input-group-text">R$</span>' in response.content.decode()


def test_pickers_answer_json_within_the_branch_scope(operator_a_web, customer, customer_b):
    url = reverse("core:pick", args=["customer"])
    found = operator_a_web.get(url, {"q": customer.name.split()[0]}).json()["results"]
    assert [r["value"] for r in found] == [str(customer.pk)]
    other = operator_a_web.get(url, {"q": customer_b.name.split()[0]}).json()["results"]
    assert str(customer_b.pk) not in [r["value"] for r in other]
    cities = operator_a_web.get(reverse("core:pick", args=["city"]), {"q": "São Paulo/SP"}).json()["results"]
    assert cities[0]["text"] == "São Paulo/SP"
    assert operator_a_web.get(reverse("core:pick", args=["nothing"])).status_code == 404


def test_the_customer_form_no_longer_carries_every_city(admin_web):
    response = admin_web.get(reverse("customers:customer_add"))
    assert response.status_code == 200
    assert len(response.content) < 150_000
    assert response.content.decode().count("<option") < 200


def test_adding_a_ticket_or_an_order_from_the_list_asks_for_the_customer(admin_web, customer):
    for name in ("support:ticket_add", "support:serviceorder_add"):
        response = admin_web.get(reverse(name))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert 'id="choose-customer-form"' in html and "data-picker" in html
        response = admin_web.get(reverse(name), {"customer": customer.pk})
        assert response.status_code == 200
        assert 'id="object-form"' in response.content.decode()
