"""The subscriber downloads the XML and the DANFE-COM of the authorised NFCom of their invoice;
another subscriber's invoice, or an NFCom not authorised yet, is 404."""

import pytest
from django.urls import reverse

from enlace.core.models import City
from enlace.customers.models import Customer
from enlace.fiscal.services import document_issue, document_transmit
from tests.fiscal.conftest import a1, fiscal  # noqa: F401 - fixtures (emitter settings with a test A1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria_document(admin_user, fiscal, maria_invoice):  # noqa: F811 - the imported fixture
    Customer.objects.filter(pk=maria_invoice.customer_id).update(
        city=City.objects.get(code=3550308),
        street="Rua Augusta",
        number="500",
        neighborhood="Consolação",
        cep="01305000",
    )
    maria_invoice.customer.refresh_from_db()
    return document_issue(invoice=maria_invoice, actor=admin_user)


def test_subscriber_downloads_the_authorised_nfcom(
    admin_user, maria_web, maria_invoice, maria_document, sefaz
):
    xml_url = reverse("portal:invoice_nfcom_xml", args=[maria_invoice.pk])
    pdf_url = reverse("portal:invoice_nfcom_pdf", args=[maria_invoice.pk])
    detail = reverse("portal:invoice_detail", args=[maria_invoice.pk])
    assert 'id="nfcom-card"' not in maria_web.get(detail).content.decode()
    assert maria_web.get(xml_url).status_code == 404  # a draft is not the subscriber's yet
    document = document_transmit(document=maria_document, actor=admin_user)
    assert document.status == "authorised"
    page = maria_web.get(detail).content.decode()
    assert 'id="nfcom-card"' in page and xml_url in page and pdf_url in page
    xml = maria_web.get(xml_url)
    assert xml.status_code == 200 and xml["Content-Type"] == "application/xml"
    assert b"nfcomProc" in xml.content and document.protocol.encode() in xml.content
    pdf = maria_web.get(pdf_url, HTTP_ACCEPT="application/pdf")  # as tests/api/test_strict_input.py asks
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_another_subscriber_gets_404(admin_user, joao_web, maria_invoice, maria_document, sefaz):
    document_transmit(document=maria_document, actor=admin_user)
    for name in ("portal:invoice_nfcom_xml", "portal:invoice_nfcom_pdf"):
        assert joao_web.get(reverse(name, args=[maria_invoice.pk])).status_code == 404
