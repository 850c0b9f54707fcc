"""Support: subjects, processes, tickets ("atendimentos", SPEC T-1 … T-11) with their message
thread, and service orders ("OS", S-1, S-2) with their events.

Statuses never change by hand: ``enlace.support.services`` moves them (ticket: new → in progress →
solved, or cancelled; OS: the transitions of ``ServiceOrder.TRANSITIONS``), each OS transition
writing a ``ServiceOrderEvent``. Protocols come from ``ProtocolCounter`` (a per-day row taken under
a row lock) and are unique in the database.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from enlace.core.models import Branch, Department, Employee, EnlaceModel
from enlace.core.validators import no_edge_whitespace_constraints


class Priority(models.TextChoices):
    LOW = "B", _("Low")
    NORMAL = "M", _("Normal")
    HIGH = "A", _("High")
    CRITICAL = "C", _("Critical")


class BestTime(models.TextChoices):
    MORNING = "M", _("Morning")
    AFTERNOON = "T", _("Afternoon")
    NIGHT = "N", _("Night")
    ANY = "Q", _("Any time")


class AddressOrigin(models.TextChoices):
    MANUAL = "M", _("Manual")
    CUSTOMER = "C", _("Customer")
    LOGIN = "L", _("Login")
    CONTRACT = "CC", _("Contract")


LATITUDE = {"max_digits": 9, "decimal_places": 6, "null": True, "blank": True}


# --- Reference data -------------------------------------------------------------------------


class Process(EnlaceModel):
    """Processo (T-6): ordered steps, each opening a service order when it is reached."""

    branch_scope = None  # reference data shared by every branch

    name = models.CharField(_("name"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        constraints = no_edge_whitespace_constraints("process", "name", "description")

    def __str__(self):
        return self.name

    def first_step(self):
        return self.steps.order_by("order", "id").first()


class Subject(EnlaceModel):
    """Assunto: what a ticket or a service order is about, with the defaults it fills in."""

    branch_scope = None  # reference data shared by every branch

    class Purpose(models.TextChoices):
        TICKET = "T", _("Ticket")
        SERVICE_ORDER = "O", _("Service order")
        BOTH = "B", _("Both")

    name = models.CharField(_("name"), max_length=80, unique=True)
    default_description = models.CharField(
        _("default description"),
        max_length=200,
        blank=True,
        help_text=_("Fills the ticket's subject description."),
    )
    default_opening_message = models.TextField(
        _("default opening message"),
        blank=True,
        help_text=_("Posted to the ticket's thread when it is opened; the subscriber sees it."),
    )
    default_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default department"),
    )
    default_process = models.ForeignKey(
        Process,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default process"),
    )
    default_priority = models.CharField(
        _("default priority"), max_length=1, choices=Priority.choices, default=Priority.NORMAL
    )
    purpose = models.CharField(_("purpose"), max_length=1, choices=Purpose.choices, default=Purpose.BOTH)
    allowed_overdue = models.BooleanField(
        _("allowed for overdue customers"),
        default=True,
        help_text=_("Subscribers with overdue invoices may open tickets of this subject in the portal."),
    )
    portal_visible = models.BooleanField(
        _("visible in the portal"),
        default=False,
        help_text=_("Subscribers may open tickets of this subject."),
    )
    requires_login = models.BooleanField(_("login required"), default=False)
    requires_contract = models.BooleanField(_("contract required"), default=False)
    close_requires_note = models.BooleanField(
        _("closing requires a note"),
        default=False,
        help_text=_("Closing a ticket or finishing a service order of this subject needs a closing note."),
    )
    close_requires_technician = models.BooleanField(
        _("closing requires a technician"),
        default=False,
        help_text=_("A service order of this subject is finished only with a technician."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        constraints = [
            *no_edge_whitespace_constraints(
                "subject", "name", "default_description", "default_opening_message"
            ),
            models.CheckConstraint(condition=Q(purpose__in=["T", "O", "B"]), name="subject_purpose_valid"),
            models.CheckConstraint(
                condition=Q(default_priority__in=Priority.values), name="subject_priority_valid"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def for_tickets(self) -> bool:
        return self.purpose in (self.Purpose.TICKET, self.Purpose.BOTH)

    @property
    def for_service_orders(self) -> bool:
        return self.purpose in (self.Purpose.SERVICE_ORDER, self.Purpose.BOTH)


class ProcessStep(EnlaceModel):
    """A step of a process: the service order it opens and the complementary status it sets."""

    branch_scope = None  # reference data shared by every branch

    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="steps", verbose_name=_("process")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject of the service order")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    technician = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("technician"),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Description of the service order; empty: the ticket's.")
    )
    complementary_status = models.CharField(
        _("complementary status"),
        max_length=80,
        blank=True,
        help_text=_("Set on the ticket when this step is reached."),
    )

    class Meta:
        ordering = ["process", "order", "id"]
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        constraints = [
            *no_edge_whitespace_constraints("processstep", "description", "complementary_status"),
            models.UniqueConstraint(fields=["process", "order"], name="processstep_process_order_unique"),
            models.CheckConstraint(condition=Q(order__gte=1), name="processstep_order_gte_1"),
        ]

    def __str__(self):
        return f"{self.process} — {self.order}. {self.subject}"

    def get_absolute_url(self):
        return self.process.get_absolute_url()

    def next_step(self):
        return self.process.steps.filter(order__gt=self.order).order_by("order", "id").first()


class ProtocolCounter(models.Model):
    """The last protocol number given on one day, per kind (T tickets, O service orders), taken
    with ``select_for_update`` and incremented by ``services.next_protocol``."""

    kind = models.CharField(max_length=1)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "day"], name="protocolcounter_kind_day_unique")
        ]

    def __str__(self):
        return f"{self.kind} {self.day}: {self.last}"


# --- Tickets --------------------------------------------------------------------------------


class Ticket(EnlaceModel):
    """Atendimento (T-1 … T-11)."""

    branch_scope = "branch"

    Priority = Priority
    BestTime = BestTime
    AddressOrigin = AddressOrigin

    class Origin(models.TextChoices):
        INTERNAL = "I", _("Internal")
        HOTSITE = "H", _("Hotsite")

    class Status(models.TextChoices):
        NEW = "N", _("New")
        IN_PROGRESS = "EP", _("In progress")
        SOLVED = "S", _("Solved")
        CANCELLED = "C", _("Cancelled")

    class PendingInteraction(models.TextChoices):
        BOTH = "A", _("Both")
        EXTERNAL = "E", _("External (subscriber)")
        INTERNAL = "I", _("Internal (provider)")
        NONE = "N", _("None")

    protocol = models.CharField(_("protocol"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("customer")
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("contract"),
    )
    login = models.ForeignKey(
        "radius.Login",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("login"),
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("subject")
    )
    subject_description = models.CharField(_("subject description"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    address_origin = models.CharField(
        _("address origin"), max_length=2, choices=AddressOrigin.choices, default=AddressOrigin.CUSTOMER
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), **LATITUDE)
    longitude = models.DecimalField(_("longitude"), **LATITUDE)
    process = models.ForeignKey(
        Process,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("process"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("department")
    )
    responsible = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("responsible employee"),
    )
    priority = models.CharField(
        _("priority"), max_length=1, choices=Priority.choices, default=Priority.NORMAL
    )
    reserved_date = models.DateField(_("reserved date"), null=True, blank=True)
    best_time = models.CharField(_("best time"), max_length=1, choices=BestTime.choices, default=BestTime.ANY)
    origin = models.CharField(_("origin"), max_length=1, choices=Origin.choices, default=Origin.INTERNAL)
    pending_interaction = models.CharField(
        _("pending interaction"),
        max_length=1,
        choices=PendingInteraction.choices,
        default=PendingInteraction.NONE,
    )
    status = models.CharField(
        _("status"), max_length=2, choices=Status.choices, default=Status.NEW, editable=False
    )
    complementary_status = models.CharField(_("complementary status"), max_length=80, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, editable=False, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("opened by"),
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["customer", "-opened_at"], name="ticket_customer_idx"),
            models.Index(fields=["status", "department"], name="ticket_status_dept_idx"),
        ]
        constraints = [
            *no_edge_whitespace_constraints(
                "ticket", "subject_description", "description", "address", "complementary_status"
            ),
            models.CheckConstraint(condition=Q(status__in=["N", "EP", "S", "C"]), name="ticket_status_valid"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="ticket_priority_valid"),
            models.CheckConstraint(condition=Q(best_time__in=BestTime.values), name="ticket_best_time_valid"),
            models.CheckConstraint(condition=Q(origin__in=["I", "H"]), name="ticket_origin_valid"),
            models.CheckConstraint(
                condition=Q(pending_interaction__in=["A", "E", "I", "N"]), name="ticket_pending_valid"
            ),
            models.CheckConstraint(
                condition=Q(address_origin__in=AddressOrigin.values), name="ticket_address_origin_valid"
            ),
            models.CheckConstraint(condition=~Q(description=""), name="ticket_description_required"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="ticket_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="ticket_longitude_range",
            ),
        ]

    def __str__(self):
        return _("Ticket %(protocol)s") % {"protocol": self.protocol or "—"}

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.IN_PROGRESS)


class TicketMessage(EnlaceModel):
    """A message of a ticket's thread (T-9): public (the subscriber sees it) or private."""

    branch_scope = "ticket__branch"

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket")
    )
    text = models.TextField(_("message"))
    public = models.BooleanField(
        _("public"), default=True, help_text=_("The subscriber sees it in the portal.")
    )
    by_subscriber = models.BooleanField(_("by the subscriber"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_name = models.CharField(_("author name"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        constraints = [
            *no_edge_whitespace_constraints("ticketmessage", "text", "author_name"),
            models.CheckConstraint(condition=~Q(text=""), name="ticketmessage_text_required"),
            models.CheckConstraint(
                condition=Q(by_subscriber=False) | Q(public=True), name="ticketmessage_subscriber_public"
            ),
        ]

    def __str__(self):
        return f"{self.ticket} — {self.created_at:%d/%m/%Y %H:%M}"

    def get_absolute_url(self):
        return self.ticket.get_absolute_url()


# --- Service orders -------------------------------------------------------------------------


class ServiceOrder(EnlaceModel):
    """Ordem de serviço (S-1, S-2)."""

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

    #: What the OS page's button for each action says (the event labels above read as the past).
    BUTTONS = {
        Action.ANALYSE: _("Analyse"),
        Action.FORWARD: _("Forward"),
        Action.ASSUME: _("Assume"),
        Action.ASSIGN: _("Assign technician"),
        Action.SCHEDULE: _("Schedule"),
        Action.TRAVEL: _("Set off"),
        Action.START: _("Start execution"),
        Action.FINISH: pgettext_lazy("service order action", "Finish"),
        Action.AWAIT_RESCHEDULE: _("Await rescheduling"),
        Action.REOPEN: _("Reopen"),
    }

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
        return f"{self.get_action_display()} — {self.created_at:%d/%m/%Y %H:%M}"
