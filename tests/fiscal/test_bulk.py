"""Financeiro ➜ Notas fiscais: the bulk "transmitir" of the selected rows, with its summary."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from enlace.fiscal.models import DocumentStatus, FiscalDocument
from enlace.fiscal.services import document_issue, document_transmit

pytestmark = pytest.mark.django_db


def test_bulk_transmit_sends_drafts_and_contingency_and_sums_up(
    admin_user, admin_web, fiscal, make_invoice, sefaz
):
    draft, offline, done = (document_issue(invoice=make_invoice(), actor=admin_user) for _ in range(3))
    done = document_transmit(document=done, actor=admin_user)
    sefaz.down = True
    offline = document_transmit(document=offline, actor=admin_user)
    assert offline.status == DocumentStatus.CONTINGENCY
    sefaz.down = False
    sent_before = sefaz.requests.count("NFComRecepcao")

    listing = admin_web.get(reverse("fiscal:fiscaldocument_list")).content.decode()
    assert (
        'id="bulk-transmit"' in listing
        and f'value="{draft.pk}"' in listing
        and 'form="fiscal-bulk"' in listing
    )

    answer = admin_web.post(
        reverse("fiscal:fiscaldocument_bulk_transmit"), {"pk": [draft.pk, offline.pk, done.pk, 999999]}
    )
    assert answer.status_code == 302
    statuses = dict(FiscalDocument.objects.values_list("pk", "status"))
    assert statuses == {draft.pk: "authorised", offline.pk: "authorised", done.pk: "authorised"}
    assert sefaz.requests.count("NFComRecepcao") == sent_before + 2  # the authorised one is not sent again
    (message,) = [str(m) for m in get_messages(answer.wsgi_request)]
    assert message == (
        "3 selecionadas: 2 autorizadas, 0 em contingência, 0 rejeitadas, 0 aguardando o autorizador, "
        "1 já autorizadas ou canceladas (não enviadas), 0 com falha."
    )


def test_bulk_transmit_reports_the_authoriser_down(admin_user, admin_web, fiscal, make_invoice, sefaz):
    document = document_issue(invoice=make_invoice(), actor=admin_user)
    sefaz.down = True
    answer = admin_web.post(
        reverse("fiscal:fiscaldocument_bulk_transmit"), {"pk": [document.pk]}, follow=True
    )
    assert FiscalDocument.objects.get(pk=document.pk).status == DocumentStatus.CONTINGENCY
    assert "1 em contingência" in answer.content.decode()


def test_bulk_transmit_needs_the_permission_and_a_selection(noperm_web, admin_web):
    assert noperm_web.post(reverse("fiscal:fiscaldocument_bulk_transmit"), {"pk": [1]}).status_code == 403
    answer = admin_web.post(reverse("fiscal:fiscaldocument_bulk_transmit"), {}, follow=True)
    assert "Selecione as notas a transmitir." in answer.content.decode()
