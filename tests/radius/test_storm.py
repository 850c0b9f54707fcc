"""Issue 21 (reconnection storm): authorize in one round trip (deploy/freeradius/mods/enlace_login,
the PostgreSQL function ``enlace_radius_authorize`` of migration radius 0006), with every rule kept,
through the real FreeRADIUS of tests/helpers/freeradius.py.

- every attribute Enlace's projection writes is one the single query reads (a new attribute in
  ``projection`` without a column would silently vanish from the answers);
- the function returns the same row as the SQLite query would, and nothing for an unknown login;
- a change committed in Enlace applies to the very next Access-Request (nothing is cached: every
  request reads the committed rows), checked while requests keep arriving;
- the reduced profile of an overdue contract and Simultaneous-Use from the same single query;
- PostgreSQL unreachable: no answer (the concentrator retries or asks its secondary server), never
  an Access-Accept; once it is back, a blocked login is rejected.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection

from enlace.contracts import services as contract_services
from enlace.core.services import parameters_update
from enlace.radius import projection, services
from enlace.radius.management.commands.radius_server import CONFIG_DIR, find_binary, stock_problem
from enlace.radius.models import RadiusSettings
from tests.helpers.contracts import make_plan
from tests.helpers.freeradius import ACCEPT, REJECT, FreeRadius, Timeout

PASSWORD = "Segredo123abc"

#: What mods/enlace_login maps: (table kind, attribute, operator).
READ_BY_THE_QUERY = {
    ("check", "Cleartext-Password", ":="),
    ("check", "MD5-Password", ":="),
    ("check", "Simultaneous-Use", ":="),
    ("check", "Calling-Station-Id", "=="),
    ("check", "Auth-Type", ":="),
    ("reply", "Framed-IP-Address", ":="),
    ("reply", "Framed-Pool", ":="),
    ("reply", "Mikrotik-Rate-Limit", ":="),
    ("reply", "Mikrotik-Address-List", ":="),
}


def _kinds(rows: dict[str, list[tuple]]) -> set[tuple[str, str, str]]:
    out = set()
    for table, kind in (
        ("radcheck", "check"),
        ("radgroupcheck", "check"),
        ("radreply", "reply"),
        ("radgroupreply", "reply"),
    ):
        for row in rows.get(table, []):
            out.add((kind, row[1], row[2]))
    return out


@pytest.mark.django_db
def test_every_attribute_the_projection_writes_is_read_by_the_single_query(
    admin_user, active_contract, branch_a
):
    plan = make_plan(
        branch_a,
        name="Fibra completa",
        reduced_download_kbps=2000,
        reduced_upload_kbps=1000,
        burst_download_kbps=600_000,
        burst_upload_kbps=300_000,
        address_list="clientes",
    )
    written = _kinds(projection.plan_group_rows(plan))
    for action in ("R", "N"):
        settings_row = RadiusSettings(
            radius_blocked_action=action,
            radius_notice_pool="aviso",
            radius_notice_address_list="bloqueados",
            radius_notice_rate_limit="1M/1M",
        )
        written |= _kinds(projection.status_group_rows(settings_row))
    for extra in (
        {"password_md5": True},
        {"mac": "AA:BB:CC:00:11:22", "fixed_ip": "203.0.113.7"},
        {"nas_pool": "p"},
    ):
        login = services.login_create(
            actor=admin_user,
            contract=active_contract,
            username=f"u{uuid.uuid4().hex[:8]}",
            password=PASSWORD,
            **extra,
        )
        written |= _kinds(projection.login_rows(login))
    assert written <= READ_BY_THE_QUERY, written - READ_BY_THE_QUERY


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the function exists on PostgreSQL only")
def test_the_function_returns_the_logins_row(admin_user, active_contract):
    login = services.login_create(
        actor=admin_user,
        contract=active_contract,
        username="funcao@fibra.com.br",
        password=PASSWORD,
        mac="aa:bb:cc:00:11:22",
        nas_pool="pppoe",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM enlace_radius_authorize(%s)", [login.username])
        row = cursor.fetchone()
        cursor.execute("SELECT * FROM enlace_radius_authorize(%s)", ["ninguem@fibra.com.br"])
        assert cursor.fetchall() == []
    assert row == (PASSWORD, "", "1", "AA:BB:CC:00:11:22", "", "pppoe", "250M/500M", "", "", 0)

    contract_services.contract_block(actor=admin_user, contract=active_contract, reason="Teste")
    with connection.cursor() as cursor:
        cursor.execute("SELECT auth_type, rate_limit FROM enlace_radius_authorize(%s)", [login.username])
        assert cursor.fetchone() == ("Reject", "")


# --- Through FreeRADIUS -----------------------------------------------------------------------


@pytest.fixture
def login_factory(admin_user, active_contract):
    def make(username="storm@fibra.com.br", **extra):
        return services.login_create(
            actor=admin_user, contract=active_contract, username=username, password=PASSWORD, **extra
        )

    return make


@pytest.fixture
def nas_client(radius):
    client = radius.client()
    yield client
    client.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_a_block_applies_to_the_next_access_request_while_requests_keep_coming(
    nas_client, radius, login_factory, active_contract, admin_user
):
    """The acceptance rule "within 1 s of the commit": nothing between FreeRADIUS and the
    committed rows holds a copy, so every request sent after the commit gets the new answer."""
    login = login_factory()
    answers: list[tuple[float, float, int]] = []  # (sent, answered, code)
    stop = threading.Event()
    errors: list[BaseException] = []

    def hammer():
        client = radius.client()
        try:
            while not stop.is_set():
                sent = time.monotonic()
                code = client.pap(login.username, PASSWORD).code
                answers.append((sent, time.monotonic(), code))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            client.close()

    thread = threading.Thread(target=hammer, daemon=True)
    thread.start()
    try:
        while len(answers) < 5:
            time.sleep(0.02)
        blocking = time.monotonic()
        contract_services.contract_block(actor=admin_user, contract=active_contract, reason="Inadimplente")
        committed = time.monotonic()
        while not [a for a in answers if a[0] > committed] and thread.is_alive():
            time.sleep(0.02)
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join(10)
    assert not errors, errors
    before = [code for _sent, answered, code in answers if answered < blocking]
    after = [code for sent, _answered, code in answers if sent > committed]
    assert before and set(before) == {ACCEPT}
    assert after and set(after) == {REJECT}


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_overdue_contract_gets_the_reduced_speed_then_the_plans(
    nas_client, admin_user, branch_a, customer, wallet, condition
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
    login = services.login_create(actor=admin_user, contract=contract, username="reduzido", password=PASSWORD)
    assert nas_client.pap(login.username, PASSWORD)["Mikrotik-Rate-Limit"] == ["250M/500M"]
    contract = contract_services.contract_set_access_status(
        actor=admin_user, contract=contract, access_status="FA"
    )
    reply = nas_client.pap(login.username, PASSWORD)
    assert reply.code == ACCEPT
    assert reply["Mikrotik-Rate-Limit"] == ["1M/2M"]
    contract_services.contract_set_access_status(actor=admin_user, contract=contract, access_status="A")
    assert nas_client.pap(login.username, PASSWORD)["Mikrotik-Rate-Limit"] == ["250M/500M"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_notice_profile_overrides_the_logins_pool_and_a_reject_carries_nothing(
    nas_client, login_factory, active_contract, admin_user
):
    login = login_factory(nas_pool="pppoe-clientes")
    fixed = login_factory(username="fixo-storm@fibra.com.br", fixed_ip="203.0.113.9")
    contract_services.contract_block(actor=admin_user, contract=active_contract, reason="Teste")
    reply = nas_client.pap(login.username, PASSWORD)
    assert reply.code == REJECT
    assert not {"Framed-Pool", "Framed-IP-Address", "Mikrotik-Rate-Limit"} & set(reply.keys())

    parameters_update(actor=admin_user, radius_blocked_action="N", radius_notice_pool="aviso")
    reply = nas_client.pap(login.username, PASSWORD)
    assert reply.code == ACCEPT
    assert reply["Framed-Pool"] == ["aviso"]  # the group's item wins over the login's own
    reply = nas_client.pap(fixed.username, PASSWORD)
    assert reply.code == ACCEPT
    assert reply["Framed-IP-Address"] == ["203.0.113.9"]
    assert reply["Framed-Pool"] == ["aviso"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_simultaneous_use_rejects_after_the_password_with_the_stock_message(nas_client, login_factory):
    login = login_factory()
    nas_client.accounting(login.username, "Start", "storm-1", NAS_Port_Id="ether1")
    reply = nas_client.pap(login.username, PASSWORD)
    assert reply.code == REJECT
    assert reply["Reply-Message"] == ["You are already logged in - access denied"]
    # A wrong password is a plain reject: Simultaneous-Use is only told after a good password.
    wrong = nas_client.pap(login.username, "senha-errada")
    assert wrong.code == REJECT
    assert "Reply-Message" not in wrong


# --- PostgreSQL unreachable -------------------------------------------------------------------


@pytest.fixture
def behind_proxy(transactional_db, tmp_path, branch_a, admin_user):
    """A FreeRADIUS whose every database connection (authorize included) goes through a proxy."""
    from tests.conftest import require_service
    from tests.drills.test_radius_spool import TcpProxy

    binary = find_binary()
    if not binary or not (CONFIG_DIR / "radiusd.conf").exists():
        require_service("FreeRADIUS", "no freeradius binary or configuration")
    problem = stock_problem("postgresql")
    if problem:
        require_service("FreeRADIUS", problem)
    db = dict(connection.settings_dict)
    proxy = TcpProxy((db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)))
    proxy.start()
    through = {**db, "HOST": "127.0.0.1", "PORT": proxy.port}
    server = FreeRadius(binary, through, tmp_path / "radius", read_db=through)
    try:
        server.start_with_test_nas()
        yield server, proxy
    finally:
        server.stop()
        proxy.stop()


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite is a file: there is no connection to cut"
)
def test_database_unreachable_no_answer_and_never_an_accept(
    behind_proxy, login_factory, active_contract, admin_user
):
    server, proxy = behind_proxy
    login = login_factory()
    client = server.client(timeout=5, retries=1)
    try:
        assert client.pap(login.username, PASSWORD).code == ACCEPT
    finally:
        client.close()
    client = server.client(timeout=2, retries=1)  # pyrad: "retries" counts attempts
    try:
        proxy.stop()
        # Blocked while FreeRADIUS cannot read: it must not answer from anything it remembers.
        contract_services.contract_block(actor=admin_user, contract=active_contract, reason="Teste")
        for _ in range(3):
            with pytest.raises(Timeout):
                client.pap(login.username, PASSWORD)
        proxy.start()
        deadline = time.monotonic() + 30
        code = None
        while time.monotonic() < deadline:
            try:
                code = client.pap(login.username, PASSWORD).code
                break
            except Timeout:
                time.sleep(0.5)
        assert code == REJECT, server.log_tail()
    finally:
        client.close()
