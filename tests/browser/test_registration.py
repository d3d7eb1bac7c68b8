import re

import pytest

from tests.insured.records import person_with_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill(page, person, *, name=None, password="Sheng-Bao-2026"):
    page.get_by_label("公民身份号码").fill(person.id_number)
    page.get_by_label("姓名").fill(name or person.name)
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label(re.compile(r"^密码")).fill(password)
    page.get_by_label("确认密码").fill(password)
    page.get_by_role("button", name="注册并登录").click()


def test_person_registers_and_lands_on_their_records(page, regions):
    person, _ = person_with_history(2, with_login=False, name="王小明")
    page.goto("/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="注册").click()
    page.wait_for_url("**/register/")
    fill(page, person)
    page.wait_for_url("**/me/records/")
    assert page.get_by_role("heading", level=1).inner_text() == "我的参保记录"
    body = page.locator("main").inner_text()
    assert person.id_number_masked in body
    assert person.id_number not in body
    assert page.get_by_role("table", name="年度缴费记录").count() == 2


def test_a_name_mismatch_is_shown_next_to_the_id_field(page, regions):
    person, _ = person_with_history(1, with_login=False)
    page.goto("/register/")
    fill(page, person, name="别人")
    page.wait_for_load_state()
    error = page.locator("#id_id_number_error")
    assert error.inner_text().strip() == "身份证号码与姓名不匹配或未参保。"
    assert page.get_by_label("公民身份号码").get_attribute("aria-invalid") == "true"


def test_records_tables_fit_a_phone_screen(page, regions):
    person, _ = person_with_history(1, with_login=False)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/register/")
    fill(page, person)
    page.wait_for_url("**/me/records/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
