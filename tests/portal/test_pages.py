"""What the subscriber sees and does in the portal (SPEC P-2, P-3, K-6, T-8, F-9): contracts and
connection, invoices in the F-2 colours with boleto PDF and PIX, trust unlock, tickets."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from enlace.billing.models import CollectionState
from enlace.billing.selectors import invoice_pix
from enlace.billing.services.invoices import invoice_cancel, invoice_create
from enlace.billing.services.payments import payment_create
from enlace.contracts.models import ContractHistory
from enlace.contracts.services import contract_set_access_status
from enlace.core.services import parameters_update
from enlace.customers.models import Customer
from tests.portal.conftest import make_ticket, open_session

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")


# --- Home: contracts and connection ------------------------------------------------------------


def test_home_shows_contracts_with_plan_and_access_status(maria_web, maria_contract, joao_contract):
    page = maria_web.get(HOME)
    assert page.status_code == 200
    assert f'id="contract-{maria_contract.pk}"' in page.text
    assert "Fibra 500" in page.text and "Active" in page.text
    assert f'id="contract-{joao_contract.pk}"' not in page.text and "Fibra Campinas" not in page.text


def test_home_shows_the_connection_status(maria_web, maria_login):
    page = maria_web.get(HOME)
    assert "maria@fibra.com.br" in page.text and "Offline" in page.text
    session = open_session(maria_login, ip="100.64.0.10")
    page = maria_web.get(HOME)
    assert "Online" in page.text and "100.64.0.10" in page.text
    assert timezone.localtime(session.acctstarttime).strftime("%d/%m/%Y %H:%M") in page.text


def test_home_warns_of_overdue_invoices(maria_web, maria_invoice):
    page = maria_web.get(HOME)
    assert 'id="overdue-alert"' in page.text


# --- Invoices ----------------------------------------------------------------------------------


def test_invoices_open_in_their_colour_and_paid_ones(
    admin_user, maria_web, maria_invoice, maria_contract, wallet
):
    future = invoice_create(
        actor=admin_user,
        customer=maria_contract.customer,
        contract=maria_contract,
        wallet=wallet,
        due_date=timezone.localdate() + datetime.timedelta(days=10),
        amount="50.00",
    )
    paid = invoice_create(
        actor=admin_user,
        customer=maria_contract.customer,
        wallet=wallet,
        due_date=timezone.localdate() - datetime.timedelta(days=40),
        amount="30.00",
    )
    payment_create(actor=admin_user, invoice=paid, date=paid.due_date)
    cancelled = invoice_create(
        actor=admin_user,
        customer=maria_contract.customer,
        wallet=wallet,
        due_date=timezone.localdate(),
        amount="20.00",
    )
    invoice_cancel(actor=admin_user, invoice=cancelled, reason="Lançada por engano")
    page = maria_web.get(reverse("portal:invoices"))
    assert page.status_code == 200
    assert f'id="invoice-{maria_invoice.pk}" data-color="red"' in page.text
    assert f'id="invoice-{future.pk}" data-color="blue"' in page.text
    assert f'id="invoice-{paid.pk}" data-color="lightgreen"' in page.text
    assert f'id="invoice-{cancelled.pk}"' not in page.text
    assert "invoice-card invoice-red" in page.text
    open_part, paid_part = page.text.split('id="paid-invoices"')
    assert f'invoice-{maria_invoice.pk}"' in open_part and f'invoice-{paid.pk}"' in paid_part


def test_invoice_page_has_pix_copy_and_paste_qr_and_boleto(maria_web, maria_invoice):
    page = maria_web.get(reverse("portal:invoice_detail", args=[maria_invoice.pk]))
    assert page.status_code == 200
    # overdue: the PIX charges the amount due today (issue 16), not the stored face value
    assert maria_invoice.pix_payload and invoice_pix(maria_invoice)[0] in page.text
    assert 'id="pix-copy"' in page.text and 'id="digitable-line"' in page.text
    qr = maria_web.get(reverse("portal:invoice_pix_qr", args=[maria_invoice.pk]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/png" and qr.content.startswith(b"\x89PNG")
    pdf = maria_web.get(reverse("portal:invoice_pdf", args=[maria_invoice.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_paid_invoice_has_no_boleto_nor_pix(admin_user, maria_web, maria_invoice):
    payment_create(actor=admin_user, invoice=maria_invoice)
    page = maria_web.get(reverse("portal:invoice_detail", args=[maria_invoice.pk]))
    assert page.status_code == 200 and 'id="pix-copy"' not in page.text
    assert maria_web.get(reverse("portal:invoice_pdf", args=[maria_invoice.pk])).status_code == 404
    assert maria_web.get(reverse("portal:invoice_pix_qr", args=[maria_invoice.pk])).status_code == 404


# --- Trust unlock (K-6, F-9) -------------------------------------------------------------------


def block(contract):
    return contract_set_access_status(actor=None, contract=contract, access_status="CA", reason="Atraso")


def special(customer):
    Customer.objects.filter(pk=customer.pk).update(portal_permission="E")


def test_trust_unlock_is_hidden_from_normal_customers(maria_web, maria, maria_contract, maria_invoice):
    block(maria_contract)
    page = maria_web.get(HOME)
    assert "trust-unlock-button" not in page.text
    response = maria_web.post(reverse("portal:trust_unlock", args=[maria_contract.pk]))
    assert response.status_code == 302
    maria_contract.refresh_from_db()
    assert maria_contract.access_status == "CA"
    assert "may not use the trust unlock" in maria_web.get(HOME).text


def test_trust_unlock_is_hidden_when_the_contract_is_not_blocked(maria_web, maria, maria_contract):
    special(maria)
    assert "trust-unlock-button" not in maria_web.get(HOME).text


def test_especial_customer_unlocks_once_and_sees_the_date(maria_web, maria, maria_contract, maria_invoice):
    special(maria)
    block(maria_contract)
    parameters_update(actor=None, trust_unlock_days=3)
    until = (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    page = maria_web.get(HOME)
    assert "trust-unlock-button" in page.text and until in page.text
    response = maria_web.post(reverse("portal:trust_unlock", args=[maria_contract.pk]))
    assert response.status_code == 302
    maria_contract.refresh_from_db()
    assert maria_contract.access_status == "A"
    assert CollectionState.objects.get(contract=maria_contract).trust_until.strftime("%d/%m/%Y") == until
    entry = ContractHistory.objects.filter(contract=maria_contract).order_by("-id").first()
    assert "portal" in entry.text
    page = maria_web.get(HOME)
    assert f"restored until {until}" in page.text and "trust-unlock-button" not in page.text
    block(maria_contract)  # blocked again for the same block: once per block
    assert "trust-unlock-button" not in maria_web.get(HOME).text
    maria_web.post(reverse("portal:trust_unlock", args=[maria_contract.pk]))
    maria_contract.refresh_from_db()
    assert maria_contract.access_status == "CA"


def test_trust_unlock_hidden_when_the_operator_forbade_it(admin_user, maria_web, maria, maria_contract):
    from enlace.billing.services.collection import trust_unlock_forbid

    special(maria)
    block(maria_contract)
    trust_unlock_forbid(actor=admin_user, contract=maria_contract)
    assert "trust-unlock-button" not in maria_web.get(HOME).text


# --- Tickets -----------------------------------------------------------------------------------


def test_new_ticket_offers_portal_subjects_and_opens_with_origin_hotsite(
    maria_web, maria, maria_contract, subject, hidden_subject
):
    from enlace.support.models import Ticket

    form = maria_web.get(reverse("portal:ticket_add"))
    assert form.status_code == 200
    assert subject.name in form.text and hidden_subject.name not in form.text
    refused = maria_web.post(
        reverse("portal:ticket_add"), {"subject": hidden_subject.pk, "description": "Quero cancelar"}
    )
    assert refused.status_code == 200 and not Ticket.objects.exists()
    response = maria_web.post(
        reverse("portal:ticket_add"),
        {"subject": subject.pk, "contract": maria_contract.pk, "description": "Sem internet desde ontem"},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == reverse("portal:ticket_detail", args=[ticket.pk])
    assert ticket.origin == "H" and ticket.customer == maria and ticket.contract == maria_contract
    assert ticket.pending_interaction == "I"
    page = maria_web.get(response.url)
    assert "Recebemos seu pedido e vamos analisar." in page.text  # the default opening message
    assert ticket.protocol in page.text and "Sem internet desde ontem" in page.text


def test_ticket_of_another_contract_is_refused(maria_web, maria, maria_contract, joao_contract, subject):
    from enlace.support.models import Ticket

    response = maria_web.post(
        reverse("portal:ticket_add"),
        {"subject": subject.pk, "contract": joao_contract.pk, "description": "Sem internet"},
    )
    assert response.status_code == 200 and not Ticket.objects.exists()


def test_ticket_shows_public_messages_only_and_takes_replies(
    admin_user, maria_web, maria, subject, django_capture_on_commit_callbacks
):
    from enlace.support.services import ticket_message_add

    ticket = make_ticket(maria, subject)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_message_add(
            actor=admin_user, ticket=ticket, text="Vamos enviar um técnico amanhã.", public=True
        )
        ticket_message_add(
            actor=admin_user, ticket=ticket, text="NOTA INTERNA: cliente difícil", public=False
        )
    assert any("Vamos enviar" in m.body for m in mail.outbox)
    page = maria_web.get(reverse("portal:ticket_detail", args=[ticket.pk]))
    assert "Vamos enviar um técnico amanhã." in page.text and "NOTA INTERNA" not in page.text
    listing = maria_web.get(reverse("portal:tickets"))
    assert ticket.protocol in listing.text
    response = maria_web.post(
        reverse("portal:ticket_detail", args=[ticket.pk]), {"text": "Obrigada, aguardo."}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    message = ticket.messages.order_by("-created_at", "-id").first()
    assert message.text == "Obrigada, aguardo." and message.by_subscriber and message.public
    assert ticket.pending_interaction == "I"
    assert "Obrigada, aguardo." in maria_web.get(reverse("portal:ticket_detail", args=[ticket.pk])).text
    empty = maria_web.post(reverse("portal:ticket_detail", args=[ticket.pk]), {"text": "   "})
    assert empty.status_code == 200


def test_closed_ticket_takes_no_reply(admin_user, maria_web, maria, subject):
    from enlace.support.services import ticket_cancel

    ticket = make_ticket(maria, subject)
    ticket_cancel(actor=admin_user, ticket=ticket, reason="Duplicado")
    page = maria_web.get(reverse("portal:ticket_detail", args=[ticket.pk]))
    assert 'id="reply-form"' not in page.text
    response = maria_web.post(reverse("portal:ticket_detail", args=[ticket.pk]), {"text": "Olá?"})
    assert response.status_code == 200 and "closed" in response.text


def test_overdue_customer_sees_only_subjects_allowed_for_overdue(
    maria_web, maria, maria_invoice, subject, department
):
    from enlace.support.models import Subject

    blocked = Subject.objects.create(
        name="Mudança de plano",
        portal_visible=True,
        purpose="T",
        allowed_overdue=False,
        default_department=department,
    )
    page = maria_web.get(reverse("portal:ticket_add"))
    assert subject.name in page.text and blocked.name not in page.text


def test_ticket_list_shows_only_own_tickets(maria_web, maria, joao, subject):
    mine = make_ticket(maria, subject)
    theirs = make_ticket(joao, subject)
    page = maria_web.get(reverse("portal:tickets"))
    assert mine.protocol in page.text and theirs.protocol not in page.text


def test_subject_requiring_a_login_uses_the_customers_only_login(
    maria_web, maria, maria_contract, maria_login, department
):
    from enlace.support.models import Subject, Ticket

    subject = Subject.objects.create(
        name="Lentidão", portal_visible=True, purpose="T", requires_login=True, default_department=department
    )
    response = maria_web.post(
        reverse("portal:ticket_add"),
        {"subject": subject.pk, "contract": maria_contract.pk, "description": "Muito lento à noite"},
    )
    assert response.status_code == 302
    assert Ticket.objects.get().login == maria_login
