"""The application's one attachment: a merged PDF, JPG or PNG of at most 1024 KB.

The type is decided by parsing the bytes, never by the name or the browser's word (issue 10,
item 5): a PDF must open in pypdf, unencrypted, without JavaScript, actions that launch programs
or embedded files, with a bounded page count and bounded inflated size; an image must open and
decode in Pillow within a pixel budget. A file that is also something else (a zip, HTML or SVG
behind a valid header: a polyglot) is refused. pypdf and Pillow are imported inside the checks:
they are only needed when a file comes in.
"""

import io
import re
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.validators import forbidden_character

SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)
CONTENT_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}

# Markers of another format inside the file: browsers and unzip tools look for these anywhere,
# so a "PDF" or "JPEG" that contains one may be opened as HTML, SVG or an archive.
POLYGLOT_MARKERS = re.compile(
    rb"<\s*(?:html|script|svg|iframe|body|!doctype)\b|PK\x03\x04|PK\x05\x06|<\?xml",
    re.IGNORECASE,
)
# Names in a PDF that run code or carry files (ISO 32000-1 §12.6.4, §7.11.4).
PDF_FORBIDDEN_NAMES = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/FileAttachment",
        "/Launch",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
    }
)


class AttachmentInvalid(DomainError):
    code = "attachment_invalid"


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pages: int
    max_pixels: int
    max_inflated_bytes: int
    max_objects: int = 20_000

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            max_bytes=settings.ATTACHMENT_MAX_BYTES,
            max_pages=settings.ATTACHMENT_MAX_PAGES,
            max_pixels=settings.ATTACHMENT_MAX_PIXELS,
            max_inflated_bytes=settings.ATTACHMENT_MAX_INFLATED_BYTES,
        )


def attachment_kind(head: bytes) -> str | None:
    """The kind the first bytes claim (pdf/jpg/png); only a hint until the parsers agree."""
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def content_type(kind: str | None) -> str:
    return CONTENT_TYPES.get(kind or "", "application/octet-stream")


def _refuse_type():
    return AttachmentInvalid(_("附件只能是 PDF、JPG 或 PNG 文件（合并为一个文件）。"))


def _walk(obj, seen: set, found: list, depth: int = 0) -> None:
    """Collect forbidden names in a direct PDF object (dictionaries and arrays, not following
    indirect references: every indirect object is visited on its own)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    if depth > 50:
        return
    if isinstance(obj, NameObject):
        if obj in PDF_FORBIDDEN_NAMES:
            found.append(str(obj))
    elif isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key in PDF_FORBIDDEN_NAMES:
                found.append(str(key))
            _walk(value, seen, found, depth + 1)
    elif isinstance(obj, ArrayObject):
        for item in obj:
            _walk(item, seen, found, depth + 1)


def _inflated_size(stream, budget: int) -> int:
    """Bytes a stream expands to, counted up to ``budget + 1`` without inflating more."""
    raw = getattr(stream, "_data", b"") or b""
    filters = stream.get("/Filter")
    first = filters[0] if isinstance(filters, list) and filters else filters
    if first in ("/FlateDecode", "/Fl"):
        try:
            return len(zlib.decompressobj().decompress(raw, budget + 1))
        except zlib.error:
            return len(raw)
    if first in ("/LZWDecode", "/LZW", "/RunLengthDecode", "/RL", "/JBIG2Decode"):
        # Rare in scans and able to expand; refused rather than measured.
        raise AttachmentInvalid(_("PDF 附件使用了不支持的压缩方式，请另存为普通 PDF 后重新上传。"))
    return len(raw)


def _check_pdf(data: bytes, limits: Limits) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    from pypdf.generic import StreamObject

    if b"%%EOF" not in data[-1024:]:
        raise AttachmentInvalid(_("PDF 附件不完整或已损坏，请重新导出后上传。"))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise AttachmentInvalid(_("PDF 附件已加密或设有密码，请去除密码后重新上传。"))
        pages = len(reader.pages)
        numbers = {num for per_gen in reader.xref.values() for num in per_gen}
        numbers |= set(reader.xref_objStm)
        if len(numbers) > limits.max_objects:
            raise AttachmentInvalid(_("PDF 附件结构过于复杂，请另存为普通 PDF 后重新上传。"))
        found: list[str] = []
        inflated = 0
        for number in sorted(numbers):
            obj = reader.get_object(number)
            _walk(obj, set(), found)
            if found:
                break
            if isinstance(obj, StreamObject):
                inflated += _inflated_size(obj, limits.max_inflated_bytes - inflated)
                if inflated > limits.max_inflated_bytes:
                    raise AttachmentInvalid(
                        _("PDF 附件解压后超过 %(mb)d MB，请压缩图片后重新上传。")
                        % {"mb": limits.max_inflated_bytes // (1024 * 1024)}
                    )
        _walk(reader.trailer, set(), found)
    except AttachmentInvalid:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError):
        raise AttachmentInvalid(_("PDF 附件无法打开或已损坏，请重新导出后上传。")) from None
    if found:
        raise AttachmentInvalid(
            _("PDF 附件含有脚本、附带文件或自动操作（%(name)s），请另存为普通 PDF 后重新上传。")
            % {"name": found[0]}
        )
    if pages < 1:
        raise AttachmentInvalid(_("PDF 附件没有页面。"))
    if pages > limits.max_pages:
        raise AttachmentInvalid(_("PDF 附件不能超过 %(pages)d 页。") % {"pages": limits.max_pages})


def _check_image(data: bytes, kind: str, limits: Limits) -> None:
    from PIL import Image, UnidentifiedImageError

    expected = {"jpg": "JPEG", "png": "PNG"}[kind]
    broken = AttachmentInvalid(_("图片附件无法打开或已损坏，请重新保存后上传。"))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != expected:
                raise _refuse_type()
            width, height = image.size
            if width * height > limits.max_pixels:
                raise AttachmentInvalid(
                    _("图片尺寸过大（%(w)d×%(h)d 像素），请缩小后重新上传。")
                    % {"w": width, "h": height}
                )
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decodes every pixel: verify() does not for JPEG
    except AttachmentInvalid:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise broken from None
    # Nothing may follow the image's end: a second file behind it is a polyglot.
    if kind == "png" and not data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"):
        raise broken
    if kind == "jpg" and not data.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9"):
        raise broken


def inspect_attachment(data: bytes, limits: Limits | None = None) -> str:
    """The kind (pdf/jpg/png) of ``data`` as the parsers see it; AttachmentInvalid otherwise."""
    limits = limits or Limits.from_settings()
    kind = attachment_kind(data[:8])
    if kind is None:
        raise _refuse_type()
    if POLYGLOT_MARKERS.search(data):
        raise AttachmentInvalid(
            _("附件中夹带了网页、图形脚本或压缩包内容，不是单纯的 PDF、JPG 或 PNG 文件。")
        )
    if kind == "pdf":
        _check_pdf(data, limits)
    else:
        _check_image(data, kind, limits)
    return kind


def validate_attachment(upload: UploadedFile) -> str:
    """Return the file's kind (pdf/jpg/png); raise AttachmentInvalid with a clear message."""
    limits = Limits.from_settings()
    if upload.size is not None and upload.size > limits.max_bytes:
        raise AttachmentInvalid(
            _("附件不能超过 %(kb)d KB，请压缩或合并后重新上传。") % {"kb": limits.max_bytes // 1024}
        )
    if not upload.size:
        raise AttachmentInvalid(_("附件是空文件。"))
    upload.seek(0)
    data = upload.read(limits.max_bytes + 1)
    upload.seek(0)
    if len(data) > limits.max_bytes:
        raise AttachmentInvalid(
            _("附件不能超过 %(kb)d KB，请压缩或合并后重新上传。") % {"kb": limits.max_bytes // 1024}
        )
    return inspect_attachment(data, limits)


def stored_kind(field_file) -> str | None:
    """The kind of a stored attachment (checked in full when it came in), read from its bytes."""
    with field_file.open("rb") as handle:
        return attachment_kind(handle.read(8))


def display_name(name: str) -> str:
    """The uploader's file name as shown to clerks: no folders, no control or bidi characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = "".join(
        char for char in base if forbidden_character(char) is None and char not in '"<>'
    )
    return cleaned.strip()[:200]


def safe_download_name(serial_no: str, kind: str | None) -> str:
    """The file name offered on download: ours, never the uploader's."""
    extension = kind or "bin"
    return f"{serial_no}-attachment.{extension}"
