"""Document numbers.

Every number is ``(province abbreviation)(pooling region short name)(infix)(year)第NNNNN号``
with a five-digit sequence that is gap-free per issuing agency, kind and year:

==========================  =====  ======================
kind                        infix  example
==========================  =====  ======================
pension / medical certificate  —   京朝阳2026第00001号 (the format printed on both paper forms)
pension / medical letter     联    京朝阳联2026第00001号
pension / medical info sheet 信    京朝阳信2026第00001号
proof of insurance           证    京朝阳证2026第00001号
==========================  =====  ======================

The pension and medical forms of one family are separate series (each kind has its own
counter); their titles tell them apart, as on paper. A sequence past 99999 keeps counting with
more digits rather than failing.
"""

from agencies.models import Agency
from agencies.regions import PROVINCE_ABBREVIATIONS, short_name
from documents.kinds import DocumentKind

INFIXES = {
    DocumentKind.PENSION_CERTIFICATE: "",
    DocumentKind.MEDICAL_CERTIFICATE: "",
    DocumentKind.PENSION_CONTACT_LETTER: "联",
    DocumentKind.MEDICAL_CONTACT_LETTER: "联",
    DocumentKind.PENSION_INFO_SHEET: "信",
    DocumentKind.MEDICAL_INFO_SHEET: "信",
    DocumentKind.INSURANCE_PROOF: "证",
}


def agency_prefix(agency: Agency) -> str:
    """京朝阳 for Beijing Chaoyang (110105), 苏南京 for Nanjing (320100)."""
    region = agency.region
    return PROVINCE_ABBREVIATIONS.get(region.code[:2], "") + short_name(region.name)


def format_number(*, prefix: str, kind: str, year: int, sequence: int) -> str:
    return f"{prefix}{INFIXES[DocumentKind(kind)]}{year}第{sequence:05d}号"
