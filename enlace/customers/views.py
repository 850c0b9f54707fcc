"""Screens of the customer registry: list with search, new customer, the customer page with its
tabs (C-5: one page with its tabs in a fixed order; this app's tabs edit in place with HTMX), lead conversion,
deactivation and the CEP lookup that fills the address as the CEP is typed."""

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from enlace.core import words
from enlace.core.exceptions import ApplicationError
from enlace.core.forms import add_service_errors
from enlace.core.views.actions import ObjectActionView
from enlace.core.views.common import error_messages, safe_next, tab_url
from enlace.core.views.generic import ObjectListView, ObjectViewMixin

from . import cep as cep_lookup
from . import selectors, services
from .filtersets import CustomerListFilterSet
from .forms import TAB_FORMS, CustomerForm
from .models import Customer
from .tables import CustomerTable
from .tabs import CustomerTabView, get_tab, tabs_for


class CustomerListView(ObjectListView):
    model = Customer
    queryset = Customer.objects.select_related("branch", "city__state")
    table_class = CustomerTable
    filterset_class = CustomerListFilterSet
    table_template_name = "customers/includes/table.html"


def _save_with_service(request, form, customer: Customer | None):
    """Hand the form's values to the service. Returns (customer, duplicates): duplicates is the list
    of customers at the same address when the service asks for a confirmation (A-4)."""
    confirm = request.POST.get("confirm_duplicate_address") in {"1", "true", "on"}
    data = form.service_data()
    try:
        if customer is None or customer.pk is None:
            saved = services.customer_create(actor=request.user, confirm_duplicate_address=confirm, **data)
        else:
            saved = services.customer_update(
                actor=request.user, customer=customer, confirm_duplicate_address=confirm, **data
            )
    except (ValidationError, ApplicationError) as exc:
        if isinstance(exc, ApplicationError) and exc.code == "duplicate_address":
            return None, exc.extra.get("customers", [])
        add_service_errors(form, exc)
    else:
        for warning in getattr(saved, "warnings", []):
            messages.warning(request, warning)
        return saved, []
    return None, []


def _duplicates_with_urls(duplicates):
    return [{**d, "url": reverse("customers:customer_detail", args=[d["id"]])} for d in duplicates]


class CustomerEditView(ObjectViewMixin, View):
    """New customer (no pk) or the whole record at once; saves through the services."""

    model = Customer
    template_name = "customers/customer_form.html"

    def get_required_permission(self):
        return f"customers.{'change' if 'pk' in self.kwargs else 'add'}_customer"

    def get_instance(self):
        return self.get_object() if "pk" in self.kwargs else Customer()

    def render_form(self, form, instance, duplicates=()):
        context = {
            **self.base_context(),
            "form": form,
            "object": instance,
            "is_new": instance.pk is None,
            "duplicates": _duplicates_with_urls(duplicates),
            "next": self.request.GET.get("next", ""),
        }
        return render(self.request, self.template_name, context)

    def get(self, request, pk=None):
        instance = self.get_instance()
        initial = {k: v for k, v in request.GET.items() if k != "next"}
        if instance.pk is None and "branch" not in initial:
            from enlace.core.models import GeneralParameters

            branch_id = GeneralParameters.load().default_branch_id
            if branch_id:
                initial["branch"] = branch_id
        form = CustomerForm(instance=instance, user=request.user, initial=initial)
        if instance.pk is None and "branch" not in initial:
            branches = list(form.fields["branch"].queryset[:2])
            if len(branches) == 1:  # the operator works in one branch: nothing to choose
                form.initial["branch"] = branches[0].pk
        return self.render_form(form, instance)

    def post(self, request, pk=None):
        instance = self.get_instance()
        form = CustomerForm(data=request.POST, instance=instance, user=request.user)
        duplicates = []
        if form.is_valid():
            saved, duplicates = _save_with_service(request, form, instance if instance.pk else None)
            if saved is not None:
                messages.success(request, words.saved_message(saved))
                return redirect(safe_next(request, saved.get_absolute_url()))
        return self.render_form(form, instance, duplicates)


class CustomerDetailView(ObjectViewMixin, View):
    """The customer page (C-5: one page, tabs in a fixed order): header, tab bar and the selected tab
    (``?tab=``)."""

    model = Customer
    template_name = "customers/customer_detail.html"

    def get_object(self):
        try:
            return selectors.customer_get(user=self.request.user, pk=self.kwargs["pk"])
        except Customer.DoesNotExist as exc:
            raise Http404 from exc

    def get(self, request, pk):
        customer = self.get_object()
        tabs = [
            {"key": t.key, "label": t.label, "url": t.url(customer)} for t in tabs_for(customer, request.user)
        ]
        current = get_tab(customer, request.user, request.GET.get("tab"))
        current_tab = next((t for t in tabs if current is not None and t["key"] == current.key), None)
        context = {
            **self.base_context(),
            "object": customer,
            "customer": customer,
            "tabs": tabs,
            "current_tab": current_tab,
        }
        if current is not None and current.key in TAB_FORMS:
            context.update(_tab_context(request, customer, current.key))
        return render(request, self.template_name, context)


def _tab_context(request, customer, key, form=None, duplicates=(), saved=False):
    can_change = request.user.has_perm("customers.change_customer")
    if form is None:
        form = TAB_FORMS[key](instance=customer, user=request.user)
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    return {
        "tab_key": key,
        "form": form,
        "customer": customer,
        "can_change": can_change,
        "duplicates": _duplicates_with_urls(duplicates),
        "saved": saved,
        "tab_url": reverse(f"customers:customer_tab_{key}", args=[customer.pk]),
    }


class CustomerFormTabView(CustomerTabView):
    """One of this app's tabs (Cliente, Endereço, Contato, Outros): shown and edited in place."""

    model = Customer
    leads = True
    template_name = "customers/tabs/form.html"

    def get_owner(self):
        return selectors.customer_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_tab_context(self, customer):
        return _tab_context(self.request, customer, self.tab_key)

    def post(self, request, pk):
        if not request.user.has_perm("customers.change_customer"):
            raise PermissionDenied
        try:
            customer = self.get_owner()
        except Customer.DoesNotExist as exc:
            raise Http404 from exc
        was_lead = customer.is_lead
        form = TAB_FORMS[self.tab_key](data=request.POST, instance=customer, user=request.user)
        duplicates, saved = [], None
        if form.is_valid():
            saved, duplicates = _save_with_service(request, form, customer)
        if saved is not None:
            customer = selectors.customer_get(user=request.user, pk=customer.pk)
            context = _tab_context(request, customer, self.tab_key, saved=True)
            context["warnings"] = getattr(saved, "warnings", [])
            storage = messages.get_messages(request)  # shown inline in the tab, not on the next page
            storage.used = True
        else:
            customer = selectors.customer_get(user=request.user, pk=customer.pk)
            context = _tab_context(request, customer, self.tab_key, form=form, duplicates=duplicates)
        context["refresh_header"] = saved is not None
        if not request.htmx:
            return redirect(tab_url(customer, self.tab_key))
        response = render(request, self.template_name, context)
        if saved is not None and saved.is_lead != was_lead:
            # Lead ↔ customer changes the tab bar (C-4: a lead has only the basic record and tickets): reload
            # the whole page on this tab.
            response["HX-Redirect"] = tab_url(customer, self.tab_key)
        return response


class CustomerActionView(ObjectActionView):
    """POST-only actions of the page header: convert a lead, deactivate."""

    model = Customer
    operation = ""
    OPERATIONS = {
        "convert": (services.customer_convert_lead, gettext_lazy("%(customer)s is now a customer.")),
        "deactivate": (services.customer_deactivate, gettext_lazy("%(customer)s was deactivated.")),
    }

    def perform(self, customer, data):
        service, _message = self.OPERATIONS[self.operation]
        return service(actor=self.request.user, customer=customer)

    def get_success_message(self, customer, result):
        return self.OPERATIONS[self.operation][1] % {"customer": customer}

    def get_success_url(self, customer, result):
        return customer.get_absolute_url()

    def refusal_messages(self, exc):
        error_messages(self.request, exc, model=Customer)


class CepLookupView(LoginRequiredMixin, View):
    """HTMX: ``?cep=`` → a status line; when found, the ``cepFound`` event carries the address that
    the form's script copies into the fields (street, neighbourhood, city, state)."""

    template_name = "customers/includes/cep_status.html"

    def get(self, request):
        value = request.GET.get("cep") or request.GET.get("billing_cep") or ""
        target = "billing" if "billing_cep" in request.GET and "cep" not in request.GET else "main"
        context = {"status": "", "message": ""}
        event = None
        digits_only = "".join(ch for ch in value if ch.isdigit())
        if len(digits_only) == 8:
            try:
                result = cep_lookup.lookup(digits_only)
            except cep_lookup.CepUnavailable as exc:
                context.update(status="unavailable", message=exc.message)
            except cep_lookup.CepError as exc:
                context.update(status="not_found", message=exc.message)
            else:
                context.update(
                    status="found",
                    message=_("Found: %(place)s")
                    % {
                        "place": " – ".join(
                            p
                            for p in (
                                result.street,
                                result.neighborhood,
                                f"{result.city_name}/{result.state}",
                            )
                            if p
                        )
                    },
                )
                event = {"cepFound": {**result.as_dict(), "target": target}}
        response = render(request, self.template_name, context)
        if event:
            response["HX-Trigger"] = json.dumps(event)
        return response
