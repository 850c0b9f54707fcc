"""Logins in the top bar's global search (``enlace.core.search``): a login name (prefix, in the
case typed or lower-case: the unique index on the name serves both) or an IP address (the
login's fixed IP, or the address of an open session in ``radacct``)."""

import ipaddress

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from enlace.core import pickers, search
from enlace.core.types import Viewer

from .freeradius import RadAcct
from .models import USERNAME_RE, IpPool, Login, Nas


def find(user: Viewer, text: str, limit: int) -> list[search.Hit]:
    text = text.strip()
    logins = Login.objects.restrict(user, "view").select_related("customer", "contract")
    try:
        address = str(ipaddress.ip_address(text))
    except ValueError:
        address = None
    if address is not None:
        names = list(
            RadAcct.objects.filter(framedipaddress=address, acctstoptime__isnull=True)
            .order_by()
            .values_list("username", flat=True)[:limit]
        )
        found = list(logins.filter(fixed_ip=address)[:limit]) if "." in address else []
        found += [login for login in logins.filter(username__in=names) if login not in found]
    elif len(text) >= 3 and USERNAME_RE.match(text) and not text.isdigit():
        found = list(logins.filter(username__startswith=text).order_by("username")[:limit])
        if text.lower() != text and len(found) < limit:
            found += list(
                logins.filter(username__startswith=text.lower()).order_by("username")[: limit - len(found)]
            )
    else:
        return []
    hits = []
    for login in found[:limit]:
        url = (
            reverse("contracts:contract_detail", args=[login.contract_id])
            if login.contract_id
            else reverse("radius:login_detail", args=[login.pk])
        )
        contract = _t("Contract %(id)s") % {"id": login.contract_id} if login.contract_id else ""
        detail = " · ".join(part for part in (login.customer.name, contract, login.fixed_ip or "") if part)
        hits.append(search.Hit(login.username, url, detail))
    return hits


search.register("logins", _("Logins"), find, order=30)


def pick_nas(user: Viewer, text: str, params: dict) -> list[tuple[int, str]]:
    queryset = Nas.objects.restrict(user).filter(active=True)
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(ip__startswith=text))
    return [(n.pk, f"{n.name} ({n.ip})") for n in queryset.order_by("name")[:20]]


def pick_pool(user: Viewer, text: str, params: dict) -> list[tuple[int, str]]:
    queryset = IpPool.objects.restrict(user)
    if text:
        queryset = queryset.filter(name__icontains=text)
    return [(p.pk, str(p)) for p in queryset.order_by("name")[:20]]


pickers.register("nas", pick_nas, "radius.view_nas")
pickers.register("pool", pick_pool)
