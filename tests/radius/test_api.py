"""/api/v1/nas/, /api/v1/ip-pools/ and /api/v1/logins/ with its actions (SPEC G-5, §14, L-1 … L-12)."""

import datetime

import pytest
from django.utils import timezone
from pyrad import packet as rp

from enlace.radius import services
from enlace.radius.models import IpAllocation, IpPool, Login, Nas, RadCheck, RadiusNas, RadReply, RadUserGroup
from tests.helpers.contracts import make_plan
from tests.helpers.nas import open_session

pytestmark = pytest.mark.django_db

NAS_FIELDS = {"id", "name", "ip", "type", "coa_port"}
POOL_FIELDS = {"id", "name", "ranges"}
LOGIN_FIELDS = {
    "id",
    "contract",
    "username",
    "auth_type",
    "connection_type",
    "password_md5",
    "plan",
    "radius_pool",
    "nas_pool",
    "fixed_ip",
    "mac",
    "simultaneous_use",
    "active",
    "online",
    "ip",
}


def url(resource, pk=None, action=None):
    path = f"/api/v1/{resource}/"
    if pk is not None:
        path += f"{pk}/"
    if action:
        path += f"{action}/"
    return path


@pytest.fixture
def login(admin_user, active_contract):
    return services.login_create(
        actor=admin_user, contract=active_contract, username="mainet@fibra.com.br", password="segredo123"
    )


@pytest.fixture
def login_b(admin_user, contract_b):
    return services.login_create(
        actor=admin_user, contract=contract_b, username="campinas", password="segredo123"
    )


@pytest.fixture
def pool(admin_user, branch_a):
    return services.pool_save(
        IpPool(name="CGNAT", ranges=["100.64.0.0/29"], excluded=["100.64.0.1"], branch=branch_a),
        actor=admin_user,
    )


# --- NAS -----------------------------------------------------------------------------------


def test_nas_crud_keeps_the_secret_write_only(admin_api, branch_a):
    payload = {
        "name": "BNG Centro",
        "ip": "10.0.0.1",
        "secret": "segredo-radius",
        "type": "mikrotik",
        "coa_port": 3799,
        "branch": branch_a.pk,
    }
    response = admin_api.post(url("nas"), payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= NAS_FIELDS
    assert "secret" not in body
    pk = body["id"]
    assert RadiusNas.objects.get(nasname="10.0.0.1").secret == "segredo-radius"

    response = admin_api.patch(url("nas", pk), {"ip": "10.0.0.2", "coa_port": 1700}, format="json")
    assert response.status_code == 200, response.json()
    assert "secret" not in response.json()
    assert Nas.objects.get(pk=pk).secret == "segredo-radius"  # kept when not sent
    assert list(RadiusNas.objects.values_list("nasname", "secret")) == [("10.0.0.2", "segredo-radius")]

    response = admin_api.put(url("nas", pk), {**payload, "ip": "10.0.0.2"}, format="json")
    assert response.status_code == 200, response.json()

    assert "secret" not in admin_api.get(url("nas", pk)).json()
    assert all("secret" not in row for row in admin_api.get(url("nas")).json()["results"])

    assert admin_api.delete(url("nas", pk)).status_code == 204
    assert not RadiusNas.objects.exists()


def test_nas_validation_names_the_field(admin_api, branch_a):
    base = {"name": "BNG", "ip": "10.0.0.1", "secret": "s", "type": "mikrotik", "branch": branch_a.pk}
    assert admin_api.post(url("nas"), base, format="json").status_code == 201
    response = admin_api.post(url("nas"), {**base, "name": "Outro"}, format="json")
    assert response.status_code == 400 and "ip" in response.json()
    response = admin_api.post(
        url("nas"), {**base, "name": "X", "ip": "10.0.0.9", "type": "nokia"}, format="json"
    )
    assert response.status_code == 400 and "type" in response.json()
    response = admin_api.post(url("nas"), {**base, "name": " BNG2", "ip": "10.0.0.8"}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    response = admin_api.post(
        url("nas"), {**base, "name": "Y", "ip": "10.0.0.7", "coa_port": 70000}, format="json"
    )
    assert response.status_code == 400 and "coa_port" in response.json()
    assert Nas.objects.count() == 1


# --- IP pools ------------------------------------------------------------------------------


def test_pool_crud_with_usage_figures(admin_api, admin_user, active_contract, branch_a):
    response = admin_api.post(
        url("ip-pools"),
        {
            "name": "CGNAT",
            "ranges": ["100.64.0.0/29", "100.64.1.0/30"],
            "excluded": ["100.64.0.1"],
            "branch": branch_a.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= POOL_FIELDS
    assert body["ranges"] == ["100.64.0.0/29", "100.64.1.0/30"]
    assert (body["size"], body["used"], body["free"]) == (5 + 2, 0, 7)
    pool = IpPool.objects.get(pk=body["id"])
    assert pool.size == body["size"]

    services.login_create(
        actor=admin_user,
        contract=active_contract,
        username="compool",
        password="segredo123",
        radius_pool=pool,
    )
    [row] = admin_api.get(url("ip-pools")).json()["results"]
    assert (row["size"], row["used"], row["free"]) == (7, 1, 6)

    response = admin_api.patch(
        url("ip-pools", pool.pk), {"excluded": ["100.64.0.1", "100.64.0.6"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["free"] == 5

    response = admin_api.delete(url("ip-pools", pool.pk))
    assert response.status_code == 400
    assert response.json()["code"] == "protected"


def test_pool_validation(admin_api, branch_a):
    for ranges in (["100.64.0.1/29"], ["10.0.0.0/8"], ["x"], [], ["100.64.0.0/29", "100.64.0.0/30"]):
        response = admin_api.post(
            url("ip-pools"), {"name": "P", "ranges": ranges, "branch": branch_a.pk}, format="json"
        )
        assert response.status_code == 400, ranges
        assert "ranges" in response.json(), ranges
    response = admin_api.post(
        url("ip-pools"), {"name": "P", "ranges": ["100.64.0.0/29"], "excluded": ["300.1.1.1"]}, format="json"
    )
    assert response.status_code == 400 and "excluded" in response.json()
    assert not IpPool.objects.exists()


# --- Logins: create and validation ---------------------------------------------------------


def test_create_login_from_the_contract(admin_api, active_contract):
    response = admin_api.post(
        url("logins"),
        {"contract": active_contract.pk, "username": "mainet@fibra.com.br", "password": "segredo123"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= LOGIN_FIELDS
    assert "password" not in body
    assert body["customer"] == active_contract.customer_id
    assert body["branch"] == active_contract.branch_id
    assert body["plan"] == active_contract.plan_id
    assert (body["auth_type"], body["simultaneous_use"], body["password_md5"]) == ("L", 1, False)
    assert (body["online"], body["ip"]) == (False, None)
    assert ("Cleartext-Password", "segredo123") in set(
        RadCheck.objects.filter(username="mainet@fibra.com.br").values_list("attribute", "value")
    )
    assert (
        RadUserGroup.objects.get(username="mainet@fibra.com.br").groupname
        == f"plan_{active_contract.plan_id}"
    )


def test_contract_is_required(admin_api):
    response = admin_api.post(
        url("logins"), {"username": "semcontrato", "password": "segredo123"}, format="json"
    )
    assert response.status_code == 400
    assert "contract" in response.json()


def test_password_is_required_on_creation(admin_api, active_contract):
    response = admin_api.post(
        url("logins"), {"contract": active_contract.pk, "username": "semsenha"}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()
    assert not Login.objects.exists()


@pytest.mark.parametrize("name", ["joão silva", "a#b", "ação", "a b"])
def test_login_name_rules(admin_api, active_contract, name):
    response = admin_api.post(
        url("logins"),
        {"contract": active_contract.pk, "username": name, "password": "segredo123"},
        format="json",
    )
    assert response.status_code == 400
    assert "username" in response.json()
    assert not Login.objects.exists()
    assert not RadCheck.objects.exists()


def test_login_name_is_unique_and_not_padded(admin_api, active_contract, login):
    for name in ("mainet@fibra.com.br", " outro"):
        response = admin_api.post(
            url("logins"),
            {"contract": active_contract.pk, "username": name, "password": "segredo123"},
            format="json",
        )
        assert response.status_code == 400
        assert "username" in response.json()


def test_plan_limited_to_the_customers_contracts(admin_api, active_contract, branch_a, plan_b):
    other = make_plan(branch_a, name="Fibra 1 Giga")
    for plan in (other, plan_b):
        response = admin_api.post(
            url("logins"),
            {"contract": active_contract.pk, "username": "plano", "password": "segredo123", "plan": plan.pk},
            format="json",
        )
        assert response.status_code == 400
        assert "plan" in response.json()
    assert not Login.objects.exists()


def test_addressing_is_exclusive(admin_api, active_contract, pool):
    base = {"contract": active_contract.pk, "username": "ender", "password": "segredo123"}
    response = admin_api.post(
        url("logins"), {**base, "fixed_ip": "10.1.1.1", "radius_pool": pool.pk}, format="json"
    )
    assert response.status_code == 400 and "radius_pool" in response.json()
    response = admin_api.post(
        url("logins"), {**base, "fixed_ip": "10.1.1.1", "nas_pool": "pppoe"}, format="json"
    )
    assert response.status_code == 400 and "nas_pool" in response.json()
    response = admin_api.post(
        url("logins"), {**base, "radius_pool": pool.pk, "nas_pool": "pppoe"}, format="json"
    )
    assert response.status_code == 400 and "radius_pool" in response.json()
    assert not Login.objects.exists() and not IpAllocation.objects.exists()


def test_pool_address_and_exhaustion(admin_api, active_contract, admin_user, branch_a):
    tiny = services.pool_save(IpPool(name="Mini", ranges=["100.64.9.0/30"]), actor=admin_user)  # 2 addresses
    addresses = []
    for i in range(2):
        response = admin_api.post(
            url("logins"),
            {
                "contract": active_contract.pk,
                "username": f"p{i}",
                "password": "segredo123",
                "radius_pool": tiny.pk,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        addresses.append(response.json()["pool_address"])
    assert addresses == ["100.64.9.1", "100.64.9.2"]
    response = admin_api.post(
        url("logins"),
        {"contract": active_contract.pk, "username": "p2", "password": "segredo123", "radius_pool": tiny.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "pool_exhausted"
    assert "radius_pool" in response.json()
    assert not Login.objects.filter(username="p2").exists()
    assert not RadCheck.objects.filter(username="p2").exists()


def test_md5_password_through_the_api(admin_api, active_contract):
    response = admin_api.post(
        url("logins"),
        {"contract": active_contract.pk, "username": "md5", "password": "segredo123", "password_md5": True},
        format="json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert RadCheck.objects.get(username="md5", attribute="MD5-Password").value != "segredo123"
    response = admin_api.patch(url("logins", pk), {"password_md5": False}, format="json")
    assert response.status_code == 400 and "password" in response.json()
    response = admin_api.patch(
        url("logins", pk), {"password_md5": False, "password": "outra-senha1"}, format="json"
    )
    assert response.status_code == 200
    assert RadCheck.objects.get(username="md5", attribute="Cleartext-Password").value == "outra-senha1"


# --- Logins: update, delete ----------------------------------------------------------------


def test_update_login(admin_api, login, active_contract):
    response = admin_api.patch(
        url("logins", login.pk),
        {
            "password": "nova-senha-9",
            "mac": "aa:bb:cc:dd:ee:ff",
            "simultaneous_use": 2,
            "connection_type": "FIBRA",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert "password" not in body
    assert (body["mac"], body["simultaneous_use"], body["connection_type"]) == (
        "AA:BB:CC:DD:EE:FF",
        2,
        "FIBRA",
    )
    checks = set(RadCheck.objects.filter(username=login.username).values_list("attribute", "value"))
    assert {
        ("Cleartext-Password", "nova-senha-9"),
        ("Simultaneous-Use", "2"),
        ("Calling-Station-Id", "AA:BB:CC:DD:EE:FF"),
    } <= checks

    # An empty password keeps the current one.
    response = admin_api.patch(url("logins", login.pk), {"password": ""}, format="json")
    assert response.status_code == 200
    assert Login.objects.get(pk=login.pk).password == "nova-senha-9"

    # Renamed: FreeRADIUS's rows follow.
    response = admin_api.patch(url("logins", login.pk), {"username": "renomeado"}, format="json")
    assert response.status_code == 200
    assert not RadCheck.objects.filter(username="mainet@fibra.com.br").exists()
    assert RadCheck.objects.filter(username="renomeado").count() == 3

    response = admin_api.patch(url("logins", login.pk), {"username": "a#b"}, format="json")
    assert response.status_code == 400 and "username" in response.json()
    assert Login.objects.get(pk=login.pk).username == "renomeado"


def test_put_requires_the_same_contract(admin_api, login, active_contract, contract_b):
    body = {"contract": active_contract.pk, "username": login.username, "auth_type": "H"}
    response = admin_api.put(url("logins", login.pk), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["auth_type"] == "H"
    response = admin_api.put(url("logins", login.pk), {**body, "contract": contract_b.pk}, format="json")
    assert response.status_code == 400 and "contract" in response.json()


def test_delete_login(admin_api, login, pool, admin_user):
    services.login_update(actor=admin_user, login=login, radius_pool=pool)
    assert admin_api.delete(url("logins", login.pk)).status_code == 204
    assert not Login.objects.exists()
    assert not IpAllocation.objects.exists()
    for model in (RadCheck, RadReply, RadUserGroup):
        assert not model.objects.exists()


# --- Permissions and branch scope ----------------------------------------------------------


def test_permissions(operator_a_api, noperm_api, login, active_contract, branch_a, pool):
    # Atendimento reads logins, concentrators and pools but does not change them.
    assert operator_a_api.get(url("logins")).status_code == 200
    assert operator_a_api.get(url("logins", login.pk)).status_code == 200
    assert operator_a_api.get(url("logins", action="generate-password")).status_code == 200
    assert operator_a_api.get(url("logins", login.pk, "sessions")).status_code == 200
    response = operator_a_api.post(
        url("logins"),
        {"contract": active_contract.pk, "username": "x", "password": "segredo123"},
        format="json",
    )
    assert response.status_code == 403
    assert operator_a_api.patch(url("logins", login.pk), {"active": False}, format="json").status_code == 403
    assert operator_a_api.delete(url("logins", login.pk)).status_code == 403
    # Atendimento may disconnect (troubleshooting): the offline login answers 400 not_online
    assert operator_a_api.post(url("logins", login.pk, "disconnect")).json()["code"] == "not_online"
    assert operator_a_api.post(url("nas"), {}, format="json").status_code == 403
    assert operator_a_api.post(url("ip-pools"), {}, format="json").status_code == 403

    for path in (
        url("logins"),
        url("logins", login.pk),
        url("logins", action="generate-password"),
        url("logins", login.pk, "sessions"),
        url("nas"),
        url("ip-pools"),
        url("ip-pools", pool.pk),
    ):
        assert noperm_api.get(path).status_code == 403, path
    assert noperm_api.post(url("logins", login.pk, "disconnect")).status_code == 403


def test_branch_scope(operator_a_api, operator_a_admin_api, login, login_b, contract_b, admin_user, branch_b):
    ids = [row["id"] for row in operator_a_api.get(url("logins")).json()["results"]]
    assert ids == [login.pk]
    for path in (url("logins", login_b.pk), url("logins", login_b.pk, "sessions")):
        assert operator_a_api.get(path).status_code == 404, path
    assert operator_a_admin_api.post(url("logins", login_b.pk, "disconnect")).status_code == 404
    assert (
        operator_a_admin_api.patch(url("logins", login_b.pk), {"active": False}, format="json").status_code
        == 404
    )
    assert operator_a_admin_api.delete(url("logins", login_b.pk)).status_code == 404

    # A contract of another branch is not a valid choice.
    response = operator_a_admin_api.post(
        url("logins"),
        {"contract": contract_b.pk, "username": "intruso", "password": "segredo123"},
        format="json",
    )
    assert response.status_code == 400 and "contract" in response.json()

    nas_b = services.nas_save(
        Nas(name="BNG Campinas", ip="10.2.0.1", secret="s", branch=branch_b), actor=admin_user
    )
    assert operator_a_admin_api.get(url("nas", nas_b.pk)).status_code == 404
    assert operator_a_admin_api.get(url("nas")).json()["count"] == 0


# --- Online status, sessions, generate-password, disconnect -------------------------------


def test_online_and_ip_from_the_open_session(admin_api, login):
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
    open_session(login.username, ip="100.64.0.77", start=start - datetime.timedelta(days=1), stop=start)
    open_session(login.username, ip="100.64.0.88", start=start)
    body = admin_api.get(url("logins", login.pk)).json()
    assert (body["online"], body["ip"]) == (True, "100.64.0.88")
    [row] = admin_api.get(url("logins")).json()["results"]
    assert (row["online"], row["ip"]) == (True, "100.64.0.88")
    assert admin_api.get(url("logins"), {"online": "true"}).json()["count"] == 1
    assert admin_api.get(url("logins"), {"online": "false"}).json()["count"] == 0


def test_list_does_not_query_per_login(
    admin_api, admin_user, active_contract, pool, django_assert_max_num_queries
):
    def create(i):
        login = services.login_create(
            actor=admin_user,
            contract=active_contract,
            username=f"n{i}",
            password="segredo123",
            radius_pool=pool,
        )
        open_session(login.username, ip=f"100.64.5.{i + 1}")

    create(0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert admin_api.get(url("logins")).status_code == 200
    for i in range(1, 5):
        create(i)
    with django_assert_max_num_queries(len(one.captured_queries)):
        rows = admin_api.get(url("logins")).json()["results"]
    assert len(rows) == 5
    assert all(row["online"] and row["ip"] and row["pool_address"] for row in rows)


def test_generate_password(admin_api):
    first = admin_api.get(url("logins", action="generate-password"))
    second = admin_api.get(url("logins", action="generate-password"))
    assert first.status_code == second.status_code == 200
    a, b = first.json()["password"], second.json()["password"]
    assert len(a) >= 12 and len(b) >= 12
    assert a != b


def test_sessions_history_newest_first(admin_api, login, admin_user, branch_a):
    services.nas_save(Nas(name="BNG Centro", ip="10.0.0.1", secret="s", branch=branch_a), actor=admin_user)
    base = timezone.now().replace(microsecond=0) - datetime.timedelta(days=3)
    old = open_session(
        login.username,
        session_id="OLD",
        nas_ip="10.0.0.1",
        ip="100.64.0.5",
        start=base,
        stop=base + datetime.timedelta(hours=2),
        acctsessiontime=7200,
        acctinputoctets=1000,
        acctoutputoctets=5000,
        acctterminatecause="User-Request",
    )
    middle = open_session(
        login.username,
        session_id="MID",
        nas_ip="10.0.0.9",
        start=base + datetime.timedelta(days=1),
        stop=base + datetime.timedelta(days=1, minutes=30),
        acctsessiontime=1800,
        acctterminatecause="Lost-Carrier",
    )
    current = open_session(
        login.username, session_id="NOW", nas_ip="10.0.0.1", start=base + datetime.timedelta(days=2)
    )
    open_session("someone-else", start=base)

    response = admin_api.get(url("logins", login.pk, "sessions"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [s["session_id"] for s in body["results"]] == ["NOW", "MID", "OLD"]
    now_row, mid_row, old_row = body["results"]
    assert old_row["id"] == old.pk
    assert (old_row["ip"], old_row["nas"], old_row["nas_name"]) == ("100.64.0.5", "10.0.0.1", "BNG Centro")
    assert (old_row["bytes_in"], old_row["bytes_out"], old_row["duration"]) == (1000, 5000, 7200)
    assert old_row["terminate_cause"] == "User-Request"
    assert old_row["start"] and old_row["stop"] and old_row["online"] is False
    assert mid_row["nas_name"] is None and mid_row["id"] == middle.pk
    assert now_row["online"] is True and now_row["stop"] is None and now_row["id"] == current.pk
    assert now_row["duration"] >= 86400

    page = admin_api.get(url("logins", login.pk, "sessions"), {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"]


def test_disconnect_offline_login_is_400(admin_api, login):
    response = admin_api.post(url("logins", login.pk, "disconnect"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "not_online"


@pytest.mark.django_db(transaction=True)
def test_disconnect_sends_the_request(admin_api, login, coa_nas, nas_standin, active_contract):
    open_session(login.username, session_id="SESS-API", ip="100.64.0.10")
    response = admin_api.post(
        url("logins", login.pk, "disconnect"), {"reason": "pedido do cliente"}, format="json"
    )
    assert response.status_code == 200, response.json()
    [request] = response.json()["requests"]
    assert (request["session_id"], request["nas_ip"], request["status"]) == ("SESS-API", "127.0.0.1", "ack")
    [packet] = nas_standin.wait_for(1)
    assert packet.code == rp.DisconnectRequest
    assert packet.get("User-Name") == login.username
    assert packet.get("Acct-Session-Id") == "SESS-API"
    history = active_contract.history.filter(kind="RAD").get()
    assert "ACK" in history.text and "pedido do cliente" in history.text


def test_schema_describes_the_resources(admin_api):
    schema = admin_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for resource in ("nas", "ip-pools", "logins"):
        assert set(paths[f"/api/v1/{resource}/"]) >= {"get", "post"}
        assert set(paths[f"/api/v1/{resource}/{{id}}/"]) >= {"get", "put", "patch", "delete"}
    assert set(paths["/api/v1/logins/{id}/disconnect/"]) == {"post"}
    assert set(paths["/api/v1/logins/generate-password/"]) == {"get"}
    assert set(paths["/api/v1/logins/{id}/sessions/"]) == {"get"}
    components = schema["components"]["schemas"]
    assert "secret" not in components["Nas"]["properties"]
    assert "secret" in components["NasRequest"]["properties"]
    assert "password" not in components["Login"]["properties"]
    assert "password" in components["LoginRequest"]["properties"]
    assert {"online", "ip"} <= set(components["Login"]["properties"])
    assert not {"online", "ip"} & set(components["LoginRequest"]["properties"])
