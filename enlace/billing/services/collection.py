"""The collection routine ("régua de cobrança", SPEC F-9) and the trust unlock.

Every day (and right after a payment, for that contract) each active contract is judged by its
oldest overdue invoice:

1. no overdue invoice → a contract in "Financeiro em atraso" (FA) or "Bloqueio automático" (CA)
   gets its access back (A);
2. overdue for ``collection_notice_days`` or more → FA (the notice; RADIUS applies the reduced
   speed when the plan has one);
3. in FA for ``collection_block_days`` (Anatel: 15) → CA (RADIUS blocks or sends the notice page);
4. a trust unlock ("desbloqueio de confiança") keeps the access for ``trust_unlock_days``, once
   per block, unless the operator forbade it; when it ends the contract is blocked again.

Contracts exempt until a date ("não bloquear até") are skipped; a manual block (CM) is never
touched. Every change goes through ``contracts.services.contract_set_access_status``, so it leaves
a history entry and RADIUS reacts. The routine is idempotent: running it twice on a day changes
nothing the second time. The reads it needs (candidates, oldest overdue invoice, whether a trust
unlock is available) are in ``enlace.billing.selectors``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.contracts.models import AccessStatus, Contract, ContractStatus
from enlace.contracts.services import contract_set_access_status
from enlace.core.exceptions import ApplicationError
from enlace.core.types import Actor

from .. import signals
from ..models import BillingSettings, CollectionState
from ..selectors import collection_candidates, oldest_overdue, trust_unlock_available

#: The access statuses the routine manages (it never touches a manual block).
MANAGED = (AccessStatus.ACTIVE, AccessStatus.OVERDUE, AccessStatus.AUTOMATIC_BLOCK)


@dataclass
class CollectionSummary:
    checked: int = 0
    notified: int = 0
    blocked: int = 0
    released: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "checked": self.checked,
            "notified": self.notified,
            "blocked": self.blocked,
            "released": self.released,
            "skipped": self.skipped,
            "errors": len(self.errors),
        }


def collection_run(
    *, today: datetime.date | None = None, progress=None, chunk: int = 500
) -> CollectionSummary:
    """The daily routine over every candidate contract."""
    today = today or timezone.localdate()
    params = BillingSettings.load()
    summary = CollectionSummary()
    ids = collection_candidates(today)
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        overdue = oldest_overdue(part, today)
        for contract_id in part:
            _judge(contract_id, overdue.get(contract_id), today, params, summary)
            if progress:
                progress()
    return summary


def collection_check_contract(contract_id: int, *, today: datetime.date | None = None) -> CollectionSummary:
    """Judge one contract now (after a payment, a cancellation or a renegotiation)."""
    today = today or timezone.localdate()
    summary = CollectionSummary()
    overdue = oldest_overdue([contract_id], today)
    _judge(contract_id, overdue.get(contract_id), today, BillingSettings.load(), summary)
    return summary


def collection_check_on_commit(contract_ids) -> None:
    """Queue the collection check of each contract (ids; ``None`` is skipped) once the current
    transaction commits (F-9: a payment that leaves no overdue invoice unblocks the contract
    within a minute)."""
    ids = sorted({contract_id for contract_id in contract_ids if contract_id})
    if not ids:
        return

    def check():
        from ..tasks import check_contract

        for contract_id in ids:
            check_contract.delay(contract_id)

    transaction.on_commit(check)


def _judge(contract_id, oldest, today, params, summary: CollectionSummary) -> None:
    summary.checked += 1
    try:
        with transaction.atomic():
            contract = Contract.objects.select_for_update().get(pk=contract_id)
            if contract.status != ContractStatus.ACTIVE or contract.access_status not in MANAGED:
                return
            state, _created = CollectionState.objects.get_or_create(contract=contract)
            _step(contract, state, oldest, today, params, summary)
    except ApplicationError as exc:
        if exc.code == "no_block_until":
            summary.skipped += 1
        else:
            summary.errors.append(f"{contract_id}: {exc.message}")


def _set(contract, access_status, reason) -> None:
    contract_set_access_status(actor=None, contract=contract, access_status=access_status, reason=reason)


def _step(contract, state: CollectionState, oldest, today, params, summary) -> None:
    access = contract.access_status
    if oldest is None:
        if access != AccessStatus.ACTIVE:
            _set(contract, AccessStatus.ACTIVE, _("No overdue invoice left."))
            summary.released += 1
        if state.overdue_since or state.notified_on or state.blocked_on or state.trust_until:
            state.overdue_since = state.notified_on = state.blocked_on = state.trust_until = None
            state.save()
        return
    state.overdue_since = oldest
    trust_until = state.trust_until
    if trust_until is not None and today <= trust_until:  # trusted
        state.save()
        if access != AccessStatus.ACTIVE:
            _set(
                contract,
                AccessStatus.ACTIVE,
                _("Trust unlock until %(date)s.") % {"date": _d(trust_until)},
            )
        return
    if state.trust_until is not None and today > state.trust_until:
        # the trust period ended with the invoice still open: blocked again, no new notice
        state.trust_until = None
        state.save()
        if access != AccessStatus.AUTOMATIC_BLOCK:
            _set(contract, AccessStatus.AUTOMATIC_BLOCK, _("Trust unlock ended with invoices overdue."))
            summary.blocked += 1
        return
    days_overdue = (today - oldest).days
    if access == AccessStatus.ACTIVE:
        if days_overdue >= params.collection_notice_days:
            _set(
                contract,
                AccessStatus.OVERDUE,
                _("Invoice overdue since %(date)s (notice).") % {"date": _d(oldest)},
            )
            state.notified_on = today
            state.blocked_on = None
            summary.notified += 1
        state.save()
        return
    if access == AccessStatus.OVERDUE:
        notified = state.notified_on or today
        if state.notified_on is None:
            state.notified_on = today
        if (today - notified).days >= params.collection_block_days:
            _set(
                contract,
                AccessStatus.AUTOMATIC_BLOCK,
                _("Blocked %(days)s days after the notice; invoice overdue since %(date)s.")
                % {"days": (today - notified).days, "date": _d(oldest)},
            )
            state.blocked_on = today
            summary.blocked += 1
        state.save()
        return
    # AUTOMATIC_BLOCK: stays blocked until paid or trust-unlocked
    if state.blocked_on is None:
        state.blocked_on = today
    state.save()


def _d(date: datetime.date) -> str:
    return date.strftime("%d/%m/%Y")


# --- Trust unlock -------------------------------------------------------------------------


def trust_unlock(*, actor: Actor, contract: Contract, source: str = "operator") -> Contract:
    """Desbloqueio de confiança (F-9): access for ``trust_unlock_days``, once per block."""
    params = BillingSettings.load()
    today = timezone.localdate()
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        allowed, why = trust_unlock_available(locked)
        if not allowed:
            raise ApplicationError(why, code="trust_unlock_refused")
        state, _created = CollectionState.objects.select_for_update().get_or_create(contract=locked)
        state.blocked_on = state.blocked_on or today
        state.trust_until = today + datetime.timedelta(days=params.trust_unlock_days)
        state.trust_used_for_block = state.blocked_on
        state.save()
        origin = _("subscriber portal") if source == "portal" else _("operator")
        contract_set_access_status(
            actor=actor,
            contract=locked,
            access_status=AccessStatus.ACTIVE,
            reason=_("Trust unlock (%(origin)s) until %(date)s.")
            % {"origin": origin, "date": _d(state.trust_until)},
            automatic=False,
        )
        signals.send_on_commit(signals.trust_unlocked, Contract, contract=locked, until=state.trust_until)
    contract.refresh_from_db()
    return contract


def trust_unlock_forbid(*, actor: Actor, contract: Contract, forbidden: bool = True) -> CollectionState:
    """The operator forbids (or allows again) the trust unlock of ``contract``."""
    from enlace.contracts.models import ContractHistory
    from enlace.contracts.services import history_add

    with transaction.atomic():
        state, _created = CollectionState.objects.select_for_update().get_or_create(contract=contract)
        if state.trust_forbidden != forbidden:
            state.trust_forbidden = forbidden
            state.save()
            history_add(
                actor=actor,
                contract=contract,
                kind=ContractHistory.Kind.NOTE,
                text=_("Trust unlock forbidden.") if forbidden else _("Trust unlock allowed again."),
            )
    return state
