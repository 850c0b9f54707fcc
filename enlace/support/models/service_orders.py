"""Service orders ("OS", SPEC S-1, S-2) and the events of their life cycle."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from enlace.core.display import local_datetime
from enlace.core.models import Branch, Department, Employee, EnlaceModel
from enlace.core.validators import no_edge_whitespace_constraints

from .reference import LATITUDE, Priority, ProcessStep, Subject
from .tickets import Ticket


class ServiceOrder(EnlaceModel):
    """Ordem de serviço (S-1, S-2)."""

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

    branch_scope = "branch"

    class Status(models.TextChoices):
        OPEN = "A", pgettext_lazy("service order status", "Open")
        ANALYSIS = "AN", _("Analysis")
        FORWARDED = "EN", _("Forwarded")
        ASSUMED = "AS", _("Assumed")
        SCHEDULED = "AG", _("Scheduled")
        TRAVELLING = "DS", _("Travelling")
        EXECUTING = "EX", _("Executing")
        FINISHED = "F", pgettext_lazy("service order status", "Finished")
        AWAITING_RESCHEDULE = "RAG", _("Awaiting rescheduling")

    #: The badge colour (Bootstrap) of each status, wherever a status is shown: lists, the ticket
    #: and service order pages (template tag ``support_tags.status_badge``).
    STATUS_COLOURS = {
        Status.OPEN: "primary",
        Status.ANALYSIS: "dark",
        Status.FORWARDED: "dark",
        Status.ASSUMED: "dark",
        Status.SCHEDULED: "info",
        Status.TRAVELLING: "warning",
        Status.EXECUTING: "warning",
        Status.FINISHED: "success",
        Status.AWAITING_RESCHEDULE: "danger",
    }

    protocol = models.CharField(_("protocol"), max_length=20, unique=True, editable=False)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_orders",
        verbose_name=_("ticket"),
    )
    process_step = models.ForeignKey(
        ProcessStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_orders",
        editable=False,
        verbose_name=_("process step"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="service_orders",
        verbose_name=_("customer"),
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_orders",
        verbose_name=_("contract"),
    )
    login = models.ForeignKey(
        "radius.Login",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_orders",
        verbose_name=_("login"),
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="service_orders", verbose_name=_("subject")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="service_orders", verbose_name=_("department")
    )
    technician = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_orders",
        verbose_name=_("technician"),
    )
    status = models.CharField(
        _("status"), max_length=3, choices=Status.choices, default=Status.OPEN, editable=False
    )
    priority = models.CharField(
        _("priority"), max_length=1, choices=Priority.choices, default=Priority.NORMAL
    )
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), **LATITUDE)
    longitude = models.DecimalField(_("longitude"), **LATITUDE)
    scheduled_start = models.DateTimeField(_("scheduled start"), null=True, blank=True, editable=False)
    scheduled_end = models.DateTimeField(_("scheduled end"), null=True, blank=True, editable=False)
    closing_note = models.TextField(_("closing note"), blank=True, editable=False)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, editable=False, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        indexes = [
            models.Index(fields=["technician", "scheduled_start"], name="os_technician_start_idx"),
            models.Index(fields=["customer", "-opened_at"], name="os_customer_idx"),
            models.Index(fields=["status", "department"], name="os_status_dept_idx"),
        ]
        constraints = [
            *no_edge_whitespace_constraints("serviceorder", "description", "address", "closing_note"),
            models.CheckConstraint(
                condition=Q(status__in=["A", "AN", "EN", "AS", "AG", "DS", "EX", "F", "RAG"]),
                name="serviceorder_status_valid",
            ),
            models.CheckConstraint(condition=~Q(description=""), name="serviceorder_description_required"),
            models.CheckConstraint(
                condition=Q(scheduled_start__isnull=True)
                | Q(scheduled_end__isnull=True)
                | Q(scheduled_end__gt=F("scheduled_start")),
                name="serviceorder_schedule_order",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="serviceorder_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="serviceorder_longitude_range",
            ),
        ]

    def __str__(self):
        return _("Service order %(protocol)s") % {"protocol": self.protocol or "—"}

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.FINISHED


class ServiceOrderEvent(EnlaceModel):
    """One step in the life of a service order: who, when, from which status to which, a note and,
    from the field, the GPS position."""

    branch_scope = "service_order__branch"
    audit = False  # an event is itself the record of a change

    class Action(models.TextChoices):
        OPEN = "open", _("Opened")
        ANALYSE = "analyse", _("Analysis")
        FORWARD = "forward", _("Forwarded")
        ASSUME = "assume", _("Assumed")
        ASSIGN = "assign", _("Technician assigned")
        SCHEDULE = "schedule", _("Scheduled")
        TRAVEL = "travel", _("Travelling")
        START = "start", _("Execution started")
        FINISH = "finish", _("Finished")
        AWAIT_RESCHEDULE = "await_reschedule", _("Awaiting rescheduling")
        REOPEN = "reopen", _("Reopened")

    service_order = models.ForeignKey(
        ServiceOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("service order")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=3, choices=ServiceOrder.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=3, choices=ServiceOrder.Status.choices)
    note = models.TextField(_("note"), blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator"),
    )
    operator_name = models.CharField(_("operator name"), max_length=150, blank=True)
    latitude = models.DecimalField(_("latitude"), **LATITUDE)
    longitude = models.DecimalField(_("longitude"), **LATITUDE)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("service order event")
        verbose_name_plural = _("service order events")
        constraints = [*no_edge_whitespace_constraints("serviceorderevent", "note")]

    def __str__(self):
        return f"{self.get_action_display()} — {local_datetime(self.created_at)}"
