"""REST endpoints of the registry: registration and password reset by an SMS code to the
phone on file, and the caller's records. Log-in, log-out and password change are core's."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.auth_api import AuthEndpoint
from core.schema import error
from core.tokens import token_issue
from insured.representations import me_representation
from insured.selectors import person_for_user, person_records
from insured.serializers import (
    CodePasswordSerializer,
    MeSerializer,
    MessageSerializer,
    PasswordResetSerializer,
    RegisteredSerializer,
    RegisterSerializer,
    RegisterStartedSerializer,
)
from insured.services import (
    REGISTRATION_SENT,
    RESET_SENT,
    password_reset_confirm,
    password_reset_start,
    registration_confirm,
    registration_start,
)


def _field_errors(name: str, fields: list[str]):
    return inline_serializer(
        name,
        {
            field: serializers.ListField(child=serializers.CharField(), required=False)
            for field in fields
        },
    )


THROTTLED = inline_serializer("AuthThrottled", {"detail": serializers.CharField()})


class RegisterView(AuthEndpoint):
    throttle_scope = "register"

    @extend_schema(
        request=RegisterSerializer,
        responses={
            200: RegisterStartedSerializer,
            400: _field_errors("RegisterErrors", ["id_number", "name"]),
            429: THROTTLED,
        },
        description="第一步：无论信息是否匹配，均返回同样的提示；匹配未注册的参保人时，向其在参保地登记的手机发送验证码。",
    )
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        masked = registration_start(**serializer.validated_data)
        return Response({"detail": str(REGISTRATION_SENT), "phone_masked": masked})


class RegisterConfirmView(AuthEndpoint):
    throttle_scope = "register"

    @extend_schema(
        request=CodePasswordSerializer,
        responses={
            201: RegisteredSerializer,
            400: _field_errors("RegisterConfirmErrors", ["id_number", "code", "password"]),
            429: THROTTLED,
        },
        description="第二步：验证码和密码，创建登录账号并返回接口令牌。",
    )
    def post(self, request):
        serializer = CodePasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # A refusal raises ValidationError keyed by field; core.api turns it into a 400.
        user = registration_confirm(**serializer.validated_data)
        key, token = token_issue(user=user)
        return Response(
            {
                "username": user.username,
                "token": key,
                "expires": timezone.localtime(token.expires_at),
            },
            status=status.HTTP_201_CREATED,
        )


class PasswordResetView(AuthEndpoint):
    throttle_scope = "reset"

    @extend_schema(
        request=PasswordResetSerializer,
        responses={
            200: MessageSerializer,
            400: _field_errors("PasswordResetErrors", ["id_number"]),
            429: THROTTLED,
        },
        description="找回密码第一步：无论身份证号码是否注册，均返回同样的提示。",
    )
    def post(self, request):
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_start(**serializer.validated_data)
        return Response({"detail": str(RESET_SENT)})


class PasswordResetConfirmView(AuthEndpoint):
    throttle_scope = "reset"

    @extend_schema(
        request=CodePasswordSerializer,
        responses={
            200: MessageSerializer,
            400: _field_errors("PasswordResetConfirmErrors", ["id_number", "code", "password"]),
            429: THROTTLED,
        },
        description="找回密码第二步：验证码和新密码；该账号的全部接口令牌随即失效。",
    )
    def post(self, request):
        serializer = CodePasswordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_confirm(**serializer.validated_data)
        return Response({"detail": _("密码已重置，请用新密码登录。")})


class MeView(APIView):
    """The caller's own registry records. A login without a registry person (a clerk) gets 404."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer, 404: error(404)})
    def get(self, request):
        person = person_for_user(user=request.user)
        if person is None:
            raise NotFound(_("当前账号没有关联的参保人信息。"))
        # MeSerializer is the schema; the plain function gives the same JSON at a third of the
        # CPU (insured.representations).
        return Response(me_representation(person_records(person=person)))


register = RegisterView.as_view()
register_confirm = sensitive_post_parameters("code", "password")(RegisterConfirmView.as_view())
password_reset = PasswordResetView.as_view()
password_reset_confirm_view = sensitive_post_parameters("code", "password")(
    PasswordResetConfirmView.as_view()
)
me = MeView.as_view()
