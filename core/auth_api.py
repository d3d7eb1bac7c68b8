"""API log-in, log-out and password change: ``POST /api/v1/auth/token/``, ``auth/logout/``,
``auth/password/change/``.

The token view is a pipeline of small steps (parse, authenticate, ``check_second_factor``,
issue) so that the staff OTP of issue 11 can be added by overriding one method."""

from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth import logout as session_logout
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import login_guard
from core.accounts import password_change
from core.models import AuthToken
from core.otp import verify_staff_otp
from core.throttles import AddressThrottle
from core.tokens import token_issue, token_revoke

LOCKED = inline_serializer(
    "TokenLockedOut",
    {"code": serializers.CharField(required=False), "detail": serializers.CharField()},
)
DETAIL = inline_serializer("PasswordChanged", {"detail": serializers.CharField()})
FIELD_ERRORS = inline_serializer(
    "TokenErrors",
    {"non_field_errors": serializers.ListField(child=serializers.CharField(), required=False)},
)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("用户名"), max_length=150)
    password = serializers.CharField(
        label=gettext_lazy("密码"), max_length=128, trim_whitespace=False
    )
    otp = serializers.CharField(
        label=gettext_lazy("动态验证码"),
        max_length=16,
        required=False,
        allow_blank=True,
        help_text="staff only: the current 6-digit TOTP code (or a backup code)",
    )

    def validate_username(self, value: str) -> str:
        # Insured persons log in with their ID number; accept a lowercase check character.
        value = value.strip()
        if len(value) == 18 and value[:17].isdigit():
            value = value.upper()
        return value


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires = serializers.DateTimeField(help_text="令牌过期时间（参保人12小时，经办人员8小时）")


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(
        label=gettext_lazy("原密码"), max_length=128, trim_whitespace=False
    )
    new_password = serializers.CharField(
        label=gettext_lazy("新密码"), max_length=128, trim_whitespace=False
    )


class AuthEndpoint(APIView):
    """Anonymous entry points: no session (so no CSRF), limited per address and globally."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AddressThrottle]
    throttle_scope = "auth"


class TokenView(AuthEndpoint):
    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: FIELD_ERRORS, 429: LOCKED},
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # django-axes and the login guard watch this call: they need the Django request, not
        # DRF's wrapper, to count failures for this address and to flag a lock-out.
        http_request = request._request
        credentials = dict(serializer.validated_data)
        self.otp_code = credentials.pop("otp", "")
        user = authenticate(request=http_request, **credentials)
        refused = self.locked_out(http_request)
        if refused is not None:
            return refused
        if user is None:
            return Response(
                {"non_field_errors": [_("身份证号码（用户名）或密码不正确。")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        refused = self.check_second_factor(user, request)
        if refused is not None:
            return refused
        return self.issue(user, http_request)

    def locked_out(self, http_request) -> Response | None:
        reason = getattr(http_request, "login_guard_blocked", None)
        if getattr(http_request, "axes_locked_out", False):
            # Answer in JSON ourselves instead of letting AxesMiddleware send its HTML page.
            http_request.axes_locked_out = False
            detail = _("登录失败次数过多，账号已暂时锁定，请15分钟后再试。")
        elif reason:
            detail = login_guard.message(reason)
        else:
            return None
        return Response(
            {"code": "locked_out", "detail": detail}, status=status.HTTP_429_TOO_MANY_REQUESTS
        )

    def check_second_factor(self, user, request) -> Response | None:
        """None when the user may have a token; a refusal otherwise. Staff (clerks and
        superusers) must give the current code of their OTP device: no token is issued
        without it (400 ``otp_required``), and five wrong codes lock the device."""
        self.otp_verified = False
        if not user.is_staff:
            return None
        if not self.otp_code or not verify_staff_otp(user, self.otp_code):
            return Response(
                {
                    "code": "otp_required",
                    "detail": _(
                        "经办人员登录须填写动态验证码（otp）：请输入身份验证器上的6位数字。"
                    ),
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        self.otp_verified = True
        return None

    def issue(self, user, http_request) -> Response:
        key, token = token_issue(user=user, otp_verified=self.otp_verified)
        # As a session login does: last_login, axes' success handling, the guard's known
        # address. (The session clock ignores it: this is not a session login.)
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        # In China's time, as every other time the API gives.
        return Response({"token": key, "expires": timezone.localtime(token.expires_at)})


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            token_revoke(token=request.auth)
        else:
            session_logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PasswordChangeSerializer,
        responses={
            200: DETAIL,
            400: inline_serializer(
                "PasswordChangeErrors",
                {
                    "old_password": serializers.ListField(child=serializers.CharField()),
                    "new_password": serializers.ListField(child=serializers.CharField()),
                },
            ),
        },
    )
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # ValidationError by field → 400 through core.api's exception handler.
        password_change(
            user=request.user,
            old_password=serializer.validated_data["old_password"],
            new_password=serializer.validated_data["new_password"],
        )
        return Response({"detail": _("密码已修改。所有登录令牌已失效，请重新登录。")})


token = sensitive_post_parameters("password")(TokenView.as_view())
logout = LogoutView.as_view()
password_change_view = sensitive_post_parameters("old_password", "new_password")(
    PasswordChangeView.as_view()
)
