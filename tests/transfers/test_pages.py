"""The insured person's pages: apply, confirmation, my applications, progress, withdraw."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from documents.models import Document
from tests.factories import PersonFactory, UserFactory
from tests.transfers import samples
from tests.transfers.factories import (
    TransferCaseFactory,
    case_in,
    make_mover,
    make_parties,
)
from transfers.models import TransferCase
from transfers.workflow import CaseStatus

pytestmark = pytest.mark.django_db

APPLY = reverse("transfer-apply")
LIST = reverse("transfer-list")
PDF = samples.pdf()


@pytest.fixture
def parties(regions):
    return make_parties()


@pytest.fixture
def mover(parties):
    """Owner: insured in Beijing Chaoyang, now paying in Nanjing (pension)."""
    return make_mover(parties)


@pytest.fixture
def owner(client, mover):
    client.force_login(mover.user)
    return client


def application(**overrides) -> dict:
    data = {
        "insurance": "pension",
        "category": "enterprise",
        "from_province": "110000",
        "from_city": "110105",  # Beijing's districts sit directly under the municipality
        "from_county": "",
        "to_province": "320000",
        "to_city": "320100",
        "to_county": "320106",
        "phone": "13912345678",
        "hukou_address": "北京市朝阳区建国路1号",
        "declaration": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- apply ---------------------------------------------------------------------------------


def test_apply_form_is_prefilled_and_states_the_attachment_rules(owner, mover):
    response = owner.get(APPLY)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{mover.phone}"' in html
    assert mover.hukou_address in html
    assert 'accept=".pdf,.jpg,.jpeg,.png"' in html
    assert "1024KB" in html
    for label in ("外省企业保险转入", "外省机关事业保险转入", "退役军人保险转入"):
        assert label in html
    assert "未就业随军配偶保险转入" in html and "普通职工" in html
    assert mover.id_number not in html  # masked on the page


def test_apply_creates_the_case_and_shows_the_serial_number_and_target_date(owner, mover):
    response = owner.post(APPLY, application())
    case = TransferCase.objects.get(person=mover)
    assert response.status_code == 302
    assert response["Location"] == reverse("transfer-submitted", args=[case.serial_no])
    assert case.status == CaseStatus.SUBMITTED
    assert case.from_region_id == "110105" and case.to_region_id == "320106"
    assert case.contact_phone == "13912345678"

    page = owner.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert case.serial_no in html
    assert len(case.serial_no) == 16
    from transfers.selectors import service_target_due

    due = service_target_due(case)
    assert f"{due.year}年{due.month}月{due.day}日" in html
    assert reverse("transfer-detail", args=[case.serial_no]) in html


def test_a_failing_follow_up_in_eager_mode_is_not_a_500_and_waits_for_a_clerk(
    owner, mover, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    # make run (no REDIS_URL) runs the follow-ups in-process on commit: one that fails there
    # must not turn the answer for an application already saved into a server error, and
    # must not strand the case unseen: it waits in the responsible agency's attention queue.
    from portal.celery import app

    def broken(**kwargs):
        raise RuntimeError("renderer unavailable")

    monkeypatch.setattr("transfers.services.steps.transfer_issue_certificate", broken)
    app.conf.task_eager_propagates = False  # make run's setting; the autouse fixture restores
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(APPLY, application())
    case = TransferCase.objects.get(person=mover)
    assert response.status_code == 302
    assert response["Location"] == reverse("transfer-submitted", args=[case.serial_no])
    assert "renderer unavailable" in caplog.text
    assert case.attention_since is not None
    assert case.attention_agency == case.transfer_out_agency  # the certificate is theirs
    assert "参保缴费凭证" in case.attention_reason
    page = owner.get(reverse("transfer-detail", args=[case.serial_no])).content.decode()
    assert "正在处理，如有延误经办机构会联系您" in page
    assert "renderer unavailable" not in page


def test_apply_refused_by_eligibility_shows_the_reason_with_400_and_creates_nothing(owner):
    # The mover pays pension in Nanjing but has no medical enrollment there.
    response = owner.post(APPLY, application(insurance="medical", category="employee"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "还没有在转入地" in html
    assert 'role="alert"' in html
    assert not TransferCase.objects.exists()


def test_apply_within_one_province_is_explained_not_opened(owner):
    response = owner.post(
        APPLY, application(from_province="320000", from_city="320100", from_county="320106")
    )
    assert response.status_code == 400
    assert "不属于跨省转移接续" in response.content.decode()
    assert not TransferCase.objects.exists()


def test_apply_category_must_fit_the_insurance(owner):
    response = owner.post(APPLY, application(insurance="medical", category="enterprise"))
    assert response.status_code == 400
    assert "不适用于基本医疗保险" in response.content.decode()
    assert not TransferCase.objects.exists()


def test_apply_needs_the_declaration_and_a_city(owner):
    response = owner.post(APPLY, application(declaration=None, to_city="", to_county=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "请阅读并勾选承诺" in html
    assert "请选择转入地所在的市" in html
    assert not TransferCase.objects.exists()


def test_a_stale_city_from_another_province_is_not_accepted(owner):
    # Province changed to Shanghai but the Nanjing city is still posted (no JavaScript).
    response = owner.post(APPLY, application(to_province="310000"))
    assert response.status_code == 400
    assert not TransferCase.objects.exists()


def test_without_javascript_refresh_lists_the_next_level_and_keeps_the_input(owner):
    data = application(to_city="", to_county="", refresh="to", phone="13700000000")
    response = owner.post(APPLY, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="320100"' in html and "南京市" in html
    assert 'value="13700000000"' in html
    assert 'id="error-summary"' not in html
    assert not TransferCase.objects.exists()

    response = owner.post(APPLY, application(to_county="", refresh="to"))
    assert 'value="320106"' in response.content.decode()  # the districts of Nanjing


def test_apply_with_a_pdf_attachment_keeps_it(owner, mover):
    upload = SimpleUploadedFile("凭证.pdf", PDF, content_type="application/pdf")
    response = owner.post(APPLY, {**application(), "attachment": upload})
    assert response.status_code == 302
    case = TransferCase.objects.get(person=mover)
    assert case.attachment_name == "凭证.pdf"
    assert case.attachment.read() == PDF


def test_an_attachment_that_is_not_pdf_jpg_or_png_is_refused(owner):
    upload = SimpleUploadedFile("材料.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = owner.post(APPLY, {**application(), "attachment": upload})
    assert response.status_code == 400
    assert "PDF、JPG 或 PNG" in response.content.decode()
    assert not TransferCase.objects.exists()


def test_an_attachment_over_1024_kb_is_refused(owner):
    big = PDF + b"0" * (1024 * 1024)
    upload = SimpleUploadedFile("材料.pdf", big, content_type="application/pdf")
    response = owner.post(APPLY, {**application(), "attachment": upload})
    assert response.status_code == 400
    assert "1024 KB" in response.content.decode()
    assert not TransferCase.objects.exists()


def test_a_second_open_application_for_the_same_insurance_is_refused(owner, mover):
    assert owner.post(APPLY, application()).status_code == 302
    response = owner.post(APPLY, application())
    assert response.status_code == 400
    assert "正在办理" in response.content.decode()
    assert TransferCase.objects.filter(person=mover).count() == 1


def test_anonymous_visitors_are_sent_to_login(client, regions):
    response = client.get(APPLY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_clerk_is_sent_to_the_back_office_with_a_message(client, parties):
    client.force_login(parties.in_reviewer)
    response = client.get(LIST, follow=True)
    assert response.redirect_chain[0][0] == reverse("admin:index")
    assert any("经办人员账号" in m for m in messages_of(response))


def test_an_account_without_a_registry_person_gets_a_message(client, regions):
    client.force_login(UserFactory())
    response = client.get(APPLY, follow=True)
    assert response.redirect_chain[0][0] == reverse("home")
    assert any("没有关联参保人" in m for m in messages_of(response))


# --- my applications -----------------------------------------------------------------------


def _history(parties, person, count: int, **traits):
    return [
        TransferCaseFactory(parties=parties, person=person, history__parties=parties, **traits)
        for _ in range(count)
    ]


def test_list_pages_by_20_and_filters_by_status_and_insurance(
    owner, parties, mover, django_assert_max_num_queries
):
    _history(parties, mover, 22, withdrawn=True)
    _history(parties, mover, 1)  # the open one
    case_in("submitted", parties)  # someone else's

    with django_assert_max_num_queries(10):
        first = owner.get(LIST)
    assert first.status_code == 200
    assert len(first.context["page"].object_list) == 20
    assert first.context["page"].paginator.count == 23
    assert "page=2" in first.content.decode()

    with django_assert_max_num_queries(10):
        second = owner.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 3

    open_only = owner.get(LIST, {"status": "submitted"})
    assert [c.status for c in open_only.context["page"].object_list] == ["submitted"]
    assert "status=submitted" in open_only.content.decode()  # the export link keeps filters

    medical = owner.get(LIST, {"insurance": "medical"})
    assert medical.context["page"].paginator.count == 0
    assert "没有符合筛选条件的申请" in medical.content.decode()


def test_list_ignores_an_unknown_filter_value(owner, parties, mover):
    _history(parties, mover, 2, withdrawn=True)
    response = owner.get(LIST, {"status": "bogus", "page": "x"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2


def test_list_marks_overdue_cases_and_links_each_case(owner, parties, mover):
    (case,) = _history(parties, mover, 1)
    TransferCase.objects.filter(pk=case.pk).update(
        current_due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    html = owner.get(LIST).content.decode()
    assert "已超时" in html
    assert reverse("transfer-detail", args=[case.serial_no]) in html


def test_list_shows_only_the_persons_own_cases(owner, parties, mover):
    other = case_in("submitted", parties)
    html = owner.get(LIST).content.decode()
    assert other.serial_no not in html
    assert "您还没有转移接续申请" in html


# --- progress page -------------------------------------------------------------------------


def detail_url(case) -> str:
    return reverse("transfer-detail", args=[case.serial_no])


def test_progress_shows_the_four_stages_with_due_dates_and_the_target(
    owner, parties, mover, django_assert_max_num_queries
):
    (case,) = _history(parties, mover, 1)
    with django_assert_max_num_queries(14):
        response = owner.get(detail_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    for stage in (
        "参保缴费凭证",
        "转入申请受理",
        "转出地出具信息表并划转基金",
        "转入地确认到账并记录权益",
    ):
        assert stage in html
    review = next(s for s in response.context["stages"] if s["name"] == "review")
    assert review["status"] == "running"
    assert review["due_date"].isoformat() in html
    assert response.context["target_due"].isoformat() in html
    assert "您提交了转入申请" in html
    assert reverse("transfer-withdraw", args=[case.serial_no]) in html


def test_progress_of_another_persons_case_is_404(owner, parties):
    other = case_in("submitted", parties)
    assert owner.get(detail_url(other)).status_code == 404
    assert owner.get(reverse("transfer-submitted", args=[other.serial_no])).status_code == 404
    assert owner.get(reverse("transfer-withdraw", args=[other.serial_no])).status_code == 404
    assert owner.post(reverse("transfer-withdraw", args=[other.serial_no])).status_code == 404
    other.refresh_from_db()
    assert other.status == CaseStatus.SUBMITTED


def test_progress_shows_amounts_and_documents_when_known(owner, parties, mover):
    (case,) = _history(parties, mover, 1, funds_remitted=True)
    document = Document.objects.create(
        kind="pension_contact_letter",
        number="苏南京2026第00001号",
        year=2026,
        sequence=1,
        holder=mover,
        agency=parties.in_agency,
        counterpart_agency=parties.out_agency,
        case_reference=case.serial_no,
        pdf="documents/x.pdf",
        sha256="0" * 64,
        size=10,
        issued_at=timezone.now(),
    )
    html = owner.get(detail_url(case)).content.decode()
    assert "¥1,000.00" in html and "¥2,345.60" in html and "¥3,345.60" in html
    assert "统筹基金" in html and "合计" in html
    assert document.url in html and "苏南京2026第00001号" in html
    assert "基本养老保险关系转移接续联系函" in html
    assert reverse("transfer-withdraw", args=[case.serial_no]) not in html


def test_progress_of_a_rejected_case_shows_the_reason(owner, parties, mover):
    (case,) = _history(parties, mover, 1, rejected=True)
    html = owner.get(detail_url(case)).content.decode()
    assert "不予受理" in html and "材料不全" in html


def test_progress_overdue_stage_is_marked(owner, parties, mover):
    (case,) = _history(parties, mover, 1)
    case.stages.filter(name="review").update(
        due_date=timezone.localdate() - datetime.timedelta(days=2)
    )
    response = owner.get(detail_url(case))
    review = next(s for s in response.context["stages"] if s["name"] == "review")
    assert review["status"] == "overdue"
    assert "stage-overdue" in response.content.decode()


# --- withdraw ------------------------------------------------------------------------------


def test_withdraw_asks_for_confirmation_then_withdraws(owner, parties, mover):
    (case,) = _history(parties, mover, 1)
    url = reverse("transfer-withdraw", args=[case.serial_no])
    confirm = owner.get(url)
    assert confirm.status_code == 200
    assert "确认撤回" in confirm.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED  # a GET changes nothing

    response = owner.post(url, follow=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert any("已撤回" in m for m in messages_of(response))
    assert "您撤回了申请" in response.content.decode()

    again = owner.post(url, follow=True)
    assert again.status_code == 200
    assert any("不能撤回申请" in m for m in messages_of(again))


def test_withdraw_after_acceptance_is_refused_with_a_message(owner, parties, mover):
    (case,) = _history(parties, mover, 1, accepted=True)
    response = owner.post(reverse("transfer-withdraw", args=[case.serial_no]), follow=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert any("受理成功" in m for m in messages_of(response))


def test_a_colleague_cannot_see_the_owners_case(client, parties, mover):
    (case,) = _history(parties, mover, 1)
    colleague = PersonFactory(user=UserFactory())
    client.force_login(colleague.user)
    assert client.get(detail_url(case)).status_code == 404
