"""Writers of products and sales (SPEC V-1 … V-3). Each function is one transaction.

Rules:

- a sale lives in its customer's branch; its contract, when given, is one of the customer's;
  salesperson and payment condition default to the customer's "vendedor padrão" and condition;
- items are given as a list of dicts (``product``, ``quantity``, ``unit_price``, ``discount`` and,
  to edit an existing item, its ``id``); ``unit_price`` defaults to the product's price. Totals
  are computed exactly in ``Decimal`` (each item rounded to cents, ``ROUND_HALF_UP``);
- a closed sale cannot be changed (values, items, customer) nor deleted: "Alterar"
  (``sale_set_status``, permission ``sales.change_sale_status``) opens it again; it is told the
  status wanted and refuses one the sale already has (a double submit changes nothing twice);
- an item id appears at most once in an update; once its receivables exist, a (reopened) sale
  keeps its customer and contract (the invoices bill them);
- "Finalizar venda" (``sale_finish``) closes an open sale and, when asked, generates its
  receivables by the payment condition's instalments — once: the sale remembers it (and the
  database refuses a second receivable for the same instalment), so finishing again after a
  reopen generates nothing. Reopening keeps the receivables already generated (docs/sales.md).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import ModelChoiceField
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.contracts.models import ContractHistory
from enlace.contracts.services import history_add
from enlace.core.exceptions import ApplicationError, PermissionDeniedError
from enlace.core.models import Wallet
from enlace.core.money import ZERO, brl, cents, split_instalments
from enlace.core.services import object_delete, object_save, operator_of
from enlace.core.types import Actor

from .models import Product, Sale, SaleItem, SaleReceivable, SaleStatus

STATUS_PERMISSION = "sales.change_sale_status"
SALE_FIELDS = ("customer", "contract", "date", "salesperson", "payment_condition", "notes")


# --- Products ---------------------------------------------------------------------------------


def product_save(product: Product, *, actor: Actor) -> Product:
    """Create or change a product (no rules beyond the model's)."""
    return object_save(product, actor=actor)


# --- Totals -----------------------------------------------------------------------------------


def item_total(quantity, unit_price, discount=ZERO) -> Decimal:
    """``quantity × unit price − discount``, the product rounded to cents (ROUND_HALF_UP)."""
    return cents(Decimal(quantity) * Decimal(unit_price)) - cents(discount)


def sale_total(items) -> Decimal:
    return sum((item_total(i.quantity, i.unit_price, i.discount) for i in items), ZERO)


# --- Sales ------------------------------------------------------------------------------------


def _closed_error() -> ApplicationError:
    return ApplicationError(
        _("The sale is closed and cannot be changed; change its status to open first (“Change status”)."),
        code="sale_closed",
    )


def _decimal(value, field: str, index: int) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(
            {"items": [_("Item %(n)s: invalid %(field)s.") % {"n": index, "field": field}]}
        ) from None


def _build_items(sale: Sale, items, existing: dict[int, SaleItem]) -> list[SaleItem]:
    """Item instances for ``items`` (validated, not saved)."""
    if not items:
        raise ValidationError({"items": [_("Add at least one item.")]})
    built = []
    seen: dict[int, int] = {}
    for index, data in enumerate(items, start=1):
        data = dict(data)
        item_id = data.pop("id", None)
        if item_id:
            if item_id not in existing:
                raise ValidationError(
                    {"items": [_("Item %(n)s is not an item of this sale.") % {"n": index}]}
                )
            if item_id in seen:
                raise ValidationError(
                    {
                        "items": [
                            _("Item %(n)s repeats item %(first)s (%(item)s, id %(id)s); each item once.")
                            % {"n": index, "first": seen[item_id], "item": existing[item_id], "id": item_id}
                        ]
                    }
                )
            seen[item_id] = index
            item = existing[item_id]
        else:
            item = SaleItem(sale=sale)
        product = data.get("product", item.product if item.pk else None)
        if product is None:
            raise ValidationError({"items": [_("Item %(n)s: choose the product.") % {"n": index}]})
        if not isinstance(product, Product):
            product = Product.objects.filter(pk=product).first()
            if product is None:
                raise ValidationError({"items": [_("Item %(n)s: unknown product.") % {"n": index}]})
        if not item.pk and not product.active:
            raise ValidationError({"items": [_("Item %(n)s: the product is not active.") % {"n": index}]})
        item.product = product
        quantity = data.get("quantity", item.quantity if item.pk else Decimal("1"))
        unit_price = data.get("unit_price")
        if unit_price in (None, ""):
            unit_price = item.unit_price if item.pk and "product" not in data else product.price
        discount = data.get("discount")
        if discount in (None, ""):
            discount = item.discount if item.pk else ZERO
        item.quantity = _decimal(quantity, _("quantity"), index)
        item.unit_price = _decimal(unit_price, _("unit price"), index)
        item.discount = _decimal(discount, _("discount"), index)
        if item.quantity <= 0:
            raise ValidationError(
                {"items": [_("Item %(n)s: the quantity must be greater than zero.") % {"n": index}]}
            )
        if item.unit_price < 0 or item.discount < 0:
            raise ValidationError(
                {"items": [_("Item %(n)s: prices and discounts cannot be negative.") % {"n": index}]}
            )
        if cents(item.discount) > cents(item.quantity * item.unit_price):
            raise ValidationError(
                {
                    "items": [
                        _("Item %(n)s: the discount (%(discount)s) exceeds the item's value (%(value)s).")
                        % {
                            "n": index,
                            "discount": brl(item.discount),
                            "value": brl(item.quantity * item.unit_price),
                        }
                    ]
                }
            )
        built.append(item)
    return built


def _apply_sale(sale: Sale, data: dict) -> None:
    unknown = set(data) - set(SALE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    for name, value in data.items():
        setattr(sale, name, value)
    customer = sale.customer
    if customer.is_lead:
        raise ValidationError({"customer": [_("A lead cannot buy; convert it to a customer first.")]})
    sale.branch_id = customer.branch_id
    if sale.contract is not None and sale.contract.customer_id != customer.pk:
        raise ValidationError({"contract": [_("The contract belongs to another customer.")]})
    if sale.salesperson is not None and not sale.salesperson.is_salesperson:
        raise ValidationError({"salesperson": [_("The employee is not a salesperson.")]})


def _save_items(sale: Sale, items: list[SaleItem], existing: dict[int, SaleItem], actor: Actor) -> None:
    keep = {item.pk for item in items if item.pk}
    for pk, item in existing.items():
        if pk not in keep:
            object_delete(item, actor=actor)
    for item in items:
        item.sale = sale
        object_save(item, actor=actor)
    sale.total = sale_total(items)
    object_save(sale, actor=actor)


def sale_create(*, actor: Actor, items, **data) -> Sale:
    """A new open sale with its items (V-2 "Novo")."""
    customer = data.get("customer")
    if customer is None:
        raise ValidationError({"customer": [_("Choose the customer.")]})
    data.setdefault("salesperson", customer.salesperson)
    data.setdefault("payment_condition", customer.payment_condition)
    sale = Sale(status=SaleStatus.OPEN)
    with transaction.atomic():
        _apply_sale(sale, data)
        built = _build_items(sale, items, {})
        sale.total = sale_total(built)
        object_save(sale, actor=actor)
        _save_items(sale, built, {}, actor)
    return sale


def sale_update(*, actor: Actor, sale: Sale, items=None, **data) -> Sale:
    """Change an open sale and, when ``items`` is given, replace its items (those with an ``id``
    are edited, those without are added, the missing ones removed) — in one transaction. A closed
    sale is refused (code ``sale_closed``)."""
    with transaction.atomic():
        locked = Sale.objects.select_for_update().get(pk=sale.pk)
        if not locked.is_open:
            raise _closed_error()
        customer_id, contract_id = locked.customer_id, locked.contract_id
        _apply_sale(locked, data)
        moved = [
            name
            for name, before in (("customer", customer_id), ("contract", contract_id))
            if getattr(locked, f"{name}_id") != before
        ]
        if moved and locked.receivables.exists():
            raise ApplicationError(
                _("The sale's receivables were generated; its customer and contract cannot be changed."),
                code="has_receivables",
                field=moved[0],
            )
        existing = {item.pk: item for item in locked.items.select_related("product")}
        if items is not None:
            built = _build_items(locked, items, existing)
        else:
            built = list(existing.values())
            existing = {}
        _save_items(locked, built, existing, actor)
    _refresh(sale, locked)
    return sale


def sale_delete(*, actor: Actor, sale: Sale) -> None:
    """Delete an open sale and its items (V-2 "Excluir"); every row removed is in the audit trail.
    A closed sale, or one whose receivables were generated, is refused."""
    with transaction.atomic():
        locked = Sale.objects.select_for_update().get(pk=sale.pk)
        if not locked.is_open:
            raise _closed_error()
        if locked.receivables.exists():
            raise ApplicationError(
                _("The sale's receivables were generated; it cannot be deleted."), code="has_receivables"
            )
        for item in list(locked.items.all()):
            object_delete(item, actor=actor)
        label = str(locked)
        customer, contract = locked.customer, locked.contract
        total = locked.total
        object_delete(locked, actor=actor)
        _history(
            actor,
            customer,
            contract,
            _("%(sale)s deleted (total %(total)s).") % {"sale": label, "total": brl(total)},
        )


def sale_set_status(*, actor: Actor, sale: Sale, status: str, reason: str = "") -> Sale:
    """ "Alterar" (V-2): closed ↔ open, with its own permission and a history entry. Closing this
    way generates no receivables (that is "Finalizar venda")."""
    if actor is not None and not actor.has_perm(STATUS_PERMISSION):
        raise PermissionDeniedError(_("You may not change the status of sales."))
    if status not in SaleStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Sale.objects.select_for_update().get(pk=sale.pk)
        if locked.status == status:
            raise ApplicationError(
                _("The sale is already %(status)s.") % {"status": locked.get_status_display().lower()},
                code="invalid_transition",
            )
        before = locked.get_status_display()
        locked.status = status
        locked.closed_at = timezone.now() if status == SaleStatus.CLOSED else None
        object_save(locked, actor=actor)
        text = _("%(sale)s: status changed from %(before)s to %(after)s.") % {
            "sale": locked,
            "before": before,
            "after": locked.get_status_display(),
        }
        if reason:
            text = f"{text} {_('Reason')}: {reason}"
        _history(actor, locked.customer, locked.contract, text)
    _refresh(sale, locked)
    return sale


def sale_reopen(*, actor: Actor, sale: Sale, reason: str = "") -> Sale:
    return sale_set_status(actor=actor, sale=sale, status=SaleStatus.OPEN, reason=reason)


def sale_finish(
    *,
    actor: Actor,
    sale: Sale,
    generate_receivables: bool = False,
    wallet: Wallet | None = None,
    today: datetime.date | None = None,
) -> Sale:
    """ "Finalizar venda" (V-2, V-3): an open sale with items is closed; with
    ``generate_receivables`` its total becomes one-off invoices by its payment condition (see
    ``plan_instalments``), in ``wallet`` or the one ``default_wallet`` finds. Generated once only:
    a sale whose receivables exist generates none again."""
    today = today or timezone.localdate()
    if (
        wallet is not None
        and actor is not None
        and not Wallet.objects.restrict(actor).filter(pk=wallet.pk).exists()
    ):
        # Another branch's wallet is reported exactly as a missing one (no hint that it exists).
        raise ValidationError({"wallet": [ModelChoiceField.default_error_messages["invalid_choice"]]})
    with transaction.atomic():
        locked = Sale.objects.select_for_update().get(pk=sale.pk)
        if not locked.is_open:
            raise ApplicationError(_("The sale is already closed."), code="invalid_transition")
        items = list(locked.items.all())
        if not items:
            raise ApplicationError(_("A sale without items cannot be finished."), code="no_items")
        locked.total = sale_total(items)
        locked.status = SaleStatus.CLOSED
        locked.closed_at = timezone.now()
        text = _("%(sale)s finished, total %(total)s.") % {"sale": locked, "total": brl(locked.total)}
        generated = []
        if generate_receivables and not locked.receivables_generated:
            generated = _generate_receivables(locked, actor=actor, wallet=wallet, today=today)
            locked.receivables_generated = True
            text += " " + _("Receivables generated: %(count)s.") % {"count": len(generated)}
        object_save(locked, actor=actor)
        _history(actor, locked.customer, locked.contract, text)
    _refresh(sale, locked)
    return sale


def plan_instalments(total: Decimal, condition, start: datetime.date) -> list[tuple[datetime.date, Decimal]]:
    """(due date, amount) of each instalment of ``total`` by ``condition`` (one at ``start``
    without a condition): the first due ``first_due_days`` after ``start``, then every
    ``days_between`` days; equal parts rounded down to cents, the remainder in the first one."""
    count = condition.instalments if condition else 1
    first_days = condition.first_due_days if condition else 0
    between = condition.days_between if condition else 30
    amounts = split_instalments(total, count)
    return [(start + datetime.timedelta(days=first_days + n * between), amounts[n]) for n in range(count)]


def default_wallet(sale: Sale) -> Wallet | None:
    """The wallet of the sale's receivables when none is chosen: its contract's; else that of the
    customer's most recent contract with an active wallet of the sale's branch; else the branch's
    only active wallet; else none (the operator must choose)."""
    wallets = Wallet.objects.filter(active=True, branch_id=sale.branch_id)
    if sale.contract is not None and wallets.filter(pk=sale.contract.wallet_id).exists():
        return sale.contract.wallet
    contract = (
        sale.customer.contracts.filter(wallet__in=wallets).select_related("wallet").order_by("-id").first()
    )
    if contract is not None:
        return contract.wallet
    found = list(wallets[:2])
    return found[0] if len(found) == 1 else None


def _generate_receivables(sale: Sale, *, actor: Actor, wallet, today) -> list:
    from enlace.billing.services.invoices import invoice_create

    if sale.receivables.exists():
        return []
    if sale.total <= ZERO:
        raise ValidationError({"generate_receivables": [_("A sale with total zero has no receivables.")]})
    wallet = wallet or default_wallet(sale)
    if wallet is None:
        raise ValidationError({"wallet": [_("Choose the wallet of the receivables.")]})
    plan = plan_instalments(sale.total, sale.payment_condition, today)
    if any(amount <= ZERO for _due, amount in plan):
        raise ValidationError(
            {"payment_condition": [_("The total is too small for the payment condition's instalments.")]}
        )
    analytic = next(
        (i.product.analytic_account for i in sale.items.all() if i.product.analytic_account_id), None
    )
    invoices = []
    for number, (due_date, amount) in enumerate(plan, start=1):
        invoice = invoice_create(
            actor=actor,
            customer=sale.customer,
            contract=sale.contract,
            wallet=wallet,
            due_date=due_date,
            amount=amount,
            analytic_account=analytic,
            description=_("Sale %(id)s — instalment %(n)s/%(count)s")
            % {"id": sale.pk, "n": number, "count": len(plan)},
        )
        SaleReceivable.objects.create(
            sale=sale, invoice=invoice, instalment=number, created_by=operator_of(actor)
        )
        invoices.append(invoice)
    return invoices


def _history(actor: Actor, customer, contract, text: str) -> None:
    history_add(actor=actor, customer=customer, contract=contract, kind=ContractHistory.Kind.SALE, text=text)


def _refresh(target, source) -> None:
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
