"""Services of tickets and service orders (SPEC T-1 … T-11, S-1, S-2)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from enlace.contracts.models import ContractHistory
from enlace.core.exceptions import ApplicationError
from enlace.customers.services import customer_update
from enlace.support import actions, selectors, services
from enlace.support.models import ServiceOrder, ServiceOrderEvent, Subject, Ticket

pytestmark = pytest.mark.django_db

S = ServiceOrder.Status
A = ServiceOrderEvent.Action


# --- Tickets -----------------------------------------------------------------------------------


def test_ticket_takes_defaults_from_subject_and_posts_opening_message(
    make_ticket, customer, subject, department
):
    ticket = make_ticket()
    today = timezone.localdate()
    assert ticket.protocol == f"{today:%Y%m%d}000001"
    assert ticket.branch == customer.branch
    assert ticket.subject_description == "Cliente sem acesso à internet"
    assert ticket.department == department
    assert ticket.priority == "A"
    assert ticket.status == Ticket.Status.NEW
    assert ticket.origin == Ticket.Origin.INTERNAL
    assert ticket.pending_interaction == Ticket.PendingInteraction.NONE
    [message] = ticket.messages.all()
    assert message.public and message.text == subject.default_opening_message
    assert make_ticket().protocol == f"{today:%Y%m%d}000002"


def test_description_is_required(make_ticket):
    with pytest.raises(ValidationError) as exc:
        make_ticket(description="")
    assert "description" in exc.value.message_dict


def test_status_cannot_be_given(make_ticket):
    with pytest.raises(ValidationError) as exc:
        make_ticket(status="S")
    assert "status" in exc.value.message_dict
    ticket = make_ticket()
    with pytest.raises(ValidationError) as exc:
        services.ticket_update(actor=None, ticket=ticket, status="S")
    assert "status" in exc.value.message_dict


def test_hotsite_ticket_is_pending_on_the_provider(customer, subject):
    ticket = services.ticket_create(
        actor=None,
        customer=customer,
        subject=subject,
        description="Internet lenta",
        origin=Ticket.Origin.HOTSITE,
    )
    assert ticket.origin == "H"
    assert ticket.pending_interaction == Ticket.PendingInteraction.INTERNAL
    assert ticket.opened_by is None


def test_contract_and_login_must_be_the_customers(make_ticket, contract_b, login):
    with pytest.raises(ValidationError) as exc:
        make_ticket(contract=contract_b)
    assert "contract" in exc.value.message_dict
    ticket = make_ticket(login=login)
    assert ticket.contract == login.contract  # the login's contract comes along


def test_subject_requirements(make_ticket, subject, active_contract):
    subject.requires_contract = True
    subject.save()
    with pytest.raises(ValidationError) as exc:
        make_ticket()
    assert "contract" in exc.value.message_dict
    assert make_ticket(contract=active_contract).contract == active_contract


def test_subject_for_service_orders_only_is_refused(make_ticket, os_subject):
    with pytest.raises(ValidationError) as exc:
        make_ticket(subject=os_subject)
    assert "subject" in exc.value.message_dict


# --- Address origin (T-5) ----------------------------------------------------------------------


@pytest.fixture
def located_customer(admin_user, customer, city):
    return customer_update(
        actor=admin_user,
        customer=customer,
        street="Rua das Flores",
        number="100",
        neighborhood="Centro",
        city=city,
        latitude=Decimal("-23.550520"),
        longitude=Decimal("-46.633308"),
    )


def test_address_origin_customer(make_ticket, located_customer):
    ticket = make_ticket(address_origin="C")
    assert "Rua das Flores, 100" in ticket.address
    assert (ticket.latitude, ticket.longitude) == (Decimal("-23.550520"), Decimal("-46.633308"))


def test_address_origin_manual_keeps_typed_values(make_ticket, located_customer):
    ticket = make_ticket(
        address_origin="M", address="Sítio Boa Vista, km 3", latitude=Decimal("-22.1"), longitude=None
    )
    assert ticket.address == "Sítio Boa Vista, km 3"
    assert ticket.latitude == Decimal("-22.1")


def test_address_origin_contract_and_login(
    admin_user, make_ticket, located_customer, active_contract, login, city
):
    ticket = make_ticket(address_origin="CC", contract=active_contract)
    assert "Rua das Flores" in ticket.address and ticket.latitude == Decimal("-23.550520")
    from enlace.contracts.services import contract_update

    contract_update(
        actor=admin_user,
        contract=active_contract,
        own_address=True,
        street="Av. Brasil",
        number="9",
        neighborhood="Jardim",
        city=city,
    )
    ticket = make_ticket(address_origin="L", login=login)
    assert ticket.address.startswith("Av. Brasil, 9")
    assert ticket.latitude is None and ticket.longitude is None
    with pytest.raises(ValidationError) as exc:
        make_ticket(address_origin="CC")
    assert "contract" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_ticket(address_origin="L")
    assert "login" in exc.value.message_dict


# --- Messages and pending interaction (T-9, T-10) ----------------------------------------------


def test_messages_drive_pending_interaction_and_status(admin_user, make_ticket):
    ticket = make_ticket()
    services.ticket_message_add(actor=admin_user, ticket=ticket, text="Nota interna", public=False)
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert ticket.pending_interaction == Ticket.PendingInteraction.NONE
    services.ticket_message_add(actor=None, ticket=ticket, text="Ainda sem internet", by_subscriber=True)
    assert ticket.pending_interaction == Ticket.PendingInteraction.INTERNAL
    services.ticket_message_add(actor=admin_user, ticket=ticket, text="Reinicie o roteador")
    assert ticket.pending_interaction == Ticket.PendingInteraction.EXTERNAL
    texts = [(m.text, m.public, m.by_subscriber) for m in ticket.messages.all()]
    assert texts[1:] == [
        ("Nota interna", False, False),
        ("Ainda sem internet", True, True),
        ("Reinicie o roteador", True, False),
    ]


def test_public_operator_messages_are_emailed(
    admin_user, admin_web, make_ticket, customer, mailoutbox, django_capture_on_commit_callbacks
):
    customer.email = "maria@x.com;maria2@x.com"
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket()
    assert len(mailoutbox) == 1  # the opening message
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_message_add(actor=admin_user, ticket=ticket, text="Reinicie o roteador")
        services.ticket_message_add(actor=admin_user, ticket=ticket, text="privado", public=False)
        services.ticket_message_add(actor=None, ticket=ticket, text="do assinante", by_subscriber=True)
    assert len(mailoutbox) == 2
    mail = mailoutbox[1]
    assert mail.to == ["maria@x.com", "maria2@x.com"]
    assert ticket.protocol in mail.subject
    assert "Reinicie o roteador" in mail.body


def test_new_ticket_with_process_stays_new_until_acted_on(make_ticket, process_subject):
    ticket = make_ticket(subject=process_subject)
    assert ticket.status == Ticket.Status.NEW
    [order] = ticket.service_orders.all()
    assert order.status == S.OPEN and order.process_step.order == 1
    assert ticket.complementary_status == "Vistoria"


# --- Closing -----------------------------------------------------------------------------------


def test_close_requires_finished_orders_and_note(admin_user, make_ticket, make_order, subject):
    subject.close_requires_note = True
    subject.save()
    ticket = make_ticket()
    order = make_order(ticket=ticket)
    assert ticket.status == Ticket.Status.NEW
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS  # a service order by hand
    with pytest.raises(ApplicationError) as exc:
        services.ticket_close(actor=admin_user, ticket=ticket)
    assert exc.value.code == "open_service_orders"
    services.service_order_finish(actor=admin_user, order=order)
    with pytest.raises(ValidationError) as exc:
        services.ticket_close(actor=admin_user, ticket=ticket)
    assert "note" in exc.value.message_dict
    services.ticket_close(actor=admin_user, ticket=ticket, note="Resolvido com troca da ONU")
    assert ticket.status == Ticket.Status.SOLVED and ticket.closed_at
    with pytest.raises(ApplicationError):
        services.ticket_message_add(actor=admin_user, ticket=ticket, text="oi")
    services.ticket_reopen(actor=admin_user, ticket=ticket, reason="Voltou a cair")
    assert ticket.status == Ticket.Status.IN_PROGRESS and ticket.closed_at is None
    services.ticket_cancel(actor=admin_user, ticket=ticket, reason="Duplicado")
    assert ticket.status == Ticket.Status.CANCELLED


def test_history_entries_when_contract_linked(admin_user, make_ticket, active_contract, technician):
    ticket = make_ticket(contract=active_contract)
    order = (
        services.service_order_create(
            actor=admin_user, ticket=ticket, subject=ticket.subject, description="Visita"
        )
        if ticket.subject.for_service_orders
        else None
    )
    services.service_order_assume(actor=admin_user, order=order, technician=technician)
    services.service_order_finish(actor=admin_user, order=order, closing_note="ok")
    services.ticket_close(actor=admin_user, ticket=ticket)
    kinds = list(
        ContractHistory.objects.filter(contract=active_contract, kind__in=["TKT", "OS"])
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["TKT", "OS", "OS", "OS", "TKT"]


# --- Service orders: transitions (S-2) ---------------------------------------------------------


def _order_in(make_order, technician, status):
    order = make_order(technician=technician)
    ServiceOrder.objects.filter(pk=order.pk).update(
        status=status,
        scheduled_start=timezone.now() + datetime.timedelta(days=30),
        scheduled_end=timezone.now() + datetime.timedelta(days=30, hours=1),
    )
    order.refresh_from_db()
    return order


def _call(action, admin_user, order, technician):
    start = timezone.now() + datetime.timedelta(days=2)
    kwargs = {
        A.SCHEDULE: {"start": start, "end": start + datetime.timedelta(hours=2)},
        A.ASSIGN: {"technician": technician},
        A.ASSUME: {"technician": technician},
        A.AWAIT_RESCHEDULE: {"note": "Cliente ausente"},
        A.REOPEN: {"note": "Voltou o problema"},
    }.get(action, {})
    return actions.BY_NAME[action].service(actor=admin_user, order=order, **kwargs)


MATRIX = [
    (action, status, status in sources)
    for action, (sources, _target) in services.TRANSITIONS.items()
    for status in S.values
]


@pytest.mark.parametrize(("action", "status", "allowed"), MATRIX, ids=[f"{a}-from-{s}" for a, s, _ in MATRIX])
def test_transition_matrix(admin_user, make_order, technician, action, status, allowed):
    order = _order_in(make_order, technician, status)
    events = order.events.count()
    if allowed:
        result = _call(action, admin_user, order, technician)
        target = services.TRANSITIONS[action][1]
        assert result.status == (target or status)
        event = result.events.last()
        assert order.events.count() == events + 1
        assert (event.action, event.from_status, event.to_status) == (action, status, result.status)
        assert event.operator == admin_user
    else:
        with pytest.raises(ApplicationError) as exc:
            _call(action, admin_user, order, technician)
        assert exc.value.code == "invalid_transition" and exc.value.field == "status"
        assert str(ServiceOrder.Status(status).label) in str(exc.value.message)
        order.refresh_from_db()
        assert order.status == status and order.events.count() == events


def test_event_keeps_gps_position(admin_user, make_order, technician):
    order = make_order()
    services.service_order_assume(actor=admin_user, order=order, technician=technician)
    services.service_order_start(
        actor=admin_user, order=order, note="Cheguei", latitude=Decimal("-23.5"), longitude=Decimal("-46.6")
    )
    event = order.events.last()
    assert (event.latitude, event.longitude, event.note) == (Decimal("-23.5"), Decimal("-46.6"), "Cheguei")


def test_finish_enforces_subject_requirements(admin_user, make_order, os_subject, technician):
    os_subject.close_requires_note = True
    os_subject.close_requires_technician = True
    os_subject.save()
    order = make_order()
    with pytest.raises(ValidationError) as exc:
        services.service_order_finish(actor=admin_user, order=order)
    assert {"closing_note", "technician"} <= set(exc.value.message_dict)
    services.service_order_assign(actor=admin_user, order=order, technician=technician)
    services.service_order_finish(actor=admin_user, order=order, closing_note="ONU trocada")
    assert order.status == S.FINISHED and order.closing_note == "ONU trocada" and order.finished_at


def test_required_fields_of_a_service_order(admin_user, customer, os_subject):
    with pytest.raises(ValidationError) as exc:
        services.service_order_create(actor=admin_user, customer=customer, subject=os_subject, description="")
    assert "description" in exc.value.message_dict
    no_default = Subject.objects.create(name="Sem setor", purpose="O")
    with pytest.raises(ValidationError) as exc:
        services.service_order_create(
            actor=admin_user, customer=customer, subject=no_default, description="x"
        )
    assert "department" in exc.value.message_dict


# --- Scheduling ---------------------------------------------------------------------------------


def _at(hour, minute=0):
    day = timezone.localdate() + datetime.timedelta(days=3)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def test_schedule_refuses_overlap_of_same_technician(admin_user, make_order, technician, technician2):
    first, second, third = make_order(), make_order(), make_order()
    services.service_order_schedule(
        actor=admin_user, order=first, technician=technician, start=_at(9), end=_at(11)
    )
    with pytest.raises(ApplicationError) as exc:
        services.service_order_schedule(
            actor=admin_user, order=second, technician=technician, start=_at(10, 30), end=_at(12)
        )
    assert exc.value.code == "schedule_clash" and first.protocol in exc.value.message
    second.refresh_from_db()
    assert second.status == S.OPEN and second.scheduled_start is None
    # back to back is fine; another technician is fine
    services.service_order_schedule(
        actor=admin_user, order=second, technician=technician, start=_at(11), end=_at(12)
    )
    services.service_order_schedule(
        actor=admin_user, order=third, technician=technician2, start=_at(9), end=_at(11)
    )
    # assigning the overlapping order to the busy technician is refused too
    with pytest.raises(ApplicationError):
        services.service_order_assign(actor=admin_user, order=third, technician=technician)
    # a released slot (awaiting rescheduling) no longer holds the technician
    services.service_order_await_reschedule(actor=admin_user, order=first, note="Cliente ausente")
    services.service_order_assign(actor=admin_user, order=third, technician=technician)


def test_schedule_needs_technician_and_order(admin_user, make_order):
    order = make_order()
    with pytest.raises(ValidationError) as exc:
        services.service_order_schedule(actor=admin_user, order=order, start=_at(9), end=_at(10))
    assert "technician" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.service_order_schedule(actor=admin_user, order=order, start=_at(10), end=_at(9))
    assert "scheduled_end" in exc.value.message_dict


# --- Processes (T-6) ---------------------------------------------------------------------------


def test_two_step_process(admin_user, make_ticket, process_subject, technician):
    ticket = make_ticket(subject=process_subject)
    [first] = ticket.service_orders.all()
    services.service_order_assign(actor=admin_user, order=first, technician=technician)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    services.service_order_schedule(actor=admin_user, order=first, start=_at(9), end=_at(10))
    services.service_order_start(actor=admin_user, order=first)
    services.service_order_finish(actor=admin_user, order=first, closing_note="Vistoria ok")
    ticket.refresh_from_db()
    assert ticket.complementary_status == "Instalação"
    second = ticket.service_orders.exclude(pk=first.pk).get()
    assert second.status == S.OPEN and second.process_step.order == 2
    services.service_order_finish(actor=admin_user, order=second)
    ticket.refresh_from_db()
    assert ticket.service_orders.count() == 2
    assert ticket.status == Ticket.Status.IN_PROGRESS  # the operator closes it
    services.ticket_close(actor=admin_user, ticket=ticket)


# --- Portal ------------------------------------------------------------------------------------


def test_portal_subjects(admin_user, customer, subject, os_subject, wallet):
    hidden = Subject.objects.create(name="Interno", default_department=subject.default_department)
    strict = Subject.objects.create(
        name="Mudança de plano",
        default_department=subject.default_department,
        portal_visible=True,
        allowed_overdue=False,
    )
    assert list(selectors.portal_subjects(customer)) == [strict, subject]
    from enlace.billing.services.invoices import invoice_create

    invoice_create(
        actor=admin_user,
        customer=customer,
        wallet=wallet,
        due_date=timezone.localdate() - datetime.timedelta(days=5),
        amount="99.90",
    )
    assert list(selectors.portal_subjects(customer)) == [subject]
    assert hidden not in selectors.portal_subjects(customer)


# --- Protocol uniqueness under concurrency (T-2) -----------------------------------------------


def _in_threads(count, target):
    results = [None] * count
    barrier = threading.Barrier(count)

    def run(n):
        try:
            barrier.wait()
            results[n] = target(n)
        except Exception as exc:  # noqa: BLE001
            results[n] = exc
        finally:
            connection.close()  # this thread's own connection, or the test database stays in use

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_tickets_never_share_a_protocol(admin_user, customer, subject, process_subject):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers (one database lock): concurrency is tried on PostgreSQL")

    def open_tickets(n):
        chosen = process_subject if n % 2 else subject
        return [
            services.ticket_create(
                actor=admin_user, customer=customer, subject=chosen, description=f"t{n}-{k}"
            ).protocol
            for k in range(3)
        ]

    results = _in_threads(12, open_tickets)
    assert not [r for r in results if isinstance(r, Exception)], results
    protocols = [p for batch in results for p in batch]
    assert len(protocols) == len(set(protocols)) == 36
    day = f"{timezone.localdate():%Y%m%d}"
    assert sorted(protocols) == [f"{day}{n:06d}" for n in range(1, 37)]
    orders = list(ServiceOrder.objects.values_list("protocol", flat=True))
    assert len(orders) == len(set(orders)) == 18


# --- Cancelling, closing and reopening with service orders --------------------------------


def test_ticket_update_refuses_process(admin_user, make_ticket, process):
    ticket = make_ticket()
    with pytest.raises(ValidationError) as exc:
        services.ticket_update(actor=admin_user, ticket=ticket, process=process)
    assert "process" in exc.value.message_dict


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
