"""RADIUS part of the demo ISP (``manage.py seed_demo``): a concentrator (NAS) per branch, a radius
pool per branch, a login for each active demo contract (the blocked one included: FreeRADIUS puts
it in the blocked group) through ``enlace.radius.services``, and some accounting so that the login
pages have something to show — closed sessions over the last days, an open session for a few
subscribers and their authentications (what FreeRADIUS would have written in ``radacct`` and
``radpostauth``).

Idempotent: concentrators and pools by name, logins by contract (a contract that has a login is
left alone), sessions by their unique id, authentications only for a login that has none.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from enlace.contracts.models import AccessStatus, ContractStatus

from . import services
from .freeradius import RadAcct, RadPostAuth
from .models import AuthType, ConnectionType, IpPool, Login, Nas

# branch key: (NAS name, NAS IP, shared secret, pool name, pool range, gateway)
NETWORK = {
    "branch_main": (
        "BNG Ribeirão Preto",
        "10.20.0.1",
        "rp-radius-demo",
        "CGNAT Ribeirão Preto",
        "100.64.0.0/24",
    ),
    "branch_second": ("BNG Franca", "10.21.0.1", "franca-radius-demo", "CGNAT Franca", "100.64.1.0/24"),
}

# customer name → login fields (besides contract and password) and how many sessions to show
LOGINS = {
    "Ana Beatriz Souza": (
        {"username": "ana.souza@horizontefibra", "connection_type": ConnectionType.FIBER, "pool": True},
        {"online": True, "history": 5},
    ),
    "João Pedro Almeida": (
        {"username": "joao.almeida@horizontefibra", "connection_type": ConnectionType.FIBER, "pool": True},
        {"online": False, "history": 3},
    ),
    "Maria das Graças Oliveira": (
        {
            "username": "graca.oliveira@horizontefibra",
            "connection_type": ConnectionType.RADIO_58,
            "nas_pool": "pppoe-clientes",
        },
        {"online": False, "history": 4, "rejected": True},
    ),
    "Padaria Pão Quente Ltda": (
        {
            "username": "paoquente@horizontefibra",
            "connection_type": ConnectionType.FIBER,
            "fixed_ip": "177.75.10.20",
            "simultaneous_use": 2,
            "mac": "4C:5E:0C:12:34:56",
        },
        {"online": True, "history": 6},
    ),
    "Lucas Martins Rocha": (
        {"username": "lucas.rocha@horizontefibra", "connection_type": ConnectionType.FIBER, "pool": True},
        {"online": True, "history": 2},
    ),
    "Fernanda Lima Costa": (
        {
            "username": "fernanda.costa@horizontefibra",
            "auth_type": AuthType.HOTSPOT,
            "connection_type": ConnectionType.RADIO_24,
            "nas_pool": "hotspot-franca",
        },
        {"online": False, "history": 2},
    ),
}


def _network(demo):
    for branch_key, (nas_name, nas_ip, secret, pool_name, pool_range) in NETWORK.items():
        branch = demo.objects[branch_key]
        demo.track(Nas)
        nas = Nas.objects.filter(name=nas_name).first()
        if nas is None:
            nas = services.nas_save(
                Nas(
                    name=nas_name,
                    ip=nas_ip,
                    secret=secret,
                    branch=branch,
                    description="PPPoE / hotspot concentrator (demo)",
                ),
                actor=None,
            )
            demo.created[Nas._meta.label] += 1
        demo.objects[f"nas_{branch_key}"] = nas
        demo.track(IpPool)
        pool = IpPool.objects.filter(name=pool_name).first()
        if pool is None:
            gateway = pool_range.replace(".0/24", ".1")
            pool = services.pool_save(
                IpPool(name=pool_name, ranges=[pool_range], excluded=[gateway], branch=branch), actor=None
            )
            demo.created[IpPool._meta.label] += 1
        demo.objects[f"pool_{branch_key}"] = pool


def _branch_key(demo, branch_id) -> str:
    return next(key for key in NETWORK if demo.objects[key].pk == branch_id)


def _login(demo, contract, fields: dict) -> Login:
    existing = Login.objects.filter(contract=contract).order_by("id").first()
    if existing is not None:
        return existing
    values = {k: v for k, v in fields.items() if k != "pool"}
    if fields.get("pool"):
        values["radius_pool"] = demo.objects[f"pool_{_branch_key(demo, contract.branch_id)}"]
    login = services.login_create(
        actor=None, contract=contract, password=services.generate_password(), **values
    )
    demo.created[Login._meta.label] += 1
    return login


def _session_ip(login: Login, n: int) -> str:
    address = login.fixed_ip or getattr(getattr(login, "allocation", None), "address", None)
    return address or f"100.100.{login.pk % 250}.{10 + n}"


def _sessions(demo, login: Login, plan: dict):
    """Closed sessions a day or so apart; then the open one, if any."""
    demo.track(RadAcct)
    now = timezone.now()
    history = plan.get("history", 0)
    start = now - datetime.timedelta(days=history + 1, hours=5)
    for n in range(history):
        begin = start + datetime.timedelta(days=n, minutes=17 * n)
        end = begin + datetime.timedelta(hours=20 + n, minutes=7 * n)
        _session(demo, login, n, begin, end, "Lost-Carrier" if n % 2 else "User-Request")
    times = [start + datetime.timedelta(days=n, minutes=17 * n) for n in range(history)]
    if plan.get("online"):
        begin = now - datetime.timedelta(hours=9, minutes=42)
        times.append(begin)
        # After the demo's transaction commits: the contracts' access-status signals run then
        # (after commit) and would send a Disconnect-Request for every session already open.
        transaction.on_commit(lambda: _session(demo, login, history, begin, None, ""))
    _authentications(demo, login, times, plan.get("rejected", False))


def _session(demo, login: Login, n: int, begin, end, cause: str) -> None:
    unique = f"demo-{login.username}-{n}"
    if RadAcct.objects.filter(acctuniqueid=unique).exists():
        return
    nas = demo.objects[f"nas_{_branch_key(demo, login.branch_id)}"]
    now = timezone.now()
    seconds = int(((end or now) - begin).total_seconds())
    RadAcct.objects.create(
        acctsessionid=f"{0x81A00000 + login.pk * 100 + n:08x}",
        acctuniqueid=unique,
        username=login.username,
        nasipaddress=nas.ip,
        nasportid=f"<pppoe-{login.username.split('@')[0]}>",
        nasporttype="Ethernet" if login.auth_type == AuthType.PPPOE else "Wireless-802.11",
        acctstarttime=begin,
        acctupdatetime=(now - datetime.timedelta(minutes=4)) if end is None else end,
        acctstoptime=end,
        acctinterval=300,
        acctsessiontime=seconds,
        acctauthentic="RADIUS",
        acctinputoctets=seconds * 9_000 * (1 + n % 3),
        acctoutputoctets=seconds * 95_000 * (1 + n % 4),
        calledstationid=nas.name,
        callingstationid=login.mac or f"4C:5E:0C:00:{login.pk % 256:02X}:{n:02X}",
        acctterminatecause=cause,
        servicetype="Framed-User",
        framedprotocol="PPP",
        framedipaddress=_session_ip(login, n),
    )
    demo.created[RadAcct._meta.label] += 1


def _authentications(demo, login: Login, times, rejected: bool):
    demo.track(RadPostAuth)
    if RadPostAuth.objects.filter(username=login.username).exists():
        return
    nas_name = demo.objects[f"nas_{_branch_key(demo, login.branch_id)}"].name
    mac = login.mac or ""
    entries = [(when - datetime.timedelta(seconds=2), "Access-Accept") for when in times]
    if rejected:  # the blocked subscriber's router keeps trying
        now = timezone.now()
        entries += [(now - datetime.timedelta(minutes=m), "Access-Reject") for m in (55, 25, 5)]
    for when, reply in entries:
        RadPostAuth.objects.create(
            username=login.username,
            reply=reply,
            calledstationid=nas_name,
            callingstationid=mac or None,
            authdate=when,
        )
        demo.created[RadPostAuth._meta.label] += 1


def seed(demo):
    _network(demo)
    demo.track(Login)
    for customer_name, contract in demo.objects.get("contracts", {}).items():
        if customer_name not in LOGINS or contract.status != ContractStatus.ACTIVE:
            continue
        fields, accounting = LOGINS[customer_name]
        login = _login(demo, contract, fields)
        if contract.access_status != AccessStatus.ACTIVE:
            # A blocked subscriber is not online (and no Disconnect-Request is sent when the
            # demo's transaction commits).
            accounting = {**accounting, "online": False}
        _sessions(demo, login, accounting)
