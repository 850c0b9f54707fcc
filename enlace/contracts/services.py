"""Writers of plans' contracts and of the contract history — the only code that changes a
``Contract``'s status or access status (SPEC CT-3, CT-5, H-1).

Each action is one transaction that locks the contract, checks that the transition is allowed
(``ApplicationError`` with a message for the operator when not, and nothing changes), saves it
through ``core.services.object_save`` (validation, branch scope, audit trail), writes its history
entry and, after commit, sends ``contracts.signals``.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core import context
from enlace.core.exceptions import ApplicationError
from enlace.core.services import object_delete, object_save, operator_name_of, operator_of
from enlace.core.types import Actor
from enlace.core.validators import has_edge_whitespace

from . import signals
from .models import (
    AccessStatus,
    CancellationOrigin,
    Contract,
    ContractHistory,
    ContractStatus,
    InclusionReason,
    Plan,
)

#: Fields that only the action services change.
STATUS_FIELDS = frozenset(
    {
        "status",
        "access_status",
        "cancellation_date",
        "cancellation_reason",
        "cancellation_origin",
        "activation_date",
        "status_changed_at",
        "access_status_changed_at",
        "created_at",
    }
)
_WRITABLE = {
    f.name
    for f in Contract._meta.concrete_fields
    if f.editable and f.name != "id" and f.name not in STATUS_FIELDS
} | {f.attname for f in Contract._meta.concrete_fields if f.is_relation}

BLOCKED = (AccessStatus.MANUAL_BLOCK, AccessStatus.AUTOMATIC_BLOCK, AccessStatus.OVERDUE)


def history_add(
    *,
    actor: Actor,
    customer=None,
    contract: Contract | None = None,
    kind: str = ContractHistory.Kind.NOTE,
    text: str,
    manual: bool = False,
) -> ContractHistory:
    """Write one history entry (H-1: the history shows everything a contract went through). Services of every
    area add their automatic entries here."""
    if customer is None and contract is not None:
        customer = contract.customer
    entry = ContractHistory(
        customer=customer,
        contract=contract,
        kind=kind,
        text=text,
        operator=operator_of(actor),
        operator_name=operator_name_of(actor),
        manual=manual,
    )
    return object_save(entry, actor=actor)


def _apply(contract: Contract, data: dict) -> None:
    unknown = set(data) - _WRITABLE
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    for name, value in data.items():
        setattr(contract, name, value)


def plan_save(plan: Plan, *, actor: Actor) -> Plan:
    """Create or change a plan; what depends on it (RADIUS's speed group) follows in the same
    transaction (``signals.plan_saved``)."""
    with transaction.atomic():
        object_save(plan, actor=actor)
        signals.plan_saved.send(sender=Plan, plan=plan)
    return plan


def _saved(contract: Contract, old_plan_id: int | None = None) -> None:
    signals.contract_saved.send(sender=Contract, contract=contract, old_plan_id=old_plan_id)


def contract_create(*, actor: Actor, **data) -> Contract:
    """A new contract (a pre-contract awaiting signature). ``data`` holds model field values;
    the status fields are set by the actions only."""
    contract = Contract()
    _apply(contract, data)
    with transaction.atomic():
        object_save(contract, actor=actor)
        _saved(contract)
        history_add(
            actor=actor,
            contract=contract,
            kind=ContractHistory.Kind.CREATED,
            text=_("Contract created with plan %(plan)s.") % {"plan": contract.plan},
        )
    return contract


def contract_update(*, actor: Actor, contract: Contract, **data) -> Contract:
    """Change the given fields of a contract (not its status: use the actions, nor its customer)."""
    for name in ("customer", "customer_id"):
        if name in data and getattr(data[name], "pk", data[name]) != contract.customer_id:
            raise ValidationError({"customer": [_("A contract cannot move to another customer.")]})
    old_plan_id = Contract.objects.filter(pk=contract.pk).values_list("plan_id", flat=True).first()
    _apply(contract, data)
    with transaction.atomic():
        object_save(contract, actor=actor)
        _saved(contract, old_plan_id)
    return contract


def _locked(contract: Contract) -> Contract:
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    return locked


def _refuse(message: str, code: str):
    raise ApplicationError(message, code=code)


def _transition(
    contract: Contract,
    *,
    actor: Actor,
    kind: str,
    text: str,
    status: str | None = None,
    access_status: str | None = None,
    **values,
) -> Contract:
    """Save the new status/access status and its history entry; signals after commit."""
    now = timezone.now()
    old_status, old_access = contract.status, contract.access_status
    if status is not None and status != old_status:
        contract.status = status
        contract.status_changed_at = now
    if access_status is not None and access_status != old_access:
        contract.access_status = access_status
        contract.access_status_changed_at = now
    for name, value in values.items():
        setattr(contract, name, value)
    object_save(contract, actor=actor)
    _saved(contract)
    history_add(actor=actor, contract=contract, kind=kind, text=text)
    if contract.status != old_status:
        signals.send_on_commit(
            signals.status_changed, Contract, contract=contract, old=old_status, new=contract.status
        )
    if contract.access_status != old_access:
        signals.send_on_commit(
            signals.access_status_changed,
            Contract,
            contract=contract,
            old=old_access,
            new=contract.access_status,
        )
    return contract


def _acting(actor: Actor):
    ctx = context.current()
    return context.acting_as(actor, source=ctx.source, request_id=ctx.request_id)


def _check_reason(reason: str, *, required: bool) -> str:
    reason = reason or ""
    if required and not reason.strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    if has_edge_whitespace(reason):
        raise ValidationError(
            {"reason": [_("“%(field)s” must not start or end with spaces.") % {"field": _("Reason")}]}
        )
    return reason


def contract_activate(
    *, actor: Actor, contract: Contract, activation_date: datetime.date | None = None
) -> Contract:
    """Pré-contrato → Ativo, access Ativo (CT-5: one transaction with its history entry and its RADIUS
    effect)."""
    with _acting(actor), transaction.atomic():
        locked = _locked(contract)
        if locked.status != ContractStatus.PRE_CONTRACT:
            _refuse(
                _("Only a pre-contract can be activated; this contract is %(status)s.")
                % {"status": locked.get_status_display()},
                "invalid_transition",
            )
        date = activation_date or timezone.localdate()
        _transition(
            locked,
            actor=actor,
            kind=ContractHistory.Kind.ACTIVATED,
            text=_("Contract activated on %(date)s.") % {"date": date.strftime("%d/%m/%Y")},
            status=ContractStatus.ACTIVE,
            access_status=AccessStatus.ACTIVE,
            activation_date=date,
        )
    _refresh(contract, locked)
    return contract


def contract_block(*, actor: Actor, contract: Contract, reason: str = "") -> Contract:
    """Bloqueio manual (CM) of an active contract, with the reason (CT-5: one transaction with its history
    entry and its RADIUS effect)."""
    reason = _check_reason(reason, required=True)
    with _acting(actor), transaction.atomic():
        locked = _locked(contract)
        if locked.status != ContractStatus.ACTIVE:
            _refuse(
                _("Only an active contract can be blocked; this contract is %(status)s.")
                % {"status": locked.get_status_display()},
                "invalid_transition",
            )
        if locked.access_status == AccessStatus.MANUAL_BLOCK:
            _refuse(_("The contract is already blocked manually."), "invalid_transition")
        _transition(
            locked,
            actor=actor,
            kind=ContractHistory.Kind.BLOCKED,
            text=_("Blocked manually: %(reason)s") % {"reason": reason},
            access_status=AccessStatus.MANUAL_BLOCK,
        )
    _refresh(contract, locked)
    return contract


def contract_unblock(*, actor: Actor, contract: Contract, reason: str = "") -> Contract:
    """A blocked (CM, CA or FA) active contract gets its access back (CT-5: one transaction with its history
    entry and its RADIUS effect)."""
    reason = _check_reason(reason, required=False)
    with _acting(actor), transaction.atomic():
        locked = _locked(contract)
        if locked.status != ContractStatus.ACTIVE or locked.access_status not in BLOCKED:
            _refuse(_("Only a blocked active contract can be unblocked."), "invalid_transition")
        text = _("Unblocked: %(reason)s") % {"reason": reason} if reason else _("Unblocked.")
        _transition(
            locked,
            actor=actor,
            kind=ContractHistory.Kind.UNBLOCKED,
            text=text,
            access_status=AccessStatus.ACTIVE,
        )
    _refresh(contract, locked)
    return contract


def contract_cancel(
    *,
    actor: Actor,
    contract: Contract,
    reason: str = "",
    origin: str = CancellationOrigin.MANUAL,
    date: datetime.date | None = None,
) -> Contract:
    """Cancellation (CT-3): Inativo with date, reason and origin; access Desativado."""
    reason = _check_reason(reason, required=True)
    if origin not in CancellationOrigin.values:
        raise ValidationError({"origin": [_("Choose manual (M) or automatic (A).")]})
    with _acting(actor), transaction.atomic():
        locked = _locked(contract)
        if locked.status in (ContractStatus.INACTIVE, ContractStatus.GAVE_UP):
            _refuse(
                _("The contract is already %(status)s.") % {"status": locked.get_status_display()},
                "invalid_transition",
            )
        date = date or timezone.localdate()
        _transition(
            locked,
            actor=actor,
            kind=ContractHistory.Kind.CANCELLED,
            text=_("Cancelled (%(origin)s): %(reason)s")
            % {"origin": CancellationOrigin(origin).label, "reason": reason},
            status=ContractStatus.INACTIVE,
            access_status=AccessStatus.DISABLED,
            cancellation_date=date,
            cancellation_reason=reason,
            cancellation_origin=origin,
        )
    _refresh(contract, locked)
    return contract


def _refresh(contract: Contract, saved: Contract) -> None:
    """The caller's instance takes the saved values."""
    for field in Contract._meta.concrete_fields:
        setattr(contract, field.attname, getattr(saved, field.attname))


def contract_change_plan(
    *,
    actor: Actor,
    contract: Contract,
    plan: Plan,
    effective_date: datetime.date | None = None,
    reason: str = "",
) -> Contract:
    """Upgrade or downgrade (CT-5: one transaction with its history entry and its RADIUS effect): another
    active plan of the contract's branch and type. The price override, when there is one, is kept.
    ``plan_changed(contract, old, new, kind)`` is sent after commit, ``kind`` being ``"upgrade"`` or
    ``"downgrade"`` (by price)."""
    reason = _check_reason(reason, required=False)
    with _acting(actor), transaction.atomic():
        locked = _locked(contract)
        if locked.status in (ContractStatus.INACTIVE, ContractStatus.GAVE_UP):
            _refuse(
                _("The plan of a contract that is %(status)s cannot change.")
                % {"status": locked.get_status_display()},
                "invalid_transition",
            )
        old_plan = locked.plan
        if plan.pk == old_plan.pk:
            raise ValidationError({"plan": [_("The contract already has this plan.")]})
        if not plan.active:
            raise ValidationError({"plan": [_("The plan is not active.")]})
        kind = "upgrade" if plan.price >= old_plan.price else "downgrade"
        kind_label = InclusionReason.UPGRADE.label if kind == "upgrade" else InclusionReason.DOWNGRADE.label
        date = effective_date or timezone.localdate()
        text = _("Plan changed from %(old)s to %(new)s (%(kind)s) from %(date)s.") % {
            "old": old_plan,
            "new": plan,
            "kind": kind_label,
            "date": date.strftime("%d/%m/%Y"),
        }
        if reason:
            text = f"{text} {reason}"
        locked.plan = plan
        object_save(locked, actor=actor)
        _saved(locked, old_plan.pk)
        history_add(actor=actor, contract=locked, kind=ContractHistory.Kind.PLAN_CHANGED, text=text)
        signals.send_on_commit(
            signals.plan_changed,
            Contract,
            contract=locked,
            old=old_plan,
            new=plan,
            kind=kind,
            effective_date=date,
        )
    _refresh(contract, locked)
    return contract


def contract_set_access_status(
    *, actor: Actor, contract: Contract, access_status: str, reason: str = "", automatic: bool = True
) -> Contract:
    """Set the access status of an active contract — used by the collection routine (F-9) to
    block (CA), mark overdue (FA) and release. An automatic block or overdue mark is refused while
    the contract is exempt ("não bloquear até" today or later)."""
    reason = _check_reason(reason, required=False)
    if access_status not in AccessStatus.values:
        raise ValidationError({"access_status": [_("Unknown access status.")]})
    with _acting(actor), transaction.atomic():
        locked = _locked(contract)
        if locked.status != ContractStatus.ACTIVE:
            _refuse(_("Only an active contract has its access status changed."), "invalid_transition")
        if locked.access_status == access_status:
            return contract
        if (
            automatic
            and access_status in (AccessStatus.AUTOMATIC_BLOCK, AccessStatus.OVERDUE)
            and locked.no_block_until
            and locked.no_block_until >= timezone.localdate()
        ):
            _refuse(
                _("The contract must not be blocked until %(date)s.")
                % {"date": locked.no_block_until.strftime("%d/%m/%Y")},
                "no_block_until",
            )
        text = _("Access status changed from %(old)s to %(new)s.") % {
            "old": locked.get_access_status_display(),
            "new": AccessStatus(access_status).label,
        }
        if reason:
            text = f"{text} {reason}"
        _transition(
            locked,
            actor=actor,
            kind=ContractHistory.Kind.ACCESS_STATUS,
            text=text,
            access_status=access_status,
        )
    _refresh(contract, locked)
    return contract


def _require_manual(entry: ContractHistory) -> None:
    if not entry.manual:
        raise ApplicationError(
            _("Automatic history entries cannot be changed or deleted."), code="automatic_entry"
        )


def history_update(*, actor: Actor, entry: ContractHistory, text: str) -> ContractHistory:
    """Change the text of a manual entry (H-2); automatic entries are refused."""
    _require_manual(entry)
    entry.text = text
    return object_save(entry, actor=actor)


def history_delete(*, actor: Actor, entry: ContractHistory) -> None:
    """Delete a manual entry (H-2); automatic entries are refused."""
    _require_manual(entry)
    object_delete(entry, actor=actor)
