"""The customer page's "Contratos" tab (SPEC CT-1)."""

import pytest

from enlace.contracts.apps import register_tabs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def contracts_tab():
    register_tabs()  # another test may have replaced it in this process


def test_tab_on_the_customer_page(admin_web, customer):
    html = admin_web.get(f"/customers/{customer.pk}/?tab=contracts").content.decode()
    assert f"/customers/{customer.pk}/tab/contracts/" in html


def test_tab_lists_the_contracts_and_starts_a_new_one(admin_web, contract, customer, plan):
    response = admin_web.get(f"/customers/{customer.pk}/tab/contracts/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-contract="{contract.pk}"' in html and plan.name in html
    assert f"/contracts/add/?customer={customer.pk}&amp;branch={customer.branch_id}" in html
    new = admin_web.get(f"/contracts/add/?customer={customer.pk}&branch={customer.branch_id}")
    assert new.context["form"]["customer"].value() == str(customer.pk)


def test_tab_hidden_without_permission_and_scoped(
    noperm_web, operator_a_admin_web, customer, customer_b, contract
):
    assert noperm_web.get(f"/customers/{customer.pk}/tab/contracts/").status_code == 403
    assert operator_a_admin_web.get(f"/customers/{customer_b.pk}/tab/contracts/").status_code == 404
    assert operator_a_admin_web.get(f"/customers/{customer.pk}/tab/contracts/").status_code == 200


def test_reader_sees_no_new_button(operator_a_web, contract, customer):
    html = operator_a_web.get(f"/customers/{customer.pk}/tab/contracts/").content.decode()
    assert f'data-contract="{contract.pk}"' in html and 'id="new-contract"' not in html
