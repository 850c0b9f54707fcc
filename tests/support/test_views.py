"""Operator screens of support: lists, ticket and service order pages, actions, tabs, agenda."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from enlace.support import services
from enlace.support.models import Process, ProcessStep, ServiceOrder, Subject, Ticket

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize(
    "name",
    [
        "support:ticket_list",
        "support:serviceorder_list",
        "support:subject_list",
        "support:process_list",
        "support:agenda",
    ],
)
def test_lists_render(admin_web, make_ticket, make_order, name):
    make_ticket()
    make_order()
    response = admin_web.get(reverse(name))
    assert response.status_code == 200


def test_list_filters(admin_web, make_ticket, department):
    ticket = make_ticket()
    url = reverse("support:ticket_list")
    assert (
        ticket.protocol in admin_web.get(url, {"status": "N", "department": department.pk}).content.decode()
    )
    assert ticket.protocol not in admin_web.get(url, {"status": "S"}).content.decode()
    assert ticket.protocol in admin_web.get(url, {"q": ticket.protocol}).content.decode()
    orders = reverse("support:serviceorder_list")
    assert admin_web.get(orders, {"status": "A", "origin": "I"}).status_code == 200


def test_new_ticket_from_customer_page(admin_web, customer, subject, department):
    url = reverse("support:ticket_add") + f"?customer={customer.pk}"
    page = admin_web.get(url).content.decode()
    assert 'name="status"' not in page and 'name="origin"' not in page
    response = admin_web.post(
        url,
        {
            "customer": customer.pk,
            "subject": subject.pk,
            "description": "Sem sinal",
            "address_origin": "C",
            "best_time": "Q",
            "status": "S",
            "origin": "H",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.origin, ticket.priority) == (
        "N",
        "I",
        "A",
    )  # status/origin ignored; subject's priority
    page = admin_web.get(ticket.get_absolute_url()).content.decode()
    assert ticket.protocol in page and subject.default_opening_message in page


def test_edit_form_does_not_offer_status(admin_web, make_ticket):
    ticket = make_ticket()
    url = reverse("support:ticket_edit", args=[ticket.pk])
    page = admin_web.get(url).content.decode()
    assert 'name="status"' not in page
    data = {
        "subject": ticket.subject_id,
        "description": "Outra",
        "address_origin": "C",
        "best_time": "Q",
        "priority": "B",
        "pending_interaction": "N",
        "department": ticket.department_id,
        "status": "S",
    }
    assert admin_web.post(url, data).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "N" and ticket.description == "Outra" and ticket.priority == "B"


def test_message_and_close_from_ticket_page(admin_web, make_ticket):
    ticket = make_ticket()
    admin_web.post(
        reverse("support:ticket_message", args=[ticket.pk]), {"text": "Verificando", "public": "on"}
    )
    ticket.refresh_from_db()
    assert ticket.status == "EP" and ticket.pending_interaction == "E"
    admin_web.post(reverse("support:ticket_action", args=[ticket.pk, "close"]), {"text": ""})
    ticket.refresh_from_db()
    assert ticket.status == "S"


def test_service_order_from_ticket_and_actions(admin_web, make_ticket, os_subject, technician):
    ticket = make_ticket()
    url = reverse("support:serviceorder_add") + f"?ticket={ticket.pk}"
    assert admin_web.get(url).status_code == 200
    response = admin_web.post(
        url, {"ticket": ticket.pk, "subject": os_subject.pk, "description": "Trocar ONU", "priority": "M"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    order = ServiceOrder.objects.get()
    assert order.ticket == ticket and order.department == os_subject.default_department
    page = admin_web.get(order.get_absolute_url()).content.decode()
    assert 'id="action-schedule"' in page and 'id="action-finish"' in page
    start = (timezone.localtime() + datetime.timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    act = reverse("support:serviceorder_action", args=[order.pk, "schedule"])
    admin_web.post(
        act,
        {
            "schedule-technician": technician.pk,
            "schedule-scheduled_start": start.strftime("%Y-%m-%dT%H:%M"),
            "schedule-scheduled_end": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    order.refresh_from_db()
    assert order.status == "AG" and order.technician == technician
    admin_web.post(
        reverse("support:serviceorder_action", args=[order.pk, "start"]), {"start-note": "Cheguei"}
    )
    admin_web.post(
        reverse("support:serviceorder_action", args=[order.pk, "finish"]), {"finish-closing_note": "ok"}
    )
    order.refresh_from_db()
    assert order.status == "F" and order.closing_note == "ok"
    response = admin_web.get(
        reverse("support:agenda"), {"technician": technician.pk, "start": start.date().isoformat()}
    )
    assert order.protocol in response.content.decode()


def test_refused_action_shows_message(admin_web, make_order):
    order = make_order()
    response = admin_web.post(
        reverse("support:serviceorder_action", args=[order.pk, "travel"]), {}, follow=True
    )
    assert "cannot go to" in response.content.decode() or "não pode" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "A"


def test_customer_tabs(admin_web, customer, make_ticket, make_order):
    ticket = make_ticket()
    order = make_order()
    page = admin_web.get(reverse("support:customer_tab_tickets", args=[customer.pk]), **HTMX).content.decode()
    assert ticket.protocol in page and 'id="new-tickets"' in page
    page = admin_web.get(reverse("support:customer_tab_orders", args=[customer.pk]), **HTMX).content.decode()
    assert order.protocol in page and 'id="new-service_orders"' in page
    page = admin_web.get(customer.get_absolute_url()).content.decode()
    assert reverse("support:customer_tab_tickets", args=[customer.pk]) in page


def test_other_branch_ticket_is_404(operator_a_web, admin_user, customer_b, subject):
    ticket = services.ticket_create(actor=admin_user, customer=customer_b, subject=subject, description="x")
    order = services.service_order_create(actor=admin_user, ticket=ticket, subject=subject, description="y")
    assert operator_a_web.get(ticket.get_absolute_url()).status_code == 404
    assert operator_a_web.get(order.get_absolute_url()).status_code == 404
    assert (
        operator_a_web.post(reverse("support:ticket_message", args=[ticket.pk]), {"text": "x"}).status_code
        == 404
    )
    listing = operator_a_web.get(reverse("support:ticket_list")).content.decode()
    assert ticket.protocol not in listing


def test_subject_and_process_screens(admin_web, department, os_subject, field_department):
    response = admin_web.post(
        reverse("support:subject_add"),
        {
            "name": "Lentidão",
            "purpose": "T",
            "default_department": department.pk,
            "default_priority": "M",
            "allowed_overdue": "on",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert Subject.objects.filter(name="Lentidão").exists()
    response = admin_web.post(reverse("support:process_add"), {"name": "Mudança de endereço", "active": "on"})
    assert response.status_code == 302
    process = Process.objects.get(name="Mudança de endereço")
    url = reverse("support:processstep_add") + f"?process={process.pk}"
    assert admin_web.get(url).status_code == 200
    response = admin_web.post(
        url,
        {
            "process": process.pk,
            "order": 1,
            "subject": os_subject.pk,
            "department": field_department.pk,
            "complementary_status": "Retirada",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = admin_web.get(process.get_absolute_url()).content.decode()
    assert "Retirada" in page


def test_technician_role_can_act_on_orders(db, django_user_model, make_order, technician, client):
    from django.contrib.auth.models import Group

    from enlace.core import roles

    user = django_user_model.objects.create_user("tec", password="x")
    user.groups.add(Group.objects.get(name=roles.TECHNICIAN))
    technician.user = user
    technician.save()
    client.force_login(user)
    order = make_order()
    client.post(reverse("support:serviceorder_action", args=[order.pk, "assume"]), {})
    order.refresh_from_db()
    assert order.status == "AS" and order.technician == technician


@pytest.mark.django_db
def test_ticket_list_charts_the_open_tickets_by_department(
    admin_web, admin_user, make_ticket, department, field_department
):
    """Above the list, the open tickets of the filtered set per department (an SVG bar each,
    linking to the list filtered by it); solved tickets don't count; the chart follows the filters."""
    make_ticket()
    make_ticket()
    make_ticket(department=field_department)
    solved = make_ticket(department=field_department)
    services.ticket_close(actor=admin_user, ticket=solved)

    html = admin_web.get(reverse("support:ticket_list")).content.decode()
    chart = re.search(r'<figure class="mb-0" id="tickets-chart">.*?</figure>', html, re.S).group(0)
    bars = re.findall(r'data-department="(\d+)">\s*<title>([^<]+)</title>', chart)
    assert bars == [
        (str(department.pk), f"{department.name}: 2"),
        (str(field_department.pk), f"{field_department.name}: 1"),
    ]
    assert f"department={department.pk}" in chart
    assert "3 atendimentos abertos por setor" in chart

    filtered = admin_web.get(reverse("support:ticket_list"), {"priority": "B"}).content.decode()
    assert 'id="tickets-chart"' not in filtered  # nothing open with that priority: no chart


# --- Process steps ------------------------------------------------------------------------


def test_web_step_delete_refused_while_an_order_is_open(admin_web, make_ticket, process_subject, process):
    make_ticket(subject=process_subject)
    step = process.steps.get(order=1)
    admin_web.post(f"/process-steps/{step.pk}/delete/")
    assert ProcessStep.objects.filter(pk=step.pk).exists()
