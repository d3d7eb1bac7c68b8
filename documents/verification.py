"""What the public verification page and API say about a document, a typed code or an
uploaded PDF. Reads only; never the ID number, only the masked name and the key figures."""

import hashlib
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from documents import selectors
from documents.models import Document, DocumentStatus
from documents.signing import SignatureCheck, check_signature

# Outcomes of an uploaded PDF.
GENUINE = "genuine"  # the stored bytes of a document in force
NOT_IN_FORCE = "not_in_force"  # the stored bytes of a superseded or revoked document
OTHER_DOCUMENT = "other_document"  # genuine, but not the document of this token
MODIFIED_AFTER_SIGNING = "modified_after_signing"  # signed by us, then changed (appended)
SIGNATURE_BROKEN = "signature_broken"  # signed bytes altered
SIGNED_UNKNOWN = "signed_unknown"  # a valid portal signature, no record of the file
UNKNOWN = "unknown"  # unsigned or signed by someone else, no record


def figures_for_display(document: Document) -> list[dict]:
    """The key figures with their labels in the reader's language."""
    return [
        {
            "label": _(figure["label"]),
            "mark": figure.get("mark", ""),
            "value": figure["value"],
        }
        for figure in document.key_figures
    ]


def status_text(document: Document) -> str:
    """已被替代（2026-03-01）… in the reader's language; empty for a document in force."""
    if document.status == DocumentStatus.ISSUED:
        return ""
    date = (
        timezone.localtime(document.status_changed_at).strftime("%Y-%m-%d")
        if document.status_changed_at
        else ""
    )
    if document.status == DocumentStatus.SUPERSEDED:
        return _("该文件已于 %(date)s 被新出具的文件替代，不再有效。") % {"date": date}
    if document.status == DocumentStatus.REVOKED:
        return _("该文件已于 %(date)s 被出具机构撤销，不再有效。") % {"date": date}
    if document.status == DocumentStatus.VOIDED:
        return _("该编号已于 %(date)s 作废：文件生成失败，未出具任何文件。") % {"date": date}
    return _("该文件正在出具中，尚未生效。")


def verification_data(document: Document) -> dict:
    """What the public may know of a document: never the ID number, only a masked name."""
    return {
        "valid": document.is_valid,
        "status": document.status,
        "status_display": document.get_status_display(),
        "status_changed_at": (
            timezone.localtime(document.status_changed_at) if document.status_changed_at else None
        ),
        "status_note": status_text(document),
        "kind": document.kind,
        "kind_display": document.get_kind_display(),
        "number": document.number,
        "issued_at": timezone.localtime(document.issued_at),
        "agency": document.agency.name,
        "holder": document.holder_name_masked,
        "key_figures": figures_for_display(document),
        "sha256": document.sha256,
    }


@dataclass
class UploadCheck:
    outcome: str
    sha256: str
    signature: SignatureCheck
    document: Document | None = None  # the document the bytes are, if any
    notes: list[str] = field(default_factory=list)

    @property
    def genuine(self) -> bool:
        return self.outcome == GENUINE

    @property
    def message(self) -> str:
        messages = {
            GENUINE: _("一致：该 PDF 文件与本平台出具的原件完全相同。"),
            NOT_IN_FORCE: _("该 PDF 文件是本平台出具的原件，但已不再有效。"),
            OTHER_DOCUMENT: _(
                "不一致：该 PDF 文件是本平台出具的另一份文件，不是此验证码对应的文件。"
            ),
            MODIFIED_AFTER_SIGNING: _(
                "不一致：该 PDF 文件在签章后被修改过（签章之后追加了内容），不是原件。"
            ),
            SIGNATURE_BROKEN: _("不一致：该 PDF 文件的数字签名校验失败，文件内容已被篡改。"),
            SIGNED_UNKNOWN: _("数字签名有效，但本平台没有该文件的出具记录，请联系出具机构核实。"),
            UNKNOWN: _(
                "不一致：该 PDF 文件与本平台出具的原件不同，可能已被修改，或不是本平台出具的文件。"
            ),
        }
        return messages[self.outcome]


def check_upload(data: bytes, *, expected: Document | None = None) -> UploadCheck:
    """Compare uploaded bytes with the stored documents (by sha256) and validate their
    signature against the portal CA. With ``expected`` (the token page), only that document
    counts as a match."""
    sha256 = hashlib.sha256(data).hexdigest()
    signature = check_signature(data)
    found = selectors.document_by_sha256(sha256)
    if found is not None and expected is not None and found.pk != expected.pk:
        return UploadCheck(OTHER_DOCUMENT, sha256, signature, document=None)
    if found is not None:
        outcome = GENUINE if found.is_valid else NOT_IN_FORCE
        return UploadCheck(outcome, sha256, signature, document=found)
    if signature.signed and signature.trusted and signature.intact and not signature.whole_file:
        outcome = MODIFIED_AFTER_SIGNING
    elif signature.signed and not signature.intact:
        outcome = SIGNATURE_BROKEN
    elif signature.valid:
        outcome = SIGNED_UNKNOWN
    else:
        outcome = UNKNOWN
    return UploadCheck(outcome, sha256, signature)
