import pytest

from agencies.models import ServedInsurance
from agencies.selectors import (
    RegionCodeInvalid,
    RegionNotFound,
    agencies_for_region,
    agencies_serving,
    region_children,
    region_get,
    region_path,
)
from tests.factories import AgencyFactory, region

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["", "32010", "3201066", "32010a", "３２０１００"])
def test_region_get_refuses_a_code_that_is_not_six_ascii_digits(regions, code):
    with pytest.raises(RegionCodeInvalid):
        region_get(code=code)


def test_region_get_refuses_an_unknown_code_with_the_code_in_the_message(regions):
    with pytest.raises(RegionNotFound) as excinfo:
        region_get(code="329999")
    assert "329999" in str(excinfo.value.message)
    assert excinfo.value.http_status == 404


def test_region_path_runs_from_province_to_district_without_more_queries(
    regions, django_assert_num_queries
):
    with django_assert_num_queries(1):
        gulou = region_get(code="320106")
        names = [r.name for r in region_path(region=gulou)]
    assert names == ["江苏省", "南京市", "鼓楼区"]


def test_region_children_flags_which_children_have_their_own_children(regions):
    children = {r.code: r for r in region_children(parent=region("320000"))}
    assert children["320100"].has_children
    provinces = list(region_children(parent=None))
    assert len(provinces) == 34
    assert not {r.code: r for r in region_children(parent=region("320100"))}["320106"].has_children


def test_district_without_its_own_agency_is_served_by_its_city(regions):
    nanjing = AgencyFactory(region=region("320100"))
    serving = agencies_serving(region=region("320106"))
    assert [(s.insurance, s.agency) for s in serving] == [
        ("pension", nanjing),
        ("medical", nanjing),
    ]
    assert all(s.inherited for s in serving)
    assert agencies_for_region(region=region("320106")) == [nanjing]


def test_a_district_agency_for_one_insurance_wins_over_the_city_for_that_one_only(regions):
    city = AgencyFactory(region=region("320100"))
    district_medical = AgencyFactory(region=region("320106"), insurance=ServedInsurance.MEDICAL)
    serving = {s.insurance: s for s in agencies_serving(region=region("320106"))}
    assert serving["pension"].agency == city
    assert serving["medical"].agency == district_medical
    assert not serving["medical"].inherited


def test_region_with_no_agency_anywhere_above_gets_none(regions):
    serving = agencies_serving(region=region("650100"))
    assert [s.agency for s in serving] == [None, None]
    assert agencies_for_region(region=region("650100")) == []
