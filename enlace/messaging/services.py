"""Writes of the messaging area: queueing the régua de cobrança's messages, the daily run, resend,
the rules and the customers' contact choices.

Queueing renders each rule once per invoice (or contract, or payment) and writes one ``Message``
per channel in bulk (``bulk.insert``: ``ON CONFLICT DO NOTHING``): the unique constraint ``(rule,
channel, key)`` makes every writer idempotent — the daily task run twice on a day, two workers,
or the daily task after the signal that already queued the issue e-mail, all end with one message
each.
The channels come from the customer's "Contato" fields (the e-mail list, the mobile phone, the
WhatsApp number or else the mobile phone), less the customer's opt-outs (``ContactPreference``);
a contract billed on paper ("Impresso") gets no issue e-mail. SMS and WhatsApp are queued only
when a provider is configured, and wait for the end of the quiet hours.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from enlace.billing.models import OPEN_STATUSES, CollectionState, Invoice, Payment
from enlace.contracts.models import AccessStatus, BillingType, Contract
from enlace.core.models import Wallet
from enlace.core.services import object_save
from enlace.core.types import Actor

from . import bulk, rendering
from .defaults import DEFAULT_RULES
from .models import (
    INVOICE_EVENTS,
    Channel,
    ContactPreference,
    Event,
    Message,
    MessageRule,
    MessageStatus,
    MessagingSettings,
)
from .providers import get_provider

CHUNK = 2000


# --- Quiet hours -------------------------------------------------------------------------------


def in_quiet_hours(moment: datetime.datetime, settings_row: MessagingSettings) -> bool:
    start, end = settings_row.quiet_start, settings_row.quiet_end
    if start == end:
        return False
    local = timezone.localtime(moment).time()
    return (start <= local or local < end) if start > end else (start <= local < end)


def after_quiet_hours(moment: datetime.datetime, settings_row: MessagingSettings) -> datetime.datetime:
    """``moment``, or the end of the quiet hours it falls in (no SMS/WhatsApp at night)."""
    if not in_quiet_hours(moment, settings_row):
        return moment
    local = timezone.localtime(moment)
    end = local.replace(
        hour=settings_row.quiet_end.hour, minute=settings_row.quiet_end.minute, second=0, microsecond=0
    )
    if end <= local:
        end += datetime.timedelta(days=1)
    return end


# --- The rule book -----------------------------------------------------------------------------


@dataclass
class RuleBook:
    """The active rules: a branch's own rule for an (event, days) replaces the rule of every branch."""

    rules: list[MessageRule]
    overrides: dict[tuple[str, int], set[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> RuleBook:
        rules = list(MessageRule.objects.filter(active=True).order_by("event", "days", "id"))
        overrides: dict[tuple[str, int], set[int]] = defaultdict(set)
        for rule in rules:
            if rule.branch_id:
                overrides[(rule.event, rule.days)].add(rule.branch_id)
        return cls(rules, dict(overrides))

    def of(self, event: str) -> list[MessageRule]:
        return [r for r in self.rules if r.event == event]

    def applies(self, rule: MessageRule, branch_id: int) -> bool:
        if rule.branch_id:
            return rule.branch_id == branch_id
        return branch_id not in self.overrides.get((rule.event, rule.days), set())

    def for_branch(self, event: str, branch_id: int) -> list[MessageRule]:
        return [r for r in self.of(event) if self.applies(r, branch_id)]


# --- Building messages -------------------------------------------------------------------------


@dataclass
class Queuer:
    """Builds and writes messages; one per run (rules, settings and compiled templates loaded once)."""

    env: rendering.RenderEnv
    book: RuleBook
    settings_row: MessagingSettings
    provider_name: str
    now: datetime.datetime
    base: dict = field(default_factory=bulk.defaults)
    pending: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=lambda: {"queued": 0, "skipped": 0})

    @classmethod
    def load(cls, today: datetime.date | None = None) -> Queuer:
        provider = get_provider()
        return cls(
            env=rendering.RenderEnv.load(today),
            book=RuleBook.load(),
            settings_row=MessagingSettings.load(),
            provider_name=provider.name if provider else "",
            now=timezone.now(),
        )

    def recipients(self, customer, rule: MessageRule) -> list[tuple[str, str]]:
        try:
            pref = customer.messaging_preference
        except ContactPreference.DoesNotExist:
            pref = None
        found: list[tuple[str, str]] = []
        if rule.email and customer.email and not (pref and pref.no_email):
            found.append((Channel.EMAIL, customer.email))
        if self.provider_name:
            if rule.sms and customer.mobile_phone and not (pref and pref.no_sms):
                found.append((Channel.SMS, customer.mobile_phone))
            whatsapp = customer.whatsapp or customer.mobile_phone
            if rule.whatsapp and whatsapp and not (pref and pref.no_whatsapp):
                found.append((Channel.WHATSAPP, whatsapp))
        return found

    def add(
        self, rule: MessageRule, key: str, customer, *, invoice=None, contract=None, payment=None, **extra
    ):
        channels = self.recipients(customer, rule)
        if rule.event == Event.ISSUED and invoice is not None and _billed_on_paper(invoice):
            # a printed boleto gets no issue e-mail
            channels = [c for c in channels if c[0] != Channel.EMAIL]
        if not channels:
            self.counts["skipped"] += 1
            return
        context = rendering.context_for(
            self.env, customer=customer, invoice=invoice, contract=contract, payment=payment, **extra
        )
        wants_email = any(channel == Channel.EMAIL for channel, _recipient in channels)
        parts = rendering.render(
            self.env, rule, context, email=wants_email, short=len(channels) > int(wants_email)
        )
        if contract is not None:
            contract_id = contract.pk
        else:
            contract_id = invoice.contract_id if invoice is not None else None
        for channel, recipient in channels:
            email = channel == Channel.EMAIL
            row = self.base.copy()
            row.update(
                rule_id=rule.pk,
                event=rule.event,
                channel=channel,
                key=key,
                customer_id=customer.pk,
                invoice_id=invoice.pk if invoice is not None else None,
                contract_id=contract_id,
                recipient=recipient,
                subject=parts.subject if email else "",
                text=parts.text if email else parts.short,
                html=parts.html if email else "",
                attach_boleto=email and rule.attach_boleto and invoice is not None,
                provider="smtp" if email else self.provider_name,
                next_attempt_at=self.now if email else after_quiet_hours(self.now, self.settings_row),
                created_at=self.now,
            )
            self.pending.append(row)
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> list[int]:
        """Write what was built (the ones already there are left alone, ``bulk.insert``); the new
        rows' ids."""
        rows, self.pending = self.pending, []
        created = bulk.insert(rows)
        self.counts["queued"] += len(created)
        return created


def _billed_on_paper(invoice: Invoice) -> bool:
    """The invoice's contract is billed on paper ("Impresso"): its issue message goes by no e-mail."""
    if not invoice.contract_id:
        return False
    billing_type = getattr(invoice, "contract_billing_type", None)  # annotated by _invoice_queryset
    if billing_type is None:
        contract = invoice.contract
        billing_type = contract.billing_type if contract is not None else None
    return billing_type == BillingType.PRINTED


def _kick(ids: list[int] | None) -> None:
    def send():
        from .tasks import send_messages

        send_messages.delay(ids)

    transaction.on_commit(send)


#: What rendering reads of an invoice and its customer (the rest is not loaded); the contract's
#: billing type comes as an annotation, the wallet (fine and interest) from a cache per run.
INVOICE_FIELDS = (
    *("id", "customer_id", "contract_id", "branch_id", "wallet_id", "kind", "status", "issue_date"),
    *("due_date", "amount", "discount", "paid_amount", "renegotiated", "digitable_line", "pix_payload"),
    *("customer__id", "customer__name", "customer__email", "customer__mobile_phone", "customer__whatsapp"),
    "customer__messaging_preference",
)


def _invoice_queryset():
    return (
        Invoice.objects.select_related("customer__messaging_preference")
        .only(*INVOICE_FIELDS)
        .annotate(contract_billing_type=F("contract__billing_type"))
        .filter(customer__is_lead=False)
    )


class _Wallets(dict):
    """The wallets of a run, loaded once each and set on every invoice (fine and interest)."""

    def attach(self, invoice: Invoice) -> Invoice:
        if invoice.wallet_id is not None:
            wallet = self.get(invoice.wallet_id)
            if wallet is None:
                wallet = self[invoice.wallet_id] = Wallet.objects.get(pk=invoice.wallet_id)
            Invoice.wallet.field.set_cached_value(invoice, wallet)
        return invoice


# --- Events ------------------------------------------------------------------------------------


def queue_invoice_issued(invoice: Invoice, *, kick: bool = True) -> list[int]:
    """The issue message(s) of a newly issued invoice (right after the one-off invoice commits)."""
    queuer = Queuer.load()
    invoice = _invoice_queryset().get(pk=invoice.pk)
    for rule in queuer.book.for_branch(Event.ISSUED, invoice.branch_id):
        queuer.add(rule, f"invoice:{invoice.pk}", invoice.customer, invoice=invoice)
    with transaction.atomic():
        ids = queuer.flush()
        if kick and ids:
            _kick(ids)
    return ids


def _oldest_open(contract: Contract, today: datetime.date) -> Invoice | None:
    return (
        _invoice_queryset()
        .filter(contract=contract, status__in=OPEN_STATUSES, due_date__lt=today)
        .order_by("due_date", "id")
        .first()
    )


def queue_contract_event(
    contract: Contract, event: str, *, on: datetime.date, kick: bool = True, **extra
) -> list[int]:
    """A contract's event (notice, block, trust unlock) on day ``on``: its messages, once per day of
    that event. The notice states the suspension date (Res. Anatel 765/2023)."""
    queuer = Queuer.load()
    contract = Contract.objects.select_related("customer__messaging_preference").get(pk=contract.pk)
    invoice = _oldest_open(contract, queuer.env.today)
    if event == Event.NOTICE:
        state = CollectionState.objects.filter(contract=contract).first()
        notified_on = (state.notified_on if state else None) or on
        extra["suspension_date"] = rendering.suspension_date(queuer.env, notified_on=notified_on)
    for rule in queuer.book.for_branch(event, contract.branch_id):
        queuer.add(
            rule,
            f"contract:{contract.pk}:{on:%Y-%m-%d}",
            contract.customer,
            invoice=invoice,
            contract=contract,
            **extra,
        )
    with transaction.atomic():
        ids = queuer.flush()
        if kick and ids:
            _kick(ids)
    return ids


def queue_payment_received(payment: Payment, *, kick: bool = True) -> list[int]:
    queuer = Queuer.load()
    payment = Payment.objects.select_related("invoice").get(pk=payment.pk)
    invoice = _invoice_queryset().get(pk=payment.invoice_id)
    for rule in queuer.book.for_branch(Event.PAYMENT, invoice.branch_id):
        queuer.add(rule, f"payment:{payment.pk}", invoice.customer, invoice=invoice, payment=payment)
    with transaction.atomic():
        ids = queuer.flush()
        if kick and ids:
            _kick(ids)
    return ids


def _invoice_filter(rule: MessageRule, today: datetime.date) -> Q:
    if rule.event == Event.ISSUED:
        # the billing run's invoices (and any one-off whose immediate message was lost): issued today
        # or yesterday, still open
        return Q(issue_date__gte=today - datetime.timedelta(days=1), issue_date__lte=today)
    if rule.event == Event.BEFORE_DUE:
        return Q(due_date=today + datetime.timedelta(days=rule.days))
    if rule.event == Event.DUE_TODAY:
        return Q(due_date=today)
    return Q(due_date=today - datetime.timedelta(days=rule.days))  # OVERDUE


def daily_rule(rule: MessageRule, *, queuer: Queuer, progress=None) -> None:
    """One invoice rule's messages of the day (the daily task runs one per rule, so rules spread
    over the workers): the open invoices issued today (or yesterday), due in N days, due today or
    N days overdue, in the rule's branch (or every branch without a rule of its own), that have no
    message of this rule yet — chosen in one query, then rendered and written by chunks."""
    today = queuer.env.today
    qs = Invoice.objects.filter(_invoice_filter(rule, today), status__in=OPEN_STATUSES)
    if rule.branch_id:
        qs = qs.filter(branch_id=rule.branch_id)
    elif overridden := queuer.book.overrides.get((rule.event, rule.days)):
        qs = qs.exclude(branch_id__in=overridden)
    # the set-based "not sent yet": a rerun renders nothing (the unique key still guards the write)
    qs = qs.exclude(Exists(Message.objects.filter(rule=rule, invoice_id=OuterRef("pk"))))
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    wallets = _Wallets()
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        for invoice in _invoice_queryset().filter(pk__in=part).order_by("pk"):
            wallets.attach(invoice)
            queuer.add(rule, f"invoice:{invoice.pk}", invoice.customer, invoice=invoice)
        queuer.flush()
        if progress:
            progress(len(part))
    queuer.flush()


def daily_rule_run(*, rule_id: int, today: datetime.date | None = None, kick: bool = True) -> dict:
    """``daily_rule`` for one rule by id (the body of the per-rule task)."""
    queuer = Queuer.load(today)
    rule = next((r for r in queuer.book.rules if r.pk == rule_id and r.event in INVOICE_EVENTS), None)
    if rule is not None:
        daily_rule(rule, queuer=queuer)
    if kick and queuer.counts["queued"]:
        _kick(None)
    return dict(queuer.counts)


def daily_catch_up(*, today: datetime.date | None = None) -> None:
    """Contract and payment events whose immediate message was lost: contracts notified
    ("Financeiro em atraso") or blocked today, payments received today."""
    book = RuleBook.load()
    today = today or timezone.localdate()
    contract_events = (
        (Event.NOTICE, Q(notified_on=today, contract__access_status=AccessStatus.OVERDUE)),
        (Event.BLOCKED, Q(blocked_on=today, contract__access_status=AccessStatus.AUTOMATIC_BLOCK)),
    )
    for event, condition in contract_events:
        if not book.of(event):
            continue
        for state in CollectionState.objects.filter(condition).select_related("contract"):
            queue_contract_event(state.contract, event, on=today, kick=False)
    if book.of(Event.PAYMENT):
        for payment in Payment.objects.filter(date=today, reversed=False, reversal_of__isnull=True):
            queue_payment_received(payment, kick=False)


def invoice_rule_ids() -> list[int]:
    return [r.pk for r in RuleBook.load().rules if r.event in INVOICE_EVENTS]


def daily_run(*, today: datetime.date | None = None, kick: bool = True, progress=None) -> dict:
    """Every due message of the day, rendered and queued, in this process (idempotent): every
    invoice rule (``daily_rule``), then the catch-up of contract and payment events. The daily
    task does the same spread over the workers, one task per rule."""
    queuer = Queuer.load(today)
    for rule in [r for r in queuer.book.rules if r.event in INVOICE_EVENTS]:
        daily_rule(rule, queuer=queuer, progress=progress)
    daily_catch_up(today=queuer.env.today)
    counts = dict(queuer.counts)
    if kick:
        _kick(None)
    return counts


# --- Operator actions --------------------------------------------------------------------------


def message_resend(*, actor: Actor, message: Message) -> Message:
    """Send ``message`` again (by hand): back to the queue, its attempts and automatic re-queues
    reset; SMS/WhatsApp wait for the end of the quiet hours."""
    settings_row = MessagingSettings.load()
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        now = timezone.now()
        locked.status = MessageStatus.QUEUED
        locked.attempts = 0
        locked.last_error = ""
        locked.failed_at = None
        locked.permanent_failure = False
        locked.recoveries = 0
        locked.next_attempt_at = (
            now if locked.channel == Channel.EMAIL else after_quiet_hours(now, settings_row)
        )
        locked.save(
            update_fields=[
                *("status", "attempts", "last_error", "next_attempt_at"),
                *("failed_at", "permanent_failure", "recoveries"),
            ]
        )
        _kick([locked.pk])
    message.refresh_from_db()
    return message


def rule_save(rule: MessageRule, *, actor: Actor) -> MessageRule:
    """Save a rule after checking that its templates compile (the error names the field)."""
    if errors := rendering.check_templates(rule):
        raise ValidationError(errors)
    return object_save(rule, actor=actor)


def rule_preview(*, rule: MessageRule, invoice: Invoice) -> rendering.Rendered:
    """The rule's parts rendered with a real invoice (before saving)."""
    if errors := rendering.check_templates(rule):
        raise ValidationError(errors)
    env = rendering.RenderEnv.load()
    invoice = _invoice_queryset().get(pk=invoice.pk)
    extra: dict[str, object] = {}
    if rule.event == Event.PAYMENT:
        payment = invoice.payments.order_by("-date", "-id").first()
        if payment is not None:
            extra["payment"] = payment
    if rule.event == Event.TRUST_UNLOCK:
        extra["trust_until"] = env.today
    context = rendering.context_for(
        env, customer=invoice.customer, invoice=invoice, contract=invoice.contract, **extra
    )
    rendered = rendering.render(env, rule, context)
    rendered.html = rendered.html or rendering.text_as_html(rendered.text)
    return rendered


def preference_save(
    *, actor: Actor, customer, no_email: bool, no_sms: bool, no_whatsapp: bool
) -> ContactPreference:
    """The customer's opt-outs ("não enviar cobrança por e-mail / SMS / WhatsApp")."""
    with transaction.atomic():
        pref = ContactPreference.objects.select_for_update().filter(customer=customer).first()
        pref = pref or ContactPreference(customer=customer)
        pref.no_email, pref.no_sms, pref.no_whatsapp = no_email, no_sms, no_whatsapp
        return object_save(pref, actor=actor)


def ensure_default_rules() -> int:
    """Create the default régua (``defaults.DEFAULT_RULES``) when the installation has no rule at
    all; returns how many were created."""
    if MessageRule.objects.exists():
        return 0
    MessageRule.objects.bulk_create(MessageRule(**values) for values in DEFAULT_RULES)
    return len(DEFAULT_RULES)
