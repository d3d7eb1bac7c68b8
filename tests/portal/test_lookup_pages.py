import pytest

from agencies.models import Region
from tests.factories import AgencyFactory, region

pytestmark = pytest.mark.django_db


def test_region_lookup_lists_the_provinces_with_their_online_badges(client, regions):
    response = client.get("/regions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/regions/?parent=320000">江苏省</a>' in html
    assert html.count('class="badge ok"') == 31
    assert html.count('class="badge off"') == 3  # 台湾, 香港, 澳门


def test_region_lookup_drills_down_to_a_city_with_a_breadcrumb(client, regions):
    Region.objects.filter(code="320111").update(online_transfer_enabled=False)
    response = client.get("/regions/", {"parent": "320100"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/regions/?parent=320000">江苏省</a>' in html  # breadcrumb
    assert '<span aria-current="page">南京市</span>' in html
    assert "鼓楼区" in html
    assert "浦口区" in html  # 320111, switched off
    assert 'href="/agencies/?region=320106"' in html
    assert response.context["children"]
    by_code = {r.code: r for r in response.context["children"]}
    assert by_code["320106"].online_transfer_enabled
    assert not by_code["320111"].online_transfer_enabled


def test_region_lookup_unknown_code_is_404_with_a_message(client, regions):
    response = client.get("/regions/", {"parent": "329999"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "未找到行政区划代码为“329999”的地区" in html
    assert 'role="alert"' in html


def test_region_lookup_malformed_code_is_400_with_a_message(client, regions):
    response = client.get("/regions/", {"parent": "<script>"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "行政区划代码应为6位数字" in html
    assert "<script>" not in html


def test_region_lookup_queries_are_bounded(client, regions, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get("/regions/", {"parent": "320100"}).status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get("/regions/").status_code == 200


def test_agency_lookup_of_a_district_shows_its_city_agency(client, regions):
    AgencyFactory(
        region=region("320100"),
        name="南京市社会保险管理中心",
        address="南京市建邺区江东中路1号",
        phone="025-12333",
        postal_code="210019",
    )
    response = client.get("/agencies/", {"region": "320106"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "江苏省南京市鼓楼区" in html
    assert html.count("南京市社会保险管理中心") == 2  # pension and medical
    assert "南京市建邺区江东中路1号" in html
    assert "025-12333" in html
    assert "210019" in html
    assert "本地区由南京市统筹区经办机构办理" in html


def test_agency_lookup_drop_downs_drill_down_and_drop_a_stale_city(client, regions):
    response = client.get("/agencies/", {"province": "330000", "city": "320100"})
    assert response.status_code == 200
    assert response.context["region"].code == "330000"
    names = [level["name"] for level in response.context["levels"]]
    assert names == ["province", "city"]
    assert "杭州市" in response.content.decode()


def test_agency_lookup_drop_downs_reach_a_district(client, regions):
    response = client.get(
        "/agencies/", {"province": "320000", "city": "320100", "county": "320106"}
    )
    assert response.context["region"].code == "320106"
    assert [level["selected"] for level in response.context["levels"]] == [
        "320000",
        "320100",
        "320106",
    ]


def test_agency_lookup_for_a_region_without_an_agency_says_so(client, regions):
    response = client.get("/agencies/", {"region": "650100"})
    assert response.status_code == 200
    assert "暂无该地区的经办机构信息" in response.content.decode()


def test_agency_lookup_unknown_code_is_404_with_a_message(client, regions):
    response = client.get("/agencies/", {"region": "999999"})
    assert response.status_code == 404
    assert "未找到行政区划代码为“999999”的地区" in response.content.decode()


def test_agency_lookup_malformed_province_is_400_not_500(client, regions):
    response = client.get("/agencies/", {"province": "jiangsu"})
    assert response.status_code == 400
    assert "行政区划代码应为6位数字" in response.content.decode()


def test_agency_lookup_without_a_choice_shows_the_form(client, regions):
    response = client.get("/agencies/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<select id="id_province" name="province">' in html
    assert '<label for="id_province">' in html


def test_agency_lookup_queries_are_bounded(client, regions, django_assert_max_num_queries):
    AgencyFactory(region=region("320100"))
    # provinces, the region, its province's and city's children, one agency per insurance
    with django_assert_max_num_queries(6):
        assert client.get("/agencies/", {"region": "320106"}).status_code == 200
