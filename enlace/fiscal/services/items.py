"""The NFCom items of an invoice and their classification and taxes (docs/fiscal.md, "Items").

Rules:

- **classification**: the plan's (or the product's) fiscal profile, field by field; an empty field
  takes the branch's default (``FiscalSettings``). The ICMS group follows the branch's regime:
  Simples Nacional (CRT 1 or 2) informs ICMSSN and no PIS/COFINS (paid in the DAS).
- **CFOP** out of the state: when the recipient's state differs from the emitter's, a CFOP of the
  state (5xxx) becomes the interstate one (6xxx).
- **monthly fee** (a recurring invoice of a contract): one item, the plan's name and the usage
  period; its value is the contract's price and its discount (``vDesc``) the contract's discount.
  The pro-rata first invoice (the activation date within the period or the month before it)
  charges both for the days used: the usage period starts at the activation date, the value is
  the price × days / days in the month, and the discount what makes the item's net the invoice's
  amount. An amount that matches neither (edited by hand) is billed as it is, without discount.
- **installation fee** (the contract's one-off instalment invoices): one item with the
  installation cClass (the plan's, else the branch's) and the plan's taxes.
- **sale**: the sale's items with their products' profiles; an instalment of a sale in several
  bills each item's share (quantity 1, value and discount × the instalment's share of the total;
  the last item takes the cents the rounding leaves, so the items add up to the invoice).
- **any other invoice**: one item with its description and the plan's (or the branch's)
  classification.

The invoice's ``discount`` (taken off only when paid by the due date) is not a fiscal discount:
the NFCom is issued before anyone knows whether it will be paid on time.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from enlace.billing.models import Invoice
from enlace.contracts.models import Contract

from ..models import FiscalSettings, PlanFiscalProfile, ProductFiscalProfile
from ..nfcom import build

CENT = Decimal("0.01")
ZERO = Decimal("0")


def _cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def _pick(profile, fiscal: FiscalSettings, name: str):
    value = getattr(profile, name, None) if profile is not None else None
    return getattr(fiscal, name) if value in (None, "") else value


def classification(
    fiscal: FiscalSettings, profile=None, *, interstate: bool = False, installation: bool = False
) -> tuple[str, str, build.Taxes]:
    """(cClass, CFOP, taxes) of an item: the profile's fields over the branch's defaults."""
    if installation:
        cclass = getattr(profile, "installation_cclass", "") or fiscal.installation_cclass
    else:
        cclass = _pick(profile, fiscal, "cclass")
    cfop = _pick(profile, fiscal, "cfop")
    if interstate and cfop.startswith("5"):
        cfop = "6" + cfop[1:]
    taxes = build.Taxes(
        simples=fiscal.crt in ("1", "2"),
        icms_cst=_pick(profile, fiscal, "icms_cst"),
        icms_rate=_pick(profile, fiscal, "icms_rate"),
        pis_rate=_pick(profile, fiscal, "pis_rate"),
        cofins_rate=_pick(profile, fiscal, "cofins_rate"),
        fust_rate=_pick(profile, fiscal, "fust_rate"),
        funttel_rate=_pick(profile, fiscal, "funttel_rate"),
        ibs_cbs=fiscal.ibs_cbs,
        ibs_cbs_class=_pick(profile, fiscal, "ibs_cbs_class"),
        ibs_uf_rate=_pick(profile, fiscal, "ibs_rate"),
        cbs_rate=_pick(profile, fiscal, "cbs_rate"),
    )
    return cclass, cfop, taxes


def plan_profile(plan) -> PlanFiscalProfile | None:
    return PlanFiscalProfile.objects.filter(plan=plan).first() if plan is not None else None


def _period(invoice: Invoice):
    """(first day, last day, pro-rata start or None) of a recurring invoice's period."""
    if not invoice.period:
        return None, None, None
    year, month = (int(x) for x in invoice.period.split("-"))
    first = datetime.date(year, month, 1)
    last = first.replace(day=calendar.monthrange(year, month)[1])
    return first, last, _pro_rata_start(invoice, first, last)


def usage_period(invoice: Invoice) -> tuple[datetime.date | None, datetime.date | None]:
    """(first day, last day) of what a recurring invoice charges: its period, from the activation
    date on a pro-rata first invoice; (None, None) for an invoice without a period."""
    first, last, start = _period(invoice)
    return start or first, last


def _pro_rata_start(invoice: Invoice, first: datetime.date, last: datetime.date) -> datetime.date | None:
    """The activation date when ``invoice`` is the contract's pro-rata first invoice: activated
    within the period or the month before it, and its amount is the monthly amount × days / days
    in the month (the billing run's rule); else None."""
    contract = invoice.contract
    if contract is None or contract.activation_date is None:
        return None
    activation = contract.activation_date
    previous_start = (first - datetime.timedelta(days=1)).replace(day=1)
    if not previous_start <= activation <= last:
        return None
    monthly = contract.monthly_amount or ZERO
    days = (last - activation).days + 1
    days_in_month = (last - first).days + 1
    if days == days_in_month or invoice.amount == monthly:
        return None
    return activation if _cents(monthly * days / days_in_month) == invoice.amount else None


def _monthly_fee(invoice: Invoice, contract: Contract, fiscal, profile, interstate: bool) -> build.Item:
    plan = contract.plan
    first, last, start = _period(invoice)
    price = contract.effective_price or ZERO
    discount = min(contract.discount or ZERO, price)
    gross, vdesc = price, discount
    if start and first and last:  # pro rata: price and discount for the days used
        gross = _cents(price * ((last - start).days + 1) / ((last - first).days + 1))
        vdesc = gross - invoice.amount
        first = start
    elif price - discount != invoice.amount:
        gross, vdesc = invoice.amount, ZERO  # an amount set by hand: billed as it is
    if vdesc < 0:
        gross, vdesc = invoice.amount, ZERO
    cclass, cfop, taxes = classification(fiscal, profile, interstate=interstate)
    name = plan.name if plan else invoice.description or _("Communication services")
    description = _("Monthly fee %(plan)s") % {"plan": name}
    if first and last:
        description = f"{description} {first:%d/%m/%Y}-{last:%d/%m/%Y}"
    return build.Item(
        code=f"P{plan.pk}" if plan else f"F{invoice.pk}",
        description=description,
        cclass=cclass,
        cfop=cfop,
        unit_value=gross,
        discount=vdesc,
        taxes=taxes,
    )


def _sale_items(invoice: Invoice, sale, fiscal, interstate: bool) -> list[build.Item]:
    lines = list(sale.items.select_related("product"))
    profiles = {
        p.product_id: p
        for p in ProductFiscalProfile.objects.filter(product__in=[i.product_id for i in lines])
    }
    total = sum((line.total for line in lines), ZERO)
    share = Decimal(1) if not total or invoice.amount == total else invoice.amount / total
    items = []
    for line in lines:
        cclass, cfop, taxes = classification(fiscal, profiles.get(line.product_id), interstate=interstate)
        if share == 1:
            quantity, unit, discount = line.quantity, line.unit_price, _cents(line.discount or ZERO)
        else:
            quantity, unit, discount = (
                Decimal(1),
                _cents(line.gross * share),
                _cents((line.discount or 0) * share),
            )
        items.append(
            build.Item(
                code=f"S{line.product_id}",
                description=line.product.name,
                cclass=cclass,
                cfop=cfop,
                unit_value=unit,
                quantity=Decimal(quantity),
                discount=discount,
                taxes=taxes,
            )
        )
    if items:
        rest = invoice.amount - sum((i.base for i in items), ZERO)
        last = items[-1]
        if rest and share != 1:
            last.unit_value += rest  # the cents the rounding left
        if sum((i.base for i in items), ZERO) != invoice.amount:
            return []  # the sale changed since its invoice: bill the invoice as one item
    return items


def invoice_items(invoice: Invoice, fiscal: FiscalSettings, *, recipient_uf: str) -> list[build.Item]:
    """The items of ``invoice``'s NFCom (see the module's rules)."""
    contract = invoice.contract
    plan = contract.plan if contract else None
    profile = plan_profile(plan)
    interstate = bool(recipient_uf) and recipient_uf != fiscal.city.state.abbr
    sale_link = getattr(invoice, "sale_link", None)  # the invoice of a sale's instalment
    if sale_link is not None:
        items = _sale_items(invoice, sale_link.sale, fiscal, interstate)
        if items:
            return items
    if invoice.installation_instalment and contract is not None:
        cclass, cfop, taxes = classification(fiscal, profile, interstate=interstate, installation=True)
        return [
            build.Item(
                code=f"I{contract.pk}",
                description=invoice.description or _("Installation fee"),
                cclass=cclass,
                cfop=cfop,
                unit_value=invoice.amount,
                taxes=taxes,
            )
        ]
    if invoice.kind == "recurring" and contract is not None:
        return [_monthly_fee(invoice, contract, fiscal, profile, interstate)]
    cclass, cfop, taxes = classification(fiscal, profile, interstate=interstate)
    return [
        build.Item(
            code=f"F{invoice.pk}",
            description=invoice.description or (plan.name if plan else _("Communication services")),
            cclass=cclass,
            cfop=cfop,
            unit_value=invoice.amount,
            taxes=taxes,
        )
    ]
