"""Issue 5 in a real Chromium: an operator opens a contract, its "Logins" tab, "Novo login" (customer,
contract, branch and plan filled in, L-2), "Gerar senha" fills the password (L-8), saves and lands on
the login page; then the customer list's search finds the customer by the login name (C-6)."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from enlace.contracts.apps import register_contract_tabs, register_tabs
from enlace.core import roles
from enlace.core.models import Employee
from enlace.customers.services import customer_create
from enlace.radius.apps import register_ui
from enlace.radius.freeradius import RadCheck
from enlace.radius.models import Login
from tests.helpers.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def technician(django_user_model, branch_a):
    """A Técnico (logins, concentrators) of branch A."""
    user = django_user_model.objects.create_user(username="tiago", password="s3nha-Forte!")
    user.groups.add(Group.objects.get(name=roles.TECHNICIAN))
    Employee.objects.create(name="Tiago Rocha", user=user).branches.set([branch_a])
    return user


@pytest.fixture
def page(page, technician):
    register_tabs()  # another test may have replaced them in this process
    register_contract_tabs()
    register_ui()
    log_in(page, "tiago")
    return page


def test_new_login_from_the_contract_then_found_by_the_customer_search(
    page, active_contract, admin_user, branch_a
):
    customer_create(
        actor=admin_user, name="Outro Assinante", person_type="F", cpf_cnpj="11144477735", branch=branch_a
    )
    page.goto(f"/contracts/{active_contract.pk}/")
    page.click("#tab-logins")
    page.wait_for_url("**?tab=logins")
    page.locator("#tab-logins-pane").wait_for()
    page.click("#new-login")
    page.wait_for_url(f"**/logins/add/?contract={active_contract.pk}")

    # Customer, contract, branch and plan arrive filled in (L-2); only the customer's plans (L-5).
    owner = page.inner_text("#login-owner")
    assert "Maria Souza" in owner and str(active_contract.pk) in owner
    assert page.input_value("#id_plan") == str(active_contract.plan_id)
    assert page.locator("#id_plan option[value]:not([value=''])").count() == 1
    expect(page.locator("#div_username .required-mark")).to_be_visible()  # G-1

    # "Gerar senha" replaces the password with a new one from the server.
    before = page.input_value("#id_password")
    page.click("#generate-password")
    expect(page.locator("#id_password")).not_to_have_value(before)
    password = page.input_value("#id_password")
    assert len(password) >= 12 and password.isalnum()

    # A name with a space is refused, naming the field; nothing is saved.
    page.fill("#id_username", "joão silva")
    page.click("#save-button")
    expect(page.locator("#div_username .field-error")).to_be_visible()
    assert not Login.objects.exists()

    page.fill("#id_username", "mainet@fibra.com.br")
    page.fill("#id_password", password)
    page.select_option("#id_connection_type", "FIBRA")
    page.click("#save-button")
    page.wait_for_url(re.compile(r"/logins/\d+/$"))
    expect(page.locator("#login-username")).to_have_text("mainet@fibra.com.br")
    expect(page.locator("#login-status .login-offline")).to_be_visible()
    login = Login.objects.get()
    assert (login.contract_id, login.customer_id, login.plan_id) == (
        active_contract.pk,
        active_contract.customer_id,
        active_contract.plan_id,
    )
    assert (
        RadCheck.objects.get(username="mainet@fibra.com.br", attribute="Cleartext-Password").value == password
    )

    # Back on the contract's tab, the login is listed.
    page.click("#login-contract")
    page.locator(f'#tab-logins-pane tr[data-login="{login.pk}"]').wait_for()

    # The customer list finds the customer by (a prefix of) the login name.
    page.goto("/customers/")
    page.fill("#id_q", "mainet@fibra")
    rows = page.locator("#objects tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Maria Souza")
    rows.first.locator("a", has_text="Maria Souza").click()
    page.wait_for_url(f"**/customers/{active_contract.customer_id}/")
    page.click("#tab-logins")
    page.locator(f'#tab-logins-pane tr[data-login="{login.pk}"]').wait_for()
    assert page.problems.errors == []
