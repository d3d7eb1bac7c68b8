"""Validators of free text and phone numbers, shared by forms, serializers, models and services
so that every way in applies the same rule (issue 10, item 8).

Free text is printed on official letters and shown to clerks: a right-to-left override (U+202E)
once printed a contact letter's address reversed. Control characters, bidirectional formatting
characters and invisible separators are therefore refused, naming the character and where it is.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Bidirectional formatting (Unicode TR9): embeddings, overrides, isolates, marks; plus the
# invisible characters that reorder or hide text: zero-width space, word joiner, BOM, line and
# paragraph separators.
BIDI_AND_INVISIBLE = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2028\u2029\u2060\u2066\u2067\u2068\u2069\ufeff"
)
MULTILINE_WHITESPACE = frozenset("\t\n\r")

# The phone rule of the application (mainland mobile, or a fixed line with its area code):
# one pattern for the form, the serializer and the service.
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}", re.ASCII)
PHONE_MESSAGE = _(
    "请填写11位手机号码（1开头，第二位为3至9），或带区号的固定电话（如010-12345678）。"
)


def forbidden_character(value: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The first (1-based position, character) that free text may not contain, or None."""
    for position, char in enumerate(value, start=1):
        if multiline and char in MULTILINE_WHITESPACE:
            continue
        if char in BIDI_AND_INVISIBLE or unicodedata.category(char) in {"Cc", "Cs"}:
            return position, char
    return None


@deconstructible
class PlainTextValidator:
    """Refuse control characters and bidi/invisible formatting characters in free text.
    ``multiline`` allows tab and line breaks (a textarea)."""

    message = _("第%(position)d个字符（U+%(code)s）是控制字符或文字方向控制符，请删除后重新填写。")
    code = "control_character"

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        found = forbidden_character(value, multiline=self.multiline)
        if found is not None:
            position, char = found
            raise ValidationError(
                self.message,
                code=self.code,
                params={"position": position, "code": f"{ord(char):04X}"},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, PlainTextValidator) and other.multiline == self.multiline


validate_plain_text = PlainTextValidator()
validate_plain_multiline_text = PlainTextValidator(multiline=True)


def is_phone(value: str) -> bool:
    return bool(PHONE.fullmatch(value or ""))


def validate_phone(value) -> None:
    if not is_phone(str(value).strip()):
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")
