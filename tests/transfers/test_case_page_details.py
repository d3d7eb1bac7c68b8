"""The person's case page: ended cases, the withdraw offer, the uploaded attachment, amounts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import PersonFactory, UserFactory
from tests.transfers.factories import TransferCaseFactory, make_mover, make_parties
from transfers.models import TransferCase
from transfers.selectors import stage_progress

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def parties(regions):
    return make_parties()


@pytest.fixture
def mover(parties):
    return make_mover(parties)


@pytest.fixture
def owner(client, mover):
    client.force_login(mover.user)
    return client


def _case(parties, person, **traits) -> TransferCase:
    return TransferCaseFactory(parties=parties, person=person, history__parties=parties, **traits)


def _statuses(case) -> dict[str, str]:
    case = TransferCase.objects.prefetch_related("stages").get(pk=case.pk)
    return {row["name"]: row["status"] for row in stage_progress(case)}


@pytest.mark.parametrize("trait", ["withdrawn", "rejected"])
def test_a_case_ended_at_review_never_shows_the_review_stage_as_done(owner, parties, mover, trait):
    case = _case(parties, mover, **{trait: True})
    statuses = _statuses(case)
    assert statuses["review"] == "ended"
    assert statuses["transfer_out"] == "pending" and statuses["transfer_in"] == "pending"

    html = owner.get(reverse("transfer-detail", args=[case.serial_no])).content.decode()
    review = html[html.index("转入申请受理") :].split("</li>")[0]
    assert "已完成" not in review and "badge ok" not in review
    assert case.get_status_display() in review
    assert "stage-ended" in html and "stage-done" not in html.split("转入申请受理")[1]


def test_a_returned_case_ends_at_the_transfer_out_stage(parties, mover):
    case = _case(parties, mover, returned=True)
    statuses = _statuses(case)
    assert statuses["review"] == "done"
    assert statuses["transfer_out"] == "ended"
    assert statuses["transfer_in"] == "pending"


def test_the_withdraw_confirmation_is_not_offered_for_a_completed_case(owner, parties, mover):
    case = _case(parties, mover, completed=True)
    url = reverse("transfer-withdraw", args=[case.serial_no])
    response = owner.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("transfer-detail", args=[case.serial_no])
    html = response.content.decode()
    assert "确认撤回" not in html
    assert "不能撤回" in html
    assert url not in html  # no button to it on the case page either


def test_the_withdraw_confirmation_is_offered_while_submitted(owner, parties, mover):
    case = _case(parties, mover)
    html = owner.get(reverse("transfer-withdraw", args=[case.serial_no])).content.decode()
    assert "确认撤回" in html


def test_the_owner_sees_and_downloads_the_attachment_they_uploaded(owner, parties, mover):
    case = _case(parties, mover)
    case.attachment_name = "户口本及凭证.pdf"
    case.attachment.save("x", SimpleUploadedFile("x.pdf", PDF), save=True)
    download = reverse("transfer-attachment", args=[case.serial_no])

    html = owner.get(reverse("transfer-detail", args=[case.serial_no])).content.decode()
    assert "户口本及凭证.pdf" in html
    assert download in html
    assert f"{len(PDF)}" in html  # the size, in bytes for so small a file

    response = owner.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment;" in response["Content-Disposition"]


def test_nobody_else_downloads_the_attachment(client, parties, mover):
    case = _case(parties, mover)
    case.attachment.save("x", SimpleUploadedFile("x.pdf", PDF), save=True)
    colleague = PersonFactory(user=UserFactory())
    client.force_login(colleague.user)
    assert client.get(reverse("transfer-attachment", args=[case.serial_no])).status_code == 404
    client.logout()
    response = client.get(reverse("transfer-attachment", args=[case.serial_no]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_case_without_attachment_lists_none_and_its_download_is_404(owner, parties, mover):
    case = _case(parties, mover)
    html = owner.get(reverse("transfer-detail", args=[case.serial_no])).content.decode()
    assert "您上传的附件" not in html
    download = reverse("transfer-attachment", args=[case.serial_no])
    assert owner.get(download).status_code == 404


def test_the_apply_error_summary_names_the_side_of_each_region_error(owner):
    response = owner.post(reverse("transfer-apply"), {})
    html = response.content.decode()
    summary = html[
        html.index('id="error-summary"') : html.index("</div>", html.index("error-summary"))
    ]
    assert "转出地 · 省（自治区、直辖市）：" in summary
    assert "转入地 · 省（自治区、直辖市）：" in summary
    assert "。：" not in summary  # the declaration's own full stop is not doubled by a colon
