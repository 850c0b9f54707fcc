"""Rules added after review: process chain on reopen, slot clashes on every transition, process
steps updated in place and validated, ``process`` refused on ticket update, cancelling a ticket
with open service orders, active technicians in the action API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enlace.contracts.models import ContractHistory
from enlace.core.exceptions import ApplicationError
from enlace.core.models import Employee
from enlace.support import services
from enlace.support.models import ProcessStep, ServiceOrder, ServiceOrderEvent, Subject, Ticket

pytestmark = pytest.mark.django_db

S = ServiceOrder.Status


def _at(hour):
    base = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return base + datetime.timedelta(days=2, hours=hour)


def _holding(technician):
    return ServiceOrder.objects.filter(
        technician=technician,
        status__in=services.SLOT_HOLDING,
        scheduled_start__lt=_at(11),
        scheduled_end__gt=_at(10),
    ).count()


# --- 1. process chain -----------------------------------------------------------------------


def test_finishing_a_reopened_step_does_not_open_the_next_step_again(
    admin_user, make_ticket, process_subject
):
    ticket = make_ticket(subject=process_subject)
    first = ticket.service_orders.get()
    services.service_order_finish(actor=admin_user, order=first)
    services.service_order_reopen(actor=admin_user, order=first, note="Refazer vistoria")
    services.service_order_finish(actor=admin_user, order=first)
    orders = list(ticket.service_orders.values_list("process_step__order", flat=True))
    assert sorted(orders) == [1, 2]


# --- 2. slot clashes ------------------------------------------------------------------------


def test_assume_from_awaiting_reschedule_by_another_technician_checks_the_slot(
    admin_user, make_order, technician, technician2
):
    o1, o2 = make_order(), make_order()
    services.service_order_schedule(
        actor=admin_user, order=o1, start=_at(10), end=_at(11), technician=technician
    )
    services.service_order_schedule(
        actor=admin_user, order=o2, start=_at(10), end=_at(11), technician=technician2
    )
    services.service_order_await_reschedule(actor=admin_user, order=o2, note="Cliente ausente")
    with pytest.raises(ApplicationError) as exc:
        services.service_order_assume(actor=admin_user, order=o2, technician=technician)
    assert exc.value.code == "schedule_clash"
    assert _holding(technician) == 1


def test_forward_from_awaiting_reschedule_checks_the_slot(admin_user, make_order, technician):
    o1, o2 = make_order(), make_order()
    services.service_order_schedule(
        actor=admin_user, order=o1, start=_at(10), end=_at(11), technician=technician
    )
    services.service_order_await_reschedule(actor=admin_user, order=o1, note="Cliente ausente")
    services.service_order_schedule(
        actor=admin_user, order=o2, start=_at(10), end=_at(11), technician=technician
    )
    with pytest.raises(ApplicationError):
        services.service_order_forward(actor=admin_user, order=o1, note="Outro setor")
    o1.refresh_from_db()
    assert o1.status == S.AWAITING_RESCHEDULE
    assert _holding(technician) == 1


def test_forward_to_another_technician_checks_the_slot(admin_user, make_order, technician, technician2):
    o1, o2 = make_order(), make_order()
    services.service_order_schedule(
        actor=admin_user, order=o1, start=_at(10), end=_at(11), technician=technician
    )
    services.service_order_schedule(
        actor=admin_user, order=o2, start=_at(10), end=_at(11), technician=technician2
    )
    services.service_order_await_reschedule(actor=admin_user, order=o2, note="Chuva")
    with pytest.raises(ApplicationError):
        services.service_order_forward(actor=admin_user, order=o2, technician=technician)


def test_forward_from_awaiting_reschedule_with_a_free_slot_holds_it(admin_user, make_order, technician):
    order = make_order()
    services.service_order_schedule(
        actor=admin_user, order=order, start=_at(10), end=_at(11), technician=technician
    )
    services.service_order_await_reschedule(actor=admin_user, order=order, note="Cliente ausente")
    services.service_order_forward(actor=admin_user, order=order, note="Outro setor")
    assert _holding(technician) == 1


def test_reopen_with_a_taken_slot_releases_the_old_schedule(admin_user, make_order, technician):
    o1, o2 = make_order(), make_order()
    services.service_order_schedule(
        actor=admin_user, order=o1, start=_at(10), end=_at(11), technician=technician
    )
    services.service_order_finish(actor=admin_user, order=o1)
    services.service_order_schedule(
        actor=admin_user, order=o2, start=_at(10), end=_at(11), technician=technician
    )
    services.service_order_reopen(actor=admin_user, order=o1, note="Voltou a cair")
    o1.refresh_from_db()
    assert o1.status == S.OPEN
    assert o1.scheduled_start is None and o1.scheduled_end is None
    assert _holding(technician) == 1


def test_reopen_with_a_free_slot_keeps_the_schedule(admin_user, make_order, technician):
    order = make_order()
    services.service_order_schedule(
        actor=admin_user, order=order, start=_at(10), end=_at(11), technician=technician
    )
    services.service_order_finish(actor=admin_user, order=order)
    services.service_order_reopen(actor=admin_user, order=order, note="Voltou a cair")
    order.refresh_from_db()
    assert order.scheduled_start == _at(10)


# --- 3. process steps updated in place ------------------------------------------------------


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


def test_process_save_matches_steps_by_id_and_reorders(admin_user, process, os_subject, field_department):
    one, two = process.steps.order_by("order")
    services.process_save(
        process,
        actor=admin_user,
        steps=[
            {"id": two.pk, "subject": os_subject, "department": field_department},
            {"id": one.pk, "subject": os_subject, "department": field_department},
            {"subject": os_subject, "department": field_department, "complementary_status": "Ativação"},
        ],
    )
    assert list(process.steps.order_by("order").values_list("id", "order")) == [
        (two.pk, 1),
        (one.pk, 2),
        (process.steps.get(order=3).pk, 3),
    ]


def test_process_save_refuses_to_drop_a_step_with_open_orders(
    admin_user, make_ticket, process_subject, process, os_subject, field_department
):
    make_ticket(subject=process_subject)  # the first step's OS is open
    two = process.steps.get(order=2)
    with pytest.raises(ApplicationError) as exc:
        services.process_save(
            process,
            actor=admin_user,
            steps=[{"id": two.pk, "subject": os_subject, "department": field_department}],
        )
    assert "1." in exc.value.message
    assert process.steps.count() == 2


def test_process_save_drops_a_step_without_open_orders(admin_user, process, os_subject, field_department):
    one = process.steps.get(order=1)
    services.process_save(
        process,
        actor=admin_user,
        steps=[{"id": one.pk, "subject": os_subject, "department": field_department}],
    )
    assert list(process.steps.values_list("id", flat=True)) == [one.pk]


def test_process_save_refuses_an_id_of_another_process(admin_user, process, os_subject, field_department):
    other = services.process_save(
        type(process)(name="Mudança de endereço"),
        actor=admin_user,
        steps=[{"subject": os_subject, "department": field_department}],
    )
    foreign = other.steps.get()
    with pytest.raises(ValidationError) as exc:
        services.process_save(
            process,
            actor=admin_user,
            steps=[{"id": foreign.pk, "subject": os_subject, "department": field_department}],
        )
    assert "steps" in exc.value.message_dict


def test_web_step_delete_refused_while_an_order_is_open(admin_web, make_ticket, process_subject, process):
    make_ticket(subject=process_subject)
    step = process.steps.get(order=1)
    admin_web.post(f"/process-steps/{step.pk}/delete/")
    assert ProcessStep.objects.filter(pk=step.pk).exists()


def test_step_delete_service(admin_user, make_ticket, process_subject, process):
    ticket = make_ticket(subject=process_subject)
    step = process.steps.get(order=1)
    with pytest.raises(ApplicationError):
        services.process_step_delete(step, actor=admin_user)
    services.service_order_finish(actor=admin_user, order=ticket.service_orders.get())
    services.process_step_delete(step, actor=admin_user)
    assert not ProcessStep.objects.filter(pk=step.pk).exists()


# --- 4. nested step validation ----------------------------------------------------------------


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


def test_step_technician_must_be_an_active_technician(admin_user, process, os_subject, field_department):
    clerk = Employee.objects.create(name="Atendente", is_technician=False)
    with pytest.raises(ValidationError) as exc:
        services.process_save(
            process,
            actor=admin_user,
            steps=[{"subject": os_subject, "department": field_department, "technician": clerk}],
        )
    assert "technician" in exc.value.message_dict
    step = ProcessStep(
        process=process, order=9, subject=os_subject, department=field_department, technician=clerk
    )
    with pytest.raises(ValidationError):
        services.process_step_save(step, actor=admin_user)


# --- 5. process on ticket update ------------------------------------------------------------


def test_api_patch_of_process_is_refused(admin_api, make_ticket, process):
    ticket = make_ticket()
    response = admin_api.patch(f"/api/v1/tickets/{ticket.pk}/", {"process": process.pk}, format="json")
    assert response.status_code == 400, response.content
    assert "process" in response.json()
    ticket.refresh_from_db()
    assert ticket.process_id is None and ticket.service_orders.count() == 0


def test_ticket_update_refuses_process(admin_user, make_ticket, process):
    ticket = make_ticket()
    with pytest.raises(ValidationError) as exc:
        services.ticket_update(actor=admin_user, ticket=ticket, process=process)
    assert "process" in exc.value.message_dict


# --- 6. cancelling a ticket with open service orders ----------------------------------------


def test_cancel_finishes_open_orders_without_opening_next_steps(
    admin_user, make_ticket, process_subject, active_contract
):
    ticket = make_ticket(subject=process_subject, contract=active_contract)
    first = ticket.service_orders.get()
    before = ContractHistory.objects.filter(contract=active_contract, kind="OS").count()
    services.ticket_cancel(actor=admin_user, ticket=ticket, reason="Cliente desistiu")
    ticket.refresh_from_db()
    first.refresh_from_db()
    assert ticket.status == Ticket.Status.CANCELLED
    assert first.status == S.FINISHED and first.closing_note == "Cliente desistiu"
    assert ticket.service_orders.count() == 1  # the second step did not open
    assert first.events.filter(action=ServiceOrderEvent.Action.FINISH, note="Cliente desistiu").count() == 1
    assert ContractHistory.objects.filter(contract=active_contract, kind="OS").count() == before + 1


def test_cancel_ignores_the_subjects_closing_requirements(admin_user, make_ticket, make_order, os_subject):
    os_subject.close_requires_technician = True
    os_subject.close_requires_note = True
    os_subject.save()
    ticket = make_ticket()
    order = make_order(ticket=ticket)
    services.ticket_cancel(actor=admin_user, ticket=ticket, reason="Duplicado")
    order.refresh_from_db()
    assert order.status == S.FINISHED


def test_close_still_needs_every_order_finished(admin_user, make_ticket, process_subject):
    ticket = make_ticket(subject=process_subject)
    with pytest.raises(ApplicationError) as exc:
        services.ticket_close(actor=admin_user, ticket=ticket)
    assert exc.value.code == "open_service_orders"


# --- 7. the ticket is locked before checking it is open -------------------------------------


def test_create_reads_the_ticket_row_not_the_callers_instance(admin_user, make_ticket, os_subject):
    ticket = make_ticket()
    stale = Ticket.objects.get(pk=ticket.pk)  # open when read
    services.ticket_cancel(actor=admin_user, ticket=ticket, reason="Desistiu")
    assert stale.is_open
    with pytest.raises(ApplicationError) as exc:
        services.service_order_create(
            actor=admin_user, ticket=stale, subject=os_subject, description="Visita"
        )
    assert exc.value.code == "ticket_closed"
    assert not ServiceOrder.objects.exists()


def test_reopen_of_an_order_reopens_its_closed_ticket(admin_user, make_ticket, make_order):
    ticket = make_ticket()
    order = make_order(ticket=ticket)
    services.service_order_finish(actor=admin_user, order=order)
    services.ticket_close(actor=admin_user, ticket=ticket)
    services.service_order_reopen(actor=admin_user, order=order, note="Voltou a cair")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS and ticket.closed_at is None


# --- minor: active technicians in the API ----------------------------------------------------


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


def test_process_delete_refused_while_a_step_has_open_orders(
    admin_user, admin_api, make_ticket, process_subject, process
):
    make_ticket(subject=process_subject)
    response = admin_api.delete(f"/api/v1/processes/{process.pk}/")
    assert response.status_code == 400, response.content
    with pytest.raises(ApplicationError):
        services.process_delete(process, actor=admin_user)
    assert process.steps.count() == 2
