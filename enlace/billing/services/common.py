"""Helpers every billing writer shares: cents rounding and the nosso número sequence (SPEC F-4)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F

from enlace.core.models import Wallet

from ..models import WalletSequence

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """``value`` rounded to cents, halves up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def take_nosso_numeros(wallet: Wallet, count: int = 1) -> range:
    """Reserve ``count`` consecutive nossos números of ``wallet`` (F-4: every boleto of a wallet has
    its own number). The sequence row is locked for the increment, so concurrent callers get
    disjoint ranges; the unique constraint (wallet, nosso número) on invoices backs it up."""
    if count < 1:
        return range(0)
    with transaction.atomic():
        WalletSequence.objects.get_or_create(wallet=wallet)
        seq = WalletSequence.objects.select_for_update().get(wallet=wallet)
        first = seq.next_value
        WalletSequence.objects.filter(pk=seq.pk).update(next_value=F("next_value") + count)
    return range(first, first + count)


def copy_fields(source, target) -> None:
    """Copy the concrete fields of ``source`` (a row read under lock) onto the caller's ``target``."""
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
