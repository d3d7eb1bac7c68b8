"""REST endpoints of issued documents: the person's own certificate and proof, the stored PDF
for those who may read it, and the public verification look-up."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import VALIDATION_ERROR
from core.throttles import AddressThrottle
from documents import selectors
from documents.forms import VerifyCodeForm
from documents.models import Document
from documents.verification import verification_data


class DocumentSerializer(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True)
    verify_url = serializers.CharField(read_only=True)

    class Meta:
        model = Document
        fields = ["id", "kind", "number", "url", "verify_url"]


class KeyFigureSerializer(serializers.Serializer):
    mark = serializers.CharField(help_text="the line's number on the form (①–⑥), or empty")
    label = serializers.CharField()
    value = serializers.CharField()


class VerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="issued and in force")
    status = serializers.CharField(
        help_text="issued (in force), superseded, revoked, voided (作废: the number was taken "
        "but no document was produced) or issuing"
    )
    status_display = serializers.CharField()
    status_changed_at = serializers.DateTimeField(allow_null=True)
    status_note = serializers.CharField(help_text="why it is not in force, with the date")
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    agency = serializers.CharField()
    holder = serializers.CharField(help_text="masked name")
    key_figures = KeyFigureSerializer(many=True)
    sha256 = serializers.CharField(allow_blank=True)


NOT_FOUND_SCHEMA = inline_serializer(
    "VerificationNotFound",
    {"valid": serializers.BooleanField(), "detail": serializers.CharField()},
)


def pdf_response(document: Document) -> FileResponse:
    """The stored bytes, inline, named after the number; never rendered again."""
    response = FileResponse(
        document.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=False,
        filename=document.filename,
    )
    # The full ID number is inside: no browser or proxy may keep a copy (issue 10, item 8).
    response["Cache-Control"] = "no-store"
    response["ETag"] = f'"{document.sha256}"'
    return response


class DocumentPdfView(APIView):
    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk: int):
        document = selectors.document_for_user(request.user, pk)
        if document is None:
            # Someone else's document and a missing one look the same.
            raise Http404
        return pdf_response(document)


def _not_found() -> Response:
    return Response(
        {"valid": False, "detail": _("未找到该文件：验证码不正确，或文件不是本平台出具的。")},
        status=status.HTTP_404_NOT_FOUND,
    )


class VerifyView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AddressThrottle]
    throttle_scope = "verify"

    @extend_schema(responses={200: VerificationSerializer, 404: NOT_FOUND_SCHEMA})
    def get(self, request, token: str):
        document = selectors.document_by_token(token)
        if document is None:
            return _not_found()
        return Response(VerificationSerializer(verification_data(document)).data)


class VerifyCodeView(APIView):
    """The 验证码 printed on the paper (a view of its own, so that it can be throttled)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AddressThrottle]
    throttle_scope = "verify"

    @extend_schema(
        operation_id="verify_by_code",
        parameters=[
            OpenApiParameter(
                "code",
                str,
                required=True,
                description="验证码 as printed, e.g. 7K3M-Q9PX-2D4T (case, spaces and dashes "
                "ignored), or the long code of documents issued before the short ones",
            )
        ],
        responses={
            200: VerificationSerializer,
            400: VALIDATION_ERROR,
            404: NOT_FOUND_SCHEMA,
        },
    )
    def get(self, request):
        form = VerifyCodeForm({"code": request.query_params.get("code", "")})
        if not form.is_valid() or form.cleaned_data["code"][0] == "number":
            errors = form.errors.get("code") or [_("请输入文件上的验证码，而不是文件编号。")]
            raise serializers.ValidationError({"code": list(errors)})
        how, value = form.cleaned_data["code"]
        document = (
            selectors.document_by_code(value)
            if how == "code"
            else selectors.document_by_token(value)
        )
        if document is None:
            return _not_found()
        return Response(VerificationSerializer(verification_data(document)).data)
