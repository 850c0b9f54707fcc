"""Processes (T-6): the chain of steps, steps updated in place (matched by id, else by position)
and validated like the form, steps and processes with open service orders kept."""

import pytest
from django.core.exceptions import ValidationError

from enlace.core.exceptions import ApplicationError
from enlace.core.models import Employee
from enlace.support import services
from enlace.support.models import ProcessStep

pytestmark = pytest.mark.django_db


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


def test_step_delete_service(admin_user, make_ticket, process_subject, process):
    ticket = make_ticket(subject=process_subject)
    step = process.steps.get(order=1)
    with pytest.raises(ApplicationError):
        services.process_step_delete(step, actor=admin_user)
    services.service_order_finish(actor=admin_user, order=ticket.service_orders.get())
    services.process_step_delete(step, actor=admin_user)
    assert not ProcessStep.objects.filter(pk=step.pk).exists()


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


def test_process_delete_refused_while_a_step_has_open_orders(
    admin_user, admin_api, make_ticket, process_subject, process
):
    make_ticket(subject=process_subject)
    response = admin_api.delete(f"/api/v1/processes/{process.pk}/")
    assert response.status_code == 400, response.content
    with pytest.raises(ApplicationError):
        services.process_delete(process, actor=admin_user)
    assert process.steps.count() == 2
