"""Operator screens of the RADIUS area (Rede ➜ Concentradores, Pools IP, Logins), the login page
with its accounting (L-12: the sessions FreeRADIUS writes — online now, IP, start, traffic),
"Gerar senha", "Desconectar" and the "Logins" tabs of the contract and customer pages (L-2: a login
is created from inside a contract). Writes go through ``enlace.radius.services``."""

import ipaddress
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from enlace.contracts import selectors as contract_selectors
from enlace.contracts.models import Contract, ContractStatus
from enlace.contracts.tabs import ContractTabView
from enlace.core.views.actions import ObjectActionView
from enlace.core.views.common import tab_url
from enlace.core.views.generic import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
)
from enlace.customers.tabs import CustomerTabView

from . import filtersets, forms, selectors, services, tables
from .freeradius import RadAcct
from .models import IpPool, Login, Nas

SECRET_MASK = "••••••••"  # noqa: S105 - what the detail page shows instead of the secret


# --- Concentrators (NAS, L-11: registered with IP, secret and type; FreeRADIUS reads them) ---


class NasListView(ObjectListView):
    model = Nas
    queryset = Nas.objects.select_related("branch")
    table_class = tables.NasTable
    filterset_class = filtersets.NasFilterSet


class NasDetailView(ObjectDetailView):
    """A concentrator; the secret is shown masked, with the sessions open on it now."""

    model = Nas
    queryset = Nas.objects.select_related("branch")
    detail_fields = forms.NAS_FIELDS

    def fields_for(self, obj):
        rows = [
            (label, SECRET_MASK if name == "secret" and value else value)
            for name, (label, value) in zip(self.detail_fields, super().fields_for(obj), strict=True)
        ]
        online = RadAcct.objects.filter(nasipaddress=obj.ip, acctstoptime__isnull=True).count()
        rows.append((_("sessions online"), online))
        return rows


class NasEditView(ObjectEditView):
    model = Nas
    form_class = forms.NasForm

    def save_object(self, form):
        return services.nas_save(form.instance, actor=self.request.user)


class NasDeleteView(ObjectDeleteView):
    model = Nas

    def delete_object(self, obj):
        services.nas_delete(obj, actor=self.request.user)


# --- IP pools ("Pool radius", L-9: ranges Enlace hands out as Framed-IP-Address) -----------


class IpPoolListView(ObjectListView):
    model = IpPool
    queryset = IpPool.objects.select_related("branch").annotate(in_use=Count("allocations"))
    table_class = tables.IpPoolTable
    filterset_class = filtersets.IpPoolFilterSet


class IpPoolDetailView(ObjectDetailView):
    """A pool with its usage (addresses handed out / addresses in the pool) and its logins."""

    model = IpPool
    queryset = IpPool.objects.select_related("branch")
    template_name = "radius/ippool_detail.html"
    detail_fields = ["name", "ranges", "excluded", "branch", "description"]

    def fields_for(self, obj):
        rows = super().fields_for(obj)
        return [(label, ", ".join(value) if isinstance(value, list) else value) for label, value in rows]

    def get_extra_context(self, obj):
        used, size = services.pool_usage(obj)
        logins = selectors.pool_logins(obj, user=self.request.user)
        shown = sorted(logins[:500], key=lambda lg: _ip_key(selectors.assigned_ip(lg)))
        return {
            "used": used,
            "size": size,
            "percent": round(used * 100 / size) if size else 0,
            "logins": shown,
            "logins_count": logins.count(),
        }


def _ip_key(address: str):
    try:
        return (0, ipaddress.IPv4Address(address))
    except ValueError:
        return (1, address)


class IpPoolEditView(ObjectEditView):
    model = IpPool
    form_class = forms.IpPoolForm

    def save_object(self, form):
        return services.pool_save(form.instance, actor=self.request.user)


class IpPoolDeleteView(ObjectDeleteView):
    model = IpPool

    def delete_object(self, obj):
        services.pool_delete(obj, actor=self.request.user)


# --- Logins (L-1 … L-12: what authenticates a subscriber's connection through FreeRADIUS) ---

LOGIN_RELATED = ("customer", "contract", "plan", "branch", "radius_pool", "allocation")


class LoginListView(ObjectListView):
    model = Login
    queryset = selectors.with_status(Login.objects.select_related(*LOGIN_RELATED))
    table_class = tables.LoginTable
    filterset_class = filtersets.LoginListFilterSet


def _contract_tab_url(contract) -> str:
    return tab_url(contract, "logins")


class LoginDetailView(ObjectDetailView):
    """The login page: its data, the session online now and the session history from radacct,
    the last authentications from radpostauth (L-12) and the "Desconectar" button."""

    model = Login
    queryset = selectors.with_status(Login.objects.select_related(*LOGIN_RELATED))
    template_name = "radius/login_detail.html"
    sessions_per_page = 20

    def fields_for(self, obj):
        return []

    def get_extra_context(self, login):
        user = self.request.user
        current = selectors.current_session(login)
        page = Paginator(selectors.sessions(login), self.sessions_per_page).get_page(
            self.request.GET.get("page")
        )
        sessions = list(page.object_list)
        names = selectors.nas_names(
            [s.nasipaddress for s in sessions] + ([current.nasipaddress] if current else [])
        )
        for session in [*sessions, *([current] if current else [])]:
            session.nas_name = names.get(str(session.nasipaddress), "")
            session.duration_text = selectors.duration_text(selectors.session_duration(session))
        labels = {f.name: capfirst(f.verbose_name) for f in Login._meta.fields}
        return {
            "login": login,
            "labels": labels,
            "assigned_ip": selectors.assigned_ip(login),
            "session": current,
            "sessions_page": page,
            "sessions": sessions,
            "authentications": selectors.last_authentications(login),
            "can_disconnect": user.has_perm("radius.disconnect_login"),
            "disconnect_url": reverse("radius:login_disconnect", args=[login.pk]),
            "contract_url": _contract_tab_url(login.contract),
            "url_delete": reverse("radius:login_delete", args=[login.pk])
            + "?"
            + urlencode({"next": _contract_tab_url(login.contract)}),
        }


class LoginEditView(ObjectEditView):
    """New login from a contract (``?contract=<id>``: customer, contract, branch and plan filled in
    from ``login_initial``, L-2) and editing; saved by ``login_create`` / ``login_update``."""

    model = Login
    form_class = forms.LoginForm
    template_name = "radius/login_form.html"

    def get_initial(self):
        initial = super().get_initial()
        if "pk" in self.kwargs or not initial.get("contract"):
            initial.pop("contract", None)
            return initial
        try:
            contract_id = int(initial["contract"])
        except (TypeError, ValueError):
            initial.pop("contract")
            return initial
        try:
            contract = contract_selectors.contract_in_scope(
                user=self.request.user, pk=contract_id, related=("customer", "branch", "plan")
            )
        except Contract.DoesNotExist as exc:
            raise Http404 from exc
        values = services.login_initial(contract)
        initial.update({k: getattr(v, "pk", v) for k, v in values.items()})
        return initial

    def save_object(self, form):
        data = form.service_data()
        if form.instance.pk is None:
            return services.login_create(actor=self.request.user, **data)
        # A fresh copy: the service compares it with the new values (what changed decides the
        # disconnect and the MD5 hashing).
        login = Login.objects.get(pk=form.instance.pk)
        return services.login_update(actor=self.request.user, login=login, **data)

    def render_form(self, form, instance):
        contract = form.owner
        if instance.pk:
            cancel_url = reverse("radius:login_detail", args=[instance.pk])
        elif contract is not None:
            cancel_url = _contract_tab_url(contract)
        else:
            cancel_url = reverse("radius:login_list")
        context = {
            **self.base_context(),
            "form": form,
            "object": instance,
            "is_new": instance.pk is None,
            "next": self.request.GET.get("next", ""),
            "cancel_url": cancel_url,
            "generate_password_url": reverse("radius:login_generate_password"),
        }
        return render(self.request, self.template_name, context)


class LoginDeleteView(ObjectDeleteView):
    model = Login

    def delete_object(self, obj):
        services.login_delete(actor=self.request.user, login=obj)


class LoginDisconnectView(ObjectActionView):
    """ "Desconectar": a Disconnect-Request to the NAS of each open session of the login."""

    model = Login
    action = "disconnect"

    def perform(self, login, data):
        return services.login_disconnect(actor=self.request.user, login=login)

    def get_success_message(self, login, requests):
        return ngettext(
            "Disconnection of %(count)d session of %(login)s requested.",
            "Disconnection of %(count)d sessions of %(login)s requested.",
            len(requests),
        ) % {"count": len(requests), "login": login}

    def refusal_messages(self, exc):
        messages.warning(self.request, exc.message)  # nothing online to disconnect: not an error


class GeneratePasswordView(LoginRequiredMixin, View):
    """ "Gerar senha" (L-8), for HTMX: the password field again, filled with a new password from
    ``services.generate_password`` (``secrets``)."""

    def get(self, request):
        if not (request.user.has_perm("radius.add_login") or request.user.has_perm("radius.change_login")):
            raise PermissionDenied
        html = render_to_string(
            "radius/includes/password_input.html",
            {"password": services.generate_password(), "help_id": request.GET.get("help", "")},
            request=request,
        )
        response = HttpResponse(html)
        response["Cache-Control"] = "no-store"
        return response


# --- Tabs of the contract and customer pages ------------------------------------------------


def _with_ips(logins):
    for login in logins:
        login.ip = login.session_ip or selectors.assigned_ip(login)
    return logins


class ContractLoginsTabView(ContractTabView):
    """The contract page's "Logins" tab (L-2): its logins with their online status and "Novo login",
    which opens the form with customer, contract, branch and plan filled in."""

    model = Login
    tab_key = "logins"
    template_name = "radius/tabs/contract_logins.html"

    def get_tab_context(self, contract):
        user = self.request.user
        return {
            "contract": contract,
            "logins": _with_ips(selectors.logins_of(user=user, contract=contract)),
            "can_add": user.has_perm("radius.add_login"),
            "new_url": f"{reverse('radius:login_add')}?{urlencode({'contract': contract.pk})}",
        }


class CustomerLoginsTabView(CustomerTabView):
    """The customer page's "Login" tab (C-5: one of its tabs, in their fixed order): every login of the
    customer, and "Novo login" for each of its contracts."""

    model = Login
    tab_key = "logins"
    template_name = "radius/tabs/customer_logins.html"

    def get_tab_context(self, customer):
        user = self.request.user
        contracts = []
        if user.has_perm("radius.add_login"):
            contracts = [
                {"contract": c, "url": f"{reverse('radius:login_add')}?{urlencode({'contract': c.pk})}"}
                for c in contract_selectors.customer_contracts(customer, user=user)
                .exclude(status__in=(ContractStatus.INACTIVE, ContractStatus.GAVE_UP))
                .select_related("plan")
                .order_by("-id")
            ]
        return {
            "customer": customer,
            "logins": _with_ips(selectors.logins_of(user=user, customer=customer)),
            "new_contracts": contracts,
        }
