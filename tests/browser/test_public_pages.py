import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_drills_down_from_home_to_a_nanjing_district(page, regions):
    page.goto("/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="开通地区查询").click()
    page.wait_for_url("**/regions/")
    assert page.get_by_role("heading", level=1).inner_text() == "开通地区查询"

    page.get_by_role("link", name="江苏省", exact=True).click()
    page.wait_for_url("**/regions/?parent=320000")
    page.get_by_role("link", name="南京市", exact=True).click()
    page.wait_for_url("**/regions/?parent=320100")

    gulou = page.locator(".region-item", has_text="鼓楼区")
    assert gulou.locator(".badge.ok").inner_text() == "已开通网上转移"
    breadcrumb = page.get_by_role("navigation", name="当前位置")
    assert breadcrumb.get_by_role("listitem").all_inner_texts() == [
        "首页",
        "全国",
        "江苏省",
        "南京市",
    ]


def test_home_page_fits_a_phone_screen(page):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/")
    assert page.get_by_role("heading", name="办事指南").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
