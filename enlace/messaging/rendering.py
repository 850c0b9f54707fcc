"""Rendering a rule's templates (Django's template language) with the variables of docs/messaging.md.

Templates run in an engine of their own with no template loaders: ``{% include %}`` and
``{% extends %}`` find nothing, so a rule reads only the variables it is given. The e-mail's HTML
part is autoescaped; the plain-text, SMS and WhatsApp parts are not (they are not HTML).
"""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass, field

from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.billing import boleto
from enlace.billing.models import BillingSettings
from enlace.billing.selectors import amount_due
from enlace.core.models import GeneralParameters
from enlace.core.money import brl

from .models import MessageRule, MessagingSettings

_HTML = Engine(autoescape=True)
_TEXT = Engine(autoescape=False)

#: The variables a template may use, with what they hold (shown on the rule's page and in the docs).
VARIABLES = {
    "customer_name": _("the customer's name"),
    "invoice_amount": _("the invoice's amount (R$ 1.234,56)"),
    "amount_due": _("the amount due today, with fine and interest or the discount"),
    "due_date": _("the due date (dd/mm/yyyy)"),
    "digitable_line": _("the boleto's linha digitável"),
    "pix_code": _("the PIX copia e cola"),
    "portal_url": _("the subscriber portal's link (parameters)"),
    "company_name": _("the company's name (general parameters)"),
    "suspension_date": _("the date access will be suspended (dd/mm/yyyy)"),
    "invoice_id": _("the invoice's number"),
    "contract_id": _("the contract's number"),
    "payment_amount": _("the payment's amount (payment received)"),
    "payment_date": _("the payment's date (payment received)"),
    "trust_until": _("the end of the trust unlock (trust unlock granted)"),
}


def _d(date: datetime.date | None) -> str:
    return date.strftime("%d/%m/%Y") if date else ""


@dataclass
class RenderEnv:
    """What every message of a run shares: loaded once."""

    today: datetime.date
    company_name: str
    portal_url: str
    notice_days: int
    block_days: int
    compiled: dict = field(default_factory=dict)

    @classmethod
    def load(cls, today: datetime.date | None = None) -> RenderEnv:
        billing = BillingSettings.load()
        return cls(
            today=today or timezone.localdate(),
            company_name=GeneralParameters.load().company_name,
            portal_url=MessagingSettings.load().portal_url,
            notice_days=billing.collection_notice_days,
            block_days=billing.collection_block_days,
        )

    def template(self, source: str, *, as_html: bool):
        key = (source, as_html)
        compiled = self.compiled.get(key)
        if compiled is None:
            compiled = self.compiled[key] = (_HTML if as_html else _TEXT).from_string(source)
        return compiled


def suspension_date(env: RenderEnv, *, due_date=None, notified_on=None) -> datetime.date | None:
    """When access will be suspended: ``collection_block_days`` after the notice (F-9), the notice
    itself coming ``collection_notice_days`` after the oldest due date when not given yet."""
    if notified_on is None:
        if due_date is None:
            return None
        notified_on = max(due_date + datetime.timedelta(days=env.notice_days), env.today)
    return notified_on + datetime.timedelta(days=env.block_days)


def context_for(env: RenderEnv, *, customer, invoice=None, contract=None, payment=None, **extra) -> dict:
    values = {
        "customer_name": customer.name,
        "company_name": env.company_name,
        "portal_url": env.portal_url,
        "contract_id": contract.pk if contract is not None else (invoice.contract_id if invoice else ""),
    }
    if invoice is not None:
        try:
            digitable = boleto.format_digitable_line(invoice.digitable_line) if invoice.digitable_line else ""
        except boleto.BoletoError:
            digitable = invoice.digitable_line
        values.update(
            invoice_id=invoice.pk,
            invoice_amount=brl(invoice.amount),
            # computed only when a template names them (the template language calls a callable)
            amount_due=lambda: brl(amount_due(invoice, env.today)["total"]),
            due_date=_d(invoice.due_date),
            digitable_line=digitable,
            pix_code=invoice.pix_payload,
        )
        values.setdefault("suspension_date", lambda: _d(suspension_date(env, due_date=invoice.due_date)))
    if payment is not None:
        values.update(payment_amount=brl(payment.amount), payment_date=_d(payment.date))
    for name, value in extra.items():
        values[name] = _d(value) if isinstance(value, datetime.date) else value
    for name in VARIABLES:
        values.setdefault(name, "")
    return values


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    short: str


def text_as_html(text: str) -> str:
    """The HTML part of an e-mail whose rule has none: the text, escaped, in paragraphs."""
    return "<p>" + html.escape(text).replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>"


def render(
    env: RenderEnv, rule: MessageRule, context: dict, *, email: bool = True, short: bool = True
) -> Rendered:
    """The rule's parts with ``context`` (the e-mail's and/or the SMS/WhatsApp text); ``html`` is
    empty when the rule has no HTML template (``text_as_html`` makes it at send time)."""
    # the Context, not the Engine, decides escaping when a compiled template renders: plain text
    # must not come out as "D&#x27;Ávila &amp; Filhos"
    plain = Context(context, autoescape=False)
    subject = text = html_part = short_text = ""
    if email:
        subject = " ".join(env.template(rule.subject, as_html=False).render(plain).split())[:255]
        text = env.template(rule.body_text, as_html=False).render(plain).strip()
        if rule.body_html.strip():
            rich = Context(context, autoescape=True)
            html_part = env.template(rule.body_html, as_html=True).render(rich).strip()
    if short:
        source = rule.short_text.strip() or rule.subject
        short_text = " ".join(env.template(source, as_html=False).render(plain).split())
    return Rendered(subject=subject, text=text, html=html_part, short=short_text)


def check_templates(rule: MessageRule) -> dict[str, list[str]]:
    """Field errors of templates that do not compile (the rule's form shows them)."""
    errors: dict[str, list[str]] = {}
    for name, as_html in (
        ("subject", False),
        ("body_text", False),
        ("body_html", True),
        ("short_text", False),
    ):
        try:
            (_HTML if as_html else _TEXT).from_string(getattr(rule, name) or "")
        except TemplateSyntaxError as exc:
            errors[name] = [str(exc)]
    return errors
