"""Logins against a real FreeRADIUS (SPEC L-1, L-3, L-7, L-9 … L-12): the project's configuration
(deploy/freeradius) reading the test database, real packets from pyrad (tests/helpers/freeradius)."""

import datetime
import ipaddress
import uuid

import pytest
from django.utils import timezone

from enlace.contracts import services as contract_services
from enlace.core.services import parameters_update
from enlace.radius import services
from enlace.radius.freeradius import RadAcct, RadPostAuth
from enlace.radius.models import IpPool, Nas, RadiusSettings
from tests.helpers.freeradius import ACCEPT, NAS_IP, REJECT, Timeout

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

PASSWORD = "Segredo123abc"


@pytest.fixture
def login_factory(admin_user, active_contract):
    def make(username="mainet@fibra.com.br", password=PASSWORD, **extra):
        return services.login_create(
            actor=admin_user, contract=active_contract, username=username, password=password, **extra
        )

    return make


@pytest.fixture
def nas_client(radius):
    client = radius.client()
    yield client
    client.close()


def rate_limit(reply):
    return reply.get("Mikrotik-Rate-Limit", [None])[0]


# --- Authentication (L-1, L-7) --------------------------------------------------------------


def test_pap_accepted_with_the_plans_rate_limit_and_wrong_password_rejected(nas_client, login_factory):
    login = login_factory()
    reply = nas_client.pap(login.username, PASSWORD)
    assert reply.code == ACCEPT
    assert rate_limit(reply) == "250M/500M"

    rejected = nas_client.pap(login.username, "wrong-password")
    assert rejected.code == REJECT
    assert "Mikrotik-Rate-Limit" not in rejected
    assert nas_client.pap("nobody@fibra.com.br", PASSWORD).code == REJECT


def test_chap_accepted(nas_client, login_factory):
    login = login_factory()
    assert nas_client.chap(login.username, PASSWORD).code == ACCEPT
    assert nas_client.chap(login.username, "wrong-password").code == REJECT


def test_mschapv2_accepted_with_the_servers_proof(nas_client, login_factory):
    login = login_factory()
    reply = nas_client.mschapv2(login.username, PASSWORD)
    assert reply.code == ACCEPT
    assert reply["MS-CHAP2-Success"][0] == reply.expected_success
    assert rate_limit(reply) == "250M/500M"
    assert nas_client.mschapv2(login.username, "wrong-password").code == REJECT


def test_md5_password_works_with_pap_only(nas_client, login_factory):
    login = login_factory(password_md5=True)
    assert login.password != PASSWORD  # only the digest is stored
    assert nas_client.pap(login.username, PASSWORD).code == ACCEPT
    assert nas_client.pap(login.username, "wrong-password").code == REJECT
    assert nas_client.chap(login.username, PASSWORD).code == REJECT


def test_inactive_login_rejected(nas_client, login_factory, admin_user):
    login = login_factory()
    services.login_update(actor=admin_user, login=login, active=False)
    assert nas_client.pap(login.username, PASSWORD).code == REJECT
    services.login_update(actor=admin_user, login=login, active=True)
    assert nas_client.pap(login.username, PASSWORD).code == ACCEPT


# --- Blocked contract (L-10) ----------------------------------------------------------------


def test_blocked_contract_rejected_or_sent_to_the_notice_pool_then_unblocked(
    nas_client, login_factory, active_contract, admin_user
):
    login = login_factory()
    contract_services.contract_block(actor=admin_user, contract=active_contract, reason="Pedido do cliente")
    reply = nas_client.pap(login.username, PASSWORD)
    assert reply.code == REJECT
    assert "Mikrotik-Rate-Limit" not in reply

    parameters_update(
        actor=admin_user,
        radius_blocked_action="N",
        radius_notice_pool="aviso",
        radius_notice_address_list="bloqueados",
    )
    reply = nas_client.pap(login.username, PASSWORD)
    assert reply.code == ACCEPT
    assert reply["Framed-Pool"] == ["aviso"]
    assert reply["Mikrotik-Address-List"] == ["bloqueados"]
    # The notice profile's speed, not the plan's.
    assert rate_limit(reply) == RadiusSettings.load().radius_notice_rate_limit != "250M/500M"

    contract_services.contract_unblock(actor=admin_user, contract=active_contract)
    reply = nas_client.pap(login.username, PASSWORD)
    assert reply.code == ACCEPT
    assert rate_limit(reply) == "250M/500M"
    assert "Framed-Pool" not in reply


# --- Addresses and MAC (L-9) ----------------------------------------------------------------


def test_radius_pool_address_sent_as_framed_ip(nas_client, login_factory, admin_user):
    pool = services.pool_save(IpPool(name="CGNAT", ranges=["100.64.0.0/29"]), actor=admin_user)
    first = login_factory(username="um@fibra.com.br", radius_pool=pool)
    second = login_factory(username="dois@fibra.com.br", radius_pool=pool)
    addresses = [nas_client.pap(lg.username, PASSWORD)["Framed-IP-Address"][0] for lg in (first, second)]
    assert addresses == [first.allocation.address, second.allocation.address]
    assert len(set(addresses)) == 2
    assert all(ipaddress.IPv4Address(a) in ipaddress.IPv4Network("100.64.0.0/29") for a in addresses)


def test_fixed_ip_and_concentrator_pool(nas_client, login_factory):
    fixed = login_factory(username="fixo@fibra.com.br", fixed_ip="203.0.113.10")
    pooled = login_factory(username="pool@fibra.com.br", nas_pool="pppoe-clientes")
    assert nas_client.pap(fixed.username, PASSWORD)["Framed-IP-Address"] == ["203.0.113.10"]
    reply = nas_client.pap(pooled.username, PASSWORD)
    assert reply.code == ACCEPT
    assert reply["Framed-Pool"] == ["pppoe-clientes"]
    assert "Framed-IP-Address" not in reply


def test_mac_binding(nas_client, login_factory):
    login = login_factory(mac="aa:bb:cc:00:11:22")
    # Concentrators write the MAC in different ways; FreeRADIUS normalises it first.
    for mac in ("AA:BB:CC:00:11:22", "aa-bb-cc-00-11-22", "aabb.cc00.1122"):
        assert nas_client.pap(login.username, PASSWORD, Calling_Station_Id=mac).code == ACCEPT, mac
    assert nas_client.pap(login.username, PASSWORD, Calling_Station_Id="AA:BB:CC:00:11:23").code == REJECT
    assert nas_client.pap(login.username, PASSWORD).code == REJECT


# --- Accounting and Simultaneous-Use (L-3, L-12) --------------------------------------------


def test_accounting_start_interim_stop_make_the_login_online_then_offline(nas_client, login_factory):
    login = login_factory()
    session = uuid.uuid4().hex[:16]
    before = timezone.now() - datetime.timedelta(seconds=2)
    nas_client.accounting(
        login.username,
        "Start",
        session,
        Framed_IP_Address="100.64.0.9",
        Calling_Station_Id="aa-bb-cc-00-11-22",
        NAS_Port_Id="ether1",
    )
    online = services.open_sessions(login.username).get()
    assert online.online
    assert before <= online.acctstarttime <= timezone.now() + datetime.timedelta(seconds=2)
    assert str(ipaddress.ip_address(online.framedipaddress)) == "100.64.0.9"
    assert ipaddress.ip_address(online.nasipaddress) == ipaddress.ip_address(NAS_IP)
    assert online.callingstationid == "AA:BB:CC:00:11:22"

    nas_client.accounting(
        login.username,
        "Interim-Update",
        session,
        Acct_Session_Time=60,
        Acct_Input_Octets=1000,
        Acct_Output_Octets=5000,
        Acct_Output_Gigawords=1,
        Framed_IP_Address="100.64.0.9",
        NAS_Port_Id="ether1",
    )
    updated = RadAcct.objects.get(pk=online.pk)
    assert updated.online
    assert (updated.acctinputoctets, updated.acctoutputoctets) == (1000, 2**32 + 5000)
    assert updated.acctsessiontime == 60
    assert updated.acctupdatetime >= updated.acctstarttime

    nas_client.accounting(
        login.username,
        "Stop",
        session,
        Acct_Session_Time=120,
        Acct_Input_Octets=2000,
        Acct_Output_Octets=9000,
        Acct_Terminate_Cause="User-Request",
        Framed_IP_Address="100.64.0.9",
        NAS_Port_Id="ether1",
    )
    stopped = RadAcct.objects.get(pk=online.pk)
    assert not stopped.online
    assert stopped.acctstoptime >= stopped.acctstarttime
    assert stopped.acctsessiontime == 120
    assert stopped.acctterminatecause == "User-Request"
    assert stopped.duration == datetime.timedelta(seconds=120)
    assert not services.open_sessions(login.username).exists()


def test_simultaneous_use_enforced(nas_client, login_factory, admin_user):
    login = login_factory()
    assert nas_client.pap(login.username, PASSWORD).code == ACCEPT
    nas_client.accounting(login.username, "Start", "sess-1", NAS_Port_Id="ether1")
    assert nas_client.pap(login.username, PASSWORD).code == REJECT

    services.login_update(actor=admin_user, login=login, simultaneous_use=2)
    assert nas_client.pap(login.username, PASSWORD).code == ACCEPT
    nas_client.accounting(login.username, "Start", "sess-2", NAS_Port_Id="ether2")
    assert nas_client.pap(login.username, PASSWORD).code == REJECT

    nas_client.accounting(login.username, "Stop", "sess-1", NAS_Port_Id="ether1", Acct_Session_Time=5)
    assert nas_client.pap(login.username, PASSWORD).code == ACCEPT


def test_accounting_on_from_a_rebooted_nas_closes_its_sessions(nas_client, login_factory):
    login = login_factory()
    nas_client.accounting(login.username, "Start", "before-reboot", NAS_Port_Id="ether1")
    assert nas_client.pap(login.username, PASSWORD).code == REJECT  # Simultaneous-Use 1
    nas_client.accounting(None, "Accounting-On", "0")
    closed = RadAcct.objects.get(acctsessionid="before-reboot")
    assert not closed.online
    assert nas_client.pap(login.username, PASSWORD).code == ACCEPT


# --- Post-auth log --------------------------------------------------------------------------


def test_every_authentication_is_logged_without_the_password(radius, nas_client, login_factory):
    login = login_factory()
    answers = [
        nas_client.pap(login.username, PASSWORD, Calling_Station_Id="aa:bb:cc:00:11:22").code,
        nas_client.pap(login.username, "Wrong-Password-1").code,
        nas_client.chap(login.username, PASSWORD).code,
        nas_client.mschapv2(login.username, PASSWORD).code,
        nas_client.pap("nobody@fibra.com.br", "Wrong-Password-2").code,
    ]
    assert answers == [ACCEPT, REJECT, ACCEPT, ACCEPT, REJECT]
    radius.wait_postauth_logged()
    rows = list(RadPostAuth.objects.order_by("id"))
    assert [(r.username, r.reply) for r in rows] == [
        (login.username, "Access-Accept"),
        (login.username, "Access-Reject"),
        (login.username, "Access-Accept"),
        (login.username, "Access-Accept"),
        ("nobody@fibra.com.br", "Access-Reject"),
    ]
    assert rows[0].callingstationid == "AA:BB:CC:00:11:22"
    now = timezone.now()
    for row in rows:
        assert not row.pass_field
        assert now - datetime.timedelta(minutes=1) <= row.authdate <= now + datetime.timedelta(seconds=5)
    # Nor is any password written to FreeRADIUS's files (log, spool).
    secrets = [PASSWORD.encode(), b"Wrong-Password-1", b"Wrong-Password-2"]
    for path in radius.state_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(s in content for s in secrets), path


# --- Concentrators (L-11) -------------------------------------------------------------------


def test_nas_created_through_nas_save_answers_at_once_and_an_unknown_address_is_ignored(
    radius, login_factory, branch_a, admin_user
):
    """FreeRADIUS reads its clients at start-up; a concentrator registered later is looked up in
    the nas table on its first packet (sites/dynamic-clients), so it needs no restart. An address
    that is not a registered NAS gets no answer."""
    login = login_factory()
    stranger = radius.client(source="127.0.0.3", secret="qualquer", timeout=1, retries=0)
    try:
        with pytest.raises(Timeout):
            stranger.pap(login.username, PASSWORD)
    finally:
        stranger.close()

    services.nas_save(
        Nas(name="Concentrador 2", ip="127.0.0.2", secret="outro-segredo", type="mikrotik", branch=branch_a),
        actor=admin_user,
    )
    client = radius.client(source="127.0.0.2", secret="outro-segredo", timeout=2, retries=1)
    try:
        reply = client.pap(login.username, PASSWORD)
        assert reply.code == ACCEPT
        assert rate_limit(reply) == "250M/500M"
        assert client.pap(login.username, "senha-errada").code == REJECT
    finally:
        client.close()
