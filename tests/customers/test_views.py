"""Operator screens: list and search, new customer, the customer page and its tabs (HTMX)."""

import re

import pytest
from django.urls import reverse

from enlace.customers import tabs
from enlace.customers.models import Cep, Customer

from .conftest import set_params

pytestmark = pytest.mark.django_db


def form_data(branch, **extra):
    data = {
        "person_type": "F",
        "name": "Ana Luíza",
        "cpf_cnpj": "529.982.247-25",
        "subscriber_type": "3",
        "branch": branch.pk,
        "active": "on",
        "cep": "01310-100",
        "street": "Avenida Paulista",
        "number": "1000",
        "neighborhood": "Bela Vista",
        "city": "3550308",
        "area": "U",
        "mobile_phone": "(11) 98888-7777",
        "email": "ana@x.com;ana.fin@y.com",
        "portal_auto_access": "P",
        "portal_permission": "N",
    }
    data.update(extra)
    return data


def test_menu_entry(admin_web):
    assert 'href="/customers/"' in admin_web.get("/").content.decode()


def test_new_customer_form_marks_required_fields(admin_web, branch_a):
    set_params(cpf_cnpj_required=True)
    html = admin_web.get(reverse("customers:customer_add")).content.decode()
    for field in ("name", "branch", "cpf_cnpj"):
        label = re.search(rf'<label[^>]*for="id_{field}"[^>]*>(.*?)</label>', html, re.S).group(1)
        assert "required-mark" in label, field
    label = re.search(r'<label[^>]*for="id_trade_name"[^>]*>(.*?)</label>', html, re.S).group(1)
    assert "required-mark" not in label


def test_create_customer(admin_web, branch_a):
    response = admin_web.post(reverse("customers:customer_add"), form_data(branch_a))
    customer = Customer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"
    assert customer.cpf_cnpj == "52998224725" and customer.emails == ["ana@x.com", "ana.fin@y.com"]


def test_empty_required_field_is_flagged_and_nothing_saved(admin_web, branch_a):
    response = admin_web.post(reverse("customers:customer_add"), form_data(branch_a, name=""))
    assert response.status_code == 200
    assert 'id="id_name"' in response.content.decode() and "field-error" in response.content.decode()
    assert not Customer.objects.exists()


def test_leading_space_refused_naming_the_field(admin_web, branch_a):
    response = admin_web.post(reverse("customers:customer_add"), form_data(branch_a, name=" Ana"))
    html = response.content.decode()
    assert response.status_code == 200
    error = re.search(r'id="div_name".*?field-error">(.*?)</div>', html, re.S).group(1)
    assert "spaces" in error or "espaços" in error
    assert not Customer.objects.exists()


def test_invalid_cpf_and_email_named(admin_web, branch_a):
    response = admin_web.post(
        reverse("customers:customer_add"),
        form_data(branch_a, cpf_cnpj="529.982.247-26", email="a@x.com; b@y.com"),
    )
    html = response.content.decode()
    assert re.search(r'id="div_cpf_cnpj".*?field-error', html, re.S)
    assert re.search(r'id="div_email".*?field-error', html, re.S)
    assert not Customer.objects.exists()


def test_duplicate_address_warning_then_save_anyway(admin_web, branch_a, make_customer):
    set_params(validate_duplicate_address=True)
    first = make_customer(street="Avenida Paulista", number="1000", neighborhood="Bela Vista")
    response = admin_web.post(reverse("customers:customer_add"), form_data(branch_a))
    html = response.content.decode()
    assert 'id="duplicate-address-warning"' in html and first.name in html
    assert f"/customers/{first.pk}/" in html and 'id="save-anyway"' in html
    assert Customer.objects.count() == 1
    response = admin_web.post(
        reverse("customers:customer_add"), {**form_data(branch_a), "confirm_duplicate_address": "1"}
    )
    assert response.status_code == 302
    assert Customer.objects.count() == 2


def test_list_search_and_filters(admin_web, make_customer, branch_b):
    make_customer(name="José Conceição", mobile_phone="11988887777")
    make_customer(name="Maria Souza", branch=branch_b)
    url = reverse("customers:customer_list")
    html = admin_web.get(url, {"q": "conceicao"}).content.decode()
    assert "José Conceição" in html and "Maria Souza" not in html
    html = admin_web.get(url, {"q": "(11) 98888-7777"}).content.decode()
    assert "José Conceição" in html and "Maria Souza" not in html
    html = admin_web.get(url, {"branch": branch_b.pk}).content.decode()
    assert "Maria Souza" in html and "José Conceição" not in html
    html = admin_web.get(url, {"city_name": "paulo"}).content.decode()
    assert "record" in html or "registro" in html
    response = admin_web.get(url, {"q": "souza"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-table")
    assert "Maria Souza" in response.content.decode() and "<html" not in response.content.decode()


def test_list_paginates(admin_web, make_customer):
    for _ in range(30):
        make_customer()
    html = admin_web.get(reverse("customers:customer_list")).content.decode()
    assert "30" in html and "page=2" in html


def test_customer_page_header_and_tabs_in_order(admin_web, make_customer):
    customer = make_customer(name="Ana", cpf_cnpj="529.982.247-25", alert="Cliente com débito antigo")
    html = admin_web.get(customer.get_absolute_url()).content.decode()
    assert "529.982.247-25" in html
    assert 'id="badge-active"' in html and 'id="badge-alert"' in html and 'id="badge-lead"' not in html
    assert 'id="alert-modal"' in html and "Cliente com débito antigo" in html
    keys = re.findall(r'data-tab="(\w+)"', html)
    assert keys[:4] == ["customer", "address", "contact", "others"]
    assert 'id="tab-form-customer"' in html  # the first tab rendered with the page


@pytest.mark.parametrize("key", ["customer", "address", "contact", "others"])
def test_each_tab_opens_with_htmx_and_by_url(admin_web, make_customer, key):
    customer = make_customer()
    response = admin_web.get(
        reverse(f"customers:customer_tab_{key}", args=[customer.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and f'id="tab-form-{key}"' in response.content.decode()
    html = admin_web.get(f"{customer.get_absolute_url()}?tab={key}").content.decode()
    assert f'id="tab-form-{key}"' in html
    assert re.search(rf'class="nav-link active"[^>]*data-tab="{key}"', html)


def test_tab_edits_in_place(admin_web, make_customer):
    customer = make_customer(name="Ana")
    url = reverse("customers:customer_tab_contact", args=[customer.pk])
    response = admin_web.post(
        url,
        {
            "mobile_phone": "(19) 99999-1111",
            "email": "a@x.com;b@y.com",
            "portal_login": "ana",
            "portal_password": "nova-senha",
            "portal_auto_access": "S",
            "portal_permission": "E",
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="tab-saved"' in html
    assert 'hx-swap-oob="true"' in html  # header refreshed
    assert "nova-senha" not in html
    customer.refresh_from_db()
    assert customer.mobile_phone == "19999991111" and customer.portal_permission == "E"
    assert customer.portal_password and customer.name == "Ana"  # other tabs' fields untouched


def test_tab_refuses_trailing_space_and_saves_nothing(admin_web, make_customer):
    customer = make_customer(name="Ana")
    url = reverse("customers:customer_tab_address", args=[customer.pk])
    response = admin_web.post(url, {"street": "Rua A ", "number": "1", "area": "U"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert re.search(r'id="div_street".*?field-error', html, re.S)
    customer.refresh_from_db()
    assert customer.street == ""


def test_lead_shows_only_basic_tabs(admin_web, admin_user, branch_a):
    from enlace.customers.services import customer_create

    saved = dict(tabs._TABS)
    for key in set(saved) - {"customer", "address", "contact", "others"}:
        tabs.unregister(key)  # only this app's tabs and the two below, whatever other apps add
    tabs.register("contracts", "Contracts", "customers:customer_tab_others", tabs.ORDER["contracts"])
    tabs.register(
        "tickets", "Tickets", "customers:customer_tab_others", tabs.ORDER["tickets"], lead_visible=True
    )
    try:
        lead = customer_create(actor=admin_user, name="Prospect", branch=branch_a, is_lead=True)
        html = admin_web.get(lead.get_absolute_url()).content.decode()
        assert re.findall(r'data-tab="(\w+)"', html) == [
            "customer",
            "address",
            "contact",
            "others",
            "tickets",
        ]
        assert 'id="badge-lead"' in html and 'id="convert-lead"' in html
        lead.is_lead = False
        html = admin_web.get(lead.get_absolute_url()).content.decode()
        customer = Customer.objects.get(pk=lead.pk)
        customer.is_lead = False
        keys = [t.key for t in tabs.tabs_for(customer, admin_user)]
        assert keys == ["customer", "address", "contact", "others", "contracts", "tickets"]
    finally:
        tabs._TABS.clear()
        tabs._TABS.update(saved)


def test_convert_lead_from_the_page(admin_web, admin_user, branch_a):
    from enlace.customers.services import customer_create

    set_params(cpf_cnpj_required=False)
    lead = customer_create(actor=admin_user, name="Prospect", branch=branch_a, is_lead=True)
    response = admin_web.post(reverse("customers:customer_convert_lead", args=[lead.pk]))
    assert response.status_code == 302
    assert not Customer.objects.get(pk=lead.pk).is_lead


def test_cep_lookup_fills_the_form(admin_web, city):
    Cep.objects.create(
        cep="01310100", street="Avenida Paulista", neighborhood="Bela Vista", city=city, state="SP"
    )
    response = admin_web.get(reverse("customers:cep_lookup"), {"cep": "01310-100"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-status="found"' in response.content.decode()
    assert '"city": 3550308' in response["HX-Trigger"] and '"target": "main"' in response["HX-Trigger"]


def test_cep_lookup_without_network_says_so(admin_web, db):
    response = admin_web.get(reverse("customers:cep_lookup"), {"cep": "01310100"}, HTTP_HX_REQUEST="true")
    assert 'data-status="unavailable"' in response.content.decode()
    assert "HX-Trigger" not in response


def test_branch_scope_and_permissions(operator_a_web, noperm_web, make_customer, branch_b):
    other = make_customer(branch=branch_b)
    assert operator_a_web.get(other.get_absolute_url()).status_code == 404
    assert (
        operator_a_web.get(
            reverse("customers:customer_tab_address", args=[other.pk]), HTTP_HX_REQUEST="true"
        ).status_code
        == 404
    )
    assert noperm_web.get(reverse("customers:customer_list")).status_code == 403
    mine = make_customer()
    assert noperm_web.get(mine.get_absolute_url()).status_code == 403


def test_changes_page(admin_web, make_customer):
    customer = make_customer()
    assert admin_web.get(reverse("customers:customer_changes", args=[customer.pk])).status_code == 200


def test_full_edit_page(admin_web, make_customer, branch_a):
    customer = make_customer()
    response = admin_web.get(reverse("customers:customer_edit", args=[customer.pk]))
    assert response.status_code == 200
    response = admin_web.post(
        reverse("customers:customer_edit", args=[customer.pk]),
        form_data(branch_a, name="Ana Editada", cpf_cnpj=customer.cpf_cnpj),
    )
    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).name == "Ana Editada"


def test_list_count_is_capped(admin_web, make_customer, monkeypatch):
    from enlace.customers import tables as customer_tables

    monkeypatch.setattr(customer_tables, "COUNT_CAP", 3)
    for _ in range(5):
        make_customer()
    html = admin_web.get(reverse("customers:customer_list")).content.decode()
    assert 'id="record-count"' in html and ("1.000" in html or "1,000" in html)
    assert html.count('href="/customers/') >= 5
    monkeypatch.setattr(customer_tables, "COUNT_CAP", 10)
    html = admin_web.get(reverse("customers:customer_list")).content.decode()
    assert re.search(r'id="record-count">\s*5 ', html)


def test_turning_a_customer_into_a_lead_reloads_the_page(admin_web, make_customer, branch_a):
    customer = make_customer(name="Ana")
    data = {
        "person_type": "F",
        "name": "Ana",
        "cpf_cnpj": customer.cpf_cnpj,
        "subscriber_type": "3",
        "branch": branch_a.pk,
        "active": "on",
        "is_lead": "on",
        "lead_stage": "G",
    }
    response = admin_web.post(
        reverse("customers:customer_tab_customer", args=[customer.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Redirect"] == f"/customers/{customer.pk}/?tab=customer"
    customer.refresh_from_db()
    assert customer.is_lead and customer.lead_stage == "G"
