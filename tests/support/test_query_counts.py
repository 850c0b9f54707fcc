"""What opening a ticket costs in queries (issue 22: it ran 58, with 8 savepoints), through the
service, the API and the web form — counts, never timings. The bounds leave a little room; a
change that brings back per-row loads or per-constraint queries goes past them.

Measured on SQLite and PostgreSQL inside the test's transaction (every ``atomic`` is a savepoint
here; in production the outermost is BEGIN/COMMIT). The protocol counter keeps its own short
transaction (``next_protocol``), taken before the ticket's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enlace.support.models import ServiceOrder, Ticket
from enlace.support.services import ticket_create

pytestmark = pytest.mark.django_db


def counted(call):
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    sql = [q["sql"] for q in ctx.captured_queries]
    # No check constraint is evaluated by a query of its own when Python can tell.
    assert not any('AS "_check"' in s for s in sql), sql
    return result, len(sql)


def test_service_opening_a_ticket(admin_user, customer, subject):
    ticket_create(actor=admin_user, customer=customer, subject=subject, description="primeiro")
    ticket, queries = counted(
        lambda: ticket_create(actor=admin_user, customer=customer, subject=subject, description="Sem sinal")
    )
    assert ticket.messages.count() == 1 and ticket.protocol.endswith("000002")
    assert queries <= 24


def test_service_opening_a_ticket_with_a_process(admin_user, customer, process_subject):
    ticket_create(actor=admin_user, customer=customer, subject=process_subject, description="primeiro")
    ticket, queries = counted(
        lambda: ticket_create(
            actor=admin_user, customer=customer, subject=process_subject, description="Sem sinal"
        )
    )
    assert ServiceOrder.objects.filter(ticket=ticket).count() == 1
    assert ticket.complementary_status == "Vistoria"
    assert queries <= 41


def test_api_opening_a_ticket(admin_api, customer, subject):
    body = {"customer": customer.pk, "subject": subject.pk, "description": "Sem sinal"}
    admin_api.post("/api/v1/tickets/", body, format="json")  # token and permission caches warm
    response, queries = counted(lambda: admin_api.post("/api/v1/tickets/", body, format="json"))
    assert response.status_code == 201
    assert queries <= 28


def test_web_form_opening_a_ticket(admin_web, customer, subject):
    url = reverse("support:ticket_add") + f"?customer={customer.pk}"
    data = {
        "customer": customer.pk,
        "subject": subject.pk,
        "description": "Sem sinal",
        "address_origin": "C",
        "best_time": "Q",
    }
    admin_web.post(url, data)
    response, queries = counted(lambda: admin_web.post(url, data))
    assert response.status_code == 302 and Ticket.objects.count() == 2
    assert queries <= 30
