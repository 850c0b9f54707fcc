"""Tickets ("atendimentos", SPEC T-1 … T-11) and their message thread."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.display import local_datetime
from enlace.core.models import Branch, Department, Employee, EnlaceModel
from enlace.core.validators import no_edge_whitespace_constraints

from .reference import LATITUDE, AddressOrigin, BestTime, Priority, Process, Subject


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

    #: The badge colour (Bootstrap) of each status, wherever a status is shown: lists, the ticket
    #: page, the portal (template tag ``support_tags.status_badge``).
    STATUS_COLOURS = {
        Status.NEW: "primary",
        Status.IN_PROGRESS: "warning",
        Status.SOLVED: "success",
        Status.CANCELLED: "secondary",
    }

    #: Set by Enlace, never given or changed by hand (T-11): the status follows the ticket's
    #: situation, the protocol and the times are taken when it opens and closes, the branch is the
    #: customer's and the origin says where it was opened. Forms leave them out, the API refuses
    #: them (400 naming the field) and ``ticket_create``/``ticket_update`` refuse them too.
    AUTOMATIC_FIELDS = ("status", "protocol", "branch", "origin", "opened_at", "closed_at")

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

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

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
        return f"{self.ticket} — {local_datetime(self.created_at)}"

    def get_absolute_url(self):
        return self.ticket.get_absolute_url()
