"""Calendar administration in Chromium: a supervisor proposes a day of the State Council's
notice in the back office, a superuser publishes it into the calendar table."""

import pytest
from django.contrib.auth import get_user_model

from agencies.models import CalendarDay, CalendarDayProposal
from core import otp
from tests.browser.admin_axe import assert_accessible
from tests.browser.test_backoffice import PASSWORD, clerk_login
from tests.otp_helpers import DEMO_SECRET
from tests.transfers.factories import make_parties

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_proposes_a_day_and_a_superuser_publishes_it(browser, live_server, regions):
    parties = make_parties()
    supervisor = parties.in_supervisor
    supervisor.set_password(PASSWORD)
    supervisor.save(update_fields=["password"])
    otp.set_fixed_totp(supervisor, DEMO_SECRET)
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    otp.set_fixed_totp(root, DEMO_SECRET)

    def new_page():
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(10_000)
        return context.new_page()

    page = new_page()
    clerk_login(page, supervisor, DEMO_SECRET)
    page.goto("/admin/agencies/calendardayproposal/add/")
    assert_accessible(page)
    page.get_by_label("日期").fill("2027-01-09")
    page.get_by_label("安排").select_option("workday")
    page.get_by_label("节日").fill("春节")
    page.get_by_label("依据").fill("测试用安排（非真实通知）")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    assert CalendarDayProposal.objects.filter(status="proposed").count() == 1
    assert not CalendarDay.objects.exists()
    page.context.close()

    page = new_page()
    clerk_login(page, root, DEMO_SECRET)
    page.goto("/admin/agencies/calendardayproposal/")
    assert_accessible(page)
    page.locator("input.action-select").first.check()
    page.locator("select[name=action]").select_option("publish")
    page.get_by_role("button", name="执行").click()
    page.wait_for_load_state()
    assert "办理时限已重新计算" in page.content()
    assert CalendarDay.objects.get().name == "春节"
    page.context.close()
