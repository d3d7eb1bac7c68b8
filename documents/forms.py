"""Forms of the public verification page: the 验证码 printed on paper, and an uploaded PDF.

Uploads are read through a size-capped upload handler (``CappedUploadHandler``): a body larger
than the cap stops being read at the cap, never buffered whole. The type is decided by the
content: pypdf must parse it and find at least one page.
"""

import io
import logging

from django import forms
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext_lazy as _

from documents.models import CODE_ALPHABET, CODE_LENGTH, normalize_verification_code
from documents.numbering import looks_like_number

logger = logging.getLogger(__name__)

# Issued documents are well under 1 MB; 10 MB leaves room for a scanned re-save, and more is
# refused before reading it whole.
VERIFY_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 50


class CappedUploadHandler(FileUploadHandler):
    """Placed first in ``request.upload_handlers``: stops reading the body once a file has
    passed ``limit`` bytes (the file is then missing from ``request.FILES``, and ``exceeded``
    tells the form why)."""

    def __init__(self, request=None, limit: int = VERIFY_UPLOAD_MAX_BYTES):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def new_file(self, *args, **kwargs):
        self.received = 0
        return super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def too_large_message() -> str:
    return _("文件过大：最大 %(max)d MB。") % {"max": VERIFY_UPLOAD_MAX_BYTES // (1024 * 1024)}


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码或文件编号"),
        max_length=80,
        help_text=_("验证码印在文件每一页底部（如 7K3M-Q9PX-2D4T），不区分大小写。"),
        error_messages={"required": _("请输入文件上的验证码。")},
    )

    def clean_code(self):
        text = self.cleaned_data["code"].strip()
        if looks_like_number(text):
            return ("number", text)
        code = normalize_verification_code(text)
        if len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code):
            return ("code", code)
        # Documents issued before the short codes print their long token as 验证码.
        if 20 <= len(text) <= 64 and all(ch.isalnum() or ch in "-_" for ch in text):
            return ("token", text)
        raise forms.ValidationError(
            _("验证码应为12位字母和数字（如 7K3M-Q9PX-2D4T），请核对后重新输入。"), code="invalid"
        )


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(
        label=_("待核验的 PDF 文件"),
        error_messages={
            "required": _("请选择要核验的 PDF 文件。"),
            "empty": _("上传的文件是空的，请选择 PDF 原件。"),
        },
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean(self):
        if self.too_large:
            self.errors.pop("pdf", None)
            raise forms.ValidationError({"pdf": too_large_message()}, code="too_large")
        return super().clean()

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size > VERIFY_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(too_large_message(), code="too_large")
        data = b"".join(upload.chunks())
        if not is_pdf(data):
            raise forms.ValidationError(
                _("该文件不是 PDF 文件，请上传本平台出具的 PDF 原件。"), code="not_pdf"
            )
        return data


def is_pdf(data: bytes) -> bool:
    """pypdf parses it as a PDF with 1 to MAX_PAGES pages (a renamed zip or HTML is not)."""
    from pypdf import PdfReader

    if b"%PDF-" not in data[:1024]:
        return False
    try:
        pages = len(PdfReader(io.BytesIO(data), strict=False).pages)
    except Exception as error:  # any parser failure on untrusted bytes means "not a PDF"
        logger.info("Uploaded file is not a readable PDF: %s", error)
        return False
    return 1 <= pages <= MAX_PAGES
