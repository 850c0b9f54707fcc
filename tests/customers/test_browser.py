"""The seed's walk through the customer record in a real Chromium (SPEC §1–§4, issue 3):
new customer → required fields flagged → CEP fills the city from the local table → duplicate address
warning → contact with two e-mails → save → every tab opens (in place, with HTMX)."""

import pytest
from playwright.sync_api import expect

from enlace.core.models import Branch, GeneralParameters
from enlace.customers.models import Cep, Customer, CustomerSettings
from enlace.customers.services import customer_create
from tests.helpers.browser import log_in, wait_modal_shown

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(page, admin_user):
    """The shared browser page (tests/helpers/browser.py), logged in as the administrator."""
    log_in(page, "admin")
    page.errors = page.problems.errors
    return page


def test_operator_walks_the_customer_record(page, admin_user, branch_a, city):
    GeneralParameters.objects.filter(pk=GeneralParameters.load().pk).update(default_branch=branch_a)
    CustomerSettings.objects.filter(pk=CustomerSettings.load().pk).update(
        validate_duplicate_address=True, cpf_cnpj_required=True
    )
    Cep.objects.create(
        cep="01310100", street="Avenida Paulista", neighborhood="Bela Vista", city=city, state="SP"
    )
    neighbour = customer_create(
        actor=admin_user,
        name="Vizinho do Prédio",
        branch=branch_a,
        person_type="F",
        cpf_cnpj="111.444.777-35",
        street="Avenida Paulista",
        number="1000",
        neighborhood="Bela Vista",
        city=city,
    )

    page.goto("/customers/")
    page.click("#add-button")
    page.wait_for_url("**/customers/add/")
    # Required fields carry the red asterisk; saving empty flags them and saves nothing.
    assert page.locator("label[for=id_name] .required-mark").count() == 1
    assert page.locator("label[for=id_cpf_cnpj] .required-mark").count() == 1
    page.click("#save-button")
    # expect() waits for the re-rendered form; is_visible() would race the navigation.
    expect(page.locator("#div_name .field-error")).to_be_visible()
    expect(page.locator("#div_cpf_cnpj .field-error")).to_be_visible()

    page.fill("#id_name", "Maria das Graças")
    page.fill("#id_cpf_cnpj", "529.982.247-25")
    page.fill("#id_cep", "01310-100")
    # The CEP lookup fills street, neighbourhood, city and state from the local table.
    # (expect, not wait_for_function: the Content-Security-Policy forbids evaluating strings)
    expect(page.locator("#id_city")).to_have_value("3550308")
    assert page.input_value("#id_street") == "Avenida Paulista"
    assert page.input_value("#id_neighborhood") == "Bela Vista"
    assert page.input_value("#state-display") == "SP"
    page.fill("#id_number", "1000")
    page.fill("#id_mobile_phone", "(11) 98888-7777")
    page.fill("#id_email", "maria@x.com;financeiro@y.com")
    page.click("#save-button")

    # Duplicate address: the neighbour is listed; "Save anyway" saves.
    warning = page.locator("#duplicate-address-warning")
    warning.wait_for()
    assert "Vizinho do Prédio" in warning.inner_text()
    assert Customer.objects.count() == 1
    page.click("#save-anyway")
    page.wait_for_url("**/customers/*/")
    customer = Customer.objects.exclude(pk=neighbour.pk).get()
    assert customer.emails == ["maria@x.com", "financeiro@y.com"] and customer.city_id == 3550308

    # Every tab opens in place; the URL keeps the tab.
    for key in ("customer", "address", "contact", "others"):
        page.click(f"#tab-{key}")
        page.locator(f"#tab-form-{key}").wait_for()
        page.wait_for_url(f"**?tab={key}")
        assert page.locator(f"#tab-{key}.active").count() == 1

    # Edit in place: the contact tab saves without leaving the page.
    page.click("#tab-contact")
    page.fill("#id_whatsapp", "(11) 97777-6666")
    page.click("#tab-form-contact #save-button")
    page.locator("#tab-saved").wait_for()
    customer.refresh_from_db()
    assert customer.whatsapp == "11977776666"
    assert page.errors == []


def test_alert_pops_up_when_the_record_opens(page, admin_user, branch_a):
    customer = customer_create(
        actor=admin_user,
        name="Cliente com alerta",
        branch=branch_a,
        person_type="E",
        alert="Falar com o financeiro antes de qualquer visita.",
    )
    page.goto(f"/customers/{customer.pk}/")
    modal = page.locator("#alert-modal")
    wait_modal_shown(page, "alert-modal")
    assert "Falar com o financeiro" in modal.inner_text()
    page.click("#alert-ok")
    modal.wait_for(state="hidden")
    assert Branch.objects.exists() and page.errors == []
