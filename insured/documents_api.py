"""REST endpoints of a person's own certificates and proofs (``me/certificates/``,
``me/proofs/``): the rules are insured's (``insured.certificates``); documents only numbers,
renders and stores what is issued."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Insurance, Region
from core.schema import error
from documents.api import DocumentSerializer
from insured.certificates import (
    certificate_issue,
    enrollment_for_certificate,
    existing_certificate,
    proof_issue_or_reserve,
)


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
