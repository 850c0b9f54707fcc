"""Shared data of the finance PDFs: Brazilian formatting (dates, addresses; money is
``enlace.core.money.brl``) and what a boleto / carnê slip prints of an invoice (:class:`Slip`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.billing import boleto
from enlace.billing.models import Invoice, InvoiceStatus
from enlace.billing.selectors import amount_due, invoice_pix
from enlace.billing.services.invoices import invoice_boleto
from enlace.core.models import Wallet
from enlace.core.money import brl, cents
from enlace.core.validators import format_cnpj
from enlace.customers.validators import format_cep, format_document

# --- Formatting -------------------------------------------------------------------------------


def percent(value) -> str:
    """``2,00%``."""
    return f"{Decimal(value):.2f}".replace(".", ",") + "%"


def date_br(value) -> str:
    """``dd/mm/yyyy``; a datetime in local time; empty for ``None``."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%d/%m/%Y")


def period_br(period: str) -> str:
    """``2026-12`` → ``12/2026``."""
    if len(period or "") == 7 and period[4] == "-":
        return f"{period[5:]}/{period[:4]}"
    return period or ""


def address_lines(street, number, complement, neighborhood, cep, city) -> list[str]:
    """Up to two lines: street, number, complement, neighbourhood / CEP, city/UF."""
    first = " – ".join(
        p for p in (", ".join(p for p in (street, number) if p), complement, neighborhood) if p
    )
    place = f"{city.name}/{city.state.abbr}" if city is not None else ""
    second = " – ".join(p for p in (f"CEP {format_cep(cep)}" if cep else "", place) if p)
    return [line for line in (first, second) if line]


def branch_address(branch) -> list[str]:
    return address_lines(
        branch.street,
        branch.number,
        branch.complement,
        branch.neighborhood,
        branch.cep,
        branch.city if branch.city_id else None,
    )


def customer_address(customer) -> list[str]:
    """The billing address ("endereço de cobrança") when filled, else the main address."""
    if customer.billing_street or customer.billing_city_id:
        return address_lines(
            customer.billing_street,
            customer.billing_number,
            customer.billing_complement,
            customer.billing_neighborhood,
            customer.billing_cep,
            customer.billing_city if customer.billing_city_id else None,
        )
    return address_lines(
        customer.street,
        customer.number,
        customer.complement,
        customer.neighborhood,
        customer.cep,
        customer.city if customer.city_id else None,
    )


def customer_document(customer) -> str:
    return format_document(customer.person_type, customer.cpf_cnpj)


def cnpj_display(value: str) -> str:
    try:
        return format_cnpj(value)
    except Exception:  # noqa: BLE001 - a stored value that does not format is shown as it is
        return value or ""


# --- What a slip prints -----------------------------------------------------------------------


@dataclass
class Slip:
    """Everything a boleto / carnê slip prints of one invoice, already formatted."""

    invoice: Invoice
    bank_code: str
    bank_name: str
    bank_code_display: str
    barcode: str
    digitable_line: str
    beneficiary: str
    beneficiary_document: str
    beneficiary_address: list[str]
    beneficiary_code: str
    payer: str
    payer_document: str
    payer_address: list[str]
    due_date: str
    issue_date: str
    processing_date: str
    document_number: str
    nosso_numero: str
    carteira: str
    amount: str
    discount: str
    instructions: list[str]
    statement: list[str]
    pix_payload: str
    stamp: str = ""
    extra: dict = field(default_factory=dict)
    # After the due date (an open invoice printed today): "(+) Late interest / fine" and
    # "(=) Amount charged" of today, as the PIX of the slip charges (issue 16, item 6).
    late: str = ""
    charged: str = ""

    @property
    def has_boleto(self) -> bool:
        return len(self.barcode) == 44

    @property
    def has_pix(self) -> bool:
        return bool(self.pix_payload)


def prepare(invoices) -> list[Invoice]:
    """``invoices`` (one invoice, a list or a queryset) as a list, with what the slips read
    fetched in one query for a queryset."""
    if isinstance(invoices, Invoice):
        return [invoices]
    if isinstance(invoices, QuerySet):
        invoices = invoices.select_related(
            "customer__city__state",
            "customer__billing_city__state",
            "branch__city__state",
            "wallet",
        )
    result = list(invoices)
    if not result:
        raise ValueError("no invoices to print")
    return result


def _beneficiary_code(invoice: Invoice) -> str:
    """ "Agência / código do beneficiário" as the bank's layout prints it (recomputed from the wallet
    with the pure boleto core; the invoice stores the barcode, not this display)."""
    wallet = invoice.wallet
    if invoice.barcode and wallet.bank_code in boleto.BANKS and invoice.nosso_numero:
        try:
            return invoice_boleto(invoice).beneficiary_code_display
        except (boleto.BoletoError, TypeError):
            pass
    agency = "-".join(p for p in (wallet.agency, wallet.agency_digit) if p)
    code = wallet.convenio or "-".join(p for p in (wallet.account, wallet.account_digit) if p)
    return f"{agency} / {code}"


def instructions(invoice: Invoice) -> list[str]:
    """The wallet's instructions, then the discount, fine and interest the invoice carries."""
    wallet = invoice.wallet
    lines = [line.strip() for line in (wallet.instructions or "").splitlines() if line.strip()]
    if invoice.discount:
        lines.append(
            _("Up to the due date, grant a discount of %(amount)s.") % {"amount": brl(invoice.discount)}
        )
    fine_pct = min(wallet.fine_percent or 0, Wallet.MAX_FINE)
    interest_pct = min(wallet.interest_percent_month or 0, Wallet.MAX_INTEREST)
    if fine_pct:
        lines.append(
            _("After the due date, charge a fine of %(percent)s (%(amount)s).")
            % {"percent": percent(fine_pct), "amount": brl(cents(invoice.amount * fine_pct / 100))}
        )
    if interest_pct:
        lines.append(
            _("After the due date, charge interest of %(percent)s a month (%(amount)s a day).")
            % {
                "percent": percent(interest_pct),
                "amount": brl(cents(invoice.amount * interest_pct / 100 / 30)),
            }
        )
    return lines


def statement(invoice: Invoice) -> list[str]:
    """What the invoice is for ("demonstrativo")."""
    lines = [invoice.description or _("Invoice %(number)s") % {"number": invoice.pk}]
    details = []
    if invoice.period:
        details.append(_("Period %(period)s") % {"period": period_br(invoice.period)})
    if invoice.contract_id:
        details.append(_("Contract %(number)s") % {"number": invoice.contract_id})
    if invoice.paid_amount and invoice.is_open:
        details.append(
            _("Already paid %(paid)s; balance %(balance)s")
            % {"paid": brl(invoice.paid_amount), "balance": brl(invoice.balance)}
        )
    if details:
        lines.append(" · ".join(str(d) for d in details))
    return lines


def stamp(invoice: Invoice) -> str:
    """A word printed across a slip that must not be paid."""
    if invoice.renegotiated:
        return _("RENEGOTIATED")
    if invoice.status == InvoiceStatus.CANCELLED:
        return _("CANCELLED")
    if invoice.status == InvoiceStatus.RECEIVED:
        return _("PAID")
    return ""


def slip_of(invoice: Invoice) -> Slip:
    wallet = invoice.wallet
    branch = invoice.branch
    customer = invoice.customer
    bank = boleto.BANKS.get(wallet.bank_code)
    has_barcode = len(invoice.barcode or "") == 44 and len(invoice.digitable_line or "") == 47
    today = timezone.localdate()
    overdue = invoice.is_open and today > invoice.due_date
    due = amount_due(invoice, today) if overdue else None
    pix_payload = invoice_pix(invoice, today)[0] if invoice.pix_payload else ""
    return Slip(
        invoice=invoice,
        bank_code=wallet.bank_code,
        bank_name=bank.name if bank else wallet.bank_name or wallet.bank_code,
        bank_code_display=bank.code_display if bank else wallet.bank_code,
        barcode=invoice.barcode if has_barcode else "",
        digitable_line=boleto.format_digitable_line(invoice.digitable_line) if has_barcode else "",
        beneficiary=branch.legal_name or branch.name,
        beneficiary_document=cnpj_display(branch.cnpj),
        beneficiary_address=branch_address(branch),
        beneficiary_code=_beneficiary_code(invoice),
        payer=customer.name,
        payer_document=customer_document(customer),
        payer_address=customer_address(customer),
        due_date=date_br(invoice.due_date),
        issue_date=date_br(invoice.issue_date),
        processing_date=date_br(invoice.created_at or timezone.now()),
        document_number=str(invoice.pk or ""),
        nosso_numero=invoice.nosso_numero_display or str(invoice.nosso_numero or ""),
        carteira=wallet.carteira,
        amount=brl(invoice.amount),
        discount=brl(invoice.discount) if invoice.discount else "",
        instructions=instructions(invoice),
        statement=statement(invoice),
        pix_payload=pix_payload,
        stamp=stamp(invoice),
        late=brl(due["fine"] + due["interest"]) if due else "",
        charged=brl(due["total"]) if due else "",
    )
