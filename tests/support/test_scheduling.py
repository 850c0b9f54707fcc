"""Scheduling (S-2): every transition that leaves a scheduled service order holding its slot —
entering a slot-holding status, changing the technician or the times — checks the technician's
agenda; a reopened order whose old slot was taken loses its schedule instead of being refused."""

import datetime

import pytest
from django.utils import timezone

from enlace.core.exceptions import ApplicationError
from enlace.support import services
from enlace.support.models import ServiceOrder

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
