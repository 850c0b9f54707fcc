"""Issue 21: FreeRADIUS authorizes from the Redis copy (enlace/radius/cache.py, mods/redis,
deploy/freeradius/redis/enlace_radius.lua), PostgreSQL staying the source of truth.

- an answer comes from the copy (a corrupted password in Redis changes it), the drift check reports
  the corruption and the repair — by the command, and by the running process on its own — puts it
  right;
- a block committed in Enlace reaches the next Access-Request within 1 s while requests keep
  coming, and so do an unblock and a password change;
- Simultaneous-Use from the copy's open-session count, which follows radacct;
- Redis unreachable: FreeRADIUS authorizes from PostgreSQL (a block still applies at once);
- PostgreSQL unreachable: the copy keeps answering for the grace period only, then no answer —
  never an accept of a login blocked meanwhile.
"""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest
import redis
from django.core.management import CommandError, call_command
from django.db import connection

from enlace.contracts import services as contract_services
from enlace.radius import services
from enlace.radius.cache import Copy, CopySync
from enlace.radius.management.commands.radius_server import CONFIG_DIR, conninfo, find_binary, stock_problem
from tests.helpers.freeradius import ACCEPT, REJECT, FreeRadius, Timeout

PASSWORD = "Segredo123abc"
REDIS_URL = "redis://127.0.0.1:6379/11"

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the Redis copy follows PostgreSQL's NOTIFY"
    ),
]


def _redis_or_skip() -> redis.Redis:
    from tests.conftest import require_service

    client = redis.Redis.from_url(REDIS_URL, decode_responses=True, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        require_service("Redis", str(exc))
    return client


def _freeradius_or_skip() -> str:
    from tests.conftest import require_service

    binary = find_binary()
    if not binary or not (CONFIG_DIR / "radiusd.conf").exists():
        require_service("FreeRADIUS", "no freeradius binary or configuration")
    problem = stock_problem("postgresql")
    if problem:
        require_service("FreeRADIUS", problem)
    return binary


class Deployment:
    """FreeRADIUS with the copy enabled, and ``radius_cache``'s loop (CopySync) in a thread."""

    def __init__(self, tmp_path, *, db=None, redis_url=REDIS_URL, sync_db=None, grace=0.0):
        self.prefix = f"enlace-test:{uuid.uuid4().hex[:10]}:"
        self.redis = _redis_or_skip()
        self.copy = Copy(self.redis, self.prefix)
        db = db or dict(connection.settings_dict)
        self.server = FreeRadius(
            _freeradius_or_skip(),
            db,
            tmp_path / "radius",
            read_db=db,
            redis_url=redis_url,
            redis_prefix=self.prefix,
        )
        self.sync = CopySync(
            conninfo(sync_db or dict(connection.settings_dict), with_password=True),
            REDIS_URL,
            self.prefix,
            fresh_seconds=2.0,
            grace=grace,
            reconcile_every=3600,
            postauth_dir=self.server.state_dir / "spool" / "postauth-batch",
        )
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.sync.run, args=(self.stop,), daemon=True)

    def start(self):
        self.thread.start()
        assert self.sync.ready.wait(30), "radius_cache did not build the copy"
        self.server.start_with_test_nas()

    def close(self):
        self.stop.set()
        self.thread.join(10)
        self.server.stop()
        keys = list(self.redis.scan_iter(match=f"{self.prefix}*", count=1000))
        if keys:
            self.redis.delete(*keys)

    def wait_copied(self, username: str, field: str = "c", value: str | None = None, timeout: float = 5):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            have = self.redis.hget(self.copy.user_key(username), field)
            if have is not None and (value is None or have == value):
                return
            time.sleep(0.01)
        raise AssertionError(f"{username} not in the copy after {timeout} s")


@pytest.fixture
def deployment(transactional_db, tmp_path, branch_a, admin_user):
    dep = Deployment(tmp_path)
    try:
        dep.start()
        yield dep
    finally:
        dep.close()


@pytest.fixture
def login(admin_user, active_contract):
    return services.login_create(
        actor=admin_user, contract=active_contract, username="copia@fibra.com.br", password=PASSWORD
    )


@pytest.mark.django_db(transaction=True)
def test_answers_come_from_the_copy_and_a_corrupted_copy_is_repaired(deployment, login):
    deployment.wait_copied(login.username)
    client = deployment.server.client()
    try:
        assert client.pap(login.username, PASSWORD).code == ACCEPT
        # Corrupt the copy: the answer follows Redis, not PostgreSQL — no PostgreSQL round trip.
        deployment.redis.hset(deployment.copy.user_key(login.username), "c", "corrompida")
        deployment.redis.delete(deployment.copy.group_key("enlace_blocked"))
        assert client.pap(login.username, PASSWORD).code == REJECT
        assert client.pap(login.username, "corrompida").code == ACCEPT

        with pytest.raises(CommandError, match="2 item"):
            call_command("radius_cache", "--check", "--redis-url", REDIS_URL, "--prefix", deployment.prefix)
        call_command("radius_cache", "--repair", "--redis-url", REDIS_URL, "--prefix", deployment.prefix)
        call_command("radius_cache", "--check", "--redis-url", REDIS_URL, "--prefix", deployment.prefix)
        assert client.pap(login.username, PASSWORD).code == ACCEPT

        # The running process repairs on its own at its next reconciliation.
        deployment.redis.hset(deployment.copy.user_key(login.username), "c", "corrompida")
        deployment.redis.set(deployment.copy.open_key(login.username), "3")
        deployment.sync.reconcile_every = 0.3
        deadline = time.monotonic() + 5
        while deployment.sync.repaired < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert deployment.sync.repaired >= 2
        assert client.pap(login.username, PASSWORD).code == ACCEPT
    finally:
        client.close()


@pytest.mark.django_db(transaction=True)
def test_a_block_reaches_the_next_access_request_within_a_second(
    deployment, login, active_contract, admin_user
):
    deployment.wait_copied(login.username)
    answers: list[tuple[float, int]] = []  # (sent, code)
    stop = threading.Event()
    errors: list[BaseException] = []

    def hammer():
        client = deployment.server.client()
        try:
            while not stop.is_set():
                sent = time.monotonic()
                answers.append((sent, client.pap(login.username, PASSWORD).code))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            client.close()

    thread = threading.Thread(target=hammer, daemon=True)
    thread.start()
    try:
        while len(answers) < 20:
            time.sleep(0.01)
        blocking = time.monotonic()
        contract_services.contract_block(actor=admin_user, contract=active_contract, reason="Inadimplente")
        committed = time.monotonic()
        time.sleep(1.3)
    finally:
        stop.set()
        thread.join(10)
    assert not errors, errors
    before = {code for sent, code in answers if sent < blocking}
    assert before == {ACCEPT}
    after = [(sent - committed, code) for sent, code in answers if sent > committed]
    first_reject = min(delay for delay, code in after if code == REJECT)
    assert first_reject < 1.0
    assert {code for delay, code in after if delay >= 1.0} == {REJECT}

    client = deployment.server.client()
    try:
        contract_services.contract_unblock(actor=admin_user, contract=active_contract)
        _within_a_second(lambda: client.pap(login.username, PASSWORD).code == ACCEPT)
        services.login_update(actor=admin_user, login=login, password="NovaSenha456def")
        _within_a_second(lambda: client.pap(login.username, "NovaSenha456def").code == ACCEPT)
        assert client.pap(login.username, PASSWORD).code == REJECT
    finally:
        client.close()


def _within_a_second(check) -> None:
    started = time.monotonic()
    attempts = []
    while True:
        sent = time.monotonic()
        if check():
            return
        attempts.append((round(sent - started, 3), round(time.monotonic() - sent, 3)))
        assert time.monotonic() - started < 1.0, f"not applied within 1 s: (sent, took) {attempts}"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_every_answer_is_logged_in_batches_without_the_password(deployment, login):
    from enlace.radius.freeradius import RadPostAuth

    deployment.wait_copied(login.username)
    client = deployment.server.client()
    try:
        for _ in range(3):
            assert client.pap(login.username, PASSWORD, Calling_Station_Id="aa-bb-cc-00-11-22").code == ACCEPT
        assert client.pap(login.username, "errada").code == REJECT
        assert client.pap("ninguem@fibra.com.br", PASSWORD).code == REJECT
    finally:
        client.close()
    loader = deployment.sync.postauth
    _wait(lambda: not loader.pending() and RadPostAuth.objects.count() >= 5)
    rows = list(
        RadPostAuth.objects.order_by("id").values_list("username", "reply", "callingstationid", "pass_field")
    )
    assert rows == [
        (login.username, "Access-Accept", "AA:BB:CC:00:11:22", None),
        (login.username, "Access-Accept", "AA:BB:CC:00:11:22", None),
        (login.username, "Access-Accept", "AA:BB:CC:00:11:22", None),
        (login.username, "Access-Reject", None, None),
        ("ninguem@fibra.com.br", "Access-Reject", None, None),
    ]
    lines = b"".join(path.read_bytes() for path in loader.files())
    assert PASSWORD.encode() not in lines and b"errada" not in lines


@pytest.mark.django_db(transaction=True)
def test_simultaneous_use_from_the_copys_session_count(deployment, login):
    deployment.wait_copied(login.username)
    client = deployment.server.client()
    try:
        client.accounting(login.username, "Start", "copia-1", NAS_Port_Id="ether1")
        _wait(lambda: deployment.redis.get(deployment.copy.open_key(login.username)) == "1")
        reply = client.pap(login.username, PASSWORD)
        assert reply.code == REJECT
        assert reply["Reply-Message"] == ["You are already logged in - access denied"]
        client.accounting(login.username, "Stop", "copia-1", NAS_Port_Id="ether1", Acct_Session_Time=60)
        _wait(lambda: deployment.redis.get(deployment.copy.open_key(login.username)) is None)
        assert client.pap(login.username, PASSWORD).code == ACCEPT
    finally:
        client.close()


def _wait(check, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# --- Redis or PostgreSQL unreachable ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_redis_unreachable_authorizes_from_postgresql(tmp_path, branch_a, admin_user, login, active_contract):
    from tests.drills.test_radius_spool import TcpProxy

    proxy = TcpProxy(("127.0.0.1", 6379))
    proxy.start()
    dep = Deployment(tmp_path, redis_url=f"redis://127.0.0.1:{proxy.port}/11")
    try:
        dep.start()
        dep.wait_copied(login.username)
        client = dep.server.client(timeout=3, retries=1)
        try:
            dep.redis.hset(dep.copy.user_key(login.username), "c", "corrompida")
            assert client.pap(login.username, "corrompida").code == ACCEPT  # from the copy
            proxy.stop()
            # Redis gone: PostgreSQL answers, with its current rows.
            assert client.pap(login.username, PASSWORD).code == ACCEPT
            contract_services.contract_block(actor=admin_user, contract=active_contract, reason="Teste")
            assert client.pap(login.username, PASSWORD).code == REJECT
        finally:
            client.close()
    finally:
        dep.close()
        proxy.stop()


@pytest.mark.django_db(transaction=True)
def test_postgresql_unreachable_copy_answers_for_the_grace_period_then_nothing(
    tmp_path, branch_a, admin_user, login, active_contract
):
    from tests.drills.test_radius_spool import TcpProxy

    db = dict(connection.settings_dict)
    proxy = TcpProxy((db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)))
    proxy.start()
    through = {**db, "HOST": "127.0.0.1", "PORT": proxy.port}
    dep = Deployment(tmp_path, db=through, sync_db=through, grace=6.0)
    try:
        dep.start()
        dep.wait_copied(login.username)
        client = dep.server.client(timeout=1, retries=1)
        try:
            assert client.pap(login.username, PASSWORD).code == ACCEPT
            proxy.stop()
            lost = time.monotonic()
            # Within the grace period the last good copy keeps answering, PostgreSQL being away.
            time.sleep(2.5)
            assert client.pap(login.username, PASSWORD).code == ACCEPT
            # After it, nothing is answered from memory: no answer (the NAS tries its secondary).
            while time.monotonic() - lost < 9:
                time.sleep(0.2)
            with pytest.raises(Timeout):
                client.pap(login.username, PASSWORD)
            assert not dep.copy.is_fresh()
            # Back: the copy is rebuilt before it is trusted again; a block made meanwhile holds.
            with psycopg.connect(conninfo(db, with_password=True), autocommit=True) as conn:
                conn.execute(
                    "UPDATE radcheck SET value = 'trocada' WHERE username = %s AND attribute = 'Cleartext-Password'",
                    [login.username],
                )
            proxy.start()
            _wait(lambda: dep.copy.is_fresh(), timeout=20)
            assert dep.redis.hget(dep.copy.user_key(login.username), "c") == "trocada"
            client2 = dep.server.client(timeout=3, retries=3)
            try:
                assert client2.pap(login.username, PASSWORD).code == REJECT
                assert client2.pap(login.username, "trocada").code == ACCEPT
            finally:
                client2.close()
        finally:
            client.close()
    finally:
        dep.close()
        proxy.stop()
