"""Models of the messaging area ("régua de cobrança"): the rules, the delivery log, each customer's
contact choices and the area's settings row.

- ``MessageRule``: an event around an invoice or a contract (issued, N days before due, due today,
  N days overdue, notice "Financeiro em atraso", blocked, payment received, trust unlock), the
  channels it goes out on, its templates (Django's template language) and on/off. A rule without a
  branch applies to every branch; a branch's own rule for the same event and days replaces it there.
- ``Message``: one message to one recipient on one channel — the delivery log and, while queued, the
  outbox its task sends from. ``(rule, channel, key)`` is unique: ``key`` names the invoice
  (``invoice:<id>``), the payment (``payment:<id>``) or the contract and the day of its event
  (``contract:<id>:<date>``), so a rerun or two workers never send a message twice.
  A failed message (not refused outright) is re-queued by itself while recent, a few times, with
  backoff (``recovery.py``): ``failed_at``, ``recoveries`` and ``permanent_failure`` track that.
- ``ContactPreference``: per customer, the opt-outs ("não enviar cobrança por e-mail / SMS /
  WhatsApp").
- ``MessagingSettings``: quiet hours for SMS/WhatsApp, the provider's rate limit, the portal link.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.models import AppSettings, Branch, EnlaceModel


class Event(models.TextChoices):
    ISSUED = "issued", _("Invoice issued")
    BEFORE_DUE = "before_due", _("Days before the due date")
    DUE_TODAY = "due_today", _("Due today")
    OVERDUE = "overdue", _("Days overdue")
    NOTICE = "notice", _("Contract moved to overdue notice")
    BLOCKED = "blocked", _("Contract blocked")
    PAYMENT = "payment", _("Payment received")
    TRUST_UNLOCK = "trust_unlock", _("Trust unlock granted")


#: Events judged per invoice (the others are per contract or per payment).
INVOICE_EVENTS = (Event.ISSUED, Event.BEFORE_DUE, Event.DUE_TODAY, Event.OVERDUE)
#: Events whose ``days`` counts (before or after the due date).
DAY_EVENTS = (Event.BEFORE_DUE, Event.OVERDUE)


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class MessageRule(EnlaceModel):
    """One step of the régua de cobrança."""

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

    branch_scope = "branch"
    branch_scope_shared = True  # a rule without a branch applies to (and is seen by) every branch

    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("branch"),
        help_text=_("Empty: every branch (a branch's own rule for the same event replaces it)."),
    )
    name = models.CharField(_("name"), max_length=100)
    event = models.CharField(_("event"), max_length=12, choices=Event.choices)
    days = models.PositiveSmallIntegerField(
        _("days"), default=0, help_text=_("Days before the due date or days overdue, for those events.")
    )
    email = models.BooleanField(_("e-mail"), default=True)
    sms = models.BooleanField(_("SMS"), default=False)
    whatsapp = models.BooleanField(_("WhatsApp"), default=False)
    subject = models.CharField(_("e-mail subject"), max_length=200)
    body_text = models.TextField(_("e-mail text"))
    body_html = models.TextField(_("e-mail HTML"), blank=True, help_text=_("Empty: the text, as HTML."))
    short_text = models.TextField(
        _("SMS / WhatsApp text"), blank=True, help_text=_("Empty: the e-mail subject.")
    )
    attach_boleto = models.BooleanField(_("attach the boleto PDF"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["event", "days", "id"]
        verbose_name = _("billing message rule")
        verbose_name_plural = _("billing message rules")
        constraints = [
            models.CheckConstraint(condition=Q(event__in=Event.values), name="messagerule_event_valid"),
            models.UniqueConstraint(
                fields=["branch", "event", "days"],
                condition=Q(branch__isnull=False),
                name="messagerule_unique_branch_event",
            ),
            models.UniqueConstraint(
                fields=["event", "days"],
                condition=Q(branch__isnull=True),
                name="messagerule_unique_global_event",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("messaging:messagerule_detail", args=[self.pk])

    @property
    def channels(self) -> list[str]:
        return [c for c in Channel.values if getattr(self, c)]


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


STATUS_COLOURS = {
    MessageStatus.QUEUED: "secondary",
    MessageStatus.SENT: "primary",
    MessageStatus.DELIVERED: "success",
    MessageStatus.FAILED: "danger",
}


class Message(EnlaceModel):
    """One message on one channel to one recipient: the delivery log (and the outbox while queued).
    Written in bulk by the daily run and by the sending task: not audited (it is itself a log)."""

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

    branch_scope = "customer__branch"
    audit = False

    rule = models.ForeignKey(
        MessageRule,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("rule"),
        db_index=False,  # the unique (rule, channel, key) leads with it
    )
    event = models.CharField(_("event"), max_length=12, choices=Event.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    key = models.CharField(_("key"), max_length=60)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("customer"),
        db_index=False,  # message_customer_idx leads with it
    )
    invoice = models.ForeignKey(
        "billing.Invoice",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invoice"),
        db_index=False,  # message_invoice_rule_idx leads with it
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contract"),
    )
    recipient = models.CharField(_("recipient"), max_length=500)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    attach_boleto = models.BooleanField(_("boleto attached"), default=False)
    status = models.CharField(
        _("status"), max_length=9, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    permanent_failure = models.BooleanField(
        _("permanent failure"),
        default=False,
        help_text=_("Refused by the server or the provider: never re-queued automatically."),
    )
    recoveries = models.PositiveSmallIntegerField(
        _("automatic re-queues"), default=0, help_text=_("Times the failed message was re-queued by itself.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        permissions = [("resend_message", _("Can resend a message"))]
        indexes = [
            models.Index(fields=["status", "channel", "next_attempt_at"], name="message_due_idx"),
            models.Index(fields=["customer", "-created_at"], name="message_customer_idx"),
            # the daily run's "no message of this rule yet" (an anti-join per invoice) and the
            # invoice's messages
            models.Index(fields=["invoice", "rule"], name="message_invoice_rule_idx"),
            # the providers' delivery reports; e-mails (no provider id) stay out of it
            models.Index(
                fields=["provider_id"], condition=~Q(provider_id=""), name="message_provider_id_idx"
            ),
        ]
        constraints = [
            # Issue 18: each (invoice or contract, rule, channel) is sent at most once.
            models.UniqueConstraint(fields=["rule", "channel", "key"], name="message_once_per_rule_channel"),
            models.CheckConstraint(condition=Q(status__in=MessageStatus.values), name="message_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="message_channel_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=["sent", "delivered"]) | Q(sent_at__isnull=False),
                name="message_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | Q(failed_at__isnull=False), name="message_failed_has_time"
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject or self.text[:40]}"

    def get_absolute_url(self):
        return reverse("messaging:message_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")


class ContactPreference(EnlaceModel):
    """A customer's choices for billing messages (opt-outs); no row = every channel allowed."""

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

    branch_scope = "customer__branch"

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="messaging_preference",
        verbose_name=_("customer"),
    )
    no_email = models.BooleanField(_("do not send billing by e-mail"), default=False)
    no_sms = models.BooleanField(_("do not send billing by SMS"), default=False)
    no_whatsapp = models.BooleanField(_("do not send billing by WhatsApp"), default=False)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self):
        return str(self.customer)


class MessagingSettings(AppSettings):
    """The messaging area's settings (tab "Billing messages" of the parameters page)."""

    quiet_start = models.TimeField(
        _("quiet hours start"), default=datetime.time(21, 0), help_text=_("No SMS/WhatsApp from this time…")
    )
    quiet_end = models.TimeField(
        _("quiet hours end"), default=datetime.time(8, 0), help_text=_("…until this time.")
    )
    rate_per_minute = models.PositiveIntegerField(
        _("SMS/WhatsApp per minute"), default=60, help_text=_("The provider's rate limit; 0 = no limit.")
    )
    portal_url = models.CharField(
        _("subscriber portal link"), max_length=200, blank=True, help_text=_("Shown in the messages.")
    )

    class Meta(AppSettings.Meta):
        verbose_name = _("messaging settings")
        verbose_name_plural = _("messaging settings")
