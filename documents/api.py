"""REST endpoints of issued documents: the person's own certificate and proof, the stored PDF
for those who may read it, and the public verification look-up."""

from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Insurance, Region
from core.schema import error
from documents import selectors
from documents.models import Document


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


class VerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    kind = serializers.CharField()
    kind_display = serializers.CharField()
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    agency = serializers.CharField()
    holder = serializers.CharField(help_text="masked name")
    sha256 = serializers.CharField()


def _person(request):
    person = getattr(request.user, "insured_person", None)
    if person is None:
        raise PermissionDenied(_("仅参保人本人可以办理。"))
    return person


def verification_data(document: Document) -> dict:
    """What the public may know of a document: never the ID number, only a masked name."""
    return {
        "valid": True,
        "kind": document.kind,
        "kind_display": document.get_kind_display(),
        "number": document.number,
        "issued_at": timezone.localtime(document.issued_at),
        "agency": document.agency.name,
        "holder": document.holder_name_masked,
        "sha256": document.sha256,
    }


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


class VerifyView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        responses={
            200: VerificationSerializer,
            404: inline_serializer(
                "VerificationNotFound",
                {"valid": serializers.BooleanField(), "detail": serializers.CharField()},
            ),
        }
    )
    def get(self, request, token: str):
        document = selectors.document_by_token(token)
        if document is None:
            return Response(
                {
                    "valid": False,
                    "detail": _("未找到该文件：验证码不正确，或文件不是本平台出具的。"),
                },
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(VerificationSerializer(verification_data(document)).data)
