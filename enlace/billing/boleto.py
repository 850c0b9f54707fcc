"""Boleto computing core: due-date factor, check digits, the 44-digit barcode, the 47-digit linha
digitável, and each bank's campo livre and nosso número (SPEC F-4).

Plain functions over plain values: no models, no Django. The billing services take the bank data
from a ``core.Wallet`` (bank_code, agency, account, carteira, convenio, ...) and the nosso número
from the wallet's sequence, and call :func:`make_boleto`. The layouts, the manual sections they
come from and the test vectors are described in ``docs/boleto-pix.md``.

Every value that does not fit raises :class:`BoletoError` (a ``ValueError``) whose ``field``
names the input that is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

__all__ = [
    "BANKS",
    "FACTOR_BASE_DATE",
    "FACTOR_RESTART_DATE",
    "Bank",
    "Boleto",
    "BoletoError",
    "BoletoInput",
    "CampoLivre",
    "NossoNumero",
    "ParsedBoleto",
    "amount_to_cents",
    "barcode_dv",
    "barcode_from_digitable_line",
    "bb_campo_livre",
    "bb_nosso_numero",
    "bradesco_campo_livre",
    "bradesco_nosso_numero",
    "build_barcode",
    "build_boleto",
    "caixa_campo_livre",
    "caixa_nosso_numero",
    "digitable_line",
    "due_date_factor",
    "due_date_from_factor",
    "format_digitable_line",
    "itau_campo_livre",
    "itau_nosso_numero",
    "make_boleto",
    "mod10",
    "mod11",
    "mod11_remainder",
    "parse_boleto",
    "sicoob_campo_livre",
    "sicoob_nosso_numero",
    "sicredi_campo_livre",
    "sicredi_nosso_numero",
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


# --- Check digits -----------------------------------------------------------------------------


# Digit sum of 2 × d for d = 0..9 (12 counts as 1 + 2).
_DOUBLED_DIGIT_SUM = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
# Weights from the right: 2..9 repeated (FEBRABAN) and 2..7 repeated (Bradesco), long enough for
# a 43-digit barcode.
_WEIGHTS = {9: (2, 3, 4, 5, 6, 7, 8, 9) * 6, 7: (2, 3, 4, 5, 6, 7) * 8}


def mod10(digits: str) -> str:
    """FEBRABAN "módulo 10": weights 2, 1, 2, 1, ... from the right, the digits of each product
    summed, DV = (10 - sum mod 10) mod 10. The same arithmetic as the Luhn check digit. Used for
    the three fields of the linha digitável and for Itaú's DACs."""
    _check_digits("digits", digits)
    total = sum(_DOUBLED_DIGIT_SUM[int(char)] for char in digits[-1::-2])
    total += sum(int(char) for char in digits[-2::-2])
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
    return sum(int(char) * weight for char, weight in zip(reversed(digits), weights, strict=False)) % 11


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
    cents = value * 100
    if cents != cents.to_integral_value():
        raise BoletoError("amount", f"{value} has more than two decimal places")
    cents = int(cents)
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


# --- Bank layouts -----------------------------------------------------------------------------


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


# Banco do Brasil (001) -------------------------------------------------------------------------

_BB_SEQUENCE_SIZE = {4: 7, 6: 5, 7: 10, 8: 9}


def _bb_convenio(convenio: object) -> str:
    text = convenio.strip() if isinstance(convenio, str) else str(convenio)
    if not _DIGITS_RE.fullmatch(text) or len(text) not in _BB_SEQUENCE_SIZE:
        raise BoletoError(
            "convenio",
            f"Banco do Brasil convênios have 4, 6, 7 or 8 digits (as BB issued them), got {convenio!r}",
        )
    return text


def bb_nosso_numero(convenio: str, sequence: str | int) -> NossoNumero:
    """Banco do Brasil: convênio + sequence. Convênios of 4 and 6 digits make an 11-digit nosso
    número (sequence of 7 or 5 digits) with a módulo 11 DV ("X" for 10); convênios of 7 and 8
    digits a 17-digit one (sequence of 10 or 9 digits) without DV."""
    convenio = _bb_convenio(convenio)
    size = _BB_SEQUENCE_SIZE[len(convenio)]
    number = convenio + _digits(
        "nosso_numero", sequence, size, f"after a {len(convenio)}-digit Banco do Brasil convênio"
    )
    if len(number) == 11:
        dv = mod11(number, if_10="X")
        return NossoNumero(number, dv, f"{number}-{dv}")
    return NossoNumero(number, "", number)


def bb_campo_livre(data: BoletoInput) -> CampoLivre:
    """Banco do Brasil: nosso número(11) + agência(4) + conta(8) + carteira(2) for convênios of 4
    and 6 digits; ``000000`` + nosso número(17) + carteira(2) for 7 and 8."""
    agency = _digits("agency", data.agency, 4, "for Banco do Brasil")
    account = _digits("account", data.account, 8, "for Banco do Brasil")
    carteira = _digits("carteira", data.carteira, 2, "for Banco do Brasil")
    nosso = bb_nosso_numero(data.convenio, data.nosso_numero)
    if len(nosso.number) == 11:
        campo_livre = nosso.number + agency + account + carteira
    else:
        campo_livre = "000000" + nosso.number + carteira
    display = f"{_with_digit(agency, data.agency_digit)} / {_with_digit(account, data.account_digit)}"
    return CampoLivre(campo_livre, nosso, display)


# Itaú (341) ------------------------------------------------------------------------------------

# Carteiras whose nosso número DAC covers only carteira + nosso número: 126, 131, 146, 150 and
# 168 (Itaú boleto manual), and the "escritural" carteira 112 (Itaú CNAB 240 manual, note 27:
# "... e escriturais"; confirmed against bank-issued boletos in brcobranca#4, boleto2net#85 and
# laravel-boleto#610). Carteiras that need "seu número" and the client code in the campo livre
# use a layout not implemented here.
_ITAU_SHORT_DAC = frozenset({"112", "126", "131", "146", "150", "168"})
_ITAU_SEU_NUMERO = frozenset({"106", "107", "122", "142", "143", "195", "196", "198"})


def _itau_parts(agency: object, account: object, carteira: object) -> tuple[str, str, str]:
    agency = _digits("agency", agency, 4, "for Itaú")
    account = _digits("account", account, 5, "for Itaú (without its DAC)")
    carteira = _digits("carteira", carteira, 3, "for Itaú")
    if carteira in _ITAU_SEU_NUMERO:
        raise BoletoError(
            "carteira", f"Itaú carteira {carteira} uses the 'seu número' layout, which is not supported"
        )
    return agency, account, carteira


def itau_nosso_numero(agency: str, account: str, carteira: str, sequence: str | int) -> NossoNumero:
    """Itaú: nosso número of 8 digits; its DAC is módulo 10 of agência + conta + carteira + nosso
    número (of carteira + nosso número only for carteiras 112, 126, 131, 146, 150 and 168)."""
    agency, account, carteira = _itau_parts(agency, account, carteira)
    number = _digits("nosso_numero", sequence, 8, "for Itaú")
    base = carteira + number if carteira in _ITAU_SHORT_DAC else agency + account + carteira + number
    dv = mod10(base)
    return NossoNumero(number, dv, f"{carteira}/{number}-{dv}")


def itau_campo_livre(data: BoletoInput) -> CampoLivre:
    """Itaú: carteira(3) + nosso número(8) + DAC(1) + agência(4) + conta(5) + DAC of agência +
    conta(1) + ``000``."""
    agency, account, carteira = _itau_parts(data.agency, data.account, data.carteira)
    nosso = itau_nosso_numero(agency, account, carteira, data.nosso_numero)
    account_dac = mod10(agency + account)
    given = (data.account_digit or "").strip()
    if given and given != account_dac:
        raise BoletoError(
            "account_digit",
            f"Itaú's DAC of agência {agency} + conta {account} is {account_dac}, not {given}",
        )
    campo_livre = carteira + nosso.number + nosso.dv + agency + account + account_dac + "000"
    return CampoLivre(campo_livre, nosso, f"{agency} / {account}-{account_dac}")


# Bradesco (237) --------------------------------------------------------------------------------


def bradesco_nosso_numero(carteira: str, sequence: str | int) -> NossoNumero:
    """Bradesco: nosso número of 11 digits; its DV is módulo 11 with weights 2 to 7 over
    carteira(2) + nosso número(11), "P" for 10 and 0 for 11."""
    carteira = _digits("carteira", carteira, 2, "for Bradesco")
    number = _digits("nosso_numero", sequence, 11, "for Bradesco")
    dv = mod11(carteira + number, max_weight=7, if_10="P")
    return NossoNumero(number, dv, f"{carteira}/{number}-{dv}")


def bradesco_campo_livre(data: BoletoInput) -> CampoLivre:
    """Bradesco: agência(4) + carteira(2) + nosso número(11) + conta(7) + ``0``."""
    agency = _digits("agency", data.agency, 4, "for Bradesco")
    account = _digits("account", data.account, 7, "for Bradesco (without its DV)")
    carteira = _digits("carteira", data.carteira, 2, "for Bradesco")
    nosso = bradesco_nosso_numero(carteira, data.nosso_numero)
    campo_livre = agency + carteira + nosso.number + account + "0"
    display = f"{_with_digit(agency, data.agency_digit)} / {_with_digit(account, data.account_digit)}"
    return CampoLivre(campo_livre, nosso, display)


# Caixa (104), SIGCB ----------------------------------------------------------------------------

_CAIXA_CARTEIRA = {"": "1", "1": "1", "RG": "1", "2": "2", "SR": "2"}
CAIXA_MAX_AMOUNT_CENTS = 9_999_999_99
"""Caixa's manual limits the amount of a boleto to R$ 9,999,999.99."""


def _caixa_kind(carteira: object) -> str:
    key = carteira.strip().upper() if isinstance(carteira, str) else str(carteira)
    if key not in _CAIXA_CARTEIRA:
        raise BoletoError(
            "carteira", f"Caixa carteira is 1 or RG (registrada), 2 or SR (sem registro), got {carteira!r}"
        )
    return _CAIXA_CARTEIRA[key]


def caixa_nosso_numero(carteira: str, sequence: str | int) -> NossoNumero:
    """Caixa SIGCB: 17 digits, carteira (1 registrada / 2 sem registro) + ``4`` (issued by the
    beneficiary) + 15 digits of the beneficiary's; DV módulo 11 over the 17, 0 when above 9."""
    number = _caixa_kind(carteira) + "4" + _digits("nosso_numero", sequence, 15, "for Caixa")
    dv = mod11(number)
    return NossoNumero(number, dv, f"{number}-{dv}")


def _caixa_beneficiary(convenio: object) -> tuple[str, str]:
    """Beneficiary code as it goes into the campo livre (7 digits) and as it is displayed."""
    code = _digits("convenio", convenio, 7, "for Caixa (código do beneficiário)")
    value = int(code)
    if value == 0:
        raise BoletoError("convenio", "Caixa código do beneficiário is required")
    if value <= 999_999:
        six = code[1:]
        dv = mod11(six)
        return six + dv, f"{six}-{dv}"
    if value >= 1_100_000:
        return code, code
    raise BoletoError(
        "convenio", f"Caixa código do beneficiário {code} is neither 6 digits nor from 1100000 on"
    )


def caixa_campo_livre(data: BoletoInput) -> CampoLivre:
    """Caixa SIGCB: código do beneficiário(6) + its DV(1) (or a 7-digit code from 1100000 on,
    without DV) + nosso número 3-5 + nosso número 1 + nosso número 6-8 + nosso número 2 + nosso
    número 9-17 + DV of the first 24 digits (módulo 11, 0 when above 9)."""
    agency = _digits("agency", data.agency, 4, "for Caixa")
    code, code_display = _caixa_beneficiary(data.convenio)
    nosso = caixa_nosso_numero(data.carteira, data.nosso_numero)
    n = nosso.number
    body = code + n[2:5] + n[0] + n[5:8] + n[1] + n[8:17]
    return CampoLivre(body + mod11(body), nosso, f"{agency} / {code_display}")


# Sicredi (748) ---------------------------------------------------------------------------------


def _sicredi_agency_posto(agency: object, posto: object) -> tuple[str, str]:
    agency_text = agency.strip() if isinstance(agency, str) else agency
    posto_text = posto.strip() if isinstance(posto, str) else posto
    if isinstance(agency_text, str) and "." in agency_text:
        agency_text, _, embedded = agency_text.partition(".")
        if posto_text and _digits("posto", posto_text, 2) != _digits("agency", embedded, 2):
            raise BoletoError("posto", f"differs from the posto in agency {agency!r}")
        posto_text = posto_text or embedded
    if posto_text in ("", None):
        raise BoletoError("posto", "Sicredi needs the posto (2 digits), or agency as 'CCCC.PP'")
    return (
        _digits("agency", agency_text, 4, "for Sicredi (cooperativa)"),
        _digits("posto", posto_text, 2, "for Sicredi"),
    )


def sicredi_nosso_numero(
    agency: str, posto: str, convenio: str, year: int, sequence: str | int, byte: str = "2"
) -> NossoNumero:
    """Sicredi: year(2) + byte(1, 2..9 when the beneficiary numbers) + sequence(5) + DV; the DV
    is módulo 11 (0 when above 9) over cooperativa(4) + posto(2) + código do beneficiário(5) +
    year + byte + sequence."""
    agency, posto = _sicredi_agency_posto(agency, posto)
    code = _digits("convenio", convenio, 5, "for Sicredi (código do beneficiário)")
    if isinstance(year, bool) or not isinstance(year, int) or not 0 <= year <= 9999:
        raise BoletoError("year", f"expected a year, got {year!r}")
    byte = str(byte).strip()
    if byte not in set("23456789"):
        raise BoletoError("sicredi_byte", f"must be 2 to 9 when the beneficiary numbers, got {byte!r}")
    number = f"{year % 100:02d}{byte}" + _digits("nosso_numero", sequence, 5, "for Sicredi")
    dv = mod11(agency + posto + code + number)
    return NossoNumero(number, dv, f"{number[:2]}/{number[2:]}-{dv}")


def sicredi_campo_livre(data: BoletoInput) -> CampoLivre:
    """Sicredi: tipo de cobrança(1: 1 com registro, 3 sem registro) + carteira ``1`` + nosso
    número with DV(9) + cooperativa(4) + posto(2) + código do beneficiário(5) + ``1`` when the
    amount is given else ``0`` + ``0`` + DV of the first 24 digits (módulo 11, 0 when above 9)."""
    kind = _digits("carteira", data.carteira or "1", 1, "for Sicredi (tipo de cobrança)")
    if kind not in ("1", "3"):
        raise BoletoError("carteira", f"Sicredi tipo de cobrança is 1 (com registro) or 3, got {kind}")
    if data.issue_date is None:
        raise BoletoError("issue_date", "Sicredi's nosso número carries the year the boleto is issued")
    issue_date = _as_date("issue_date", data.issue_date)
    agency, posto = _sicredi_agency_posto(data.agency, data.posto)
    code = _digits("convenio", data.convenio, 5, "for Sicredi (código do beneficiário)")
    nosso = sicredi_nosso_numero(agency, posto, code, issue_date.year, data.nosso_numero, data.sicredi_byte)
    has_amount = "1" if amount_to_cents(data.amount) > 0 else "0"
    body = kind + "1" + nosso.number + nosso.dv + agency + posto + code + has_amount + "0"
    return CampoLivre(body + mod11(body), nosso, f"{agency}.{posto}.{code}")


# Sicoob (756) ----------------------------------------------------------------------------------

_SICOOB_WEIGHTS = (3, 1, 9, 7)


def sicoob_nosso_numero(agency: str, convenio: str, sequence: str | int) -> NossoNumero:
    """Sicoob: nosso número of 7 digits + DV. The DV: cooperativa(4) + código do cliente (10,
    zero-filled) + nosso número(7) times the weights 3, 1, 9, 7 repeated from the left; remainder
    of the sum by 11; 0 when the remainder is 0 or 1, else 11 - remainder."""
    agency = _digits("agency", agency, 4, "for Sicoob (cooperativa)")
    code = _digits("convenio", convenio, 7, "for Sicoob (código do beneficiário)")
    number = _digits("nosso_numero", sequence, 7, "for Sicoob")
    base = agency + code.zfill(10) + number
    remainder = sum(int(d) * _SICOOB_WEIGHTS[i % 4] for i, d in enumerate(base)) % 11
    dv = "0" if remainder in (0, 1) else str(11 - remainder)
    return NossoNumero(number, dv, f"{number}-{dv}")


def sicoob_campo_livre(data: BoletoInput) -> CampoLivre:
    """Sicoob: carteira(1) + cooperativa(4) + modalidade(2) + código do beneficiário(7) + nosso
    número with DV(8) + parcela(3)."""
    carteira = _digits("carteira", data.carteira or "1", 1, "for Sicoob")
    agency = _digits("agency", data.agency, 4, "for Sicoob (cooperativa)")
    modalidade = _digits("modalidade", data.modalidade, 2, "for Sicoob")
    code = _digits("convenio", data.convenio, 7, "for Sicoob (código do beneficiário)")
    if isinstance(data.parcela, bool) or not isinstance(data.parcela, int) or not 1 <= data.parcela <= 999:
        raise BoletoError("parcela", f"expected an instalment number from 1 to 999, got {data.parcela!r}")
    nosso = sicoob_nosso_numero(agency, code, data.nosso_numero)
    campo_livre = carteira + agency + modalidade + code + nosso.number + nosso.dv + f"{data.parcela:03d}"
    return CampoLivre(campo_livre, nosso, f"{agency} / {code}")


@dataclass(frozen=True)
class Bank:
    code: str
    name: str
    code_display: str
    """Bank code with its check digit, as printed at the top of the ficha de compensação."""
    campo_livre: Callable[[BoletoInput], CampoLivre]
    max_amount_cents: int = MAX_AMOUNT_CENTS


BANKS: dict[str, Bank] = {
    "001": Bank("001", "Banco do Brasil", "001-9", bb_campo_livre),
    "104": Bank("104", "Caixa Econômica Federal", "104-0", caixa_campo_livre, CAIXA_MAX_AMOUNT_CENTS),
    "237": Bank("237", "Bradesco", "237-2", bradesco_campo_livre),
    "341": Bank("341", "Itaú", "341-7", itau_campo_livre),
    "748": Bank("748", "Sicredi", "748-X", sicredi_campo_livre),
    "756": Bank("756", "Sicoob", "756-0", sicoob_campo_livre),
}


# --- Entry point ------------------------------------------------------------------------------


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


def build_boleto(data: BoletoInput) -> Boleto:
    """The boleto for ``data``; see :func:`make_boleto`."""
    bank_code = data.bank_code.strip() if isinstance(data.bank_code, str) else data.bank_code
    bank = BANKS.get(bank_code)  # type: ignore[arg-type]
    if bank is None:
        supported = ", ".join(f"{b.code} {b.name}" for b in BANKS.values())
        raise BoletoError(
            "bank_code", f"no boleto layout for bank {data.bank_code!r} (supported: {supported})"
        )
    cents = amount_to_cents(data.amount, max_cents=bank.max_amount_cents)
    if data.due_date is None:
        factor, due_date = 0, None
    else:
        due_date = _as_date("due_date", data.due_date)
        factor = due_date_factor(due_date)
    part = bank.campo_livre(data)
    barcode = build_barcode(bank.code, factor, cents, part.campo_livre)
    line = _digitable_line(barcode)  # the barcode was just built: no need to check it again
    return Boleto(
        bank_code=bank.code,
        bank_code_display=bank.code_display,
        barcode=barcode,
        digitable_line=line,
        digitable_line_formatted=format_digitable_line(line),
        factor=factor,
        due_date=due_date,
        amount=Decimal(cents).scaleb(-2),
        campo_livre=part.campo_livre,
        nosso_numero=part.nosso_numero.number,
        nosso_numero_dv=part.nosso_numero.dv,
        nosso_numero_display=part.nosso_numero.display,
        beneficiary_code_display=part.beneficiary_code_display,
    )


def make_boleto(
    bank_code: str,
    *,
    agency: str,
    account: str,
    nosso_numero: str | int,
    due_date: date | None,
    amount: Decimal | int | str,
    carteira: str = "",
    convenio: str = "",
    agency_digit: str = "",
    account_digit: str = "",
    issue_date: date | None = None,
    posto: str = "",
    sicredi_byte: str = "2",
    modalidade: str = "01",
    parcela: int = 1,
) -> Boleto:
    """Barcode, linha digitável and nosso número of one boleto.

    ``bank_code``: 001, 104, 237, 341, 748 or 756. ``agency``/``account`` without check digits
    (``agency_digit``/``account_digit`` only go into the printed beneficiary code; Itaú's account
    DAC is checked against them). ``nosso_numero``: the wallet's sequence number; the bank's fixed
    parts (convênio, carteira, year) and check digit are added. ``due_date`` ``None`` makes factor
    0000 (no due date). ``amount``: a Decimal with at most two decimal places, less than 100
    million (10 million at Caixa).

    Per bank: Banco do Brasil uses ``convenio`` (4, 6, 7 or 8 digits) and ``carteira`` (2 digits);
    Itaú ``carteira`` (3); Bradesco ``carteira`` (2); Caixa ``convenio`` (código do beneficiário)
    and ``carteira`` (1/RG, 2/SR; default 1); Sicredi ``convenio`` (código do beneficiário, 5),
    ``posto`` (or agency "CCCC.PP"), ``issue_date`` (its year) and ``carteira`` (tipo de cobrança,
    default 1); Sicoob ``convenio`` (código do beneficiário, 7), ``modalidade``, ``parcela`` and
    ``carteira`` (default 1).
    """
    return build_boleto(
        BoletoInput(
            bank_code=bank_code,
            agency=agency,
            account=account,
            nosso_numero=nosso_numero,
            due_date=due_date,
            amount=amount,
            carteira=carteira,
            convenio=convenio,
            agency_digit=agency_digit,
            account_digit=account_digit,
            issue_date=issue_date,
            posto=posto,
            sicredi_byte=sicredi_byte,
            modalidade=modalidade,
            parcela=parcela,
        )
    )
