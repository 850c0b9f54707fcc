"""Shared state of one import run and the small converters of IXC's text values."""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError
from enlace.core.types import Actor

from ..models import ExternalId

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class Refused(ApplicationError):
    """A row that cannot be imported, with the reason for the report."""

    def __init__(self, message: str):
        super().__init__(message, code="ixc_refused")


def digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def phone(value: str | None) -> str:
    """IXC keeps phones as typed, "(11) 98765-4321"; Enlace keeps DDD + number (≤ 11 digits)."""
    number = digits(value)
    if len(number) > 11 and number.startswith("55"):
        number = number[2:]
    return number.lstrip("0")[-11:] if len(number) > 11 else number


@functools.lru_cache(maxsize=4096)  # a table's dates repeat (a year of due dates): parsed once each
def date(value: str | None) -> datetime.date | None:
    """``YYYY-MM-DD`` (or with a time); IXC's zero date ``0000-00-00`` and blanks are None."""
    value = (value or "").strip()[:10]
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        # Some IXC screens export dd/mm/yyyy.
        try:
            return datetime.datetime.strptime(value, "%d/%m/%Y").date()
        except ValueError as exc:
            raise Refused(_("Invalid date: %(value)s.") % {"value": value}) from exc


@functools.lru_cache(maxsize=4096)  # amounts repeat (the plans' prices): parsed once each
def money(value: str | None) -> Decimal:
    value = (value or "").strip().replace(",", ".") or "0"
    try:
        return Decimal(value).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise Refused(_("Invalid amount: %(value)s.") % {"value": value}) from exc


def coordinate(value: str | None) -> Decimal | None:
    value = (value or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        number = Decimal(value).quantize(Decimal("0.000001"))
    except InvalidOperation:
        return None
    return number if number else None


def text(row: dict, name: str) -> str:
    return (row.get(name) or "").strip()


@dataclass
class Run:
    """What one ``import_ixc`` run knows: the operator, the defaults for what IXC does not say,
    and the id maps (IXC id → Enlace id) per table, loaded once and kept up to date."""

    actor: Actor
    default_branch_id: int
    wallet_ids: dict[int, int]  # branch id → wallet id
    payment_condition_id: int
    department_id: int | None = None
    ids: dict[str, dict[str, int]] = field(default_factory=dict)
    cities: dict[str, int] = field(default_factory=dict)  # IXC cidade id → IBGE code
    branches: dict[str, int] = field(default_factory=dict)  # IXC filial id → branch id
    highest_nosso_numero: dict[int, int] = field(default_factory=dict)  # wallet id → highest
    plan_branches: dict[int, int] = field(default_factory=dict)  # plan id → its branch id

    def id_map(self, kind: str) -> dict[str, int]:
        if kind not in self.ids:
            self.ids[kind] = dict(ExternalId.objects.filter(kind=kind).values_list("ixc_id", "object_id"))
        return self.ids[kind]

    def lookup(self, kind: str, ixc_id: str, *, label: str) -> int:
        """The Enlace id of an IXC row imported earlier (refused when it was not)."""
        object_id = self.id_map(kind).get((ixc_id or "").strip())
        if object_id is None:
            raise Refused(
                _("%(what)s %(id)s was not imported (missing or refused).")
                % {"what": label, "id": ixc_id or "—"}
            )
        return object_id

    def remember(self, kind: str, ixc_id: str, object_id: int) -> None:
        ExternalId.objects.update_or_create(kind=kind, ixc_id=ixc_id, defaults={"object_id": object_id})
        self.id_map(kind)[ixc_id] = object_id

    def branch(self, filial_id: str | None) -> int:
        return self.branches.get((filial_id or "").strip(), self.default_branch_id)

    def wallet(self, branch_id: int) -> int:
        wallet_id = self.wallet_ids.get(branch_id)
        if wallet_id is None:
            raise Refused(_("Branch %(branch)s has no active wallet.") % {"branch": branch_id})
        return wallet_id
