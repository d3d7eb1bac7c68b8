"""Region and agency names from the per-process cache: right, without queries, fresh after a
change."""

import pytest

from agencies import names
from agencies.models import Region
from tests.factories import AgencyFactory, region

pytestmark = pytest.mark.django_db


def test_full_names_come_from_the_cache_without_a_query(regions, django_assert_num_queries):
    names.invalidate()
    names.region_full_name("320106")  # first use in this process loads the table
    chaoyang = Region.objects.get(code="110105").full_name()
    with django_assert_num_queries(0):
        assert names.region_full_name("320106") == "江苏省南京市鼓楼区"
        assert names.region_full_name("110105") == chaoyang


def test_a_renamed_agency_is_seen_at_once(regions):
    agency = AgencyFactory(region=region("320100"), name="南京市社会保险事业管理中心")
    assert names.agency_name(agency.pk) == "南京市社会保险事业管理中心"
    agency.name = "南京市社会保险服务中心"
    agency.save()
    assert names.agency_name(agency.pk) == "南京市社会保险服务中心"


def test_unknown_codes_and_ids_give_empty_names(regions):
    assert names.region_full_name(None) == ""
    assert names.agency_name(None) == ""
    assert names.agency_name(987654321) == ""
