"""Helpers every billing writer shares: the nosso número sequence (SPEC F-4: every boleto of a
wallet has its own nosso número) and copying a row read under lock (cents rounding is
``enlace.core.money.cents``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError
from enlace.core.models import Wallet

from ..boleto import SICREDI_SEQUENCE_MAX, sicredi_wallet_number
from ..models import WalletSequence

SICREDI_BYTES = "23456789"  # the bytes a beneficiary numbers with (1 is the agency's)
SICREDI_YEARLY_MAX = SICREDI_SEQUENCE_MAX * len(SICREDI_BYTES)

#: Banks whose nosso número carries the year, with a sequence that restarts every year.
YEARLY_BANKS = frozenset({"748"})


def take_nosso_numeros(wallet: Wallet, count: int = 1, *, issue_date: date | None = None) -> Sequence[int]:
    """Reserve ``count`` consecutive nossos números of ``wallet`` (F-4: every boleto of a wallet has
    its own number). The sequence row is locked for the increment, so concurrent callers get
    disjoint ranges; the unique constraint (wallet, nosso número) on invoices backs it up.

    Sicredi's nosso número is year + byte + a 5-digit sequence: its sequence restarts at 1 in each
    year (of ``issue_date``, today by default: the year the boleto prints), moves to the next byte
    (2 to 9) after 99,999 titles, and the numbers given are ``YYBNNNNN``
    (``boleto.sicredi_wallet_number``), so a number is never given twice."""
    if count < 1:
        return range(0)
    if wallet.bank_code in YEARLY_BANKS:
        return _take_yearly(wallet, count, (issue_date or timezone.localdate()).year)
    with transaction.atomic():
        WalletSequence.objects.get_or_create(wallet=wallet)
        seq = WalletSequence.objects.select_for_update().get(wallet=wallet)
        first = seq.next_value
        WalletSequence.objects.filter(pk=seq.pk).update(next_value=F("next_value") + count)
    return range(first, first + count)


def _take_yearly(wallet: Wallet, count: int, year: int) -> list[int]:
    with transaction.atomic():
        WalletSequence.objects.get_or_create(wallet=wallet)
        seq = WalletSequence.objects.select_for_update().get(wallet=wallet)
        if seq.year is not None and year < seq.year:
            raise ApplicationError(
                _(
                    "Wallet %(wallet)s already numbers titles of %(year)s; a title of %(earlier)s cannot be issued."
                )
                % {"wallet": wallet, "year": seq.year, "earlier": year},
                code="nosso_numero_year",
            )
        # A new year restarts the sequence. A sequence without a year (numbered before the yearly
        # rule) goes on: its numbers of this year are below it.
        first = 1 if seq.year is not None and year > seq.year else seq.next_value
        last = first + count - 1
        if last > SICREDI_YEARLY_MAX:
            raise ApplicationError(
                _(
                    "Wallet %(wallet)s has used the %(max)s nossos números Sicredi allows in %(year)s; "
                    "the sequence restarts on 1 January."
                )
                % {"wallet": wallet, "max": f"{SICREDI_YEARLY_MAX:,}".replace(",", "."), "year": year},
                code="nosso_numero_exhausted",
            )
        WalletSequence.objects.filter(pk=seq.pk).update(next_value=last + 1, year=year)
    return [sicredi_yearly_number(year, position) for position in range(first, last + 1)]


def sicredi_yearly_number(year: int, position: int) -> int:
    """The ``position``-th title of ``year`` of a Sicredi wallet: the five-digit sequence runs
    through the beneficiary's bytes 2 to 9 in turn (99,999 titles each), so a wallet can number
    799,992 titles a year (``YYBNNNNN``)."""
    byte, sequence = divmod(position - 1, SICREDI_SEQUENCE_MAX)
    return sicredi_wallet_number(year, sequence + 1, SICREDI_BYTES[byte])


def column_of(field) -> str:
    """The database column of a concrete model field (only a non-concrete one has none)."""
    column = field.column
    assert column is not None, field
    return column


def copy_fields(source, target) -> None:
    """Copy the concrete fields of ``source`` (a row read under lock) onto the caller's ``target``."""
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
