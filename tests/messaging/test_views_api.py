"""The screens and the API of the messaging area: rules (edit, template errors, preview with a real
invoice), the delivery log (list with filters, one message, resend), the customer's contact
choices, ``/api/v1/messages/`` (read-only, branch-scoped) and ``POST {id}/resend/``."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from enlace.billing.services.invoices import invoice_create
from enlace.customers.services import customer_update
from enlace.messaging.models import ContactPreference, Event, Message, MessageRule, MessageStatus
from enlace.messaging.services import queue_invoice_issued

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(admin_user, customer, wallet, active_contract):
    customer_update(actor=None, customer=customer, email="maria@example.com", confirm_duplicate_address=True)
    return invoice_create(
        actor=admin_user,
        customer=customer,
        contract=active_contract,
        wallet=wallet,
        due_date=timezone.localdate() + datetime.timedelta(days=5),
        amount=Decimal("99.90"),
    )


@pytest.fixture
def message(invoice):
    (pk,) = queue_invoice_issued(invoice, kick=False)
    row = Message.objects.get(pk=pk)
    Message.objects.filter(pk=pk).update(
        status=MessageStatus.FAILED, attempts=8, last_error="SMTP down", failed_at=timezone.now()
    )
    row.refresh_from_db()
    return row


def test_rule_edit_refuses_a_broken_template(admin_web):
    rule = MessageRule.objects.get(event=Event.DUE_TODAY, branch=None)
    url = reverse("messaging:messagerule_edit", args=[rule.pk])
    assert admin_web.get(url).status_code == 200
    data = {
        "name": rule.name,
        "event": rule.event,
        "days": 0,
        "email": "on",
        "active": "on",
        "subject": "{% if %}",
        "body_text": "Olá {{ customer_name }}",
    }
    response = admin_web.post(url, data)
    assert response.status_code == 200
    assert "subject" in response.context["form"].errors
    data["subject"] = "Vence hoje: {{ due_date }}"
    response = admin_web.post(url, data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.subject == "Vence hoje: {{ due_date }}"


def test_preview_with_a_real_invoice(admin_web, invoice):
    data = {
        "name": "Nova",
        "event": Event.BEFORE_DUE,
        "days": 2,
        "subject": "Fatura {{ invoice_id }} de {{ customer_name }}",
        "body_text": "Valor {{ invoice_amount }}, vence {{ due_date }}. <b>{{ digitable_line }}</b>",
        "body_html": "<p>{{ customer_name }}</p>",
        "invoice": invoice.pk,
    }
    response = admin_web.post(reverse("messaging:messagerule_preview"), data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Fatura {invoice.pk} de Maria Souza" in page
    assert "R$ 99,90" in page
    assert invoice.due_date.strftime("%d/%m/%Y") in page
    data["body_text"] = "{% for %}"
    page = admin_web.post(reverse("messaging:messagerule_preview"), data).content.decode()
    assert 'class="alert alert-danger"' in page


def test_message_list_detail_and_resend(admin_web, message, customer, django_capture_on_commit_callbacks):
    listing = admin_web.get(reverse("messaging:message_list"), {"status": "failed", "customer": customer.pk})
    assert listing.status_code == 200
    assert message.recipient in listing.content.decode()
    assert (
        message.recipient
        not in admin_web.get(reverse("messaging:message_list"), {"status": "sent"}).content.decode()
    )
    detail = admin_web.get(reverse("messaging:message_detail", args=[message.pk])).content.decode()
    assert "SMTP down" in detail and message.subject in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_web.post(reverse("messaging:message_resend", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    # the console back end of the tests sends it at once (eager Celery)
    assert message.status == MessageStatus.SENT and message.attempts == 1 and message.last_error == ""


def test_resend_needs_the_permission(operator_a_web, message, noperm_web):
    # Atendimento reads messages and may resend (the customer on the phone asks for the boleto)
    assert operator_a_web.get(reverse("messaging:message_detail", args=[message.pk])).status_code == 200
    assert noperm_web.post(reverse("messaging:message_resend", args=[message.pk])).status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED


def test_contact_choices_on_the_customer_tab(admin_web, customer):
    tab = admin_web.get(
        reverse("messaging:customer_tab_messages", args=[customer.pk]), HTTP_HX_REQUEST="true"
    )
    assert 'id="preference-form"' in tab.content.decode()
    response = admin_web.post(
        reverse("messaging:customer_preference", args=[customer.pk]), {"no_email": "on", "no_whatsapp": "on"}
    )
    assert response.status_code == 302
    pref = ContactPreference.objects.get(customer=customer)
    assert (pref.no_email, pref.no_sms, pref.no_whatsapp) == (True, False, True)


def test_api_list_filter_and_resend(
    admin_api, message, operator_a_api, admin_user, customer_b, wallet_b, django_capture_on_commit_callbacks
):
    answer = admin_api.get("/api/v1/messages/", {"status": "failed"})
    assert answer.status_code == 200
    row = answer.json()["results"][0]
    assert (row["id"], row["status"], row["channel"], row["event"]) == (
        message.pk,
        "failed",
        "email",
        "issued",
    )
    assert row["invoice"] == message.invoice_id and "Maria Souza" in row["text"]
    with django_capture_on_commit_callbacks(execute=True):
        resent = admin_api.post(f"/api/v1/messages/{message.pk}/resend/")
    assert resent.status_code == 200
    assert resent.json()["status"] == "queued"  # answered before the after-commit send
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert admin_api.put(f"/api/v1/messages/{message.pk}/", {}, format="json").status_code == 405

    # another branch's message is a 404 for a branch-A operator
    customer_update(actor=None, customer=customer_b, email="joao@example.com", confirm_duplicate_address=True)
    other = invoice_create(
        actor=admin_user,
        customer=customer_b,
        wallet=wallet_b,
        due_date=timezone.localdate(),
        amount=Decimal("10.00"),
    )
    (other_pk,) = queue_invoice_issued(other, kick=False)
    assert operator_a_api.get(f"/api/v1/messages/{other_pk}/").status_code == 404
    ids = [r["id"] for r in operator_a_api.get("/api/v1/messages/").json()["results"]]
    assert message.pk in ids and other_pk not in ids
