"""REST endpoints of issued documents: the person's own certificate and proof, the stored PDF
for those who may read it, and the public verification look-up."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Insurance, Region
from core.schema import VALIDATION_ERROR, error
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


class CertificateRequestSerializer(serializers.Serializer):
    insurance = serializers.ChoiceField(
        choices=Insurance.choices,
        error_messages={"invalid_choice": gettext_lazy("险种应为 pension 或 medical。")},
    )
    region = serializers.RegexField(
        r"^\d{6}$",
        error_messages={"invalid": gettext_lazy("行政区划代码应为6位数字。")},
    )

    def validate_region(self, value):
        if not Region.objects.filter(code=value).exists():
            raise serializers.ValidationError(_("行政区划代码不存在。"))
        return value


class ProofRequestSerializer(serializers.Serializer):
    region = serializers.RegexField(
        r"^\d{6}$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": gettext_lazy("行政区划代码应为6位数字。")},
    )


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


def _person(request):
    person = getattr(request.user, "insured_person", None)
    if person is None:
        raise PermissionDenied(_("仅参保人本人可以办理。"))
    return person


class MyCertificatesView(APIView):
    @extend_schema(
        request=CertificateRequestSerializer,
        responses={201: DocumentSerializer, 200: DocumentSerializer, 429: error(429)},
        description="Issue (201) or re-serve (200) the transfer-out certificate of the "
        "enrollment at `region`; marks a pension enrollment 中断(转外省).",
    )
    def post(self, request):
        from insured.certificates import (
            certificate_issue,
            enrollment_for_certificate,
            existing_certificate,
        )

        person = _person(request)
        serializer = CertificateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrollment = enrollment_for_certificate(
            person,
            insurance=serializer.validated_data["insurance"],
            region_code=serializer.validated_data["region"],
        )
        if enrollment is None:
            raise serializers.ValidationError({"region": [_("您在该地区没有该险种的参保记录。")]})
        already = existing_certificate(enrollment) is not None
        document = certificate_issue(enrollment=enrollment, actor=request.user)
        return Response(
            DocumentSerializer(document).data,
            status=status.HTTP_200_OK if already else status.HTTP_201_CREATED,
        )


class MyProofsView(APIView):
    @extend_schema(
        request=ProofRequestSerializer,
        responses={201: DocumentSerializer, 200: DocumentSerializer, 429: error(429)},
        description="Issue (201) a proof of insurance, or re-serve (200) the one already issued "
        "while the records it certifies are unchanged; new documents are capped per day (429).",
    )
    def post(self, request):
        from insured.certificates import proof_issue_or_reserve

        person = _person(request)
        serializer = ProofRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document, created = proof_issue_or_reserve(
            person=person,
            actor=request.user,
            region_code=serializer.validated_data.get("region", ""),
        )
        return Response(
            DocumentSerializer(document).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
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
