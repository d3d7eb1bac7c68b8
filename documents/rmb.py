"""RMB amounts in figures (¥12,345.60) and in capitals (大写), as official forms print them.

Capitals follow the rules in DOMAIN.md ("Identifiers and formats"): 壹贰叁肆伍陆柒捌玖拾佰仟万亿
元角分零整; an amount ending at 元 gets 整; a run of zeros is one 零; 角 zero with 分 non-zero
needs 零 (¥16,409.02 → 壹万陆仟肆佰零玖元零贰分). cn2an's "rmb" mode meets these rules (see
tests/documents/test_rmb.py); it is imported on first use because its import takes 0.1 s.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
# cn2an handles up to 万亿 (16 integer digits); social insurance amounts are far below.
MAX_AMOUNT = Decimal("9999999999999999.99")


def to_amount(value) -> Decimal:
    """A Decimal with two places, half-up; floats are refused (money is never a float)."""
    if isinstance(value, float):
        raise TypeError("money must be a Decimal, int or str, not float")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def rmb(value) -> str:
    """¥12,345.60; a negative amount is -¥12.00."""
    amount = to_amount(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def rmb_upper(value) -> str:
    """壹万贰仟叁佰肆拾伍元陆角; ¥0.00 is 零元整. Negative amounts are refused."""
    import cn2an

    amount = to_amount(value)
    if amount < 0:
        raise ValueError("a negative amount has no capitals on these forms")
    if amount > MAX_AMOUNT:
        raise ValueError("amount too large")
    # A string, never a float, so that 0.05 stays 0.05.
    return cn2an.an2cn(f"{amount:.2f}", "rmb")
