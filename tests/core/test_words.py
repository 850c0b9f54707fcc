"""Issue 19 item 7, the words of the operator's screens: add-page titles and flash messages agree
with the record's gender ("Nova filial", "Setor … salvo."), the audit pages ("Alterações") read as
sentences (verbose field names, Sim/Não, linked records by name, local time, "Filial" not
"core | filial") and CSV exports are named and written in pt-BR (``filiais-2026-12-07.csv``).

Asserted in pt-BR, the default language (the strings are in the catalog)."""

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from enlace.core import words
from enlace.core.models import Branch, City, Department, ObjectChange
from enlace.sales.models import Sale
from enlace.support.models import ServiceOrder

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def portuguese(settings):
    settings.LANGUAGE_CODE = "pt-br"
    with translation.override("pt-br"):
        yield


def _title(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _branch_data(city_code="3550308", **extra):
    return {
        "name": "Norte",
        "legal_name": "Norte Telecom Ltda",
        "cnpj": "12.345.678/0001-95",
        "cep": "01310-100",
        "street": "Avenida Paulista",
        "number": "1000",
        "neighborhood": "Bela Vista",
        "city": city_code,
        "active": "on",
        **extra,
    }


# --- Gender ----------------------------------------------------------------------------------------


def test_models_state_their_gender():
    assert words.gender_of(Branch) == words.FEMININE
    assert words.gender_of(Sale) == words.FEMININE
    assert words.gender_of(ServiceOrder) == words.FEMININE
    assert words.gender_of(Department) == words.MASCULINE
    assert words.new_title(Branch) == "Nova filial"
    assert words.new_title(Department) == "Novo setor"
    assert words.new_title(ServiceOrder) == "Nova ordem de serviço"


@pytest.mark.parametrize(
    ("url_name", "title"),
    [
        ("core:branch_add", "Nova filial"),
        ("core:department_add", "Novo setor"),
        ("core:paymentcondition_add", "Nova condição de pagamento"),
        ("core:employee_add", "Novo colaborador"),
        ("contracts:plan_add", "Novo plano"),
    ],
)
def test_add_pages_are_titled_in_the_gender_of_the_record(admin_web, url_name, title):
    html = admin_web.get(reverse(url_name)).content.decode()
    assert _title(html) == title
    assert "Novo(a)" not in html


def test_saved_and_deleted_messages_agree_with_the_record(admin_web, branch_a):
    response = admin_web.post(reverse("core:branch_add"), _branch_data())
    branch = Branch.objects.get(name="Norte")
    assert response.status_code == 302
    assert _messages(response) == ["Norte salva."]

    response = admin_web.post(reverse("core:department_add"), {"name": "Suporte", "active": "on"})
    assert _messages(response)[-1] == "Suporte salvo."

    response = admin_web.post(reverse("core:branch_delete", args=[branch.pk]))
    assert _messages(response)[-1] == "Norte excluída."


def test_operator_password_help_is_translated(admin_web, operator_a):
    html = admin_web.get(reverse("core:user_edit", args=[operator_a.pk])).content.decode()
    assert "Deixe em branco para manter a senha atual." in html
    assert "Leave blank" not in html


# --- Audit pages -----------------------------------------------------------------------------------


def test_changes_page_reads_as_sentences(admin_web, branch_a):
    campinas = City.objects.get(code=3509502)
    with time_machine.travel(datetime.datetime(2026, 12, 7, 13, 39, tzinfo=datetime.UTC), tick=False):
        response = admin_web.post(
            reverse("core:branch_edit", args=[branch_a.pk]),
            _branch_data(city_code=str(campinas.code), name=branch_a.name, cnpj=branch_a.cnpj, active=""),
        )
    assert response.status_code == 302
    html = admin_web.get(reverse("core:branch_changes", args=[branch_a.pk])).content.decode()
    table = html[html.index('id="changes-table"') :]
    # verbose names, not attribute names
    assert "Endereço" in table and ">street<" not in table and "<code>" not in table
    # yes/no, not True/False
    assert 'Sim</span> → <span class="text-success">Não' in table
    assert "True" not in table and "False" not in table
    # the linked city by its name, linking to nothing raw: "São Paulo/SP → Campinas/SP"
    assert str(campinas) in table and f">{campinas.pk}<" not in table
    # local time (America/Sao_Paulo, UTC−3) in the "when" column
    assert "07/12/2026 10:39" in table


def test_changes_page_shows_linked_records_and_local_times_of_a_new_record(admin_web, branch_a):
    with time_machine.travel(datetime.datetime(2026, 12, 7, 13, 39, tzinfo=datetime.UTC), tick=False):
        response = admin_web.post(
            reverse("core:employee_add"),
            {
                "name": "Rafaela Lima",
                "email": "rafaela@enlace.test",
                "branches": [branch_a.pk],
                "active": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    employee = ObjectChange.objects.filter(content_type__model="employee").latest("time")
    html = admin_web.get(reverse("core:employee_changes", args=[employee.object_id])).content.decode()
    table = html[html.index('id="changes-table"') :]
    assert branch_a.get_absolute_url() in table and branch_a.name in table  # a link to the branch
    assert "Filiais" in table and "Ativo" in table


def test_global_changes_list_names_record_types(admin_web, branch_a):
    admin_web.post(
        reverse("core:branch_edit", args=[branch_a.pk]), _branch_data(name=branch_a.name, cnpj=branch_a.cnpj)
    )
    html = admin_web.get(reverse("core:objectchange_list")).content.decode()
    assert "Filial" in html and "core | filial" not in html and "Core | filial" not in html
    assert "Endereço" in html and ">street<" not in html


# --- CSV exports -----------------------------------------------------------------------------------


def test_csv_export_is_named_and_written_in_portuguese(admin_web, branch_a):
    with time_machine.travel(datetime.datetime(2026, 12, 8, 1, 0, tzinfo=datetime.UTC), tick=False):
        response = admin_web.get(reverse("core:branch_list"), {"export": "csv"})
    # 01:00 UTC on the 8th is still the 7th in São Paulo
    assert response["Content-Disposition"] == 'attachment; filename="filiais-2026-12-07.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, row = rows[0], rows[1]
    assert header == [title[:1].upper() + title[1:] for title in header]  # "Cidade", not "cidade"
    assert "Ativo" in header and row[header.index("Ativo")] == "Sim"
    assert "True" not in response.content.decode("utf-8-sig")


def test_csv_export_of_dates_and_money_in_local_format(admin_web, branch_a):
    with time_machine.travel(datetime.datetime(2026, 12, 7, 13, 39, tzinfo=datetime.UTC), tick=False):
        admin_web.post(
            reverse("core:branch_edit", args=[branch_a.pk]),
            _branch_data(name=branch_a.name, cnpj=branch_a.cnpj),
        )
    body = admin_web.get(reverse("core:objectchange_list"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "07/12/2026 10:39" in body and "+00:00" not in body
