"""The English catalogue is complete: every message the code marks for translation has an
English translation that is not fuzzy (a fuzzy one is not used at run time)."""

import re
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale/en/LC_MESSAGES/django.po"


def entries(text: str):
    """(flags, msgid, [msgstr…]) for every non-obsolete entry but the header."""
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            strings = [value for key, value in fields.items() if key.startswith("msgstr")]
            yield flags, fields["msgid"], strings


def test_every_message_has_an_english_translation():
    problems = [
        msgid
        for flags, msgid, strings in entries(PO.read_text(encoding="utf-8"))
        if "fuzzy" in flags or not strings or not all(strings)
    ]
    assert problems == []
