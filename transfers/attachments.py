"""The application's one attachment: a merged PDF, JPG or PNG of at most 1024 KB.

The type is read from the file's first bytes, not from its name or the browser's word."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.errors import DomainError

SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)


class AttachmentInvalid(DomainError):
    code = "attachment_invalid"


def attachment_kind(head: bytes) -> str | None:
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def validate_attachment(upload: UploadedFile) -> str:
    """Return the file's kind (pdf/jpg/png); raise AttachmentInvalid with a clear message."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise AttachmentInvalid(
            _("附件不能超过 %(kb)d KB，请压缩或合并后重新上传。") % {"kb": limit // 1024}
        )
    if not upload.size:
        raise AttachmentInvalid(_("附件是空文件。"))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = attachment_kind(head)
    if kind is None:
        raise AttachmentInvalid(_("附件只能是 PDF、JPG 或 PNG 文件（合并为一个文件）。"))
    return kind
