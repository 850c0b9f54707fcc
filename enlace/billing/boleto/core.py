"""Boleto computing core (SPEC F-4: FEBRABAN's ficha de compensação): the due-date factor, the
check digits (módulo 10 and 11), the 44-digit barcode, the 47-digit linha digitável and their
parsing, and the types every bank layout shares (:class:`BoletoInput`, :class:`NossoNumero`,
:class:`CampoLivre`, :class:`Bank`, :class:`Boleto`).

Plain functions over plain values: no models, no Django. Each bank's nosso número and campo livre
live in a module of their own (``bb``, ``itau``, ``bradesco``, ``caixa``, ``sicredi``, ``sicoob``);
``banks`` holds the registry and :func:`~enlace.billing.boleto.make_boleto`. The layouts, the manual
sections they come from and the test vectors are described in ``docs/boleto-pix.md``.

Every value that does not fit raises :class:`BoletoError` (a ``ValueError``) whose ``field``
names the input that is wrong.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

__all__ = [
    "Bank",
    "Boleto",
    "BoletoError",
    "BoletoInput",
    "CampoLivre",
    "FACTOR_BASE_DATE",
    "FACTOR_RESTART_DATE",
    "MAX_AMOUNT_CENTS",
    "NossoNumero",
    "ParsedBoleto",
    "amount_to_cents",
    "barcode_dv",
    "barcode_from_digitable_line",
    "build_barcode",
    "digitable_line",
    "due_date_factor",
    "due_date_from_factor",
    "format_digitable_line",
    "mod10",
    "mod11",
    "mod11_remainder",
    "parse_boleto",
]


class BoletoError(ValueError):
    """A value does not fit a boleto. ``field`` names the input that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


_DIGITS_RE = re.compile(r"[0-9]+")


def _check_digits(field: str, digits: str) -> str:
    if not isinstance(digits, str) or not (digits.isascii() and digits.isdigit()):
        raise BoletoError(field, f"expected a string of digits, got {digits!r}")
    return digits


def _digits(field: str, value: object, size: int, context: str = "") -> str:
    """``value`` (digits or a non-negative int) zero-filled to ``size`` digits.

    Leading zeros beyond ``size`` are accepted ("0061900" fits 7 digits as well as "61900");
    significant digits beyond ``size`` are an error.
    """
    if type(value) is str or type(value) is int:
        # A wallet's agency, account, carteira and convênio come back for every boleto of a run.
        return _digits_of(field, value, size, context)
    return _check_and_fill(field, value, size, context)


def _check_and_fill(field: str, value: object, size: int, context: str) -> str:
    where = f" {context}" if context else ""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BoletoError(field, f"expected digits, got {type(value).__name__}")
    if isinstance(value, int):
        if value < 0:
            raise BoletoError(field, "must not be negative")
        text = str(value)
    else:
        text = value.strip()
    if not text:
        raise BoletoError(field, f"is required{where}")
    if not _DIGITS_RE.fullmatch(text):
        raise BoletoError(field, f"must contain digits only, got {value!r}")
    significant = text.lstrip("0") or "0"
    if len(significant) > size:
        raise BoletoError(field, f"{text!r} has {len(significant)} digits; at most {size} fit{where}")
    return significant.zfill(size)


#: ``_check_and_fill`` remembered by value (``typed``: ``True`` is not ``1``); errors are raised
#: again on every call.
_digits_of = functools.lru_cache(maxsize=4096, typed=True)(_check_and_fill)


# --- Check digits -----------------------------------------------------------------------------


# Digit sum of 2 × d for d = 0..9 (12 counts as 1 + 2).
_DOUBLED_DIGIT_SUM = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
# Weights from the right: 2..9 repeated (FEBRABAN) and 2..7 repeated (Bradesco), long enough for
# a 43-digit barcode.
_WEIGHTS: dict[int, tuple[int, ...]] = {9: (2, 3, 4, 5, 6, 7, 8, 9) * 6, 7: (2, 3, 4, 5, 6, 7) * 8}
# b"0".."9" → their values, and → the digit sums of their doubles.
_VALUE = bytes.maketrans(b"0123456789", bytes(range(10)))
_DOUBLED = bytes.maketrans(b"0123456789", bytes(_DOUBLED_DIGIT_SUM))


def mod10(digits: str) -> str:
    """FEBRABAN "módulo 10": weights 2, 1, 2, 1, ... from the right, the digits of each product
    summed, DV = (10 - sum mod 10) mod 10. The same arithmetic as the Luhn check digit. Used for
    the three fields of the linha digitável and for Itaú's DACs."""
    _check_digits("digits", digits)
    # The digits as bytes translated to their values (doubled and digit-summed at the odd places
    # from the right): the loops run in C, and a billing run computes millions of these.
    data = digits.encode("ascii")
    total = sum(data[-1::-2].translate(_DOUBLED)) + sum(data[-2::-2].translate(_VALUE))
    return str((10 - total % 10) % 10)


def mod11_remainder(digits: str, max_weight: int = 9) -> int:
    """Sum of the digits times the weights 2, 3, ..., ``max_weight``, 2, 3, ... from the right,
    modulo 11."""
    _check_digits("digits", digits)
    if isinstance(max_weight, bool) or not isinstance(max_weight, int) or max_weight < 2:
        raise BoletoError("max_weight", f"expected an integer of at least 2, got {max_weight!r}")
    weights = _WEIGHTS.get(max_weight)
    if weights is None or len(digits) > len(weights):
        weights = tuple(2 + i % (max_weight - 1) for i in range(len(digits)))
    return sum(map(operator.mul, digits.encode("ascii")[::-1].translate(_VALUE), weights)) % 11


def mod11(digits: str, *, max_weight: int = 9, if_10: str = "0", if_11: str = "0") -> str:
    """ "Módulo 11" check digit: ``11 - remainder`` (see :func:`mod11_remainder`), where a result
    of 10 (remainder 1) becomes ``if_10`` and 11 (remainder 0) becomes ``if_11``.

    The banks differ only in those two substitutions and in the top weight:
    FEBRABAN general DV: ``if_10="1", if_11="1"`` (see :func:`barcode_dv`);
    Caixa, Sicredi: both ``"0"`` (the default);
    Banco do Brasil nosso número: ``if_10="X"`` (the same as its "weights 9 to 2, DV = remainder");
    Bradesco nosso número: ``max_weight=7, if_10="P"``.
    """
    result = 11 - mod11_remainder(digits, max_weight)
    if result == 10:
        return if_10
    if result == 11:
        return if_11
    return str(result)


def barcode_dv(digits43: str) -> str:
    """General check digit (position 5) of a barcode from its other 43 digits: módulo 11, weights
    2..9 from the right, ``11 - r``; 0, 10 and 11 become 1 (it is never 0)."""
    if len(_check_digits("barcode", digits43)) != 43:
        raise BoletoError("barcode", f"expected the 43 digits without the DV, got {len(digits43)}")
    return mod11(digits43, if_10="1", if_11="1")


# --- Due-date factor --------------------------------------------------------------------------

FACTOR_BASE_DATE = date(1997, 10, 7)
"""Day 0 of the due-date factor."""
FACTOR_RESTART_DATE = date(2025, 2, 22)
"""First day after factor 9999 (2025-02-21): the factor restarts at 1000 (FEBRABAN)."""
FACTOR_CYCLE_DAYS = 9000
"""Factors 1000..9999; after 9999 the factor starts again at 1000 (next time after 2049-10-13)."""


def _as_date(field: str, value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise BoletoError(field, f"expected a date, got {type(value).__name__}")
    return value


def due_date_factor(due_date: date) -> int:
    """The 4-digit due-date factor: days since 1997-10-07 up to 2025-02-21 (9999); from
    2025-02-22 it counts again from 1000 and wraps every 9000 days (2049-10-13 is 9999 again,
    2049-10-14 is 1000)."""
    due_date = _as_date("due_date", due_date)
    if due_date < FACTOR_RESTART_DATE:
        days = (due_date - FACTOR_BASE_DATE).days
        if days < 1:
            raise BoletoError("due_date", f"{due_date} is not after 1997-10-07, the base of the factor")
        return days
    return 1000 + (due_date - FACTOR_RESTART_DATE).days % FACTOR_CYCLE_DAYS


def due_date_from_factor(factor: int, *, reference: date | None = None) -> date | None:
    """The due date a factor stands for; ``None`` for factor 0 (no due date).

    Since the restart a factor of 1000 or more stands for one date every 9000 days (2000-07-03,
    2025-02-22, 2049-10-14 ... for 1000): the one nearest to ``reference`` (default: today) is
    returned. A boleto is read near its due date, so that is the one meant.
    """
    if isinstance(factor, bool) or not isinstance(factor, int) or not 0 <= factor <= 9999:
        raise BoletoError("factor", f"expected an integer from 0 to 9999, got {factor!r}")
    if factor == 0:
        return None
    first = FACTOR_BASE_DATE + timedelta(days=factor)
    if factor < 1000:
        return first  # only before 2000-07-03: the count never goes below 1000 again
    reference = _as_date("reference", reference) if reference is not None else date.today()
    cycle = max(0, round((reference - first).days / FACTOR_CYCLE_DAYS))
    candidates = [
        first + timedelta(days=FACTOR_CYCLE_DAYS * k) for k in (cycle - 1, cycle, cycle + 1) if k >= 0
    ]
    return min(candidates, key=lambda d: (abs((d - reference).days), d))


# --- Amount -----------------------------------------------------------------------------------

MAX_AMOUNT_CENTS = 99_999_999_99
"""The barcode has 10 digits for the amount in cents: less than R$ 100,000,000.00."""


def amount_to_cents(amount: Decimal | int | str, *, max_cents: int = MAX_AMOUNT_CENTS) -> int:
    """Exact amount in cents. Floats are refused (not exact), as are negative amounts, more than
    two decimal places (no rounding here) and amounts that do not fit the barcode."""
    if isinstance(amount, bool | float):
        raise BoletoError("amount", f"use a Decimal, not {type(amount).__name__} (not exact)")
    try:
        value = Decimal(amount) if isinstance(amount, int | str) else amount
    except InvalidOperation:
        raise BoletoError("amount", f"not a number: {amount!r}") from None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise BoletoError("amount", f"expected a finite Decimal, got {amount!r}")
    if value < 0:
        raise BoletoError("amount", f"must not be negative, got {value}")
    hundredths = value * 100
    if hundredths != hundredths.to_integral_value():
        raise BoletoError("amount", f"{value} has more than two decimal places")
    cents = int(hundredths)
    if cents > max_cents:
        limit = Decimal(max_cents + 1).scaleb(-2)
        raise BoletoError("amount", f"{value} is too large: it must be less than {limit:,}")
    return cents


# --- Barcode and linha digitável --------------------------------------------------------------


def build_barcode(
    bank_code: str, factor: int, amount_cents: int, campo_livre: str, currency: str = "9"
) -> str:
    """The 44-digit barcode: bank(3) + currency(1) + general DV(1) + factor(4) + amount in
    cents(10) + campo livre(25)."""
    if not re.fullmatch(r"[0-9]{3}", str(bank_code)):
        raise BoletoError("bank_code", f"expected 3 digits, got {bank_code!r}")
    if not re.fullmatch(r"[0-9]", str(currency)):
        raise BoletoError("currency", f"expected 1 digit, got {currency!r}")
    if isinstance(factor, bool) or not isinstance(factor, int) or not 0 <= factor <= 9999:
        raise BoletoError("factor", f"expected an integer from 0 to 9999, got {factor!r}")
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
        raise BoletoError("amount", f"expected cents as an int, got {amount_cents!r}")
    if not 0 <= amount_cents <= MAX_AMOUNT_CENTS:
        raise BoletoError("amount", f"{amount_cents} cents does not fit 10 digits")
    if not isinstance(campo_livre, str) or not re.fullmatch(r"[0-9]{25}", campo_livre):
        raise BoletoError("campo_livre", f"expected 25 digits, got {campo_livre!r}")
    body = f"{bank_code}{currency}{factor:04d}{amount_cents:010d}{campo_livre}"
    return body[:4] + barcode_dv(body) + body[4:]


def _check_barcode(barcode: str) -> str:
    if not isinstance(barcode, str) or not re.fullmatch(r"[0-9]{44}", barcode):
        raise BoletoError("barcode", f"expected 44 digits, got {barcode!r}")
    expected = barcode_dv(barcode[:4] + barcode[5:])
    if barcode[4] != expected:
        raise BoletoError("barcode", f"general check digit is {barcode[4]}, expected {expected}")
    return barcode


def digitable_line(barcode: str) -> str:
    """The 47-digit linha digitável of a barcode: three fields with their módulo 10 DV (bank +
    currency + campo livre 1-5; campo livre 6-15; campo livre 16-25), the general DV, then factor +
    amount."""
    return _digitable_line(_check_barcode(barcode))


def _digitable_line(barcode: str) -> str:
    field1 = barcode[0:4] + barcode[19:24]
    field2 = barcode[24:34]
    field3 = barcode[34:44]
    return (
        field1 + mod10(field1) + field2 + mod10(field2) + field3 + mod10(field3) + barcode[4] + barcode[5:19]
    )


def format_digitable_line(line: str) -> str:
    """``00190.50095 40144.816069 06809.350314 3 37370000000100`` from the 47 digits."""
    if not isinstance(line, str) or not re.fullmatch(r"[0-9]{47}", line):
        raise BoletoError("digitable_line", f"expected 47 digits, got {line!r}")
    return (
        f"{line[0:5]}.{line[5:10]} {line[10:15]}.{line[15:21]} "
        f"{line[21:26]}.{line[26:32]} {line[32]} {line[33:47]}"
    )


def barcode_from_digitable_line(line: str) -> str:
    """The barcode a linha digitável stands for (formatted or not), after checking the DV of
    each field and the general DV."""
    digits = _strip_separators("digitable_line", line)
    if len(digits) != 47:
        raise BoletoError("digitable_line", f"expected 47 digits, got {len(digits)}")
    for number, (start, end) in enumerate(((0, 9), (10, 20), (21, 31)), start=1):
        expected = mod10(digits[start:end])
        if digits[end] != expected:
            raise BoletoError(
                "digitable_line", f"field {number} check digit is {digits[end]}, expected {expected}"
            )
    barcode = digits[0:4] + digits[32] + digits[33:47] + digits[4:9] + digits[10:20] + digits[21:31]
    try:
        return _check_barcode(barcode)
    except BoletoError as error:
        raise BoletoError("digitable_line", error.message) from None


def _strip_separators(field: str, text: str) -> str:
    if not isinstance(text, str):
        raise BoletoError(field, f"expected text, got {type(text).__name__}")
    digits = re.sub(r"[\s.\-]", "", text)
    if not _DIGITS_RE.fullmatch(digits):
        raise BoletoError(field, f"may contain only digits, spaces, dots and hyphens: {text!r}")
    return digits


@dataclass(frozen=True)
class ParsedBoleto:
    """A barcode or linha digitável read back (typed by an operator, scanned, or in a test)."""

    barcode: str
    digitable_line: str
    bank_code: str
    currency: str
    factor: int
    due_date: date | None
    amount: Decimal
    campo_livre: str


def parse_boleto(text: str, *, reference: date | None = None) -> ParsedBoleto:
    """Read a barcode (44 digits) or a linha digitável (47 digits, formatted or not), checking
    every check digit. The due date is resolved from the factor near ``reference`` (default:
    today; see :func:`due_date_from_factor`)."""
    digits = _strip_separators("boleto", text)
    if len(digits) == 44:
        try:
            barcode = _check_barcode(digits)
        except BoletoError as error:
            raise BoletoError("boleto", error.message) from None
    elif len(digits) == 47:
        barcode = barcode_from_digitable_line(digits)
    elif len(digits) == 48 and digits.startswith("8"):
        raise BoletoError("boleto", "this is a utility or tax slip (arrecadação, 48 digits), not a boleto")
    else:
        raise BoletoError(
            "boleto", f"expected 44 digits (barcode) or 47 (linha digitável), got {len(digits)}"
        )
    factor = int(barcode[5:9])
    return ParsedBoleto(
        barcode=barcode,
        digitable_line=_digitable_line(barcode),
        bank_code=barcode[0:3],
        currency=barcode[3],
        factor=factor,
        due_date=due_date_from_factor(factor, reference=reference),
        amount=Decimal(int(barcode[9:19])).scaleb(-2),
        campo_livre=barcode[19:44],
    )


# --- What bank layouts share -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BoletoInput:
    """Everything a boleto is made from, as plain values (see :func:`make_boleto`).

    ``agency``, ``account``, ``carteira`` and ``convenio`` have the meaning of the same fields of
    ``core.Wallet``; ``nosso_numero`` is the wallet's sequence number for this boleto (the bank's
    fixed parts and check digits are added here). The last fields are used by one bank each.
    """

    bank_code: str
    agency: str
    account: str
    nosso_numero: str | int
    due_date: date | None
    amount: Decimal | int | str
    carteira: str = ""
    convenio: str = ""
    agency_digit: str = ""
    account_digit: str = ""
    issue_date: date | None = None  # Sicredi: the year of the nosso número
    posto: str = ""  # Sicredi: the cooperative's branch ("posto"); or agency "CCCC.PP"
    sicredi_byte: str = "2"  # Sicredi: 2..9 when the beneficiary numbers its boletos
    modalidade: str = "01"  # Sicoob: 01 simples com registro, ...
    parcela: int = 1  # Sicoob: instalment number, 001..999


@dataclass(frozen=True)
class NossoNumero:
    """The bank's identifier of the boleto. ``number`` is the digits without the check digit
    (what CNAB files carry in most layouts), ``dv`` the check digit ("" where the layout has none),
    ``display`` the form printed on the boleto."""

    number: str
    dv: str
    display: str


@dataclass(frozen=True)
class CampoLivre:
    campo_livre: str
    nosso_numero: NossoNumero
    beneficiary_code_display: str
    """"Agência / Código do beneficiário" as the bank prints it on the ficha de compensação."""


def _with_digit(number: str, digit: str) -> str:
    digit = (digit or "").strip()
    return f"{number}-{digit}" if digit else number


@dataclass(frozen=True)
class Bank:
    code: str
    name: str
    code_display: str
    """Bank code with its check digit, as printed at the top of the ficha de compensação."""
    campo_livre: Callable[[BoletoInput], CampoLivre]
    max_amount_cents: int = MAX_AMOUNT_CENTS


@dataclass(frozen=True)
class Boleto:
    bank_code: str
    bank_code_display: str
    barcode: str
    digitable_line: str
    digitable_line_formatted: str
    factor: int
    due_date: date | None
    amount: Decimal
    campo_livre: str
    nosso_numero: str
    """The nosso número without its check digit (see :class:`NossoNumero`)."""
    nosso_numero_dv: str
    nosso_numero_display: str
    beneficiary_code_display: str
