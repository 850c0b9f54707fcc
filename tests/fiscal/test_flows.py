"""The billing run issues one NFCom per invoice; the API and the screens; the certificate rules."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enlace.billing.services.runs import billing_run_start_and_execute
from enlace.contracts.services import contract_activate, contract_create
from enlace.fiscal.models import DocumentStatus, FiscalDocument, FiscalSettings
from enlace.fiscal.nfcom import build, keys
from enlace.fiscal.services import fiscal_settings_save

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_billing_run_issues_one_nfcom_per_invoice(
    admin_user, fiscal, addressed_customer, contract_data, sefaz, django_capture_on_commit_callbacks
):
    for _ in range(2):
        contract = contract_create(
            actor=admin_user, **contract_data(first_billing_date=datetime.date(2026, 12, 1))
        )
        contract_activate(actor=admin_user, contract=contract, activation_date=datetime.date(2026, 11, 1))
    with django_capture_on_commit_callbacks(execute=True):  # the signal is sent after commit
        run = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert run.created == 2
    documents = list(FiscalDocument.objects.order_by("number"))
    assert [d.number for d in documents] == [1, 2]
    assert {d.invoice.billing_run_id for d in documents} == {run.pk}
    for document in documents:
        assert document.status == DocumentStatus.AUTHORISED, document.status_reason
        assert keys.is_valid_key(document.key)
        assert build.validate(bytes(document.xml)) == []


def test_api_issue_download_cancel(admin_api, fiscal, make_invoice, sefaz):
    invoice = make_invoice()
    answer = admin_api.post("/api/v1/fiscal-documents/", {"invoice": invoice.pk}, format="json")
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["status"] == "authorised" and data["protocol"]
    listed = admin_api.get(
        "/api/v1/fiscal-documents/", {"invoice": invoice.pk, "status": "authorised"}
    ).json()
    assert [d["id"] for d in listed["results"]] == [data["id"]]
    xml = admin_api.get(f"/api/v1/fiscal-documents/{data['id']}/xml/")
    assert xml.status_code == 200 and b"nfcomProc" in xml.content
    pdf = admin_api.get(f"/api/v1/fiscal-documents/{data['id']}/pdf/", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    cancelled = admin_api.post(
        f"/api/v1/fiscal-documents/{data['id']}/cancel/",
        {"reason": "Customer gave up the service"},
        format="json",
    )
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"


def test_api_settings_never_return_the_certificate(admin_api, fiscal):
    data = admin_api.get(f"/api/v1/fiscal-settings/{fiscal.pk}/").json()
    assert data["certificate_cnpj"] == fiscal.cnpj
    assert "certificate" not in data and "certificate_password" not in data


def test_certificate_of_another_cnpj_refused(admin_user, branch_a, test_ca, fiscal):
    other = test_ca.a1("11444777000161", PASSWORD)
    with pytest.raises(ValidationError) as exc:
        fiscal_settings_save(instance=fiscal, actor=admin_user, certificate=other, password=PASSWORD)
    assert "certificate" in exc.value.message_dict
    with pytest.raises(ValidationError):
        fiscal_settings_save(instance=fiscal, actor=admin_user, certificate=b"junk", password=PASSWORD)
    stored = FiscalSettings.objects.get(pk=fiscal.pk)
    assert PASSWORD.encode() not in bytes(stored.certificate_password)


def test_screens(admin_web, fiscal, make_invoice, sefaz):
    invoice = make_invoice()
    answer = admin_web.post(reverse("fiscal:invoice_issue", args=[invoice.pk]))
    document = FiscalDocument.objects.get(invoice=invoice)
    assert answer.status_code == 302 and document.status == DocumentStatus.AUTHORISED
    page = admin_web.get(reverse("fiscal:fiscaldocument_detail", args=[document.pk]))
    assert page.status_code == 200 and document.protocol in page.content.decode()
    listing = admin_web.get(reverse("fiscal:fiscaldocument_list"))
    assert listing.status_code == 200
    settings_page = admin_web.get(reverse("fiscal:fiscalsettings_detail", args=[fiscal.pk]))
    assert settings_page.status_code == 200
    zip_answer = admin_web.get(
        reverse("fiscal:fiscaldocument_zip"),
        {"branch": fiscal.branch_id, "month": f"{document.issued_at:%Y-%m}"},
    )
    assert zip_answer.status_code == 200 and zip_answer["Content-Type"] == "application/zip"


def test_settings_form_uploads_the_certificate(admin_web, branch_a, test_ca):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "branch": branch_a.pk,
        "ie": "123456789012",
        "crt": "3",
        "city": branch_a.city_id,
        "series": 1,
        "next_number": 1,
        "environment": "2",
        "issue_on": "run",
        "cancel_hours": 120,
        "cclass": "0100401",
        "installation_cclass": "0200401",
        "cfop": "5307",
        "icms_cst": "00",
        "icms_rate": "18",
        "pis_rate": "0.65",
        "cofins_rate": "3",
        "fust_rate": "0",
        "funttel_rate": "0",
        "ibs_cbs": "on",
        "ibs_rate": "0.10",
        "cbs_rate": "0.90",
        "ibs_cbs_class": "000001",
        "certificate_password": "wrong",
        "certificate": SimpleUploadedFile("a1.pfx", test_ca.a1(branch_a.cnpj, PASSWORD)),
    }
    form = admin_web.get(reverse("fiscal:fiscalsettings_add")).content.decode()
    assert (
        f'data-picker="{reverse("core:pick", args=["city"])}"' in form and form.count("<option") < 100
    )  # typed ahead, not 5,570 options
    answer = admin_web.post(reverse("fiscal:fiscalsettings_add"), data)
    assert answer.status_code == 200 and "não pode ser aberto" in answer.content.decode()
    data["certificate"] = SimpleUploadedFile("a1.pfx", test_ca.a1(branch_a.cnpj, PASSWORD))
    data["certificate_password"] = PASSWORD
    answer = admin_web.post(reverse("fiscal:fiscalsettings_add"), data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    settings = FiscalSettings.objects.get(branch=branch_a)
    assert settings.certificate_cnpj == branch_a.cnpj and settings.cnpj == branch_a.cnpj
    page = admin_web.get(reverse("fiscal:fiscalsettings_detail", args=[settings.pk])).content.decode()
    assert branch_a.cnpj in page and PASSWORD not in page


def test_issue_at_payment(admin_user, fiscal, make_invoice, sefaz, django_capture_on_commit_callbacks):
    from enlace.billing.services.payments import payment_create

    FiscalSettings.objects.filter(pk=fiscal.pk).update(issue_on="payment")
    invoice = make_invoice()
    assert not FiscalDocument.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        payment_create(actor=admin_user, invoice=invoice)
    assert FiscalDocument.objects.get(invoice=invoice).status == DocumentStatus.AUTHORISED
