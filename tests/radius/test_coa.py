"""Disconnect-Request / CoA-Request to the concentrator (L-12, issue 5 item 7), against the NAS
stand-in of tests/helpers/nas.py. The open session is a ``radacct`` row inserted as FreeRADIUS's
accounting Start would."""

import threading

import pytest
from django.utils import timezone, translation
from pyrad import packet as rp

from enlace.contracts import services as contract_services
from enlace.contracts.models import ContractHistory
from enlace.radius import coa, services
from enlace.radius.models import DisconnectRequest, Nas
from enlace.radius.tasks import send_disconnect
from tests.helpers.contracts import make_plan
from tests.helpers.nas import open_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(admin_user, active_contract):
    return services.login_create(
        actor=admin_user, contract=active_contract, username="mainet@fibra.com.br", password="segredo123"
    )


def network_history(contract):
    return list(
        ContractHistory.objects.filter(contract=contract, kind=ContractHistory.Kind.NETWORK).values_list(
            "text", flat=True
        )
    )


def test_blocking_disconnects_the_online_session(
    admin_user, active_contract, login, coa_nas, nas_standin, django_capture_on_commit_callbacks
):
    session = open_session(login.username, session_id="81A00007", ip="100.64.0.10")
    with django_capture_on_commit_callbacks(execute=True):
        contract_services.contract_block(actor=admin_user, contract=active_contract, reason="inadimplente")

    [packet] = nas_standin.wait_for(1)
    assert packet.code == rp.DisconnectRequest
    assert packet.authenticator_ok and packet.message_authenticator is True
    assert packet.get("User-Name") == "mainet@fibra.com.br"
    assert packet.get("Acct-Session-Id") == session.acctsessionid
    assert packet.get("Framed-IP-Address") == "100.64.0.10"
    assert packet.get("NAS-IP-Address") == "127.0.0.1"
    assert packet.answered == rp.DisconnectACK

    request = DisconnectRequest.objects.get()
    assert (request.status, request.attempts, request.kind) == ("ack", 1, "disconnect")
    assert request.finished_at is not None
    [text] = network_history(active_contract)
    assert "Disconnect-Request" in text
    assert "81A00007" in text
    assert "Concentrador Teste" in text
    assert ": ACK" in text


def test_unblocking_disconnects_again_so_the_router_leaves_the_notice_page(
    admin_user, active_contract, login, coa_nas, nas_standin, django_capture_on_commit_callbacks
):
    contract_services.contract_block(actor=admin_user, contract=active_contract, reason="teste")
    open_session(login.username)
    with django_capture_on_commit_callbacks(execute=True):
        contract_services.contract_unblock(actor=admin_user, contract=active_contract)
    [packet] = nas_standin.wait_for(1)
    assert packet.code == rp.DisconnectRequest
    assert DisconnectRequest.objects.get().status == "ack"


def test_offline_login_sends_nothing(
    admin_user, active_contract, login, coa_nas, nas_standin, django_capture_on_commit_callbacks
):
    open_session(login.username, stop=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        contract_services.contract_block(actor=admin_user, contract=active_contract, reason="teste")
    assert DisconnectRequest.objects.count() == 0
    assert nas_standin.wait_for(1, timeout=0.3) == []


def test_nak_is_recorded_with_its_error_cause(
    admin_user, active_contract, login, coa_nas, nas_standin, django_capture_on_commit_callbacks
):
    nas_standin.mode = "nak"
    nas_standin.error_cause = 503
    open_session(login.username)
    with django_capture_on_commit_callbacks(execute=True):
        contract_services.contract_block(actor=admin_user, contract=active_contract, reason="teste")
    request = DisconnectRequest.objects.get()
    assert request.status == "nak"
    assert "Session-Context-Not-Found (503)" in request.detail
    [text] = network_history(active_contract)
    assert "NAK" in text and "Session-Context-Not-Found" in text
    assert len(nas_standin.packets) == 1  # a NAK is an answer: no retry


def test_no_answer_retries_three_times_then_records_the_timeout(
    admin_user, active_contract, login, coa_nas, nas_standin, django_capture_on_commit_callbacks
):
    nas_standin.mode = "silent"
    open_session(login.username)
    with django_capture_on_commit_callbacks(execute=True):
        contract_services.contract_block(actor=admin_user, contract=active_contract, reason="teste")
    request = DisconnectRequest.objects.get()
    assert request.status == "timeout"
    assert request.attempts == 4  # the first attempt and the task's 3 retries
    assert len(nas_standin.wait_for(4)) == 4
    assert "4" in request.detail
    [text] = network_history(active_contract)
    assert "Disconnect-Request" in text
    assert ContractHistory.objects.filter(kind=ContractHistory.Kind.NETWORK).count() == 1


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_silent_nas_does_not_hold_the_request(
    settings, admin_user, active_contract, login, coa_nas, nas_standin
):
    """`make run` has no broker: the requests go out from a background thread, so blocking returns
    while the silent NAS is still being retried, and the outcome is recorded all the same."""
    settings.RADIUS_COA_BACKGROUND = True
    nas_standin.mode = "silent"
    open_session(login.username)
    contract_services.contract_block(actor=admin_user, contract=active_contract, reason="teste")
    [sender] = [t for t in threading.enumerate() if t.name.startswith("enlace-coa-")]
    assert sender.is_alive()  # the first attempt alone waits RADIUS_COA_TIMEOUT for the NAS
    assert DisconnectRequest.objects.get().status in ("pending", "sending")
    sender.join(timeout=120)
    request = DisconnectRequest.objects.get()
    assert request.status == "timeout" and request.attempts == 4
    [text] = network_history(active_contract)
    assert "Disconnect-Request" in text


def test_wrong_secret_is_not_answered_and_says_why(
    admin_user, active_contract, login, coa_nas, nas_standin, django_capture_on_commit_callbacks
):
    coa_nas.secret = "outro-segredo"
    services.nas_save(coa_nas, actor=admin_user)
    open_session(login.username)
    with django_capture_on_commit_callbacks(execute=True):
        contract_services.contract_block(actor=admin_user, contract=active_contract, reason="teste")
    request = DisconnectRequest.objects.get()
    assert request.status == "timeout"
    packets = nas_standin.wait_for(4)
    assert packets and not any(p.authenticator_ok for p in packets)


def test_answer_signed_with_another_secret_is_ignored(admin_user, login, coa_nas, nas_standin):
    """A reply whose authenticators do not match the secret is not an answer (RFC 5176)."""
    nas_standin.reply_secret = "outro-segredo"
    open_session(login.username)
    [request] = services.queue_disconnect(login, reason="teste")
    with translation.override("en"):
        assert coa.send_request(request.pk) == "timeout"
    request.refresh_from_db()
    assert "shared secret" in request.detail
    assert nas_standin.packets[0].answered == rp.DisconnectACK


def test_plan_change_sends_a_coa_with_the_new_rate_limit(
    admin_user, active_contract, login, coa_nas, nas_standin, branch_a, django_capture_on_commit_callbacks
):
    faster = make_plan(branch_a, name="Fibra 1 Giga", download_kbps=1_000_000, upload_kbps=500_000)
    open_session(login.username, session_id="SESS-COA")
    with django_capture_on_commit_callbacks(execute=True):
        contract_services.contract_change_plan(actor=admin_user, contract=active_contract, plan=faster)

    [packet] = nas_standin.wait_for(1)
    assert packet.code == rp.CoARequest
    assert packet.get("User-Name") == login.username
    assert packet.get("Acct-Session-Id") == "SESS-COA"
    assert packet.get("Mikrotik-Rate-Limit") == "500M/1000M"
    assert packet.answered == rp.CoAACK
    request = DisconnectRequest.objects.get()
    assert (request.kind, request.status) == ("coa", "ack")
    [text] = network_history(active_contract)
    assert "CoA-Request" in text and "ACK" in text


def test_overdue_sends_a_coa_with_the_reduced_speed(
    admin_user,
    branch_a,
    customer,
    wallet,
    condition,
    coa_nas,
    nas_standin,
    django_capture_on_commit_callbacks,
):
    plan = make_plan(branch_a, name="Fibra reduzida", reduced_download_kbps=2000, reduced_upload_kbps=1000)
    contract = contract_services.contract_create(
        actor=admin_user,
        customer=customer,
        branch=branch_a,
        plan=plan,
        type="I",
        due_day=10,
        wallet=wallet,
        payment_condition=condition,
        first_billing_date="2026-12-10",
    )
    contract = contract_services.contract_activate(actor=admin_user, contract=contract)
    login = services.login_create(
        actor=admin_user, contract=contract, username="reduzido", password="segredo123"
    )
    open_session(login.username)
    with django_capture_on_commit_callbacks(execute=True):
        contract_services.contract_set_access_status(actor=admin_user, contract=contract, access_status="FA")
    [packet] = nas_standin.wait_for(1)
    assert packet.code == rp.CoARequest
    assert packet.get("Mikrotik-Rate-Limit") == "1M/2M"


def test_the_task_running_twice_sends_once(
    admin_user, active_contract, login, coa_nas, nas_standin, django_capture_on_commit_callbacks
):
    open_session(login.username)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [request] = services.queue_disconnect(login, reason="teste")
    assert len(callbacks) == 1
    assert send_disconnect.delay(request.pk).get() == "ack"
    assert send_disconnect.delay(request.pk).get() == "ack"  # redelivered message: nothing sent
    callbacks[0]()  # and the original after-commit hook, late
    assert len(nas_standin.wait_for(2, timeout=0.5)) == 1
    request.refresh_from_db()
    assert (request.status, request.attempts) == ("ack", 1)
    assert len(network_history(active_contract)) == 1


def test_a_request_claimed_by_another_worker_is_left_alone(admin_user, login, coa_nas, nas_standin):
    open_session(login.username)
    [request] = services.queue_disconnect(login, reason="teste")
    assert coa.claim(request.pk) is True  # the other worker
    assert coa.send_request(request.pk) == "sending"
    assert nas_standin.wait_for(1, timeout=0.3) == []


def test_unknown_nas_is_an_error_with_a_clear_detail(
    admin_user, active_contract, login, nas_standin, django_capture_on_commit_callbacks
):
    open_session(login.username, nas_ip="10.9.9.9")
    with django_capture_on_commit_callbacks(execute=True):
        contract_services.contract_block(actor=admin_user, contract=active_contract, reason="teste")
    request = DisconnectRequest.objects.get()
    assert request.status == "error"
    assert "10.9.9.9" in request.detail
    [text] = network_history(active_contract)
    assert "10.9.9.9" in text
    assert not Nas.objects.exists()


def test_closed_port_counts_as_no_answer(admin_user, login, coa_nas, nas_standin, coa_timeout):
    nas_standin.close()
    open_session(login.username)
    [request] = services.queue_disconnect(login, reason="teste")
    assert coa.send_request(request.pk) == "timeout"
    request.refresh_from_db()
    assert request.attempts == 1  # without a task there is no retry


def test_login_changes_disconnect_and_deleting_disconnects(
    admin_user, login, coa_nas, nas_standin, django_capture_on_commit_callbacks
):
    open_session(login.username, session_id="S1")
    with django_capture_on_commit_callbacks(execute=True):
        services.login_update(actor=admin_user, login=login, password="nova-senha-123")
    [packet] = nas_standin.wait_for(1)
    assert packet.code == rp.DisconnectRequest and packet.get("Acct-Session-Id") == "S1"
    with django_capture_on_commit_callbacks(execute=True):
        services.login_delete(actor=admin_user, login=login)
    assert len(nas_standin.wait_for(2)) == 2
    assert list(DisconnectRequest.objects.values_list("status", flat=True)) == ["ack", "ack"]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_retries_go_through_a_real_worker(admin_user, active_contract, login, coa_nas, nas_standin, settings):
    """With a broker the timeout retries are Celery retries (``task.retry``), run by a worker."""
    import time
    from urllib.parse import urlsplit, urlunsplit

    import redis
    from celery.contrib.testing.worker import start_worker
    from django.db import connection

    from config.celery import app
    from tests.conftest import require_service
    from tests.core.test_celery import _app_on_redis, _test_redis_url

    if connection.vendor == "sqlite":
        pytest.skip("the worker thread needs a database it can open on its own (PostgreSQL)")
    # A database of its own (not test_celery's 15), so a worker of another test run never takes
    # these messages.
    redis_url = urlunsplit(urlsplit(_test_redis_url())._replace(path="/14"))
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        require_service("Redis", f"{redis_url}: {exc}")

    settings.RADIUS_COA_RETRY_DELAY = 0.1
    nas_standin.mode = "silent"
    open_session(login.username)
    with _app_on_redis(redis_url), start_worker(app, perform_ping_check=False, shutdown_timeout=20):
        contract_services.contract_block(actor=admin_user, contract=active_contract, reason="teste")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            request = DisconnectRequest.objects.get()
            if request.status not in ("pending", "sending"):
                break
            time.sleep(0.1)
    assert (request.status, request.attempts) == ("timeout", 4)
    assert len(nas_standin.packets) == 4
    assert len(network_history(active_contract)) == 1


def test_coa_without_a_rate_limit_goes_as_a_disconnect(
    admin_user, active_contract, login, coa_nas, nas_standin, django_capture_on_commit_callbacks
):
    contract_services.contract_block(actor=admin_user, contract=active_contract, reason="teste")  # rejected
    open_session(login.username)
    with django_capture_on_commit_callbacks(execute=True):
        [request] = services.queue_disconnect(login, reason="teste", kind=DisconnectRequest.Kind.COA)
    [packet] = nas_standin.wait_for(1)
    assert packet.code == rp.DisconnectRequest
    assert "Mikrotik-Rate-Limit" not in packet.attributes
    request.refresh_from_db()
    assert (request.kind, request.status) == ("disconnect", "ack")
    assert request.detail
    [text] = network_history(active_contract)
    assert text.startswith("Disconnect-Request")


def test_stuck_requests_are_closed_by_the_beat_task(admin_user, login, coa_nas):
    import datetime

    from enlace.radius.tasks import close_stale_sessions

    open_session(login.username)
    [request] = services.queue_disconnect(login, reason="teste")
    coa.claim(request.pk)  # a worker took it and died
    DisconnectRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    close_stale_sessions.delay()
    request.refresh_from_db()
    assert request.status == "error" and request.finished_at
