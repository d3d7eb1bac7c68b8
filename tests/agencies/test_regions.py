import pytest

from agencies.models import Region, RegionLevel
from agencies.regions import current_name

pytestmark = pytest.mark.django_db


def test_tree_has_34_province_level_entries_and_31_open_mainland_provinces(regions):
    provinces = Region.objects.filter(level=RegionLevel.PROVINCE)
    assert provinces.count() == 34
    assert provinces.filter(online_transfer_enabled=True).count() == 31
    assert not Region.objects.filter(
        code__in=["710000", "810000", "820000"], online_transfer_enabled=True
    ).exists()


def test_nanjing_sits_under_jiangsu_and_gulou_under_nanjing(regions):
    nanjing = Region.objects.get(code="320100")
    assert (nanjing.name, nanjing.level, nanjing.parent_id) == (
        "南京市",
        RegionLevel.CITY,
        "320000",
    )
    assert Region.objects.get(code="320106").parent_id == "320100"


def test_ended_codes_are_absent(regions):
    # 白下区 (320103) merged into 秦淮区 in 2013; 崇文区 (110103) into 东城区 in 2010.
    assert not Region.objects.filter(code__in=["320103", "110103", "110104"]).exists()


def test_beijing_districts_hang_from_the_municipality_not_a_placeholder(regions):
    assert Region.objects.get(code="110105").parent_id == "110000"
    assert not Region.objects.filter(name="市辖区").exists()


def test_current_name_takes_the_open_ended_period():
    assert current_name("[1983-1999]郊区,[2000-]滨湖区") == "滨湖区"
    assert current_name("[1983-2013]白下区") is None
    assert current_name("朝阳区") == "朝阳区"
