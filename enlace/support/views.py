"""Operator screens of support (Atendimento ➜ Atendimentos, OS, Agenda, Assuntos, Processos), the
ticket page (thread, its service orders, close/cancel/reopen), the service order page (events
and one button per allowed action) and the "Atendimentos" and "OS" tabs of the customer page.
Writes go through ``enlace.support.services``."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from enlace.core import words
from enlace.core.charts import bar_chart
from enlace.core.exceptions import ApplicationError
from enlace.core.views.actions import ObjectActionView
from enlace.core.views.common import htmx_redirect, tab_url
from enlace.core.views.generic import (
    ROW_COUNT,
    ChooseCustomerMixin,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectViewMixin,
)
from enlace.customers.models import Customer
from enlace.customers.selectors import customer_in_scope
from enlace.customers.tabs import CustomerTabView

from . import actions, filtersets, forms, selectors, services, tables
from .models import Process, ProcessStep, ServiceOrder, ServiceOrderEvent, Ticket

# --- Processes ------------------------------------------------------------------------------


class ProcessDetailView(ObjectDetailView):
    model = Process
    template_name = "support/process_detail.html"
    detail_fields = ["name", "description", "active"]

    def get_extra_context(self, obj):
        return {
            "steps": obj.steps.select_related("subject", "department", "technician"),
            "add_step_url": f"{reverse('support:processstep_add')}?{urlencode({'process': obj.pk})}",
            "can_change_steps": self.request.user.has_perm("support.change_processstep"),
        }


class ProcessEditView(ObjectEditView):
    model = Process
    form_class = forms.ProcessForm

    def save_object(self, form):
        return services.process_save(form.instance, actor=self.request.user)


class ProcessDeleteView(ObjectDeleteView):
    model = Process

    def delete_object(self, obj):
        services.process_delete(obj, actor=self.request.user)


class ProcessStepEditView(ObjectEditView):
    model = ProcessStep
    form_class = forms.ProcessStepForm

    def get_initial(self):
        initial = super().get_initial()
        if "pk" not in self.kwargs and initial.get("process"):
            process = Process.objects.filter(pk=initial["process"]).first()
            if process is not None:
                initial.setdefault(
                    "order",
                    (process.steps.order_by("-order").values_list("order", flat=True).first() or 0) + 1,
                )
        return initial

    def save_object(self, form):
        return services.process_step_save(form.instance, actor=self.request.user)


class ProcessStepDeleteView(ObjectDeleteView):
    model = ProcessStep

    def post(self, request, pk):
        step = self.get_object()
        process_url = step.process.get_absolute_url()
        try:
            services.process_step_delete(step, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, words.deleted_message(step))
        return redirect(process_url)


# --- Tickets --------------------------------------------------------------------------------


class TicketListView(ObjectListView):
    """Every ticket with filters; above the table, the open ones of the filtered set by department
    as a bar chart (each bar filters the list by its department)."""

    model = Ticket
    queryset = Ticket.objects.select_related("customer", "subject", "department", "responsible")
    table_class = tables.TicketTable
    filterset_class = filtersets.TicketListFilterSet
    table_template_name = "support/includes/ticket_results.html"

    def get_list_context(self, queryset):
        query = self.request.GET.copy()
        for name in ("department", "page"):
            query.pop(name, None)
        open_rows, count = selectors.open_by_department_and_count(queryset)
        return {
            "chart": bar_chart(open_rows, value_key="count"),
            "chart_query": query.urlencode(),
            ROW_COUNT: count,  # the pagination's count, from the chart's query
        }


class TicketDetailView(ObjectDetailView):
    """The ticket: its data, the message thread (public and private), its service orders and the
    close / cancel / reopen actions."""

    model = Ticket
    queryset = Ticket.objects.select_related(
        "customer", "contract", "login", "subject", "department", "responsible", "process", "branch"
    )
    template_name = "support/ticket_detail.html"
    detail_fields = [
        "customer",
        "contract",
        "login",
        "subject",
        "subject_description",
        "description",
        "department",
        "responsible",
        "process",
        "priority",
        "reserved_date",
        "best_time",
        "origin",
        "pending_interaction",
        "complementary_status",
        "address_origin",
        "address",
        "latitude",
        "longitude",
        "opened_at",
        "closed_at",
        "branch",
    ]

    def get_extra_context(self, ticket):
        user = self.request.user
        return {
            "ticket": ticket,
            "thread": ticket.messages.select_related("author"),
            "orders": ticket.service_orders.select_related("subject", "department", "technician"),
            "message_form": forms.MessageForm(user=user),
            "action_form": forms.TicketActionForm(user=user),
            "can_message": user.has_perm("support.add_ticketmessage") and ticket.is_open,
            "can_act": user.has_perm("support.change_ticket"),
            "can_add_order": user.has_perm("support.add_serviceorder") and ticket.is_open,
            "new_order_url": f"{reverse('support:serviceorder_add')}?{urlencode({'ticket': ticket.pk})}",
        }


def _customer_from(request, value):
    if value in (None, "") or not str(value).isdigit():
        return None
    try:
        return customer_in_scope(user=request.user, pk=value)
    except Customer.DoesNotExist:
        raise Http404 from None


class TicketEditView(ChooseCustomerMixin, ObjectEditView):
    """New ticket (``?customer=<id>``, from the customer's "Atendimentos" tab; opened from the list,
    the customer is chosen first) or edit."""

    model = Ticket
    form_class = forms.TicketForm
    template_name = "support/owned_form.html"

    def get_customer(self, instance):
        if instance.pk:
            return instance.customer
        return _customer_from(
            self.request, self.request.GET.get("customer") or self.request.POST.get("customer")
        )

    def get_form(self, instance, data=None, files=None):
        customer = self.get_customer(instance)
        if customer is None:
            raise PermissionDenied(_("Open a new ticket from the customer's page."))
        return self.form_class(
            data=data,
            files=files,
            instance=instance,
            user=self.request.user,
            initial=self.get_initial(),
            customer=customer,
        )

    def get_initial(self):
        initial = super().get_initial()
        initial.pop("customer", None)
        return initial

    def save_object(self, form):
        data = form.service_data()
        if form.instance.pk is None:
            return services.ticket_create(
                actor=self.request.user,
                customer=form.customer,
                subject=data.pop("subject"),
                description=data.pop("description"),
                contract=data.pop("contract", None),
                login=data.pop("login", None),
                **data,
            )
        ticket = Ticket.objects.get(pk=form.instance.pk)
        return services.ticket_update(actor=self.request.user, ticket=ticket, **data)

    def render_form(self, form, instance):
        context = {
            **self.base_context(),
            "form": form,
            "object": instance,
            "is_new": instance.pk is None,
            "owner": form.customer,
            "next": self.request.GET.get("next", ""),
            "cancel_url": instance.get_absolute_url() if instance.pk else tab_url(form.customer, "tickets"),
        }
        return render(self.request, self.template_name, context)


class _ButtonView(ObjectActionView):
    """A form of the ticket or service order page: done or refused, back to the record's page (where
    a GET goes too); an invalid form's errors as one message."""

    def refused(self, obj, form, exc=None):
        if exc is None:
            messages.error(self.request, " ".join(e for errs in form.errors.values() for e in errs))
            return htmx_redirect(self.request, self.get_object_url(obj))
        return super().refused(obj, form, exc)


class TicketMessageView(_ButtonView):
    """POST a message or private note to the thread."""

    model = Ticket
    action = "view"
    form_class = forms.MessageForm
    success_message = gettext_lazy("Message added.")

    def post(self, request, *args, **kwargs):
        # The ticket's view permission (``action``) and the permission to add a message.
        if not request.user.has_perm("support.add_ticketmessage"):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def perform(self, ticket, data):
        return services.ticket_message_add(
            actor=self.request.user, ticket=ticket, text=data["text"], public=data["public"]
        )


TICKET_ACTIONS = {
    "close": (services.ticket_close, "note", _("Ticket closed.")),
    "cancel": (services.ticket_cancel, "reason", _("Ticket cancelled.")),
    "reopen": (services.ticket_reopen, "reason", _("Ticket reopened.")),
}


class TicketActionView(_ButtonView):
    """Close, cancel or reopen (``TICKET_ACTIONS``) with the optional text of ``TicketActionForm``."""

    model = Ticket

    def get_object(self):
        if self.kwargs["name"] not in TICKET_ACTIONS:
            raise PermissionDenied
        return super().get_object()

    def perform(self, ticket, data):
        service, argument, _done = TICKET_ACTIONS[self.kwargs["name"]]
        form = forms.TicketActionForm(self.request.POST, user=self.request.user)
        text = form.cleaned_data.get("text", "") if form.is_valid() else ""
        return service(actor=self.request.user, ticket=ticket, **{argument: text})

    def get_success_message(self, ticket, result):
        return TICKET_ACTIONS[self.kwargs["name"]][2]


# --- Service orders -------------------------------------------------------------------------


class ServiceOrderListView(ObjectListView):
    model = ServiceOrder
    queryset = ServiceOrder.objects.select_related(
        "customer", "ticket", "subject", "department", "technician"
    )
    table_class = tables.ServiceOrderTable
    filterset_class = filtersets.ServiceOrderListFilterSet


class ServiceOrderDetailView(ObjectDetailView):
    """The service order: its data, its events and one form per action allowed from its status."""

    model = ServiceOrder
    queryset = ServiceOrder.objects.select_related(
        "customer",
        "ticket",
        "contract",
        "login",
        "subject",
        "department",
        "technician",
        "branch",
        "process_step",
    )
    template_name = "support/serviceorder_detail.html"
    detail_fields = [
        "customer",
        "ticket",
        "contract",
        "login",
        "subject",
        "department",
        "technician",
        "priority",
        "description",
        "address",
        "latitude",
        "longitude",
        "scheduled_start",
        "scheduled_end",
        "closing_note",
        "opened_at",
        "finished_at",
        "branch",
    ]

    def get_extra_context(self, order):
        user = self.request.user
        initial = {"technician": order.technician_id}
        order_actions = [
            {
                "name": spec.name,
                "label": spec.label,
                "url": reverse("support:serviceorder_action", args=[order.pk, spec.name]),
                "fields": list(
                    forms.OrderActionForm(user=user, initial=initial, prefix=spec.name, spec=spec)
                ),
            }
            for spec in actions.allowed(order)
            if user.has_perm(spec.permission)
        ]
        return {
            "order": order,
            "events": order.events.select_related("operator"),
            "actions": order_actions,
            "can_change": user.has_perm("support.change_serviceorder") and order.is_open,
        }


class ServiceOrderEditView(ChooseCustomerMixin, ObjectEditView):
    """New service order (``?ticket=<id>`` from the ticket page, or ``?customer=<id>`` from the
    customer's "OS" tab; opened from the list, the customer is chosen first) or edit of its data."""

    owner_params = ("customer", "ticket")

    model = ServiceOrder
    form_class = forms.ServiceOrderForm
    template_name = "support/owned_form.html"

    def owner(self, instance):
        if instance.pk:
            return instance.customer, instance.ticket
        params = self.request.GET if self.request.method == "GET" else self.request.POST
        ticket_id = params.get("ticket") or self.request.GET.get("ticket")
        if ticket_id and str(ticket_id).isdigit():
            try:
                ticket = selectors.ticket_in_scope(user=self.request.user, pk=ticket_id)
            except Ticket.DoesNotExist:
                raise Http404 from None
            return ticket.customer, ticket
        customer = _customer_from(self.request, params.get("customer") or self.request.GET.get("customer"))
        if customer is None:
            raise PermissionDenied(_("Open a new service order from a ticket or the customer's page."))
        return customer, None

    def get_form(self, instance, data=None, files=None):
        customer, ticket = self.owner(instance)
        self._ticket = ticket
        return self.form_class(
            data=data,
            files=files,
            instance=instance,
            user=self.request.user,
            initial=self.get_initial(),
            customer=customer,
            ticket=ticket,
        )

    def get_initial(self):
        initial = super().get_initial()
        initial.pop("customer", None)
        initial.pop("ticket", None)
        return initial

    def save_object(self, form):
        data = form.service_data()
        if form.instance.pk is None:
            return services.service_order_create(
                actor=self.request.user,
                customer=form.customer,
                ticket=self._ticket,
                subject=data.pop("subject"),
                description=data.pop("description"),
                **data,
            )
        order = ServiceOrder.objects.get(pk=form.instance.pk)
        return services.service_order_update(actor=self.request.user, order=order, **data)

    def render_form(self, form, instance):
        ticket = self._ticket
        if instance.pk:
            cancel = instance.get_absolute_url()
        elif ticket is not None:
            cancel = ticket.get_absolute_url()
        else:
            cancel = tab_url(form.customer, "service_orders")
        context = {
            **self.base_context(),
            "form": form,
            "object": instance,
            "is_new": instance.pk is None,
            "owner": form.customer,
            "ticket": ticket,
            "next": self.request.GET.get("next", ""),
            "cancel_url": cancel,
        }
        return render(self.request, self.template_name, context)


class ServiceOrderActionView(_ButtonView):
    """POST one action (S-2: an order's status follows the actions taken on it, each an event with operator
    and time): the values of its form (``actions.ActionSpec``) go to its service."""

    model = ServiceOrder
    form_class = forms.OrderActionForm

    def spec(self) -> actions.ActionSpec:
        spec = actions.BY_NAME.get(self.kwargs["name"])
        if spec is None or not self.request.user.has_perm(spec.permission):
            raise PermissionDenied
        return spec

    def get_object(self):
        self.spec()  # an unknown action or one the operator may not take: 403 before the record
        return super().get_object()

    def get_form_kwargs(self, order):
        return {"user": self.request.user, "prefix": self.kwargs["name"], "spec": self.spec()}

    def perform(self, order, data):
        return self.spec().run(actor=self.request.user, order=order, values=data)

    def get_success_message(self, order, result):
        return _("%(order)s: %(action)s.") % {
            "order": result,
            "action": ServiceOrderEvent.Action(self.kwargs["name"]).label,
        }


class AgendaView(ObjectViewMixin, View):
    """The technician's agenda: their service orders by day, a week from ``start``."""

    model = ServiceOrder

    def get(self, request):
        form = forms.AgendaForm(request.GET or None, user=request.user)
        agenda, technician = [], None
        start = timezone.localdate()
        if form.is_valid():
            technician = form.cleaned_data["technician"]
            start = form.cleaned_data.get("start") or start
            agenda = selectors.technician_agenda(request.user, technician, start, days=7)
        step = datetime.timedelta(days=7)
        nav = {}
        if technician is not None:
            for key, day in (("previous", start - step), ("next", start + step)):
                nav[key] = f"?{urlencode({'technician': technician.pk, 'start': day.isoformat()})}"
        return render(
            request,
            "support/agenda.html",
            {"form": form, "agenda": agenda, "technician": technician, "nav": nav, **self.base_context()},
        )


# --- Customer tabs --------------------------------------------------------------------------


class CustomerTicketsTabView(CustomerTabView):
    """The customer page's "Atendimentos" tab (T-1): every ticket, whatever its status, and "Novo"."""

    model = Ticket
    tab_key = "tickets"
    template_name = "support/tabs/customer_list.html"
    leads = True  # a lead's page shows its tickets too (C-4)

    def get_tab_context(self, customer):
        user = self.request.user
        table = tables.TicketTable(
            selectors.customer_tickets(customer, user=user), request=self.request, exclude=("customer",)
        )
        return {
            "customer": customer,
            "table": table,
            "key": "tickets",
            "can_add": user.has_perm("support.add_ticket"),
            "new_url": f"{reverse('support:ticket_add')}?{urlencode({'customer': customer.pk})}",
            "new_label": _("New ticket"),
        }


class CustomerOrdersTabView(CustomerTabView):
    """The customer page's "OS" tab (S-1): every service order, whatever its status, and "Novo"."""

    model = ServiceOrder
    tab_key = "service_orders"
    template_name = "support/tabs/customer_list.html"

    def get_tab_context(self, customer):
        user = self.request.user
        table = tables.ServiceOrderTable(
            selectors.customer_service_orders(customer, user=user),
            request=self.request,
            exclude=("customer",),
        )
        return {
            "customer": customer,
            "table": table,
            "key": "service_orders",
            "can_add": user.has_perm("support.add_serviceorder"),
            "new_url": f"{reverse('support:serviceorder_add')}?{urlencode({'customer': customer.pk})}",
            "new_label": _("New service order"),
        }
