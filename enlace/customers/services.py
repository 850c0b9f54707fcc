"""Writers of the customer registry — the only code that creates or changes a ``Customer``.

The web form, the API, imports and tasks call these functions, so each rule is enforced once:

- C-3: CPF/CNPJ validated by ``Customer.clean``; required only when the parameter
  "CNPJ/CPF obrigatório" is on and only for Física/Jurídica (leads are prospects: the rule applies
  when they are converted); a second customer with the same document is refused unless the
  parameter allows it — under a lock, so two operators saving at once cannot both pass the check;
- A-4: the same street, number and neighbourhood as another customer raises
  ``ApplicationError(code="duplicate_address")`` listing them, unless confirmed;
- O-1: the analytic account comes from the parameters when empty;
- C-2: a name longer than the parameter's limit is a warning (``customer.warnings``), not an error;
- K-4: the portal password is hashed with Django's hashers and never returned.

Each function validates everything, then writes in one transaction; a refusal writes nothing.
"""

from __future__ import annotations

import zlib

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from enlace.core import context
from enlace.core.exceptions import ApplicationError
from enlace.core.scope import can_use_branch
from enlace.core.types import Actor

from .models import Customer, CustomerSettings, LeadStage, PersonType

#: Keyword arguments the services accept besides model fields.
PASSWORD_FIELD = "portal_password"  # noqa: S105 - a field name
_WRITABLE = {
    f.name
    for f in Customer._meta.concrete_fields
    if f.editable and f.name not in {"id", "created_at", "updated_at"}
} | {f.attname for f in Customer._meta.concrete_fields if f.is_relation}

# Advisory-lock class id of "customer document" locks on PostgreSQL (any constant int4).
_DOCUMENT_LOCK_CLASS = 0x0C1E


def _apply(customer: Customer, data: dict) -> None:
    unknown = set(data) - _WRITABLE - {PASSWORD_FIELD}
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    for name, value in data.items():
        if name == PASSWORD_FIELD:
            if value:  # empty: keep the current password
                customer.portal_password = make_password(value)
            continue
        setattr(customer, name, "" if value is None and _is_text(name) else value)


def _is_text(name: str) -> bool:
    field = Customer._meta.get_field(name) if name in {f.name for f in Customer._meta.fields} else None
    return field is not None and field.get_internal_type() in {"CharField", "TextField"} and not field.null


def _lock_document(document: str) -> None:
    """Serialise writers of the same CPF/CNPJ until the end of the transaction.

    PostgreSQL: a transaction-level advisory lock on the document's hash. SQLite: writers already
    queue (IMMEDIATE transactions take the database write lock at BEGIN)."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(document.encode()) - 2**31  # int4
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_DOCUMENT_LOCK_CLASS, key])


def duplicate_address_customers(customer: Customer, *, limit: int = 10) -> list[dict]:
    """Other customers with the same street, number and neighbourhood (A-4), as ``{id, name}``."""
    if not customer.address_key:
        return []
    qs = Customer.objects.filter(address_key=customer.address_key)
    if customer.pk:
        qs = qs.exclude(pk=customer.pk)
    return [
        {"id": pk, "name": name} for pk, name in qs.order_by("name", "pk").values_list("pk", "name")[:limit]
    ]


def _check_rules(
    customer: Customer,
    *,
    actor: Actor,
    params: CustomerSettings,
    original: Customer | None,
    confirm_duplicate_address: bool,
) -> list[str]:
    errors: dict[str, list[str]] = {}

    # Branch scope: an operator writes only customers of their branches.
    if actor is not None and customer.branch_id is not None and not can_use_branch(actor, customer.branch_id):
        errors["branch"] = [_("You cannot use this branch.")]

    # C-3: document required only by parameter, only for Física/Jurídica, not for prospects.
    if (
        params.cpf_cnpj_required
        and not customer.is_lead
        and not customer.cpf_cnpj
        and customer.person_type in (PersonType.INDIVIDUAL, PersonType.COMPANY)
    ):
        label = _("CPF") if customer.person_type == PersonType.INDIVIDUAL else _("CNPJ")
        errors["cpf_cnpj"] = [_("%(document)s is required.") % {"document": label}]
    if errors:
        raise ValidationError(errors)

    # C-3: one customer per document unless the parameter allows duplicates.
    document_changed = original is None or original.cpf_cnpj != customer.cpf_cnpj
    if customer.cpf_cnpj and document_changed and not params.allow_duplicate_cpf_cnpj:
        _lock_document(customer.cpf_cnpj)
        other = (
            Customer.objects.filter(cpf_cnpj=customer.cpf_cnpj).exclude(pk=customer.pk).order_by("pk").first()
        )
        if other is not None:
            raise ApplicationError(
                _("CPF/CNPJ %(document)s already belongs to customer #%(id)s %(name)s.")
                % {"document": customer.cpf_cnpj_display, "id": other.pk, "name": other.name},
                code="duplicate_cpf_cnpj",
                field="cpf_cnpj",
                extra={"customers": [{"id": other.pk, "name": other.name}]},
            )

    # duplicate address, unless the operator confirmed.
    address_changed = original is None or original.address_key != customer.address_key
    if params.validate_duplicate_address and address_changed and not confirm_duplicate_address:
        duplicates = duplicate_address_customers(customer)
        if duplicates:
            names = ", ".join(f"#{d['id']} {d['name']}" for d in duplicates)
            raise ApplicationError(
                _(
                    "Another customer already has this address (street, number and neighbourhood): "
                    "%(customers)s. Confirm to save anyway."
                )
                % {"customers": names},
                code="duplicate_address",
                extra={"customers": duplicates},
            )

    # O-1: analytic account from the parameters when empty.
    if customer.analytic_account_id is None and params.default_analytic_account_id is not None:
        customer.analytic_account_id = params.default_analytic_account_id

    warnings = []
    limit = params.name_length_warning
    if limit and len(customer.name or "") > limit:
        warnings.append(
            _("The name has %(length)d characters; bank files cut it at %(limit)d.")
            % {"length": len(customer.name), "limit": limit}
        )
    return warnings


def _save(
    customer: Customer, *, actor: Actor, original: Customer | None, confirm_duplicate_address: bool
) -> Customer:
    ctx = context.current()
    with context.acting_as(actor, source=ctx.source, request_id=ctx.request_id), transaction.atomic():
        params = CustomerSettings.load()
        # search_name starts with a space on purpose (word-prefix search); it is built, not typed.
        customer.full_clean(
            exclude=["search_name", "address_key"], validate_unique=False, validate_constraints=False
        )
        warnings = _check_rules(
            customer,
            actor=actor,
            params=params,
            original=original,
            confirm_duplicate_address=confirm_duplicate_address,
        )
        # Unique portal login: checked here for a clear message; the unique index is the guard.
        if (
            customer.portal_login
            and Customer.objects.filter(portal_login=customer.portal_login).exclude(pk=customer.pk).exists()
        ):
            raise ValidationError({"portal_login": [_("This portal login is already in use.")]})
        try:
            with transaction.atomic():
                customer.save()
        except IntegrityError as exc:
            if "portal_login" in str(exc):
                raise ValidationError({"portal_login": [_("This portal login is already in use.")]}) from exc
            raise ApplicationError(
                _("The record conflicts with another one: %(error)s") % {"error": exc}, code="integrity"
            ) from exc
    customer.warnings = warnings
    return customer


def customer_create(*, actor: Actor, confirm_duplicate_address: bool = False, **data) -> Customer:
    """Register a customer (or lead). ``data`` holds model field values (foreign keys as instances
    or ``<field>_id``) and optionally the plain ``portal_password``."""
    customer = Customer()
    _apply(customer, data)
    return _save(customer, actor=actor, original=None, confirm_duplicate_address=confirm_duplicate_address)


def customer_update(
    *, actor: Actor, customer: Customer, confirm_duplicate_address: bool = False, **data
) -> Customer:
    """Change the given fields of a customer; an empty ``portal_password`` keeps the current one."""
    original = Customer.objects.get(pk=customer.pk)
    if actor is not None and not can_use_branch(actor, original.branch_id):
        raise ApplicationError(_("You cannot use this branch."), code="branch_scope", field="branch")
    original.normalize()
    _apply(customer, data)
    return _save(
        customer, actor=actor, original=original, confirm_duplicate_address=confirm_duplicate_address
    )


def customer_convert_lead(
    *, actor: Actor, customer: Customer, confirm_duplicate_address: bool = True
) -> Customer:
    """C-4: a lead becomes a customer — same id, history and audit trail; the full rules now apply
    (e.g. the CPF/CNPJ required by the parameter)."""
    if not customer.is_lead:
        raise ApplicationError(_("%(customer)s is not a lead.") % {"customer": customer}, code="not_a_lead")
    return customer_update(
        actor=actor,
        customer=customer,
        is_lead=False,
        lead_stage=LeadStage.WON,
        confirm_duplicate_address=confirm_duplicate_address,
    )


def customer_deactivate(*, actor: Actor, customer: Customer) -> Customer:
    """Mark a customer inactive (customers are never deleted: contracts and invoices refer to them)."""
    if not customer.active:
        return customer
    return customer_update(actor=actor, customer=customer, active=False, confirm_duplicate_address=True)


def customer_check_portal_password(customer: Customer, raw_password: str) -> bool:
    from django.contrib.auth.hashers import check_password

    return bool(customer.portal_password) and check_password(raw_password, customer.portal_password)
