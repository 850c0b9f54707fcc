"""Services of logins and IP pools (L-6 … L-9): what they store for FreeRADIUS, and the pool's
addresses — never the same to two logins, also under concurrent saves."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from enlace.contracts import services as contract_services
from enlace.core.exceptions import ApplicationError
from enlace.radius import projection, services
from enlace.radius.models import IpAllocation, IpPool, Login, RadCheck, RadReply, RadUserGroup

pytestmark = pytest.mark.django_db


def rows(model, username):
    return set(model.objects.filter(username=username).values_list("attribute", "op", "value"))


@pytest.fixture
def pool(admin_user, branch_a):
    # /29: .1 … .6 usable; .1 excluded → 5 addresses
    return services.pool_save(
        IpPool(name="CGNAT", ranges=["100.64.0.0/29"], excluded=["100.64.0.1"], branch=branch_a),
        actor=admin_user,
    )


def make_login(actor, contract, username, **extra):
    return services.login_create(
        actor=actor, contract=contract, username=username, password="segredo123", **extra
    )


# --- Passwords (L-7, L-8) ------------------------------------------------------------------


def test_md5_password_stores_the_digest_and_going_back_needs_a_new_password(admin_user, active_contract):
    login = make_login(admin_user, active_contract, "md5user", password_md5=True)
    digest = projection.md5_hex("segredo123")
    assert login.password == digest
    assert Login.objects.get(pk=login.pk).password == digest
    assert ("MD5-Password", ":=", digest) in rows(RadCheck, "md5user")
    assert not any(a == "Cleartext-Password" for a, _o, _v in rows(RadCheck, "md5user"))

    # An unrelated change keeps the digest as it is (not hashed twice).
    services.login_update(actor=admin_user, login=login, simultaneous_use=2)
    assert Login.objects.get(pk=login.pk).password == digest

    with pytest.raises(ValidationError) as error:
        services.login_update(actor=admin_user, login=Login.objects.get(pk=login.pk), password_md5=False)
    assert "password" in error.value.message_dict
    assert Login.objects.get(pk=login.pk).password_md5 is True

    services.login_update(
        actor=admin_user, login=Login.objects.get(pk=login.pk), password_md5=False, password="nova-senha-1"
    )
    assert ("Cleartext-Password", ":=", "nova-senha-1") in rows(RadCheck, "md5user")
    assert not any(a == "MD5-Password" for a, _o, _v in rows(RadCheck, "md5user"))


def test_generated_passwords_are_long_and_different():
    passwords = {services.generate_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(p) >= 12 and p.isalnum() for p in passwords)


# --- Login name (L-6) and addressing (L-9) ---------------------------------------------------


@pytest.mark.parametrize("name", ["joão silva", "a#b", "com espaço", "ação"])
def test_login_name_rules(admin_user, active_contract, name):
    with pytest.raises(ValidationError) as error:
        make_login(admin_user, active_contract, name)
    assert "username" in error.value.message_dict
    assert not Login.objects.exists()
    assert not RadCheck.objects.exists()


def test_valid_login_names(admin_user, active_contract):
    for name in ("mainet@fibra.com.br", "cliente_01", "a-b.c"):
        make_login(admin_user, active_contract, name)
    assert Login.objects.count() == 3


def test_one_way_to_address_a_login(admin_user, active_contract, pool):
    with pytest.raises(ValidationError) as error:
        make_login(admin_user, active_contract, "x1", fixed_ip="10.0.0.5", radius_pool=pool)
    assert "radius_pool" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_login(admin_user, active_contract, "x2", fixed_ip="10.0.0.5", nas_pool="pppoe-pool")
    assert "nas_pool" in error.value.message_dict
    assert not IpAllocation.objects.exists()


def test_nas_pool_and_fixed_ip_reach_freeradius(admin_user, active_contract):
    make_login(admin_user, active_contract, "fixo", fixed_ip="200.200.200.10", mac="aa-bb-cc-dd-ee-ff")
    make_login(admin_user, active_contract, "concentrador", nas_pool="pool-pppoe")
    assert ("Framed-IP-Address", ":=", "200.200.200.10") in rows(RadReply, "fixo")
    assert ("Calling-Station-Id", "==", "AA:BB:CC:DD:EE:FF") in rows(RadCheck, "fixo")
    assert rows(RadReply, "concentrador") == {("Framed-Pool", ":=", "pool-pppoe")}


def test_plan_must_be_one_of_the_customers_contracts(admin_user, active_contract, branch_a):
    from tests.helpers.contracts import make_plan

    other = make_plan(branch_a, name="Fibra 1 Giga")
    with pytest.raises(ValidationError) as error:
        make_login(admin_user, active_contract, "planos", plan=other)
    assert "plan" in error.value.message_dict


# --- Pool allocation ---------------------------------------------------------------------------


def test_pool_hands_out_distinct_addresses_then_refuses_naming_the_pool(admin_user, active_contract, pool):
    logins = [make_login(admin_user, active_contract, f"user{i}", radius_pool=pool) for i in range(5)]
    addresses = [login.allocation.address for login in logins]
    assert addresses == ["100.64.0.2", "100.64.0.3", "100.64.0.4", "100.64.0.5", "100.64.0.6"]
    for login in logins:
        assert ("Framed-IP-Address", ":=", login.allocation.address) in rows(RadReply, login.username)

    with pytest.raises(ApplicationError) as error:
        make_login(admin_user, active_contract, "user5", radius_pool=pool)
    assert error.value.field == "radius_pool"
    assert error.value.code == "pool_exhausted"
    assert not Login.objects.filter(username="user5").exists()  # nothing half-saved
    assert not RadCheck.objects.filter(username="user5").exists()
    assert services.pool_usage(pool) == (5, 5)


def test_deleting_a_login_releases_its_address(admin_user, active_contract, pool):
    first = make_login(admin_user, active_contract, "primeiro", radius_pool=pool)
    address = first.allocation.address
    services.login_delete(actor=admin_user, login=first)
    assert not IpAllocation.objects.exists()
    for model in (RadCheck, RadReply, RadUserGroup):
        assert not model.objects.filter(username="primeiro").exists()
    second = make_login(admin_user, active_contract, "segundo", radius_pool=pool)
    assert second.allocation.address == address


def test_leaving_the_pool_releases_the_address(admin_user, active_contract, pool):
    login = make_login(admin_user, active_contract, "saindo", radius_pool=pool)
    services.login_update(actor=admin_user, login=login, radius_pool=None, nas_pool="pppoe")
    assert not IpAllocation.objects.exists()
    assert rows(RadReply, "saindo") == {("Framed-IP-Address", ":=", v) for v in ()} | {
        ("Framed-Pool", ":=", "pppoe")
    }


def test_fixed_ip_cannot_take_an_address_handed_out(admin_user, active_contract, pool):
    make_login(admin_user, active_contract, "compool", radius_pool=pool)
    with pytest.raises(ValidationError) as error:
        make_login(admin_user, active_contract, "fixo", fixed_ip="100.64.0.2")
    assert "fixed_ip" in error.value.message_dict


def test_pool_cannot_shrink_below_its_addresses(admin_user, active_contract, pool):
    make_login(admin_user, active_contract, "u1", radius_pool=pool)
    pool.ranges = ["100.64.1.0/29"]
    with pytest.raises(ValidationError) as error:
        services.pool_save(pool, actor=admin_user)
    assert "ranges" in error.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_never_share_an_address(admin_user, active_contract, branch_a):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises writes)")
    pool = services.pool_save(IpPool(name="Concorrido", ranges=["100.64.8.0/28"]), actor=admin_user)
    count = 10
    barrier = threading.Barrier(count)
    errors = []

    def create(i):
        try:
            barrier.wait(timeout=10)
            make_login(admin_user, active_contract, f"paralelo{i}", radius_pool=pool)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    addresses = list(IpAllocation.objects.values_list("address", flat=True))
    assert len(addresses) == count
    assert len(set(addresses)) == count
    framed = list(RadReply.objects.filter(attribute="Framed-IP-Address").values_list("value", flat=True))
    assert sorted(framed) == sorted(addresses)


# --- Renames and groups ----------------------------------------------------------------------


def test_rename_moves_the_freeradius_rows(admin_user, active_contract, pool):
    login = make_login(admin_user, active_contract, "antigo", radius_pool=pool)
    before = {m: rows(m, "antigo") for m in (RadCheck, RadReply)}
    services.login_update(actor=admin_user, login=login, username="novo@fibra.com.br")
    for model in (RadCheck, RadReply, RadUserGroup):
        assert not model.objects.filter(username="antigo").exists()
    assert rows(RadCheck, "novo@fibra.com.br") == before[RadCheck]
    assert rows(RadReply, "novo@fibra.com.br") == before[RadReply]
    assert list(
        RadUserGroup.objects.filter(username="novo@fibra.com.br").values_list("groupname", flat=True)
    ) == [f"plan_{active_contract.plan_id}"]


def test_inactive_login_and_blocked_contract_groups(admin_user, active_contract):
    login = make_login(admin_user, active_contract, "grupos")
    services.login_update(actor=admin_user, login=login, active=False)
    assert RadUserGroup.objects.get(username="grupos").groupname == projection.DISABLED_GROUP
    services.login_update(actor=admin_user, login=login, active=True)
    contract_services.contract_block(actor=admin_user, contract=active_contract, reason="teste")
    assert RadUserGroup.objects.get(username="grupos").groupname == projection.BLOCKED_GROUP


def test_login_cannot_move_to_another_contract(admin_user, active_contract, contract_b):
    login = make_login(admin_user, active_contract, "fica")
    with pytest.raises(ValidationError) as error:
        services.login_update(actor=admin_user, login=login, contract=contract_b)
    assert "contract" in error.value.message_dict


def test_two_logins_cannot_share_a_fixed_ip(admin_user, active_contract):
    make_login(admin_user, active_contract, "fixo1", fixed_ip="200.200.200.10")
    with pytest.raises(ValidationError) as error:
        make_login(admin_user, active_contract, "fixo2", fixed_ip="200.200.200.10")
    assert "fixed_ip" in error.value.message_dict
