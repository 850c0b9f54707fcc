"""``seed_demo`` builds contracts for the demo customers and the RADIUS side (NAS, pool, logins,
some accounting) through the services, and running it again creates nothing twice."""

from io import StringIO

import pytest
from django.core.management import call_command

from enlace.contracts.models import AccessStatus, Contract, ContractStatus, Plan
from enlace.core.models import Wallet
from enlace.radius.freeradius import RadAcct, RadCheck, RadiusNas, RadPostAuth, RadUserGroup
from enlace.radius.models import IpAllocation, IpPool, Login, Nas
from enlace.radius.projection import BLOCKED_GROUP

pytestmark = pytest.mark.django_db(transaction=True)

MODELS = [Plan, Wallet, Contract, Nas, IpPool, Login, RadAcct, RadPostAuth, RadCheck]


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts():
    return {m._meta.label: m.objects.count() for m in MODELS}


def test_seed_demo_contracts_and_radius(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    output = _seed()
    assert "contracts" in output and "radius" in output
    first = _counts()
    _seed()
    assert _counts() == first

    statuses = list(Contract.objects.values_list("status", "access_status"))
    assert len(statuses) == 7
    # The finance step (enlace/billing/demo.py) leaves one contract with the overdue notice and one
    # blocked automatically (both offline: no Disconnect is sent).
    assert statuses.count((ContractStatus.ACTIVE, AccessStatus.ACTIVE)) == 3
    assert (ContractStatus.ACTIVE, AccessStatus.OVERDUE) in statuses
    assert (ContractStatus.ACTIVE, AccessStatus.AUTOMATIC_BLOCK) in statuses
    assert (ContractStatus.ACTIVE, AccessStatus.MANUAL_BLOCK) in statuses
    assert (ContractStatus.PRE_CONTRACT, AccessStatus.AWAITING_SIGNATURE) in statuses
    assert not Contract.objects.filter(customer__is_lead=True).exists()

    assert Nas.objects.count() == 2 and RadiusNas.objects.count() == 2
    assert IpPool.objects.count() == 2 and IpAllocation.objects.count() == 3
    # A login per active contract (the blocked one too, in the blocked group), none for the
    # pre-contract.
    assert Login.objects.count() == 6
    assert not Login.objects.filter(contract__status=ContractStatus.PRE_CONTRACT).exists()
    blocked = Login.objects.get(contract__access_status=AccessStatus.MANUAL_BLOCK)
    assert RadUserGroup.objects.get(username=blocked.username).groupname == BLOCKED_GROUP
    assert RadCheck.objects.filter(attribute="Cleartext-Password").count() == 6

    # Accounting: history for every login, a few online now (never the blocked one).
    online = set(RadAcct.objects.filter(acctstoptime__isnull=True).values_list("username", flat=True))
    assert len(online) == 3 and blocked.username not in online
    assert set(RadAcct.objects.values_list("username", flat=True)) == set(
        Login.objects.values_list("username", flat=True)
    )
    session = RadAcct.objects.filter(acctstoptime__isnull=True).first()
    assert session.acctstarttime is not None and session.framedipaddress
    assert RadPostAuth.objects.filter(username=blocked.username, reply="Access-Reject").exists()
    # Nothing was sent to the (fictitious) concentrators while seeding.
    assert not Login.objects.filter(disconnects__isnull=False).exists()
