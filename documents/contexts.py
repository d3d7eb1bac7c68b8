"""Builders of the shared parts of document contexts (``documents.kinds``) from models.

Callers (``insured.certificates`` for a person's own documents, ``transfers`` for letters and
info sheets) use these so that every form prints a person and an agency the same way.
"""

from django.conf import settings
from django.utils.safestring import mark_safe

from agencies import names
from agencies.models import Agency
from documents.kinds import AgencyContext, PersonContext
from documents.seal import seal_svg


def person_context(person) -> PersonContext:
    return PersonContext(
        name=person.name,
        sex=str(person.get_sex_display()),
        id_number=person.id_number,
        birth_date=person.birth_date,
        hukou_address=person.hukou_address,
        hukou_type=str(person.get_hukou_type_display()),
        phone=person.phone,
    )


def agency_context(agency: Agency) -> AgencyContext:
    return AgencyContext(
        name=agency.name,
        region_code=agency.region_id,
        # From the names every process keeps (a region's parents without a query each).
        region_name=names.region_full_name(agency.region_id),
        address=agency.address,
        phone=agency.phone,
        postal_code=agency.postal_code,
        contact_person=agency.contact_person,
        bank_account_name=agency.bank_account_name,
        bank_name=agency.bank_name,
        bank_account_number=agency.bank_account_number,
    )


def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG data URI (vector, a few KB in the PDF)."""
    import segno

    return segno.make(url, error="m", micro=False).svg_data_uri(border=1, dark="#000")


def issued_marks(*, agency: Agency, number: str, verify_url: str, token: str) -> dict:
    """What ``document_issue`` adds to every context: see ``documents.kinds.IssuedContext``."""
    return {
        "agency": agency_context(agency),
        "seal_svg": mark_safe(seal_svg(agency.name)),
        "qr_data_uri": qr_data_uri(verify_url),
        "verify_url": verify_url,
        "verification_code": token,
        "portal_base_url": settings.PORTAL_BASE_URL,
        "number": number,
    }
