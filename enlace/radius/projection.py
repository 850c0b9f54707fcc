"""What FreeRADIUS reads, computed from Enlace's records and written into its stock tables.

One function per source computes the rows it owns (``login_rows``, ``plan_group_rows``,
``status_group_rows``, ``nas_rows``); ``write_*`` replace those rows inside the caller's transaction,
so FreeRADIUS never sees a login without its group or a plan without its speed. ``expected_rows``
computes the whole projection for ``radius_sync`` (rebuild or ``--check``).

The groups (``radusergroup``):

- ``plan_<id>`` — the plan's speed: Mikrotik-Rate-Limit (upload/download with burst, as
  MikroTik's ``rx/tx`` from the concentrator's side) and Mikrotik-Address-List;
- ``plan_<id>_reduced`` — the plan's reduced speed, for a contract in "Financeiro em atraso" (FA)
  when the plan has one (L-10);
- ``enlace_blocked`` — a contract blocked (CM, CA) or not active (pre-contract, cancelled…):
  ``Auth-Type := Reject`` or the notice pool / address list / speed, per the general parameters;
- ``enlace_disabled`` — an inactive login: always rejected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import transaction

from enlace.contracts.models import AccessStatus, ContractStatus, Plan

from .freeradius import RadCheck, RadGroupCheck, RadGroupReply, RadiusNas, RadReply, RadUserGroup
from .models import Login, Nas, RadiusSettings

BLOCKED_GROUP = "enlace_blocked"
DISABLED_GROUP = "enlace_disabled"
REJECT = "R"
NOTICE = "N"


def plan_group(plan_id: int, reduced: bool = False) -> str:
    return f"plan_{plan_id}_reduced" if reduced else f"plan_{plan_id}"


def _kbps(value: int) -> str:
    """MikroTik's rate notation: ``512k``, ``100M`` (whole megabits), never fractions."""
    if value and value % 1000 == 0:
        return f"{value // 1000}M"
    return f"{value}k"


def rate_limit(plan: Plan, *, reduced: bool = False) -> str:
    """Mikrotik-Rate-Limit of a plan: ``rx/tx [burst-rx/burst-tx threshold-rx/threshold-tx
    time-rx/time-tx priority]`` where rx is what the router receives from the subscriber (upload)
    and tx what it sends (download). Empty when the plan has no speed."""
    if reduced:
        down, up = plan.reduced_download_kbps, plan.reduced_upload_kbps
        if not down or not up:
            return ""
        return f"{_kbps(up)}/{_kbps(down)}"
    down, up = plan.download_kbps, plan.upload_kbps
    if not down or not up:
        return ""
    text = f"{_kbps(up)}/{_kbps(down)}"
    if plan.burst_download_kbps and plan.burst_upload_kbps:
        percent = plan.burst_threshold_percent or 75
        time = plan.burst_time_seconds or 10
        text += (
            f" {_kbps(plan.burst_upload_kbps)}/{_kbps(plan.burst_download_kbps)}"
            f" {_kbps(up * percent // 100)}/{_kbps(down * percent // 100)}"
            f" {time}/{time} {plan.priority or 8}"
        )
    return text


# --- Rows ---------------------------------------------------------------------------------


def plan_group_rows(plan: Plan) -> dict[str, list[tuple]]:
    """radgroupreply rows ``(groupname, attribute, op, value)`` of a plan's groups."""
    rows = []
    limit = rate_limit(plan)
    if limit:
        rows.append((plan_group(plan.pk), "Mikrotik-Rate-Limit", ":=", limit))
    if plan.address_list:
        rows.append((plan_group(plan.pk), "Mikrotik-Address-List", ":=", plan.address_list))
    reduced = rate_limit(plan, reduced=True)
    if reduced:
        rows.append((plan_group(plan.pk, True), "Mikrotik-Rate-Limit", ":=", reduced))
        if plan.address_list:
            rows.append((plan_group(plan.pk, True), "Mikrotik-Address-List", ":=", plan.address_list))
    return {"radgroupreply": rows, "radgroupcheck": []}


def status_group_rows(params: RadiusSettings) -> dict[str, list[tuple]]:
    """Rows of the blocked and disabled groups, from the RADIUS settings."""
    check = [(DISABLED_GROUP, "Auth-Type", ":=", "Reject")]
    reply = []
    if params.radius_blocked_action == NOTICE:
        if params.radius_notice_pool:
            reply.append((BLOCKED_GROUP, "Framed-Pool", ":=", params.radius_notice_pool))
        if params.radius_notice_address_list:
            reply.append((BLOCKED_GROUP, "Mikrotik-Address-List", ":=", params.radius_notice_address_list))
        if params.radius_notice_rate_limit:
            reply.append((BLOCKED_GROUP, "Mikrotik-Rate-Limit", ":=", params.radius_notice_rate_limit))
    else:
        check.append((BLOCKED_GROUP, "Auth-Type", ":=", "Reject"))
    return {"radgroupreply": reply, "radgroupcheck": check}


def login_group(login: Login) -> str:
    """The one group a login is in, from its own state and its contract's (L-10: the plan's speed
    profile; the blocked profile for a blocked contract; the reduced one when overdue)."""
    contract = login.contract
    if not login.active:
        return DISABLED_GROUP
    if contract.status != ContractStatus.ACTIVE:
        return BLOCKED_GROUP
    if contract.access_status == AccessStatus.ACTIVE:
        return plan_group(login.plan_id)
    if contract.access_status == AccessStatus.OVERDUE:
        plan = login.plan
        return plan_group(
            login.plan_id, reduced=bool(plan.reduced_download_kbps and plan.reduced_upload_kbps)
        )
    return BLOCKED_GROUP


def login_rows(login: Login, *, address: str | None = None) -> dict[str, list[tuple]]:
    """radcheck / radreply / radusergroup rows of one login. ``address`` is its radius-pool
    address (looked up when not given)."""
    user = login.username
    check = []
    if login.password_md5:
        check.append((user, "MD5-Password", ":=", login.password))
    else:
        check.append((user, "Cleartext-Password", ":=", login.password))
    check.append((user, "Simultaneous-Use", ":=", str(login.simultaneous_use)))
    if login.mac:
        check.append((user, "Calling-Station-Id", "==", login.mac))
    reply = []
    if address is None and login.radius_pool_id:
        allocation = getattr(login, "allocation", None)
        address = allocation.address if allocation else None
    ip = login.fixed_ip or address
    if ip:
        reply.append((user, "Framed-IP-Address", ":=", ip))
    if login.nas_pool:
        reply.append((user, "Framed-Pool", ":=", login.nas_pool))
    return {
        "radcheck": check,
        "radreply": reply,
        "radusergroup": [(user, login_group(login), 1)],
    }


def nas_rows(nas: Nas) -> list[tuple]:
    """``nas`` row ``(nasname, shortname, type, ports, secret, server, description)`` — an inactive
    concentrator is left out (FreeRADIUS ignores its packets)."""
    if not nas.active:
        return []
    return [(nas.ip, nas.name[:32], nas.type, None, nas.secret, None, nas.description or nas.name)]


def md5_hex(password: str) -> str:
    return hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()


# --- Writers (inside the caller's transaction) ---------------------------------------------

#: The columns of a ``nas`` row tuple (``nas_rows``), in order.
NAS_COLUMNS = ("nasname", "shortname", "type", "ports", "secret", "server", "description")

_USER_TABLES = {"radcheck": RadCheck, "radreply": RadReply, "radusergroup": RadUserGroup}
_GROUP_TABLES = {"radgroupcheck": RadGroupCheck, "radgroupreply": RadGroupReply}


def _make(model, row: tuple):
    if model is RadiusNas:
        return RadiusNas(**dict(zip(NAS_COLUMNS, row, strict=True)))
    if model is RadUserGroup:
        return RadUserGroup(username=row[0], groupname=row[1], priority=row[2])
    if model in (RadGroupCheck, RadGroupReply):
        return model(groupname=row[0], attribute=row[1], op=row[2], value=row[3])
    return model(username=row[0], attribute=row[1], op=row[2], value=row[3])


def write_login(login: Login, *, old_username: str | None = None) -> None:
    """Replace the rows of ``login`` (and of its former name, after a rename)."""
    names = {login.username} | ({old_username} if old_username else set())
    rows = login_rows(login)
    with transaction.atomic():
        for table, model in _USER_TABLES.items():
            model.objects.filter(username__in=names).delete()
            model.objects.bulk_create([_make(model, r) for r in rows[table]])


def delete_login(username: str) -> None:
    with transaction.atomic():
        for model in _USER_TABLES.values():
            model.objects.filter(username=username).delete()


def write_login_groups(logins: Iterable[Login]) -> None:
    """Rewrite only the group of each login (contract status, access status or plan changed)."""
    logins = list(logins)
    if not logins:
        return
    with transaction.atomic():
        RadUserGroup.objects.filter(username__in=[lg.username for lg in logins]).delete()
        RadUserGroup.objects.bulk_create(
            [RadUserGroup(username=lg.username, groupname=login_group(lg), priority=1) for lg in logins]
        )


def _write_groups(names: set[str], rows: dict[str, list[tuple]]) -> None:
    with transaction.atomic():
        for table, model in _GROUP_TABLES.items():
            model.objects.filter(groupname__in=names).delete()
            model.objects.bulk_create([_make(model, r) for r in rows[table]])


def write_plan(plan: Plan) -> None:
    _write_groups({plan_group(plan.pk), plan_group(plan.pk, True)}, plan_group_rows(plan))


def write_status_groups(params: RadiusSettings | None = None) -> None:
    _write_groups({BLOCKED_GROUP, DISABLED_GROUP}, status_group_rows(params or RadiusSettings.load()))


def write_nas(nas: Nas, *, old_ip: str | None = None) -> None:
    names = {nas.ip} | ({old_ip} if old_ip else set())
    with transaction.atomic():
        RadiusNas.objects.filter(nasname__in=names).delete()
        RadiusNas.objects.bulk_create([make_row("nas", row) for row in nas_rows(nas)])


def delete_nas(ip: str) -> None:
    RadiusNas.objects.filter(nasname=ip).delete()


# --- The whole projection (radius_sync) ----------------------------------------------------


def expected_rows(progress=None) -> dict[str, list[tuple]]:
    """Every row FreeRADIUS's read tables should hold, computed from Enlace's records."""
    out: dict[str, list[tuple]] = {name: [] for name in (*_USER_TABLES, *_GROUP_TABLES, "nas")}
    status = status_group_rows(RadiusSettings.load())
    for table in _GROUP_TABLES:
        out[table].extend(status[table])
    for plan in Plan.objects.all().iterator():
        rows = plan_group_rows(plan)
        for table in _GROUP_TABLES:
            out[table].extend(rows[table])
    for nas in Nas.objects.all():
        out["nas"].extend(nas_rows(nas))
    logins = Login.objects.select_related("contract", "plan", "allocation").order_by("pk")
    for login in logins.iterator(chunk_size=2000):
        rows = login_rows(login)
        for table in _USER_TABLES:
            out[table].extend(rows[table])
        if progress:
            progress()
    return out


def actual_rows() -> dict[str, list[tuple]]:
    out = {}
    for table, model in {**_USER_TABLES, **_GROUP_TABLES}.items():
        key_fields = (
            ("username", "groupname", "priority")
            if model is RadUserGroup
            else (
                ("groupname" if model in _GROUP_TABLES.values() else "username"),
                "attribute",
                "op",
                "value",
            )
        )
        out[table] = list(model.objects.values_list(*key_fields).iterator(chunk_size=5000))
    out["nas"] = list(RadiusNas.objects.values_list(*NAS_COLUMNS))
    return out


TABLE_MODELS = {**_USER_TABLES, **_GROUP_TABLES, "nas": RadiusNas}


def make_row(table: str, row: tuple):
    return _make(TABLE_MODELS[table], row)
