"""Writers of concentrators, IP pools and logins (SPEC §6: the RADIUS logins that authenticate
subscribers' connections).

Every write is one transaction that saves Enlace's record (validation, branch scope, audit trail
through ``core.services.object_save``) and its projection into FreeRADIUS's tables
(``projection``), so FreeRADIUS sees the change when — and only when — it commits. Changes that
must reach a subscriber who is online now (blocked, new password, plan, MAC) queue a
Disconnect-Request or CoA-Request (``queue_disconnect``), sent after commit by a Celery task.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import secrets
import string
import threading
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from enlace.contracts.models import Contract, Plan
from enlace.core.exceptions import ApplicationError
from enlace.core.services import object_delete, object_save, operator_of, settings_update
from enlace.core.types import Actor

from . import projection
from .freeradius import RadAcct
from .models import DisconnectRequest, IpAllocation, IpPool, Login, Nas, RadiusSettings

logger = logging.getLogger(__name__)

#: Fields of a login an operator (form, API) may set.
LOGIN_FIELDS = (
    "customer",
    "contract",
    "branch",
    "plan",
    "username",
    "password",
    "password_md5",
    "auth_type",
    "connection_type",
    "simultaneous_use",
    "radius_pool",
    "nas_pool",
    "fixed_ip",
    "mac",
    "active",
    "notes",
)
#: A change of these sends the online session a Disconnect-Request (the router reconnects and
#: gets the new values); a change of plan only, a CoA with the new rate limit.
RECONNECT_FIELDS = (
    "username",
    "password",
    "password_md5",
    "mac",
    "fixed_ip",
    "radius_pool",
    "nas_pool",
    "active",
)

PASSWORD_ALPHABET = string.ascii_letters + string.digits
PASSWORD_LENGTH = 12


def validate_password_length(password: str) -> None:
    """A password typed for a login (operator form, API) has at least the parameter's number of
    characters ("Tamanho mínimo da senha do login", default 8). Passwords moved in from another
    system (IXC import) keep what they were; "Gerar senha" makes longer ones."""
    minimum = RadiusSettings.load().login_password_min_length
    if password and len(password) < minimum:
        raise ValidationError(
            ngettext(
                "The password must have at least %(min)d character.",
                "The password must have at least %(min)d characters.",
                minimum,
            )
            % {"min": minimum},
            code="password_too_short",
        )


def generate_password(length: int = PASSWORD_LENGTH) -> str:
    """ "Gerar senha" (L-8): letters and digits from ``secrets``, with at least one of each kind."""
    length = max(length, PASSWORD_LENGTH)
    while True:
        value = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
        if (
            any(c.islower() for c in value)
            and any(c.isupper() for c in value)
            and any(c.isdigit() for c in value)
        ):
            return value


# --- Concentrators -------------------------------------------------------------------------


def nas_save(nas: Nas, *, actor: Actor) -> Nas:
    """Create or change a concentrator; its ``nas`` row for FreeRADIUS follows (L-11)."""
    old_ip = Nas.objects.filter(pk=nas.pk).values_list("ip", flat=True).first() if nas.pk else None
    with transaction.atomic():
        object_save(nas, actor=actor)
        projection.write_nas(nas, old_ip=old_ip if old_ip != nas.ip else None)
    return nas


def nas_delete(nas: Nas, *, actor: Actor) -> None:
    with transaction.atomic():
        object_delete(nas, actor=actor)
        projection.delete_nas(nas.ip)


# --- IP pools -------------------------------------------------------------------------------


def pool_save(pool: IpPool, *, actor: Actor) -> IpPool:
    """Create or change a radius pool. Addresses already handed out must stay inside it."""
    with transaction.atomic():
        object_save(pool, actor=actor)
        allowed = set(pool.addresses()) if pool.pk else set()
        outside = [a for a in pool.allocations.values_list("address", flat=True) if a not in allowed]
        if outside:
            raise ValidationError(
                {
                    "ranges": [
                        _("%(count)s address(es) handed out would fall outside the pool, e.g. %(address)s.")
                        % {"count": len(outside), "address": outside[0]}
                    ]
                }
            )
    return pool


def pool_delete(pool: IpPool, *, actor: Actor) -> None:
    object_delete(pool, actor=actor)


def pool_usage(pool: IpPool) -> tuple[int, int]:
    """(addresses handed out, addresses in the pool)."""
    return pool.allocations.count(), pool.size


def _allocate(login: Login) -> str:
    """Give ``login`` a free address of its radius pool. The unique address decides between
    concurrent saves: a lost race retries with the next free address."""
    pool = login.radius_pool
    assert pool is not None  # the caller allocates only for a login with a radius pool
    current = IpAllocation.objects.filter(login=login).first()
    if current and current.pool_id == pool.pk:
        return current.address
    if current:
        current.delete()
    taken_fixed = set(Login.objects.exclude(fixed_ip=None).values_list("fixed_ip", flat=True))
    for _attempt in range(20):
        taken = set(IpAllocation.objects.filter(pool=pool).values_list("address", flat=True)) | taken_fixed
        address = next((a for a in pool.addresses() if a not in taken), None)
        if address is None:
            raise ApplicationError(
                _("The radius pool %(pool)s has no free address.") % {"pool": pool},
                code="pool_exhausted",
                field="radius_pool",
            )
        try:
            with transaction.atomic():
                IpAllocation.objects.create(pool=pool, login=login, address=address)
        except IntegrityError:
            continue
        return address
    raise ApplicationError(
        _("Could not reserve an address of %(pool)s; try again.") % {"pool": pool},
        code="pool_busy",
        field="radius_pool",
    )


def _check_fixed_ip(login: Login, *, actor: Actor) -> None:
    """A fixed IP is free. The login holding it is named only when ``actor`` may see it: another
    branch's login is not revealed (not even its name), the address is just in use."""
    if not login.fixed_ip:
        return
    taken = IpAllocation.objects.filter(address=login.fixed_ip).exclude(login_id=login.pk).first()
    other = None if taken else Login.objects.filter(fixed_ip=login.fixed_ip).exclude(pk=login.pk).first()
    holder = taken.login if taken else other
    if holder is None:
        return
    if actor is not None and not Login.objects.restrict(actor).filter(pk=holder.pk).exists():
        raise ValidationError({"fixed_ip": [_("The address is in use by another login.")]})
    if taken:
        raise ValidationError(
            {"fixed_ip": [_("The address is handed out to login %(login)s.") % {"login": holder}]}
        )
    raise ValidationError(
        {"fixed_ip": [_("The address is the fixed IP of login %(login)s.") % {"login": holder}]}
    )


# --- Logins ---------------------------------------------------------------------------------


def login_initial(contract: Contract) -> dict:
    """What a new login of ``contract`` starts with (L-2: customer, contract, branch and plan come
    from the contract)."""
    return {
        "customer": contract.customer,
        "contract": contract,
        "branch": contract.branch,
        "plan": contract.plan,
        "simultaneous_use": 1,
        "password": generate_password(),
    }


def _apply(login: Login, data: dict) -> set[str]:
    unknown = set(data) - set(LOGIN_FIELDS) - {f"{n}_id" for n in LOGIN_FIELDS}
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    changed = set()
    for name, value in data.items():
        field = name.removesuffix("_id")
        attname = cast(models.Field, Login._meta.get_field(field)).attname  # LOGIN_FIELDS are concrete
        before = getattr(login, attname)
        setattr(login, name, value)
        if before != getattr(login, attname):
            changed.add(field)
    return changed


def _fill_from_contract(login: Login) -> None:
    contract = login.contract
    if not login.customer_id:
        login.customer_id = contract.customer_id
    if not login.branch_id:
        login.branch_id = contract.branch_id
    if not login.plan_id:
        login.plan_id = contract.plan_id


def _save(login: Login, *, actor: Actor, old_username: str | None, hash_password: bool) -> None:
    if hash_password and login.password_md5 and login.password:
        login.password = projection.md5_hex(login.password)
    _check_fixed_ip(login, actor=actor)
    object_save(login, actor=actor)
    if login.radius_pool_id:
        _allocate(login)
    else:
        IpAllocation.objects.filter(login=login).delete()
    projection.write_login(login, old_username=old_username)


def login_create(*, actor: Actor, password_is_digest: bool = False, **data) -> Login:
    """A new login (L-1 … L-9: once saved, FreeRADIUS authenticates it). ``contract`` is required; customer,
    branch and plan default to the contract's. With "Senha MD5" the typed password is stored as its MD5
    digest; ``password_is_digest`` says the password given already is that digest (a login moved in
    from another system, e.g. IXC), so it is stored as it is."""
    if not data.get("contract") and not data.get("contract_id"):
        raise ValidationError({"contract": [_("This field is required.")]})
    login = Login()
    _apply(login, data)
    _fill_from_contract(login)
    if not login.password:
        raise ValidationError({"password": [_("Type a password or generate one.")]})
    if password_is_digest and not (login.password_md5 and re.fullmatch(r"[0-9a-f]{32}", login.password)):
        raise ValidationError({"password": [_("An MD5 digest has 32 hexadecimal digits.")]})
    with transaction.atomic():
        _save(login, actor=actor, old_username=None, hash_password=not password_is_digest)
    return login


def login_update(*, actor: Actor, login: Login, **data) -> Login:
    """Change a login. An empty ``password`` keeps the current one. An online subscriber is
    disconnected when what the session was authorized with changed (password, MAC, address…),
    or gets a CoA with the new speed when only the plan changed."""
    if "password" in data and not data["password"]:
        data.pop("password")
    if "contract" in data or "contract_id" in data:
        new = getattr(data.get("contract"), "pk", data.get("contract_id", data.get("contract")))
        if new != login.contract_id:
            raise ValidationError({"contract": [_("A login cannot move to another contract.")]})
    old_username = Login.objects.filter(pk=login.pk).values_list("username", flat=True).first()
    changed = _apply(login, data)
    if "password_md5" in changed and not login.password_md5 and "password" not in changed:
        raise ValidationError({"password": [_("Type the password again to store it without MD5.")]})
    with transaction.atomic():
        _save(
            login,
            actor=actor,
            old_username=old_username if old_username != login.username else None,
            hash_password="password" in changed or "password_md5" in changed,
        )
        if changed & set(RECONNECT_FIELDS):
            queue_disconnect(
                login,
                reason=_("Login changed: %(fields)s.")
                % {"fields": ", ".join(sorted(changed & set(RECONNECT_FIELDS)))},
                actor=actor,
                username=old_username,
            )
        elif "plan" in changed:
            queue_disconnect(login, reason=_("Plan changed."), actor=actor, kind=DisconnectRequest.Kind.COA)
    return login


def login_delete(*, actor: Actor, login: Login) -> None:
    """Delete a login: its FreeRADIUS rows and pool address go with it; an online session is
    disconnected."""
    with transaction.atomic():
        queue_disconnect(login, reason=_("Login deleted."), actor=actor)
        username = login.username
        IpAllocation.objects.filter(login=login).delete()
        object_delete(login, actor=actor)
        projection.delete_login(username)


# --- Sessions and disconnects ---------------------------------------------------------------


def open_sessions(username: str):
    return RadAcct.objects.filter(username=username, acctstoptime__isnull=True)


def queue_disconnect(
    login: Login,
    *,
    reason: str,
    actor: Actor = None,
    kind: str = DisconnectRequest.Kind.DISCONNECT,
    username: str | None = None,
) -> list[DisconnectRequest]:
    """Queue one request per open session of ``login`` and send them after commit (Celery). The
    result (ACK, NAK, no answer) is written to the contract history by the task."""
    name = username or login.username
    operator = operator_of(actor)
    requests = []
    for session in open_sessions(name):
        framed = session.framedipaddress or None
        requests.append(
            DisconnectRequest.objects.create(
                login=login,
                contract_id=login.contract_id,
                username=name,
                kind=kind,
                reason=reason[:200],
                nas_ip=str(ipaddress.ip_address(session.nasipaddress)),
                session_id=session.acctsessionid,
                framed_ip=framed,
                requested_by=operator.get_username() if operator else "",
            )
        )
    if requests:
        ids = [r.pk for r in requests]
        transaction.on_commit(lambda: dispatch_disconnects(ids))
    return requests


def dispatch_disconnects(ids: list[int]) -> None:
    """Hand queued requests to Celery. Without a broker Celery runs the task in the caller, where a
    silent NAS would hold the operator's request for every retry (~12 s); then, unless
    ``RADIUS_COA_BACKGROUND`` is off, the requests are sent from a thread of their own (named
    ``enlace-coa``) and the page answers at once."""
    from .tasks import send_disconnect

    def send_all():
        for pk in ids:
            send_disconnect.delay(pk)

    if not (settings.CELERY_TASK_ALWAYS_EAGER and settings.RADIUS_COA_BACKGROUND):
        send_all()
        return

    def in_background():
        try:
            send_all()
        except Exception:
            logger.exception("sending disconnect requests %s failed", ids)
        finally:
            connections.close_all()  # this thread's own connections

    threading.Thread(target=in_background, name=f"enlace-coa-{ids[0]}", daemon=True).start()


def login_disconnect(*, actor: Actor, login: Login, reason: str = "") -> list[DisconnectRequest]:
    """The operator's "Desconectar": a Disconnect-Request for each open session of the login."""
    with transaction.atomic():
        requests = queue_disconnect(login, reason=reason or _("Disconnected by the operator."), actor=actor)
    if not requests:
        raise ApplicationError(_("The login %(login)s is not online.") % {"login": login}, code="not_online")
    return requests


# --- Reactions to other areas (connected in apps.py) --------------------------------------


def on_contract_saved(sender, contract: Contract, old_plan_id=None, **kwargs) -> None:
    """Inside the contract's transaction: its logins' groups follow its status, access status and
    plan (a login on the contract's former plan moves to the new one, audited as a change of the
    login by whoever changed the contract)."""
    logins = list(Login.objects.filter(contract=contract).select_related("plan"))
    if not logins:
        return
    for login in logins:
        login.contract = contract
        if old_plan_id and old_plan_id != contract.plan_id and login.plan_id == old_plan_id:
            login.plan = contract.plan
            object_save(login, actor=None)
    projection.write_login_groups(logins)


def on_plan_saved(sender, plan: Plan, **kwargs) -> None:
    projection.write_plan(plan)


def radius_settings_update(*, actor: Actor, **values: Any) -> RadiusSettings:
    """Change the RADIUS settings (tab "RADIUS" of the parameters page; ``core.services
    .parameters_update`` calls this for the fields of ``RadiusSettings``). When a value changes,
    the blocked and disabled groups FreeRADIUS reads are rewritten in the same transaction (L-10:
    a blocked login is rejected, or gets the notice pool / address list / speed)."""
    with transaction.atomic():
        row, changed = settings_update(RadiusSettings, actor=actor, **values)
        if changed:
            projection.write_status_groups(row)
    return row


def on_access_status_changed(sender, contract: Contract, old, new, **kwargs) -> None:
    """After commit: a contract that lost its access has its online logins disconnected (they
    reconnect into the blocked group); one that got it back too (out of the notice page); a change
    of speed profile only (overdue ↔ active) is a CoA with the new rate limit."""
    from enlace.contracts.models import AccessStatus

    speed_only = {old, new} == {AccessStatus.ACTIVE, AccessStatus.OVERDUE}
    kind = DisconnectRequest.Kind.COA if speed_only else DisconnectRequest.Kind.DISCONNECT
    reason = _("Access status changed from %(old)s to %(new)s.") % {
        "old": AccessStatus(old).label,
        "new": AccessStatus(new).label,
    }
    with transaction.atomic():
        for login in Login.objects.filter(contract=contract):
            queue_disconnect(login, reason=reason, kind=kind)


def on_plan_changed(sender, contract: Contract, old, new, **kwargs) -> None:
    """After commit: online logins of the contract get a CoA with the new plan's rate limit."""
    with transaction.atomic():
        for login in Login.objects.filter(contract=contract, plan=new):
            queue_disconnect(
                login,
                reason=_("Plan changed from %(old)s to %(new)s.") % {"old": old, "new": new},
                kind=DisconnectRequest.Kind.COA,
            )
