"""Money, once for every area: amounts are ``Decimal`` with two places (rule 4 of
docs/architecture.md), rounded to cents half up, shown in reais as ``R$ 1.234,56`` whatever the
active language, and split into instalments whose parts add up to the total exactly."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(value) -> Decimal:
    """``value`` rounded to cents, half up (``1.005`` → ``1.01``)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def brl(value, *, symbol: bool = True) -> str:
    """Brazilian money: ``R$ 1.234,56``, ``-R$ 0,50`` (``1.234,56`` without the symbol); ``None``
    reads as zero. The amount is rounded to cents half up first."""
    amount = cents(value if value is not None else 0)
    text = f"{abs(amount):,.2f}".translate(str.maketrans(",.", ".,"))
    sign = "-" if amount < 0 else ""
    return f"{sign}R$ {text}" if symbol else f"{sign}{text}"


def split_instalments(total: Decimal, count: int) -> list[Decimal]:
    """``total`` in ``count`` parts (at least one): equal parts rounded down to cents, the cents
    left over added to the first, so the parts always add up to ``total``."""
    count = max(int(count), 1)
    part = (Decimal(total) / count).quantize(CENT, rounding=ROUND_DOWN)
    amounts = [part] * count
    amounts[0] += Decimal(total) - part * count
    return amounts
