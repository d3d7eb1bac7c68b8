"""Filters for document templates: amounts and dates as the official forms print them."""

import datetime

from django import template

from documents import rmb as rmb_rules

register = template.Library()


@register.filter
def rmb(value) -> str:
    """¥12,345.60 (empty for None)."""
    if value is None or value == "":
        return ""
    return rmb_rules.rmb(value)


@register.filter
def rmb_upper(value) -> str:
    """壹万贰仟叁佰肆拾伍元陆角 (empty for None)."""
    if value is None or value == "":
        return ""
    return rmb_rules.rmb_upper(value)


@register.filter
def cn_date(value) -> str:
    """2026年01月05日."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return f"{value.year}年{value.month:02d}月{value.day:02d}日"


@register.filter
def ym(value) -> str:
    """2015年01月 (a month, stored as its first day)."""
    if not value:
        return ""
    return f"{value.year}年{value.month:02d}月"


@register.filter
def percent(value) -> str:
    """Decimal('0.16') → 16%; Decimal('0.075') → 7.5%."""
    if value is None or value == "":
        return ""
    number = (value * 100).normalize()
    text = f"{number:f}"
    return f"{text}%"
