"""Reference data of support: the choices tickets and service orders share, subjects, processes
and their steps, and the daily protocol counters."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enlace.core.models import Department, Employee, EnlaceModel
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
        """The first step, with what opening its service order reads (subject, department, technician)."""
        return (
            self.steps.select_related("subject", "department", "technician").order_by("order", "id").first()
        )


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

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

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
