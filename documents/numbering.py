"""Document numbers: one printed number identifies one document.

Every number is ``(province abbreviation)(pooling region short name)(series mark)(year)第NNNNN号``.
Each issuing agency numbers each form in its own series per year, and the series mark printed
in the number says which form it is, so no two documents of an agency ever share a number:

===============================  ======  =========================
kind                             mark    example
===============================  ======  =========================
pension certificate (参保缴费凭证)   养      京朝阳养2026第00001号
medical certificate (参保(合)凭证)   医      京朝阳医2026第00001号
pension contact letter           养联    京朝阳养联2026第00001号
medical contact letter           医联    京朝阳医联2026第00001号
pension info sheet               养信    京朝阳养信2026第00001号
medical info sheet               医信    京朝阳医信2026第00001号
proof of insurance               证      京朝阳证2026第00001号
===============================  ======  =========================

The sequence is gap-free per agency, form and year: every number taken is either an issued
document or a voided one (作废, its render failed). Numbers printed before the series marks
were introduced (``京朝阳2026第00001号`` for both certificates, ``信`` for both info sheets) stay
as issued; the sequence of that form and year simply continues under the new mark. A sequence
past 99999 keeps counting with more digits rather than failing.
"""

import re

from agencies.models import Agency
from agencies.regions import PROVINCE_ABBREVIATIONS, short_name
from documents.kinds import DocumentKind

MARKS = {
    DocumentKind.PENSION_CERTIFICATE: "养",
    DocumentKind.MEDICAL_CERTIFICATE: "医",
    DocumentKind.PENSION_CONTACT_LETTER: "养联",
    DocumentKind.MEDICAL_CONTACT_LETTER: "医联",
    DocumentKind.PENSION_INFO_SHEET: "养信",
    DocumentKind.MEDICAL_INFO_SHEET: "医信",
    DocumentKind.INSURANCE_PROOF: "证",
}
# Kept for readers of old code: the marks before one number meant one document.
LEGACY_INFIXES = {
    DocumentKind.PENSION_CERTIFICATE: "",
    DocumentKind.MEDICAL_CERTIFICATE: "",
    DocumentKind.PENSION_CONTACT_LETTER: "联",
    DocumentKind.MEDICAL_CONTACT_LETTER: "联",
    DocumentKind.PENSION_INFO_SHEET: "信",
    DocumentKind.MEDICAL_INFO_SHEET: "信",
    DocumentKind.INSURANCE_PROOF: "证",
}
NUMBER_PATTERN = re.compile(r"^\S{2,20}?\d{4}第\d{5,}号$")


def agency_prefix(agency: Agency) -> str:
    """京朝阳 for Beijing Chaoyang (110105), 苏南京 for Nanjing (320100)."""
    region = agency.region
    return PROVINCE_ABBREVIATIONS.get(region.code[:2], "") + short_name(region.name)


def format_number(*, prefix: str, kind: str, year: int, sequence: int) -> str:
    return f"{prefix}{MARKS[DocumentKind(kind)]}{year}第{sequence:05d}号"


def looks_like_number(text: str) -> bool:
    """A document number typed on /verify/ (as opposed to a 验证码)."""
    return bool(NUMBER_PATTERN.match(text.strip()))
