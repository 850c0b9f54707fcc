"""Fault drill: the mail server is down while a ticket copy and a password reset are due.

Both stay in the e-mail outbox (``enlace.core.mail``) with the error; once the server is back, the
outbox task delivers each exactly once — counted on a real SMTP server (aiosmtpd,
tests/helpers/smtp.py). Also: nothing is sent for a change that rolled back, a deduplication key
queues once, and two workers sending at once never send a row twice.
"""

import datetime
import threading

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from enlace.core import mail, tasks
from enlace.core.mail import OutboundEmail
from enlace.core.models import Department
from enlace.customers.services import customer_update
from enlace.portal.services import portal_password_reset_send
from enlace.support import services as support
from enlace.support.models import Subject
from tests.helpers.smtp import smtp_server  # noqa: F401  (fixture)

Q, SENT, FAILED = OutboundEmail.Status.QUEUED, OutboundEmail.Status.SENT, OutboundEmail.Status.FAILED


@pytest.fixture
def maria(customer):
    return customer_update(
        actor=None,
        customer=customer,
        portal_login="maria",
        portal_password="senha-portal-1",
        email="maria@example.com",
        confirm_duplicate_address=True,
    )


@pytest.fixture
def subject(db):
    department = Department.objects.create(name="Suporte técnico")
    return Subject.objects.create(name="Sem conexão", portal_visible=True, default_department=department)


@pytest.mark.django_db
def test_mail_server_down_then_back_each_email_is_delivered_once(
    smtp_server,  # noqa: F811
    admin_user,
    maria,
    subject,
    django_capture_on_commit_callbacks,
):
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = support.ticket_create(
            actor=admin_user, customer=maria, subject=subject, description="Sem sinal desde ontem"
        )
    with django_capture_on_commit_callbacks(execute=True):
        support.ticket_message_add(actor=admin_user, ticket=ticket, text="Reinicie o roteador, por favor")
    with django_capture_on_commit_callbacks(execute=True):
        assert portal_password_reset_send(identifier="maria", base_url="http://portal.example")

    # The kicks after each commit found the server down: every e-mail waits with its error.
    rows = list(OutboundEmail.objects.order_by("pk"))
    assert len(rows) == 2  # the copy of the operator's reply, the reset link
    assert {r.status for r in rows} == {Q}
    assert all(r.attempts == 1 and r.last_error and r.next_attempt_at > timezone.now() for r in rows)
    assert smtp_server.messages == []

    # Beat's run before the retry time changes nothing.
    assert tasks.send_outbox.delay().get() == {"sent": 0, "retry": 0, "failed": 0}

    smtp_server.start()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        assert tasks.send_outbox.delay().get() == {"sent": 2, "retry": 0, "failed": 0}
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert tasks.send_outbox.delay().get() == {"sent": 0, "retry": 0, "failed": 0}

    subjects = smtp_server.subjects()
    assert len(subjects) == 2
    assert sum(ticket.protocol in s for s in subjects) == 1
    assert sum("reset" in s.lower() or "senha" in s.lower() for s in subjects) == 1
    bodies = [m.get_payload(decode=True).decode() for m in smtp_server.messages]
    assert any("Reinicie o roteador, por favor" in b for b in bodies)
    assert any("http://portal.example/portal/" in b for b in bodies)
    assert all(m["To"] == "maria@example.com" for m in smtp_server.messages)
    rows = list(OutboundEmail.objects.order_by("pk"))
    assert all(r.status == SENT and r.sent_at and r.attempts == 2 and not r.last_error for r in rows)


@pytest.mark.django_db
def test_nothing_is_sent_for_a_change_that_rolled_back(smtp_server, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        mail.enqueue(to="a@example.com", subject="Nunca", text="rolled back")
        raise RuntimeError("the change fails")
    with django_capture_on_commit_callbacks(execute=True):
        mail.enqueue(to="a@example.com", subject="Sempre", text="committed")
    assert smtp_server.subjects() == ["Sempre"]
    assert list(OutboundEmail.objects.values_list("subject", "status")) == [("Sempre", SENT)]


@pytest.mark.django_db
def test_a_deduplication_key_queues_once(smtp_server, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        first = mail.enqueue(to=["a@example.com"], subject="Uma vez", text="x", dedup_key="k-1")
        again = mail.enqueue(to=["a@example.com"], subject="Uma vez", text="x", dedup_key="k-1")
    with django_capture_on_commit_callbacks(execute=True):
        later = mail.enqueue(to=["a@example.com"], subject="Uma vez", text="x", dedup_key="k-1")
    assert first.pk == again.pk == later.pk
    assert smtp_server.subjects() == ["Uma vez"]


@pytest.mark.django_db
def test_html_and_attachments_reach_the_server(smtp_server, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        mail.enqueue(
            to="a@example.com",
            subject="Fatura",
            text="texto",
            html="<p>html</p>",
            attachments=[("fatura.pdf", b"%PDF-1.4 fake", "application/pdf")],
        )
    (message,) = smtp_server.messages
    parts = {p.get_content_type(): p for p in message.walk()}
    assert parts["text/html"].get_payload(decode=True) == b"<p>html</p>"
    assert parts["application/pdf"].get_filename() == "fatura.pdf"
    assert parts["application/pdf"].get_payload(decode=True) == b"%PDF-1.4 fake"


@pytest.mark.django_db
def test_retries_stop_after_the_last_attempt(smtp_server, django_capture_on_commit_callbacks):  # noqa: F811
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        mail.enqueue(to="a@example.com", subject="Nunca chega", text="x")
    start = timezone.now()
    for day in range(1, mail.MAX_ATTEMPTS + 3):
        with time_machine.travel(start + datetime.timedelta(days=day)):
            tasks.send_outbox.delay()
    row = OutboundEmail.objects.get()
    assert (row.status, row.attempts) == (FAILED, mail.MAX_ATTEMPTS)
    assert "refused" in row.last_error.lower() or "connect" in row.last_error.lower()


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_at_once_never_send_a_row_twice(smtp_server):  # noqa: F811
    smtp_server.stop()
    for n in range(60):
        mail.enqueue(to=f"c{n}@example.com", subject=f"Mensagem {n}", text="x")  # kicks fail: server down
    assert OutboundEmail.objects.filter(status=Q, attempts=1).count() == 60
    smtp_server.start()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(10)
            results.append(mail.deliver(now=timezone.now() + datetime.timedelta(minutes=5)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(r["sent"] for r in results) == 60
    subjects = smtp_server.subjects()
    assert sorted(subjects) == sorted(f"Mensagem {n}" for n in range(60))
    assert OutboundEmail.objects.filter(status=SENT).count() == 60
