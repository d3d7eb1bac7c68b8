"""Formatting for the pages people read: amounts with thousands separators (as on the PDFs)
and labels that end the way the reader's language writes them."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language

register = template.Library()

CENT = Decimal("0.01")


def _amount(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None


@register.filter
def grouped(value) -> str:
    """12,345.60: an amount in a table column whose header names the unit."""
    amount = _amount(value)
    return "" if amount is None else f"{amount:,.2f}"


@register.filter
def yuan(value) -> str:
    """¥12,345.60; a negative amount is -¥12.00; empty for None."""
    amount = _amount(value)
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


@register.filter
def label_colon(label) -> str:
    """A form label as Chinese writes it (``联系电话：``, full-width colon); English labels
    take none."""
    label = str(label)
    if (get_language() or "").startswith("zh") and not label.endswith(("：", ":")):
        return f"{label}："
    return label


@register.filter
def error_label(label) -> str:
    """The label before an error in the error summary: ``联系电话：`` / ``Phone: ``, without
    the label's own closing full stop (a declaration ends with one)."""
    label = str(label).rstrip("。.：: ")
    if (get_language() or "").startswith("zh"):
        return f"{label}："
    return f"{label}: "
