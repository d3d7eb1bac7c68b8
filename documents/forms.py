from django import forms
from django.utils.translation import gettext_lazy as _

# Issued documents are well under 1 MB; 10 MB leaves room for a scanned re-save, and more is
# refused before reading it whole.
VERIFY_UPLOAD_MAX_BYTES = 10 * 1024 * 1024


class VerifyUploadForm(forms.Form):
    pdf = forms.FileField(
        label=_("待核验的 PDF 文件"),
        error_messages={"required": _("请选择要核验的 PDF 文件。")},
    )

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size > VERIFY_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("文件过大：最大 %(max)d MB。")
                % {"max": VERIFY_UPLOAD_MAX_BYTES // (1024 * 1024)},
                code="too_large",
            )
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(
                _("该文件不是 PDF 文件，请上传本平台出具的 PDF 原件。"), code="not_pdf"
            )
        return upload
