"""The back office in a real browser: a clerk's first login enrols an authenticator app; the
four clerks complete a case through the confirmation pages; axe-core finds no serious or
critical problem on any admin page visited."""

import base64
import contextlib
import itertools
import os
import re
import time
from pathlib import Path

import pytest
from django_otp.oath import TOTP

from core import otp
from documents.models import Document
from insured.access_log import PersonAccess
from tests.browser.admin_axe import assert_accessible
from tests.otp_helpers import DEMO_SECRET
from tests.transfers.factories import case_in, make_parties
from transfers import services
from transfers.models import TransferCase
from transfers.services import outbox
from transfers.workflow import CaseStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-9"
# BACKOFFICE_SCREENSHOTS=docs/ saves the README's screenshots while the test runs.
SHOTS = os.environ.get("BACKOFFICE_SCREENSHOTS", "")


def totp_now(secret: str, *, after: int = 0) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time() + after
    return f"{totp.token():06d}"


@pytest.fixture
def parties(regions):
    parties = make_parties()
    for user in (parties.in_reviewer, parties.out_reviewer, parties.out_finance):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    parties.in_finance.set_password(PASSWORD)
    parties.in_finance.save(update_fields=["password"])
    return parties


def password_login(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def clerk_login(page, user, secret: str) -> None:
    password_login(page, user.username)
    assert "/admin/otp/" in page.url
    assert_accessible(page)
    page.get_by_label("动态验证码").fill(totp_now(secret))
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "经办工作台"


def test_first_login_enrols_the_authenticator_then_opens_the_workbench(page, parties):
    user = parties.in_reviewer
    case_in("submitted", parties)
    password_login(page, user.username)
    assert "/admin/otp/enrol/" in page.url
    assert page.locator(".otp-qr svg").is_visible()
    assert_accessible(page)
    secret = page.get_by_test_id("otp-secret").inner_text()

    page.get_by_label("动态验证码").fill("000000" if totp_now(secret) != "000000" else "111111")
    page.get_by_role("button", name="完成绑定").click()
    assert "动态验证码不正确" in page.locator(".errornote").inner_text()

    page.get_by_label("动态验证码").fill(totp_now(secret))
    page.get_by_role("button", name="完成绑定").click()
    codes = page.get_by_test_id("backup-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("link", name="进入经办工作台").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "经办工作台"
    assert (
        f"社会保险网上服务平台 · {parties.in_agency.name}" in page.locator("#header").inner_text()
    )
    assert page.get_by_test_id("count-review").inner_text() == "1"
    assert page.locator("svg#chart-weekly").is_visible()
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "backoffice-workbench.png"), full_page=True)


def test_four_clerks_complete_a_case_through_the_confirmation_pages(page, parties):
    for user in (
        parties.in_reviewer,
        parties.out_reviewer,
        parties.out_finance,
        parties.in_finance,
    ):
        otp.set_fixed_totp(user, DEMO_SECRET)
    case = case_in("submitted", parties, overlapping_months=["2025-07"])
    case_url = f"/admin/transfers/transfercase/{case.pk}/change/"

    def act(user, move_label: str, fill=None, shot: str = ""):
        page.context.clear_cookies()
        clerk_login(page, user, DEMO_SECRET)
        page.goto(case_url)
        assert_accessible(page)
        page.get_by_role("link", name=f"{move_label}…", exact=True).click()
        page.wait_for_load_state()
        assert case.serial_no in page.get_by_test_id("confirm-serial").inner_text()
        assert_accessible(page)
        if fill:
            fill()
        if shot and SHOTS:
            page.screenshot(path=str(Path(SHOTS) / shot), full_page=True)
        page.get_by_role("button", name=f"确认{move_label}", exact=True).click()
        page.wait_for_load_state()
        return page

    act(parties.in_reviewer, "受理")
    assert "已办理“受理”" in page.locator(".messagelist").inner_text()
    fresh = TransferCase.objects.get(pk=case.pk)
    assert fresh.status == CaseStatus.LETTER_SENT, (fresh.attention_reason, fresh.attention_detail)
    # Acknowledging the letter is a plain button (no money, no decision on the person).
    page.context.clear_cookies()
    clerk_login(page, parties.out_reviewer, DEMO_SECRET)
    page.goto(case_url)
    page.get_by_role("button", name="确认接收联系函").click()
    page.wait_for_load_state()
    assert TransferCase.objects.get(pk=case.pk).status == CaseStatus.INFO_SHEET_ISSUED

    act(parties.out_finance, "划转基金", shot="backoffice-confirm-remit.png")
    case.refresh_from_db()
    assert case.status == CaseStatus.FUNDS_REMITTED  # the local bank pays at once
    amount = case.remittance.amount

    def wrong_then_right():
        assert re.search(r"¥[\d,]+\.\d\d", page.get_by_test_id("confirm-amount").inner_text())
        assert "元" in page.get_by_test_id("confirm-capitals").inner_text()
        page.get_by_label("到账金额（元）").fill("1.00")
        page.get_by_role("button", name="确认确认到账并记录权益").click()
        page.wait_for_load_state()
        assert "不一致" in page.locator(".messagelist").inner_text()
        assert page.get_by_label("到账金额（元）").input_value() == "1.00"  # kept
        assert_accessible(page)
        page.get_by_label("到账金额（元）").fill(str(amount))

    act(parties.in_finance, "确认到账并记录权益", fill=wrong_then_right)
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED


def test_counter_issue_print_and_the_access_log_in_the_browser(page, parties):
    otp.set_fixed_totp(parties.out_reviewer, DEMO_SECRET)
    case = case_in("info_sheet_issued", parties)
    person = case.person
    clerk_login(page, parties.out_reviewer, DEMO_SECRET)

    # The case page fits 1280 px (the funds table included).
    page.goto(f"/admin/transfers/transfercase/{case.pk}/change/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.get_by_role("heading", name="转出地参保缴费记录").is_visible()

    page.goto("/admin/")
    page.get_by_role("link", name="窗口服务").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("公民身份号码").fill(person.id_number)
    page.get_by_role("button", name="查询").click()
    result = page.get_by_test_id("counter-result")
    assert person.id_number_masked in result.inner_text()
    assert person.id_number not in page.content()
    assert_accessible(page)
    result.get_by_role("link").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("full-id").inner_text() == person.id_number
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("代为出具.*参保缴费凭证")).click()
    page.wait_for_load_state()
    assert "已代为出具" in page.locator(".messagelist").inner_text()
    with page.expect_popup() as popup:
        page.get_by_test_id("counter-documents").get_by_role("link").first.click()
    assert popup.value.url.endswith(
        f"/admin/counter/document/{Document.objects.filter(holder=person).first().pk}/"
    )

    kinds = set(PersonAccess.objects.filter(person=person).values_list("kind", flat=True))
    assert {"case", "search", "records", "issue"} <= kinds

    # 归集: Beijing is the benefit place of a man with a temporary account in Nanjing.
    from tests.transfers.test_temporary_accounts import temporary_in_nanjing

    holder, _account = temporary_in_nanjing(parties)
    page.goto(f"/admin/counter/person/{holder.pk}/")
    page.get_by_role("link", name=f"归集{parties.in_agency.name}的临时缴费账户").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="发起归集").click()
    page.wait_for_load_state()
    collection = TransferCase.objects.get(person=holder)
    assert f"流水号 {collection.serial_no}" in page.locator(".messagelist").inner_text()
    assert page.url.endswith(f"/admin/transfers/transfercase/{collection.pk}/change/")


def test_the_supervisor_reads_the_access_log_and_the_lists_pass_axe(page, parties):
    supervisor = parties.in_supervisor
    supervisor.set_password(PASSWORD)
    supervisor.save(update_fields=["password"])
    otp.set_fixed_totp(supervisor, DEMO_SECRET)
    case = case_in("submitted", parties)
    PersonAccess.objects.create(
        user=parties.in_reviewer,
        agency=parties.in_agency,
        person=case.person,
        kind="case",
        reference=case.serial_no,
        reason=case.serial_no,
    )
    clerk_login(page, supervisor, DEMO_SECRET)
    assert page.get_by_test_id("count-receipt").is_visible()  # every queue of the agency
    # In English the stage names are long: under each chart, no two labels overlap and none
    # leaves the chart (they wrap onto up to three lines).
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": page.url}])
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text() == "Agency workbench"
    boxes = page.evaluate(
        """() => [...document.querySelectorAll("svg.chart")].map(svg => {
            const frame = svg.getBoundingClientRect();
            const labels = [...svg.querySelectorAll("text")].filter(t => t.querySelector("tspan"));
            return {id: svg.id, frame: [frame.left, frame.right],
                    labels: labels.map(t => { const r = t.getBoundingClientRect();
                                              return [r.left, r.right, t.textContent]; })};
        })"""
    )
    stage_chart = next(chart for chart in boxes if chart["id"] == "chart-durations")
    assert any("information sheet" in text for _l, _r, text in stage_chart["labels"])
    for chart in boxes:
        left_edge, right_edge = chart["frame"]
        labels = sorted(chart["labels"])
        for (_l, right, text), (left, _r, following) in itertools.pairwise(labels):
            assert right <= left, f"{chart['id']}: “{text}” overlaps “{following}”"
        assert all(left_edge <= a and b <= right_edge for a, b, _t in labels), chart["id"]
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": page.url}])
    page.goto("/admin/transfers/transfercase/")
    assert case.serial_no in page.content()
    assert_accessible(page)
    page.goto("/admin/insured/personaccess/")
    assert case.serial_no in page.content()
    assert case.person.id_number not in page.content()
    assert_accessible(page)
    page.get_by_role("searchbox", name="搜索").fill(case.person.id_number)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "nj-review" in page.locator("#result_list").inner_text()


def test_the_attention_queue_on_the_workbench_and_its_retry(page, parties, settings):
    settings.TRANSFER_BANK_BACKEND = "tests.transfers.banks.RefusingBank"
    case = case_in("info_sheet_issued", parties)
    services.transfer_remit(case=case, actor=parties.out_finance)
    with contextlib.suppress(outbox.TransientFailure):
        outbox.dispatch(event_id=case.events.get(action="remit").pk)
    case.refresh_from_db()
    assert case.attention_since is not None  # the bank refused for good
    settings.TRANSFER_BANK_BACKEND = "transfers.bank.LocalBank"

    otp.set_fixed_totp(parties.out_reviewer, DEMO_SECRET)
    clerk_login(page, parties.out_reviewer, DEMO_SECRET)
    assert page.get_by_test_id("count-attention").inner_text() == "1"
    page.get_by_test_id("count-attention").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("link", name=case.serial_no).click()
    page.wait_for_load_state()
    assert "银行未完成转移基金划转" in page.locator(".attention-warning").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="重新执行").click()
    page.wait_for_load_state()
    assert "已办理“重新执行”" in page.locator(".messagelist").inner_text()
    case.refresh_from_db()
    assert case.status == CaseStatus.FUNDS_REMITTED and case.attention_since is None
