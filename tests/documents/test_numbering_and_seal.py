import re

import pytest

from documents.kinds import DocumentKind
from documents.numbering import agency_prefix, format_number
from documents.seal import ring_layout, seal_svg


def test_certificate_number_matches_the_domain_format():
    assert (
        format_number(prefix="京朝阳", kind=DocumentKind.PENSION_CERTIFICATE, year=2026, sequence=1)
        == "京朝阳养2026第00001号"
    )


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (DocumentKind.MEDICAL_CERTIFICATE, "京朝阳医2026第00012号"),
        (DocumentKind.PENSION_CONTACT_LETTER, "京朝阳养联2026第00012号"),
        (DocumentKind.MEDICAL_CONTACT_LETTER, "京朝阳医联2026第00012号"),
        (DocumentKind.PENSION_INFO_SHEET, "京朝阳养信2026第00012号"),
        (DocumentKind.MEDICAL_INFO_SHEET, "京朝阳医信2026第00012号"),
        (DocumentKind.INSURANCE_PROOF, "京朝阳证2026第00012号"),
    ],
)
def test_every_kind_carries_its_own_series_mark(kind, expected):
    assert format_number(prefix="京朝阳", kind=kind, year=2026, sequence=12) == expected


@pytest.mark.django_db
def test_prefix_is_province_abbreviation_and_short_region_name(beijing, nanjing):
    assert agency_prefix(beijing) == "京朝阳"
    assert agency_prefix(nanjing) == "苏南京"


def test_seal_svg_names_the_agency_and_says_it_is_electronic():
    svg = seal_svg("北京市朝阳区社会保险基金管理中心")
    assert "北京市朝阳区社会保险基金管理中心" in svg  # title / aria-label
    assert "业务专用章" in svg and "电子印章" in svg
    assert "<polygon" in svg  # the star
    # every character of the name sits on the ring, rotated
    assert len(re.findall(r"rotate\(", svg)) == len("北京市朝阳区社会保险基金管理中心")


def test_seal_escapes_the_name():
    svg = seal_svg("<b>&中心")
    assert "<b>" not in svg and "&amp;" in svg


def test_ring_spreads_long_names_within_the_upper_arc_and_keeps_short_ones_tight():
    long_layout, long_size, _radius = ring_layout("北京市朝阳区社会保险基金管理中心")
    short_layout, short_size, _radius = ring_layout("鼓楼区社保中心")
    assert long_layout[0][1] == pytest.approx(-110) and long_layout[-1][1] == pytest.approx(110)
    assert short_size > long_size
    assert short_layout[-1][1] < 90


@pytest.mark.django_db
@pytest.mark.usefixtures("in_2026")
def test_no_two_documents_of_one_agency_share_a_number(person, beijing, nanjing):
    """Issue 9 item 5: a pension and a medical certificate (or info sheet) of one agency used to
    both be 京朝阳2026第00001号; each form now has its own series mark."""
    from documents.services import document_issue
    from tests.documents.conftest import sample_context

    documents = [
        document_issue(
            kind=kind,
            holder=person,
            agency=beijing,
            context=sample_context(kind, person=person, transfer_out=beijing, transfer_in=nanjing),
        )
        for kind in DocumentKind
    ]
    numbers = [d.number for d in documents]
    assert all(d.sequence == 1 for d in documents)
    assert len(set(numbers)) == len(DocumentKind)
    assert "京朝阳养2026第00001号" in numbers and "京朝阳医2026第00001号" in numbers
    assert "京朝阳养信2026第00001号" in numbers and "京朝阳医信2026第00001号" in numbers


@pytest.mark.django_db
@pytest.mark.usefixtures("in_2026")
def test_numbers_printed_before_the_marks_stay_and_their_sequence_continues(
    person, beijing, nanjing
):
    """A number on paper never changes: old numbers stay as issued, the series continues."""
    from django.utils import timezone

    from documents.models import Document, DocumentCounter
    from documents.services import document_issue
    from tests.documents.conftest import sample_context

    kind = DocumentKind.PENSION_CERTIFICATE
    DocumentCounter.objects.create(agency=beijing, kind=kind, year=2026, last_sequence=1)
    old = Document.objects.create(
        kind=kind, number="京朝阳2026第00001号", year=2026, sequence=1, holder=person,
        agency=beijing, pdf="documents/2026/old.pdf", sha256="0" * 64, size=1,
        issued_at=timezone.now(),
    )  # fmt: skip
    context = sample_context(kind, person=person, transfer_out=beijing, transfer_in=nanjing)
    new = document_issue(kind=kind, holder=person, agency=beijing, context=context)
    assert new.number == "京朝阳养2026第00002号"
    old.refresh_from_db()
    assert old.number == "京朝阳2026第00001号" and old.status == "issued"
