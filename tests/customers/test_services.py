"""The services are the only writers: each rule of SPEC §1–§4 once, whatever the caller."""

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enlace.core.exceptions import ApplicationError
from enlace.core.models import AnalyticAccount, ObjectChange
from enlace.customers.models import Customer
from enlace.customers.services import (
    customer_check_portal_password,
    customer_convert_lead,
    customer_create,
    customer_deactivate,
    customer_update,
)

from .conftest import set_params, valid_cpf

pytestmark = pytest.mark.django_db


def test_create_stores_normalised_values(admin_user, branch_a, city):
    c = customer_create(
        actor=admin_user,
        name="Maria José",
        branch=branch_a,
        person_type="F",
        cpf_cnpj="529.982.247-25",
        mobile_phone="(11) 98888-7777",
        phone="+55 19 3333-4444",
        cep="01310-100",
        street="Av. Paulista",
        number="1000",
        neighborhood="Bela Vista",
        city=city,
        email="a@x.com;b@y.com",
    )
    c.refresh_from_db()
    assert c.cpf_cnpj == "52998224725"
    assert c.cpf_cnpj_display == "529.982.247-25"
    assert c.mobile_phone == "11988887777" and c.phone == "1933334444"
    assert c.cep == "01310100"
    assert c.search_name == " maria jose"
    assert c.address_key == "av paulista|1000|bela vista"
    assert c.state.abbr == "SP"
    assert c.emails == ["a@x.com", "b@y.com"]


def test_invalid_cpf_refused_naming_the_field(admin_user, branch_a):
    with pytest.raises(ValidationError) as exc:
        customer_create(
            actor=admin_user, name="X", branch=branch_a, person_type="F", cpf_cnpj="529.982.247-26"
        )
    assert "cpf_cnpj" in exc.value.message_dict
    assert not Customer.objects.exists()


def test_alphanumeric_cnpj_accepted_for_a_company(admin_user, branch_a):
    c = customer_create(
        actor=admin_user, name="Empresa", branch=branch_a, person_type="J", cpf_cnpj="12.ABC.345/01DE-35"
    )
    assert c.cpf_cnpj == "12ABC34501DE35"


def test_document_required_only_when_the_parameter_says_so(admin_user, branch_a):
    set_params(cpf_cnpj_required=False)
    assert customer_create(actor=admin_user, name="Sem CPF", branch=branch_a, person_type="F").pk
    set_params(cpf_cnpj_required=True)
    with pytest.raises(ValidationError) as exc:
        customer_create(actor=admin_user, name="Sem CPF 2", branch=branch_a, person_type="F")
    assert "cpf_cnpj" in exc.value.message_dict
    with pytest.raises(ValidationError):
        customer_create(actor=admin_user, name="Sem CNPJ", branch=branch_a, person_type="J")
    # The rule applies only to Física and Jurídica, and not to prospects.
    assert customer_create(actor=admin_user, name="Foreigner", branch=branch_a, person_type="E").pk
    assert customer_create(
        actor=admin_user, name="Prospect", branch=branch_a, person_type="F", is_lead=True
    ).pk


def test_duplicate_document_refused_unless_allowed(admin_user, branch_a, make_customer):
    make_customer(cpf_cnpj="529.982.247-25")
    with pytest.raises(ApplicationError) as exc:
        make_customer(cpf_cnpj="52998224725")
    assert exc.value.code == "duplicate_cpf_cnpj" and exc.value.field == "cpf_cnpj"
    set_params(allow_duplicate_cpf_cnpj=True)
    assert make_customer(cpf_cnpj="52998224725").pk
    assert Customer.objects.filter(cpf_cnpj="52998224725").count() == 2


def test_updating_a_customer_keeps_its_own_document(admin_user, make_customer):
    c = make_customer(cpf_cnpj="529.982.247-25")
    customer_update(actor=admin_user, customer=c, name="Novo nome")
    assert Customer.objects.get(pk=c.pk).name == "Novo nome"


def test_edge_whitespace_refused_and_nothing_saved(admin_user, branch_a):
    for field in ("name", "street", "email", "trade_name"):
        data = {"name": "Fulano", "branch": branch_a, "person_type": "E", field: "valor "}
        with pytest.raises(ValidationError) as exc:
            customer_create(actor=admin_user, **data)
        assert field in exc.value.message_dict
    assert not Customer.objects.exists()


def test_database_refuses_edge_whitespace_even_bypassing_services(branch_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(name=" X", branch=branch_a)


def test_duplicate_address_warns_and_confirm_saves(admin_user, branch_a, make_customer):
    set_params(validate_duplicate_address=True)
    first = make_customer(street="Rua São João", number="10", neighborhood="Centro")
    with pytest.raises(ApplicationError) as exc:
        make_customer(street="RUA SAO JOAO", number="10", neighborhood="centro")
    assert exc.value.code == "duplicate_address"
    assert exc.value.extra["customers"] == [{"id": first.pk, "name": first.name}]
    second = make_customer(
        street="RUA SAO JOAO", number="10", neighborhood="centro", confirm_duplicate_address=True
    )
    assert second.pk
    # Other number: no warning. Same address but parameter off: no warning.
    assert make_customer(street="Rua São João", number="12", neighborhood="Centro").pk
    set_params(validate_duplicate_address=False)
    assert make_customer(street="Rua São João", number="10", neighborhood="Centro").pk


def test_duplicate_address_not_asked_again_when_the_address_did_not_change(admin_user, make_customer):
    set_params(validate_duplicate_address=True)
    make_customer(street="Rua A", number="1", neighborhood="B")
    second = make_customer(street="Rua A", number="1", neighborhood="B", confirm_duplicate_address=True)
    customer_update(actor=admin_user, customer=second, notes="ok")


def test_analytic_account_from_parameters(admin_user, make_customer):
    account = AnalyticAccount.objects.create(code="1.01", name="Mensalidades")
    set_params(default_analytic_account=account)
    assert make_customer().analytic_account == account
    other = AnalyticAccount.objects.create(code="1.02", name="Outros")
    assert make_customer(analytic_account=other).analytic_account == other


def test_long_name_is_a_warning_not_an_error(make_customer):
    set_params(name_length_warning=40)
    c = make_customer(name="A" * 41)
    assert c.pk and len(c.warnings) == 1 and "41" in c.warnings[0]
    assert make_customer(name="B" * 40).warnings == []


def test_portal_password_is_hashed_and_kept_when_empty(admin_user, make_customer):
    c = make_customer(portal_login="maria", portal_password="segredo-123")
    c.refresh_from_db()
    assert c.portal_password != "segredo-123" and check_password("segredo-123", c.portal_password)
    customer_update(actor=admin_user, customer=c, portal_password="", notes="x")
    c.refresh_from_db()
    assert customer_check_portal_password(c, "segredo-123")
    change = ObjectChange.objects.filter(content_type__model="customer", object_id=str(c.pk)).first()
    assert "segredo" not in str(change.postchange_data)


def test_portal_login_unique_and_blank_is_none(make_customer):
    a = make_customer(portal_login="")
    b = make_customer(portal_login="")
    assert a.portal_login is None and b.portal_login is None
    make_customer(portal_login="joao")
    with pytest.raises(ValidationError) as exc:
        make_customer(portal_login="joao")
    assert "portal_login" in exc.value.message_dict


def test_invalid_emails_and_phones_name_the_field(make_customer):
    with pytest.raises(ValidationError) as exc:
        make_customer(email="a@x.com; b@y.com", mobile_phone="123")
    assert set(exc.value.message_dict) == {"email", "mobile_phone"}


def test_convert_lead_keeps_id_and_history(admin_user, branch_a):
    lead = customer_create(actor=admin_user, name="Prospect", branch=branch_a, is_lead=True, lead_stage="G")
    assert lead.lead_stage == "G"
    with pytest.raises(ValidationError):  # CPF now required by the parameter
        customer_convert_lead(actor=admin_user, customer=Customer.objects.get(pk=lead.pk))
    customer_update(actor=admin_user, customer=lead, cpf_cnpj=valid_cpf(7))
    converted = customer_convert_lead(actor=admin_user, customer=Customer.objects.get(pk=lead.pk))
    assert converted.pk == lead.pk and not converted.is_lead and converted.lead_stage == "V"
    actions = list(
        ObjectChange.objects.filter(content_type__model="customer", object_id=str(lead.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions.count("create") == 1 and len(actions) == 3
    with pytest.raises(ApplicationError):
        customer_convert_lead(actor=admin_user, customer=converted)


def test_deactivate(admin_user, make_customer):
    c = make_customer()
    customer_deactivate(actor=admin_user, customer=c)
    assert not Customer.objects.get(pk=c.pk).active


def test_operator_cannot_write_another_branch(operator_a, branch_b, make_customer):
    with pytest.raises(ValidationError) as exc:
        customer_create(actor=operator_a, name="Fora", branch=branch_b, person_type="E")
    assert "branch" in exc.value.message_dict
    other = make_customer(branch=branch_b)
    with pytest.raises(ApplicationError):
        customer_update(actor=operator_a, customer=other, name="x")


def test_birth_date_in_the_past_and_ie_for_icms_companies(make_customer):
    import datetime

    with pytest.raises(ValidationError) as exc:
        make_customer(birth_date=datetime.date.today() + datetime.timedelta(days=1))
    assert "birth_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_customer(person_type="J", cpf_cnpj="11.222.333/0001-81", icms_contributor=True)
    assert "rg_ie" in exc.value.message_dict
    assert (
        make_customer(
            person_type="J", cpf_cnpj="11.222.333/0001-81", icms_contributor=True, rg_ie="isento"
        ).rg_ie
        == "ISENTO"
    )


def test_unknown_field_refused(admin_user, branch_a):
    with pytest.raises(ValidationError) as exc:
        customer_create(actor=admin_user, name="X", branch=branch_a, nonsense=1)
    assert "nonsense" in exc.value.message_dict
