"""The application attachment is judged by parsing its bytes (issue 10, item 5): polyglots,
bombs, scripts and encrypted files are refused with a message; what is stored is served as the
type it is, as a download, never sniffed."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.otp_helpers import api_verified, login_verified
from tests.transfers import samples
from tests.transfers.factories import case_in, make_mover, make_parties
from transfers.attachments import AttachmentInvalid, inspect_attachment, validate_attachment
from transfers.models import TransferCase

APPLY = {
    "insurance": "pension",
    "category": "enterprise",
    "from_region": "110105",
    "to_region": "320106",
    "phone": "13912345678",
    "hukou_address": "北京市朝阳区建国路1号",
}


@pytest.mark.parametrize(
    ("make", "kind"),
    [(samples.pdf, "pdf"), (lambda: samples.image("JPEG"), "jpg"), (samples.image, "png")],
)
def test_real_pdf_jpeg_and_png_are_accepted_by_their_bytes(make, kind):
    assert inspect_attachment(make()) == kind


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (samples.zip_with_pdf_prefix, "压缩包"),
        (samples.html_with_pdf_prefix, "网页"),
        (samples.jpeg_then_svg, "网页"),
        (samples.jpeg_header_then_svg, "网页"),
        (samples.pdf_with_javascript, "脚本"),
        (samples.pdf_with_embedded_file, "附带文件"),
        (samples.encrypted_pdf, "加密"),
        (samples.pdf_bomb, "解压后超过"),
        (lambda: samples.pdf(pages=51), "不能超过 50 页"),
        (samples.truncated_png, "无法打开"),
        (lambda: b"%PDF-1.4\nthis is not a pdf at all\n%%EOF", "无法打开"),
        (lambda: b"%PDF-1.4\n", "不完整"),
        (lambda: b"GIF89a" + b"\x00" * 20, "PDF、JPG 或 PNG"),
    ],
)
def test_hostile_or_broken_files_are_refused_with_the_reason(make, words):
    with pytest.raises(AttachmentInvalid) as refused:
        inspect_attachment(make())
    assert words in str(refused.value.message)


def test_an_image_over_the_pixel_budget_is_refused_before_decoding(settings):
    settings.ATTACHMENT_MAX_PIXELS = 100 * 100
    with pytest.raises(AttachmentInvalid) as refused:
        validate_attachment(SimpleUploadedFile("a.png", samples.image(size=(200, 101))))
    assert "200×101" in str(refused.value.message)


def test_a_file_over_1024_kb_is_refused_whatever_it_claims():
    big = SimpleUploadedFile("a.pdf", samples.pdf() + b"%" * (1024 * 1024))
    with pytest.raises(AttachmentInvalid) as refused:
        validate_attachment(big)
    assert "1024 KB" in str(refused.value.message)


@pytest.mark.django_db
def test_the_api_refuses_a_polyglot_and_stores_a_real_pdf_under_our_name(api_client, regions):
    parties = make_parties()
    person = make_mover(parties)
    api_verified(api_client, person.user)
    bad = api_client.post(
        "/api/v1/transfers/",
        {**APPLY, "attachment": SimpleUploadedFile("a.pdf", samples.zip_with_pdf_prefix())},
        format="multipart",
    )
    assert bad.status_code == 400 and "压缩包" in bad.json()["detail"]
    good = api_client.post(
        "/api/v1/transfers/",
        {
            **APPLY,
            "attachment": SimpleUploadedFile(
                "../../\u202e证明fdp.html", samples.pdf(), "text/html"
            ),
        },
        format="multipart",
    )
    assert good.status_code == 201, good.content
    case = TransferCase.objects.get(serial_no=good.json()["serial_no"])
    assert case.attachment.name.endswith(".pdf") and ".." not in case.attachment.name
    assert case.attachment_name == "证明fdp.html"


@pytest.mark.django_db
def test_the_download_has_the_detected_type_nosniff_and_is_an_attachment(client, regions):
    parties = make_parties()
    case = case_in("submitted", parties)
    case.attachment.save("x.png", ContentFile(samples.image()), save=False)
    case.attachment_name = "scan.html"  # what the uploader called it does not matter
    case.save(update_fields=["attachment", "attachment_name"])
    login_verified(client, parties.in_reviewer)
    response = client.get(reverse("admin:transfers_transfercase_attachment", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"{case.serial_no}-attachment.png" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_body_over_the_cap_is_413_before_it_is_read(client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    response = client.post(
        "/api/v1/auth/token/", data=b"x" * 2000, content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert "请求内容过大" in response.json()["detail"]
    page = client.post("/login/", data=b"x" * 2000, content_type="application/octet-stream")
    assert page.status_code == 413


@pytest.mark.django_db
def test_a_json_body_over_the_memory_cap_is_a_clear_4xx_not_a_500(api_client, settings, regions):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    parties = make_parties()
    person = make_mover(parties)
    api_verified(api_client, person.user)
    api_client.raise_request_exception = False
    response = api_client.post(
        "/api/v1/transfers/", {**APPLY, "hukou_address": "长" * 2000}, format="json"
    )
    assert response.status_code == 413
    assert "请求内容过大" in response.json()["detail"]
