"""``manage.py radius_sync [--check]``: FreeRADIUS's tables match Enlace's records after a series of
operations; a tampered row is reported (non-zero exit) and ``radius_sync`` puts it right."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from enlace.contracts import services as contract_services
from enlace.core.services import parameters_update
from enlace.radius import services
from enlace.radius.models import IpPool, Nas, RadCheck, RadGroupReply, RadiusNas, RadReply, RadUserGroup
from tests.helpers.contracts import make_plan

pytestmark = pytest.mark.django_db


def check() -> str:
    out = StringIO()
    call_command("radius_sync", "--check", "--no-progress", stdout=out)
    return out.getvalue()


def check_fails() -> str:
    out = StringIO()
    with pytest.raises(CommandError, match="difference"):
        call_command("radius_sync", "--check", "--no-progress", stdout=out)
    return out.getvalue()


@pytest.fixture
def operations(admin_user, active_contract, branch_a):
    """A day at the ISP: concentrators, a pool, logins created, changed, renamed, deleted, a
    contract blocked and unblocked, a plan changed, parameters changed."""
    nas = services.nas_save(
        Nas(name="BNG", ip="10.0.0.1", secret="segredo", branch=branch_a), actor=admin_user
    )
    nas.ip = "10.0.0.2"
    services.nas_save(nas, actor=admin_user)
    services.nas_save(
        Nas(name="Desligado", ip="10.0.0.3", secret="x", branch=branch_a, active=False), actor=admin_user
    )
    pool = services.pool_save(IpPool(name="CGNAT", ranges=["100.64.0.0/28"]), actor=admin_user)
    logins = [
        services.login_create(
            actor=admin_user,
            contract=active_contract,
            username=f"cliente{i}",
            password="segredo123",
            radius_pool=pool,
        )
        for i in range(4)
    ]
    services.login_create(
        actor=admin_user,
        contract=active_contract,
        username="md5",
        password="segredo123",
        password_md5=True,
        mac="aa:bb:cc:dd:ee:ff",
        nas_pool="pppoe",
    )
    services.login_update(actor=admin_user, login=logins[0], username="renomeado", password="outra-senha")
    services.login_update(actor=admin_user, login=logins[1], radius_pool=None, fixed_ip="200.1.1.1")
    services.login_update(actor=admin_user, login=logins[2], active=False)
    services.login_delete(actor=admin_user, login=logins[3])
    contract_services.contract_block(actor=admin_user, contract=active_contract, reason="teste")
    contract_services.contract_unblock(actor=admin_user, contract=active_contract)
    faster = make_plan(branch_a, name="Fibra 1 Giga", download_kbps=1_000_000, upload_kbps=500_000)
    contract_services.contract_change_plan(actor=admin_user, contract=active_contract, plan=faster)
    parameters_update(actor=admin_user, radius_blocked_action="N", radius_notice_pool="aviso")
    return active_contract


def test_no_difference_after_a_series_of_operations(operations):
    assert "match" in check()
    assert RadUserGroup.objects.filter(groupname=f"plan_{operations.plan_id}").count() == 3
    assert not RadCheck.objects.filter(username__in=["cliente0", "cliente3"]).exists()
    assert list(RadiusNas.objects.values_list("nasname", flat=True)) == ["10.0.0.2"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda: RadCheck.objects.filter(attribute="Cleartext-Password").update(value="hackeado"),
        lambda: RadCheck.objects.create(
            username="fantasma", attribute="Cleartext-Password", op=":=", value="x"
        ),
        lambda: RadReply.objects.filter(attribute="Framed-IP-Address").delete(),
        lambda: RadUserGroup.objects.update(groupname="plan_999"),
        lambda: RadGroupReply.objects.filter(attribute="Mikrotik-Rate-Limit").update(value="1G/1G"),
        lambda: RadiusNas.objects.update(secret="trocado"),
    ],
    ids=["password", "extra-user", "missing-reply", "group", "rate-limit", "nas-secret"],
)
def test_tampered_rows_are_reported_and_fixed(operations, tamper):
    tamper()
    report = check_fails()
    assert "missing" in report or "unexpected" in report
    assert "hackeado" not in report and "trocado" not in report  # secrets are masked
    out = StringIO()
    call_command("radius_sync", "--no-progress", stdout=out)
    assert "fixed" in out.getvalue()
    assert "match" in check()


def test_rebuild_from_empty_tables(operations):
    expected = {m: set(m.objects.values_list(*fields)) for m, fields in _TABLES.items()}
    for model in _TABLES:
        model.objects.all().delete()
    check_fails()
    call_command("radius_sync", "--no-progress", stdout=StringIO())
    assert {m: set(m.objects.values_list(*fields)) for m, fields in _TABLES.items()} == expected


_TABLES = {
    RadCheck: ("username", "attribute", "op", "value"),
    RadReply: ("username", "attribute", "op", "value"),
    RadUserGroup: ("username", "groupname", "priority"),
    RadGroupReply: ("groupname", "attribute", "op", "value"),
    RadiusNas: ("nasname", "shortname", "secret"),
}
