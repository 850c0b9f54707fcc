"""Reads of contracts and their history, always for a viewer: an operator's branch scope applies
(``core.scope.restrict``), so another branch's record is reported exactly as a missing one."""

from __future__ import annotations

from django.db.models import QuerySet

from enlace.core.types import Viewer

from .models import Contract, ContractHistory, Plan


class _System:
    """The explicit viewer of a task or command that reads every branch (no operator)."""

    def __repr__(self) -> str:
        return "SYSTEM"


#: Pass as ``user`` to read every branch's rows (tasks, commands); never an operator's request.
SYSTEM = _System()


def contract_in_scope(*, user: Viewer, pk, related: tuple[str, ...] = ()) -> Contract:
    """The contract ``pk`` when it is in the viewer's branches (with ``related`` joined), for the
    contract page's tabs and pages that start from a contract; raises ``Contract.DoesNotExist``
    otherwise."""
    return Contract.objects.restrict(user).select_related(*related).get(pk=pk)


def plans_in_scope(user: Viewer) -> QuerySet:
    """The plans the viewer's branches may use (a contract's change of plan offers them)."""
    return Plan.objects.restrict(user)


def customer_contracts(customer, *, user: Viewer) -> QuerySet:
    """The customer's contracts in the viewer's branches."""
    return Contract.objects.restrict(user).filter(customer=customer)


def customer_history(customer, *, user: Viewer | _System) -> QuerySet:
    """Every entry of the customer (all its contracts and its own), newest first (H-1), in the
    viewer's branches; ``user=SYSTEM`` reads every branch's entries (tasks and commands only).
    Without an operator (``None``) it is empty."""
    entries = ContractHistory.objects.filter(customer=customer).select_related("contract")
    return entries if isinstance(user, _System) else entries.restrict(user)
