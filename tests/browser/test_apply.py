"""An insured person applies in a real browser, with and without JavaScript, and follows the
case's progress."""

import re

import pytest

from tests.transfers.factories import make_mover, make_parties
from transfers.models import TransferCase
from transfers.workflow import CaseStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-9"  # tests.factories.UserFactory


@pytest.fixture
def mover(regions):
    mover = make_mover(make_parties())
    # The transfer factories give logins no usable password (speed); a browser logs in.
    mover.user.set_password(PASSWORD)
    mover.user.save(update_fields=["password"])
    return mover


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_person_applies_sees_the_serial_number_and_follows_the_progress(page, mover):
    log_in(page, mover.user.username)
    page.goto("/transfers/apply/")
    assert page.get_by_role("heading", level=1).inner_text() == "社会保险关系跨省转入申请"
    # JavaScript hides the no-script buttons and keeps the categories to the insurance.
    assert not page.get_by_role("button", name="选择下级地区").first.is_visible()

    page.get_by_label("基本养老保险").check()
    page.select_option("#id_category", "enterprise")
    page.select_option("#id_from_province", "110000")
    page.wait_for_selector("#id_from_city option[value='110105']", state="attached")
    page.select_option("#id_from_city", "110105")
    page.select_option("#id_to_province", "320000")
    page.wait_for_selector("#id_to_city option[value='320100']", state="attached")
    page.select_option("#id_to_city", "320100")
    page.wait_for_selector("#id_to_county option[value='320106']", state="attached")
    page.select_option("#id_to_county", "320106")
    assert page.input_value("#id_phone") == mover.phone
    page.get_by_label(re.compile("本人承诺")).check()
    page.get_by_role("button", name="提交申请").click()

    page.wait_for_url("**/submitted/")
    serial_no = page.get_by_test_id("serial-no").inner_text().strip()
    assert re.fullmatch(r"\d{16}", serial_no)
    case = TransferCase.objects.get(serial_no=serial_no)
    assert case.person_id == mover.pk
    assert case.to_region_id == "320106"
    assert "承诺办结时限" in page.content()

    page.get_by_role("link", name="查看办理进度").click()
    page.wait_for_url(f"**/transfers/{serial_no}/")
    stages = page.locator(".stage-list .stage-name").all_inner_texts()
    assert stages == [
        "参保缴费凭证",
        "转入申请受理",
        "转出地出具信息表并划转基金",
        "转入地确认到账并记录权益",
    ]
    review = page.locator(".stage", has_text="转入申请受理")
    assert review.locator(".badge").inner_text() == "办理中"
    assert re.search(r"\d{4}-\d{2}-\d{2}", review.locator(".stage-dates").inner_text())
    assert page.get_by_text("您提交了转入申请").is_visible()

    page.get_by_role("link", name="撤回申请").click()
    page.get_by_role("button", name="确认撤回").click()
    page.wait_for_url(f"**/transfers/{serial_no}/")
    assert page.locator(".messages").inner_text().strip().endswith("已撤回。")
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN


def test_the_apply_form_works_without_javascript(browser, live_server, mover):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, mover.user.username)
        page.goto("/transfers/apply/")
        page.get_by_label("基本养老保险").check()
        page.select_option("#id_category", "enterprise")
        page.select_option("#id_from_province", "110000")
        page.select_option("#id_to_province", "320000")
        page.locator("button[name=refresh][value=to]").click()  # 选择下级地区
        page.select_option("#id_from_city", "110105")
        page.select_option("#id_to_city", "320100")
        page.locator("button[name=refresh][value=to]").click()
        page.select_option("#id_to_county", "320106")
        page.get_by_label(re.compile("本人承诺")).check()
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_url("**/submitted/")
        assert re.fullmatch(r"\d{16}", page.get_by_test_id("serial-no").inner_text().strip())
    finally:
        context.close()


def test_apply_page_fits_a_phone_and_shows_refusals_in_the_error_summary(page, mover):
    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, mover.user.username)
    page.goto("/transfers/apply/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="提交申请").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "请阅读并勾选承诺" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_bridging_categories_are_offered_with_the_pension_only(page, regions):
    from tests.transfers.bridging import sun_ba, weifang

    person = sun_ba(weifang())
    person.user.set_password(PASSWORD)
    person.user.save(update_fields=["password"])
    log_in(page, person.user.username)
    page.goto("/transfers/apply/")
    bridging = page.locator('#id_category optgroup[label="城乡养老保险制度衔接（养老保险）"]')
    page.get_by_label("基本医疗保险").check()
    assert bridging.evaluate("g => g.hidden && g.disabled")
    page.get_by_label("基本养老保险").check()
    assert bridging.evaluate("g => !g.hidden && !g.disabled")
    page.select_option("#id_category", "resident_to_employee")
    for side in ("from", "to"):
        page.select_option(f"#id_{side}_province", "370000")
        page.select_option(f"#id_{side}_city", "370700")
        page.select_option(f"#id_{side}_county", "370705")
    page.get_by_label(re.compile("本人承诺")).check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    case = TransferCase.objects.get(person=person)
    assert case.category == "resident_to_employee"
    assert case.serial_no in page.locator("main").inner_text()
