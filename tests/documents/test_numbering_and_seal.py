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
