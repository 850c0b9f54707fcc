"""Subjects and processes (SPEC T-6): a process's ordered steps, each opening a service order
when it is reached. Steps are updated in place (matched by ``id``, else by position) so running
service orders keep their step; a step with open service orders cannot be removed; a step's
subject must allow service orders and its technician be an active one within the operator's
branches."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError
from enlace.core.services import object_delete, object_save
from enlace.core.types import Actor

from ..models import Process, ProcessStep, ServiceOrder, Subject
from ..selectors import technicians

S = ServiceOrder.Status


def subject_save(subject: Subject, *, actor: Actor) -> Subject:
    return object_save(subject, actor=actor)


def _check_step(step: ProcessStep, *, actor: Actor, technician_changed: bool = True, label: str = "") -> None:
    """A step's subject must allow service orders; its technician (when given or changed) must be
    an active technician within the operator's branches — the choices of ``ProcessStepForm``."""
    errors = {}
    if step.subject_id and not step.subject.for_service_orders:
        errors["subject"] = [label + _("Choose a subject for service orders.")]
    if step.technician_id and technician_changed:
        allowed = technicians(actor)
        if not allowed.filter(pk=step.technician_id).exists():
            errors["technician"] = [label + _("Choose an active technician within your branches.")]
    if errors:
        raise ValidationError(errors)


def _refuse_open_orders(step: ProcessStep) -> None:
    running = list(
        ServiceOrder.objects.filter(process_step=step)
        .exclude(status=S.FINISHED)
        .values_list("protocol", flat=True)
    )
    if running:
        raise ApplicationError(
            _("Step %(step)s has open service orders (%(orders)s): finish them before removing the step.")
            % {"step": f"{step.order}. {step.subject}", "orders": ", ".join(running)},
            code="step_in_use",
            field="steps",
        )


def process_save(process: Process, *, actor: Actor, steps: list[dict] | None = None) -> Process:
    """Save a process and, when ``steps`` is given, make its steps that list (numbered 1, 2, … in
    the given order) in the same transaction. Steps are updated in place — matched by ``id``, else
    by position — so the service orders running on them keep their step and the chain goes on;
    a step left out is deleted, refused while it has open service orders."""
    with transaction.atomic():
        object_save(process, actor=actor)
        if steps is not None:
            _replace_steps(process, actor=actor, steps=steps)
    return process


def _replace_steps(process: Process, *, actor: Actor, steps: list[dict]) -> None:
    existing: dict[int | None, ProcessStep] = {
        step.pk: step for step in process.steps.select_for_update().order_by("order", "id")
    }
    by_order = {step.order: step for step in existing.values()}
    wanted_ids = {values.get("id") for values in steps} - {None}
    foreign = sorted(wanted_ids - set(existing), key=str)
    if foreign:
        raise ValidationError(
            {"steps": [_("Step %(id)s is not a step of this process.") % {"id": foreign[0]}]}
        )
    plan, taken = [], set()
    for number, values in enumerate(steps, start=1):
        step = existing.get(values.get("id"))
        if step is None:
            candidate = by_order.get(number)
            if candidate is not None and candidate.pk not in wanted_ids and candidate.pk not in taken:
                step = candidate
        if step is not None:
            taken.add(step.pk)
        plan.append((number, values, step))
    for step in existing.values():
        if step.pk not in taken:
            _refuse_open_orders(step)
            object_delete(step, actor=actor)
    # Move the kept steps out of the way of the unique (process, order) before renumbering.
    if taken:
        top = max([*by_order, len(steps)])
        for step in existing.values():
            if step.pk in taken:
                ProcessStep.objects.filter(pk=step.pk).update(order=step.order + top)
    for number, values, step in plan:
        values = {k: v for k, v in values.items() if k not in ("id", "order", "process")}
        old_technician = step.technician_id if step is not None else None
        if step is None:
            step = ProcessStep(process=process)
        for name, value in values.items():
            setattr(step, name, value)
        step.order = number
        _check_step(
            step,
            actor=actor,
            technician_changed=step.technician_id != old_technician,
            label=_("Step %(number)s: ") % {"number": number},
        )
        object_save(step, actor=actor)


def process_step_save(step: ProcessStep, *, actor: Actor) -> ProcessStep:
    old = (
        ProcessStep.objects.filter(pk=step.pk).values_list("technician_id", flat=True).first()
        if step.pk
        else None
    )
    _check_step(step, actor=actor, technician_changed=step.technician_id != old)
    return object_save(step, actor=actor)


def process_delete(process: Process, *, actor: Actor) -> None:
    """Delete a process (and its steps); refused while a step has open service orders."""
    with transaction.atomic():
        for step in process.steps.select_for_update().order_by("order"):
            _refuse_open_orders(step)
        object_delete(process, actor=actor)


def process_step_delete(step: ProcessStep, *, actor: Actor) -> None:
    """Delete a step; refused while it has open service orders (they would lose their step and
    the process would stop there)."""
    with transaction.atomic():
        step = ProcessStep.objects.select_for_update().get(pk=step.pk)
        _refuse_open_orders(step)
        object_delete(step, actor=actor)
