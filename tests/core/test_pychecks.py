"""Check constraints evaluated in Python by ``full_clean`` (``enlace.core.pychecks``, issue 22):
the same verdict as Django's query for every case, no query when Python can tell, the database
when it cannot."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CheckConstraint, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enlace.core import pychecks
from enlace.support.models import ServiceOrder, Ticket, TicketMessage

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LATITUDES = [None, Decimal("0"), Decimal("-90"), Decimal("90"), Decimal("90.000001"), Decimal("-123.5")]


def verdicts(model, instance):
    """{constraint name: (Django's query says valid, Python says valid, queries Python ran)}."""
    found = {}
    for constraint in model._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        try:
            constraint.validate(model, instance)
            by_query = True
        except ValidationError:
            by_query = False
        with CaptureQueriesContext(connection) as ctx:
            try:
                pychecks.in_python(constraint).validate(model, instance)
                by_python = True
            except ValidationError as exc:
                by_python = False
                assert exc.messages == [str(constraint.get_violation_error_message())]
        found[constraint.name] = (by_query, by_python, len(ctx.captured_queries))
    return found


def assert_same(model, instance, *, queryless: set[str]):
    for name, (by_query, by_python, queries) in verdicts(model, instance).items():
        assert by_query == by_python, name
        if name in queryless:
            assert queries == 0, name


def test_ticket_constraints_agree(customer):
    names = {
        "ticket_description_required",
        "ticket_latitude_range",
        "ticket_longitude_range",
        "ticket_status_valid",
    }
    for latitude, longitude, description, status in itertools.product(
        LATITUDES, [None, Decimal("180"), Decimal("-180.5")], ["", "x"], ["N", "Z"]
    ):
        ticket = Ticket(
            customer=customer,
            latitude=latitude,
            longitude=longitude,
            description=description,
            status=status,
        )
        assert_same(Ticket, ticket, queryless=names)


def test_service_order_schedule_agrees_with_f_expressions(customer):
    hour = datetime.timedelta(hours=1)
    for start, end in itertools.product([None, NOW], [None, NOW - hour, NOW, NOW + hour]):
        order = ServiceOrder(customer=customer, description="x", scheduled_start=start, scheduled_end=end)
        assert_same(ServiceOrder, order, queryless={"serviceorder_schedule_order"})


def test_message_booleans_agree():
    for by_subscriber, public in itertools.product([False, True], repeat=2):
        message = TicketMessage(text="x", by_subscriber=by_subscriber, public=public)
        assert_same(TicketMessage, message, queryless={"ticketmessage_subscriber_public"})


def test_conditions_python_cannot_tell_go_to_the_database(customer):
    ticket = Ticket(customer=customer, description="abc")
    for condition in (Q(description__gt="a"), Q(description__startswith="a"), Q(customer__name="x")):
        with pytest.raises(pychecks._Unsupported):
            pychecks.evaluate(condition, Ticket, ticket)
    constraint = CheckConstraint(condition=Q(description__gt="b"), name="ticket_after_b")
    with CaptureQueriesContext(connection) as ctx, pytest.raises(ValidationError):
        pychecks.in_python(constraint).validate(Ticket, ticket)
    assert len(ctx.captured_queries) >= 1


def test_an_excluded_field_skips_the_constraint_as_django_does(customer):
    ticket = Ticket(customer=customer, description="x", latitude=Decimal("100"))
    constraint = next(c for c in Ticket._meta.constraints if c.name == "ticket_latitude_range")
    constraint.validate(Ticket, ticket, exclude={"latitude"})
    pychecks.in_python(constraint).validate(Ticket, ticket, exclude={"latitude"})
    with pytest.raises(ValidationError):
        pychecks.in_python(constraint).validate(Ticket, ticket)


def test_full_clean_reports_the_violation(customer):
    ticket = Ticket(customer=customer, branch=customer.branch, description="x", protocol="1")
    ticket.latitude = Decimal("91")
    with pytest.raises(ValidationError) as raised:
        ticket.full_clean()
    assert "ticket_latitude_range" in str(raised.value)
