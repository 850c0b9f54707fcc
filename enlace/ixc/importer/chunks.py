"""What the bulk importers of a chunk share (``bulk``, ``receivables``): the chunk's result, the
reference rows read once per run, the checks asked once per chunk."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from enlace.contracts.models import Plan
from enlace.core.exceptions import ApplicationError
from enlace.core.models import Branch, City, Wallet
from enlace.core.scope import can_use_branch

from .common import Run


@dataclass
class ChunkResult:
    created: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    per_row: list[dict] = field(default_factory=list)  # rows the per-row services import


def reason(exc: Exception) -> str:
    from .runner import error_text

    return error_text(exc)


def relations(model: type[Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.is_relation]


def cache(run: Run) -> dict:
    """Reference rows read once per run (branches, cities, plans, wallets), and what the run
    learnt once (the validators, the branches the actor may use)."""
    found = getattr(run, "_bulk_cache", None)
    if found is None:
        found = {
            "branches": set(Branch.objects.values_list("pk", flat=True)),
            "cities": set(City.objects.values_list("pk", flat=True)),
            "plans": {},
            "wallets": Wallet.objects.select_related("branch", "branch__city").in_bulk(),
            "allowed_branches": set(),
        }
        run._bulk_cache = found  # type: ignore[attr-defined]
    return found


def plan(run: Run, plan_id: int) -> Plan:
    plans = cache(run)["plans"]
    if plan_id not in plans:
        plans[plan_id] = Plan.objects.get(pk=plan_id)
    return plans[plan_id]


def branch_allowed(run: Run, branch_id) -> None:
    """The actor may use the branch (the services' branch scope), asked once per branch."""
    if run.actor is None or branch_id is None:
        return
    allowed = cache(run)["allowed_branches"]
    if branch_id in allowed:
        return
    if not can_use_branch(run.actor, branch_id):
        raise ApplicationError(_("You cannot use this branch."), code="branch_scope", field="branch")
    allowed.add(branch_id)


def missing(label: str) -> ValidationError:
    return ValidationError({label: [_("This field is required.")]})


def unique(good, *, key, taken, message, result: ChunkResult, field_name: str):
    """Drop the items (``(row, record, …)``) whose ``key`` is already in the database or earlier in
    the chunk (a unique value the service checks with one query per row, asked here once)."""
    keys = {key(item[1]) for item in good} - {None, ""}
    if not keys:
        return good
    used = set(taken(keys))
    kept = []
    for item in good:
        row, obj = item[0], item[1]
        value = key(obj)
        if value in (None, ""):
            kept.append(item)
            continue
        if value in used:
            result.refused.append((row["id"], f"{field_name}: {message(obj)}"))
            continue
        used.add(value)
        kept.append(item)
    return kept
