import pytest

from enlace.contracts import services as contract_services
from enlace.radius import services
from enlace.radius.models import IpPool, RadCheck, RadGroupReply, RadReply, RadUserGroup

pytestmark = pytest.mark.django_db


def test_login_projection(admin_user, active_contract):
    pool = services.pool_save(
        IpPool(name="CGNAT", ranges=["100.64.0.0/30"], excluded=["100.64.0.1"]), actor=admin_user
    )
    login = services.login_create(
        actor=admin_user,
        contract=active_contract,
        username="mainet@fibra.com.br",
        password="segredo123",
        radius_pool=pool,
    )
    assert set(RadCheck.objects.values_list("username", "attribute", "op", "value")) == {
        ("mainet@fibra.com.br", "Cleartext-Password", ":=", "segredo123"),
        ("mainet@fibra.com.br", "Simultaneous-Use", ":=", "1"),
    }
    assert list(RadReply.objects.values_list("attribute", "value")) == [("Framed-IP-Address", "100.64.0.2")]
    group = f"plan_{active_contract.plan_id}"
    assert list(RadUserGroup.objects.values_list("username", "groupname")) == [(login.username, group)]
    assert ("Mikrotik-Rate-Limit", "250M/500M") in set(
        RadGroupReply.objects.filter(groupname=group).values_list("attribute", "value")
    )
    contract_services.contract_block(actor=admin_user, contract=active_contract, reason="teste")
    assert list(RadUserGroup.objects.values_list("groupname", flat=True)) == ["enlace_blocked"]
