"""API of support (SPEC G-5, §14): subjects, processes, tickets + messages, service orders + actions."""

import datetime

import pytest
from django.utils import timezone

from enlace.core.models import Employee
from enlace.support import services
from enlace.support.models import ServiceOrder, Subject, Ticket

pytestmark = pytest.mark.django_db

TICKET_FIELDS = {
    "id",
    "protocol",
    "customer",
    "contract",
    "login",
    "branch",
    "subject",
    "subject_description",
    "description",
    "address_origin",
    "address",
    "latitude",
    "longitude",
    "process",
    "department",
    "responsible",
    "priority",
    "reserved_date",
    "best_time",
    "origin",
    "pending_interaction",
    "status",
    "complementary_status",
}
ORDER_FIELDS = {
    "id",
    "protocol",
    "ticket",
    "customer",
    "contract",
    "login",
    "subject",
    "department",
    "technician",
    "status",
    "description",
    "scheduled_start",
    "scheduled_end",
    "closing_note",
}


def test_ticket_create_and_field_names(admin_api, customer, subject):
    response = admin_api.post(
        "/api/v1/tickets/",
        {"customer": customer.pk, "subject": subject.pk, "description": "Sem sinal"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= TICKET_FIELDS
    assert body["status"] == "N" and body["origin"] == "I" and body["priority"] == "A"
    assert body["protocol"].startswith(f"{timezone.localdate():%Y%m%d}")
    assert body["branch"] == customer.branch_id


@pytest.mark.parametrize("field", ["status", "protocol", "origin", "branch"])
def test_ticket_automatic_fields_are_refused(admin_api, make_ticket, customer, subject, field):
    ticket = make_ticket()
    value = {"status": "S", "protocol": "1", "origin": "H", "branch": customer.branch_id}[field]
    response = admin_api.patch(f"/api/v1/tickets/{ticket.pk}/", {field: value}, format="json")
    assert response.status_code == 400 and field in response.json()
    response = admin_api.post(
        "/api/v1/tickets/",
        {"customer": customer.pk, "subject": subject.pk, "description": "x", field: value},
        format="json",
    )
    assert response.status_code == 400 and field in response.json()
    ticket.refresh_from_db()
    assert ticket.status == "N"


def test_ticket_patch_and_missing_description(admin_api, make_ticket, customer, subject):
    ticket = make_ticket()
    response = admin_api.patch(
        f"/api/v1/tickets/{ticket.pk}/", {"priority": "C", "best_time": "M"}, format="json"
    )
    assert response.status_code == 200 and response.json()["priority"] == "C"
    response = admin_api.post(
        "/api/v1/tickets/", {"customer": customer.pk, "subject": subject.pk}, format="json"
    )
    assert response.status_code == 400 and "description" in response.json()
    response = admin_api.patch(f"/api/v1/tickets/{ticket.pk}/", {"description": " x"}, format="json")
    assert response.status_code == 400 and "description" in response.json()


def test_messages_and_ticket_actions(admin_api, make_ticket):
    ticket = make_ticket()
    url = f"/api/v1/tickets/{ticket.pk}/messages/"
    response = admin_api.post(url, {"text": "Reinicie o roteador"}, format="json")
    assert response.status_code == 201 and response.json()["public"] is True
    response = admin_api.post(url, {"text": "nota", "public": False}, format="json")
    assert response.status_code == 201
    assert [m["text"] for m in admin_api.get(url).json()][1:] == ["Reinicie o roteador", "nota"]
    body = admin_api.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert body["status"] == "EP" and body["pending_interaction"] == "E"
    response = admin_api.post(f"/api/v1/tickets/{ticket.pk}/close/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "S"
    response = admin_api.post(f"/api/v1/tickets/{ticket.pk}/close/", {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_transition"
    response = admin_api.post(f"/api/v1/tickets/{ticket.pk}/reopen/", {"reason": "voltou"}, format="json")
    assert response.json()["status"] == "EP"
    assert admin_api.delete(f"/api/v1/tickets/{ticket.pk}/").status_code == 405


def test_service_order_life_cycle(admin_api, make_ticket, os_subject, technician):
    ticket = make_ticket()
    response = admin_api.post(
        "/api/v1/service-orders/",
        {"ticket": ticket.pk, "subject": os_subject.pk, "description": "Trocar ONU"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= ORDER_FIELDS and body["status"] == "A" and body["customer"] == ticket.customer_id
    url = f"/api/v1/service-orders/{body['id']}/"
    assert admin_api.patch(url, {"status": "F"}, format="json").status_code == 400
    start = timezone.now() + datetime.timedelta(days=1)
    response = admin_api.post(
        url + "schedule/",
        {
            "technician": technician.pk,
            "scheduled_start": start.isoformat(),
            "scheduled_end": (start + datetime.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "AG" and response.json()["technician"] == technician.pk
    response = admin_api.post(url + "finish/", {"closing_note": "ok"}, format="json")
    assert response.json()["status"] == "F"
    response = admin_api.post(url + "start/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_transition" and "status" in response.json()
    response = admin_api.post(url + "reopen/", {"note": "voltou"}, format="json")
    assert response.json()["status"] == "A"
    response = admin_api.post(url + "await-reschedule/", {"note": "x"}, format="json")
    assert response.status_code == 400
    events = admin_api.get(url + "events/").json()
    assert [e["action"] for e in events] == ["open", "schedule", "finish", "reopen"]


def test_schedule_clash_is_400(admin_api, make_order, technician):
    first, second = make_order(), make_order()
    start = timezone.now() + datetime.timedelta(days=1)
    payload = {
        "technician": technician.pk,
        "scheduled_start": start.isoformat(),
        "scheduled_end": (start + datetime.timedelta(hours=2)).isoformat(),
    }
    assert (
        admin_api.post(f"/api/v1/service-orders/{first.pk}/schedule/", payload, format="json").status_code
        == 200
    )
    response = admin_api.post(f"/api/v1/service-orders/{second.pk}/schedule/", payload, format="json")
    assert response.status_code == 400 and response.json()["code"] == "schedule_clash"


def test_subjects_and_processes(admin_api, department, os_subject, field_department):
    response = admin_api.post(
        "/api/v1/subjects/",
        {"name": "Lentidão", "purpose": "T", "default_department": department.pk, "portal_visible": True},
        format="json",
    )
    assert response.status_code == 201
    response = admin_api.post(
        "/api/v1/processes/",
        {
            "name": "Instalação",
            "steps": [
                {
                    "subject": os_subject.pk,
                    "department": field_department.pk,
                    "complementary_status": "Vistoria",
                },
                {
                    "subject": os_subject.pk,
                    "department": field_department.pk,
                    "complementary_status": "Instalação",
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert [s["order"] for s in response.json()["steps"]] == [1, 2]
    assert admin_api.get("/api/v1/departments/").status_code == 200


def test_branch_scope(operator_a_api, admin_user, customer_b, subject):
    ticket = services.ticket_create(actor=admin_user, customer=customer_b, subject=subject, description="x")
    order = services.service_order_create(actor=admin_user, ticket=ticket, subject=subject, description="y")
    assert operator_a_api.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404
    assert operator_a_api.get(f"/api/v1/tickets/{ticket.pk}/messages/").status_code == 404
    assert operator_a_api.get(f"/api/v1/service-orders/{order.pk}/").status_code == 404
    assert (
        operator_a_api.post(f"/api/v1/service-orders/{order.pk}/analyse/", {}, format="json").status_code
        == 404
    )
    assert operator_a_api.get("/api/v1/tickets/").json()["count"] == 0
    response = operator_a_api.post(
        "/api/v1/tickets/",
        {"customer": customer_b.pk, "subject": subject.pk, "description": "x"},
        format="json",
    )
    assert response.status_code == 400 and "customer" in response.json()
    assert Ticket.objects.count() == 1 and ServiceOrder.objects.count() == 1


def test_no_permission(noperm_api, make_ticket):
    ticket = make_ticket()
    assert noperm_api.get("/api/v1/tickets/").status_code == 403
    assert noperm_api.post(f"/api/v1/tickets/{ticket.pk}/close/", {}, format="json").status_code in (403, 404)


# --- Processes, process on ticket update, technicians of the actions ----------------------


def test_api_patch_of_steps_keeps_running_orders_on_their_step(
    admin_api, admin_user, make_ticket, process_subject, process, os_subject, field_department
):
    ticket = make_ticket(subject=process_subject)
    first = ticket.service_orders.get()
    ids = list(process.steps.values_list("id", flat=True))
    steps = [
        {"subject": os_subject.pk, "department": field_department.pk, "complementary_status": status}
        for status in ("Vistoria técnica", "Instalação")
    ]
    response = admin_api.patch(f"/api/v1/processes/{process.pk}/", {"steps": steps}, format="json")
    assert response.status_code == 200, response.content
    assert list(process.steps.values_list("id", flat=True)) == ids
    assert process.steps.get(order=1).complementary_status == "Vistoria técnica"
    first.refresh_from_db()
    assert first.process_step_id == ids[0]
    services.service_order_finish(actor=admin_user, order=first)
    assert ticket.service_orders.count() == 2


def test_api_step_with_a_ticket_only_subject_is_refused(admin_api, department, process):
    ticket_only = Subject.objects.create(name="Só atendimento", purpose="T", default_department=department)
    response = admin_api.patch(
        f"/api/v1/processes/{process.pk}/",
        {"steps": [{"subject": ticket_only.pk, "department": department.pk}]},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "subject" in str(response.json())
    assert process.steps.count() == 2


def test_api_step_technician_of_another_branch_is_refused(
    operator_a_admin_api, process, os_subject, field_department, branch_b
):
    other = Employee.objects.create(name="Tec B", is_technician=True)
    other.branches.set([branch_b])
    response = operator_a_admin_api.patch(
        f"/api/v1/processes/{process.pk}/",
        {"steps": [{"subject": os_subject.pk, "department": field_department.pk, "technician": other.pk}]},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "technician" in str(response.json())


def test_api_patch_of_process_is_refused(admin_api, make_ticket, process):
    ticket = make_ticket()
    response = admin_api.patch(f"/api/v1/tickets/{ticket.pk}/", {"process": process.pk}, format="json")
    assert response.status_code == 400, response.content
    assert "process" in response.json()
    ticket.refresh_from_db()
    assert ticket.process_id is None and ticket.service_orders.count() == 0


def test_api_assume_refuses_an_inactive_or_non_technician(admin_api, make_order, technician):
    order = make_order()
    clerk = Employee.objects.create(name="Atendente", is_technician=False)
    technician.active = False
    technician.save()
    for employee in (clerk, technician):
        for action in ("assume", "assign", "forward"):
            response = admin_api.post(
                f"/api/v1/service-orders/{order.pk}/{action}/", {"technician": employee.pk}, format="json"
            )
            assert response.status_code == 400, (action, response.content)
            assert "technician" in response.json()
