"""DRF's formatting of single values, for the plain representation functions of the hot API
reads (``insured.representations``, ``transfers.representations``).

Those functions build the JSON of a serializer without the serializer: DRF's per-field
machinery (``get_attribute``, ``is_simple_callable`` with ``inspect.signature``, a nested
serializer per row) cost about two thirds of ``/api/v1/me/``. The values themselves are still
formatted here by DRF's own field classes, so that a decimal, a date-time (in the active time
zone) or a month reads exactly as the serializer gives it. Each helper maps None to None, as a
serializer does for a None attribute without calling its field."""

import datetime
import functools
from decimal import Decimal

from django.utils import translation
from rest_framework import serializers

_DATETIME = serializers.DateTimeField()
_DECIMALS: dict[tuple[int, int], serializers.DecimalField] = {}


def decimal_string(value: Decimal | None, max_digits: int, decimal_places: int) -> str | None:
    """``DecimalField(max_digits, decimal_places)``: a string with exactly the field's places
    (COERCE_DECIMAL_TO_STRING), rounded in a context of ``max_digits`` digits as DRF does."""
    if value is None:
        return None
    field = _DECIMALS.get((max_digits, decimal_places))
    if field is None:
        field = _DECIMALS[max_digits, decimal_places] = serializers.DecimalField(
            max_digits=max_digits, decimal_places=decimal_places
        )
    return field.to_representation(value)


def datetime_string(value: datetime.datetime | None) -> str | None:
    """``DateTimeField()``: ISO 8601 in the current time zone (``Z`` for UTC)."""
    if not value:
        return None
    return _DATETIME.to_representation(value)


def date_string(value: datetime.date | None) -> str | None:
    """``DateField()``: ISO 8601."""
    if not value:
        return None
    return value if isinstance(value, str) else value.isoformat()


def month_string(value: datetime.date | None) -> str | None:
    """``core.schema.MonthField``: ``YYYY-MM``."""
    if not value:
        return None
    return value if isinstance(value, str) else value.strftime("%Y-%m")


def text(value) -> str | None:
    """``CharField()``: ``str()`` of the value (lazy translations resolved now)."""
    return None if value is None else str(value)


def display(instance, field_name: str) -> str | None:
    """``str(instance.get_<field_name>_display())``: the label of the stored choice in the
    active language, the value itself if it is not a choice. Django's method rebuilds the
    dict of all labels (a gettext each) on every call; here it is built once per model,
    field and language (the catalogues do not change while the process runs)."""
    value = getattr(instance, field_name)
    label = _labels(type(instance), field_name, translation.get_language()).get(value, value)
    return None if label is None else str(label)


@functools.cache
def _labels(model, field_name: str, language: str | None) -> dict:
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}
