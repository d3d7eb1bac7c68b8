"""REST endpoints of the registry: log-in token, real-name registration, the caller's records."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.schema import error
from insured.selectors import person_for_user, person_records
from insured.serializers import (
    MeSerializer,
    RegisteredSerializer,
    RegisterSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from insured.services import person_register_login


class _AuthEndpoint(APIView):
    # No session authentication (and so no CSRF) on the way in; throttled per client address.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class TokenView(_AuthEndpoint):
    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # django-axes watches this call: it needs the Django request, not DRF's wrapper, so
        # that failures are counted for this address and a lock-out is seen below.
        http_request = request._request
        user = authenticate(
            request=http_request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(http_request, "axes_locked_out", False):
            # Answer in JSON ourselves instead of letting AxesMiddleware send its HTML page.
            http_request.axes_locked_out = False
            return Response(
                {"detail": _("登录失败次数过多，账号已暂时锁定，请15分钟后再试。")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None:
            return Response(
                {"non_field_errors": [_("身份证号码（用户名）或密码不正确。")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class RegisterView(_AuthEndpoint):
    @extend_schema(request=RegisterSerializer, responses={201: RegisteredSerializer})
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # A refusal raises ValidationError keyed by field; core.api turns it into a 400.
        user = person_register_login(**serializer.validated_data)
        token = Token.objects.create(user=user)
        return Response(
            {"username": user.username, "token": token.key}, status=status.HTTP_201_CREATED
        )


class MeView(APIView):
    """The caller's own registry records. A login without a registry person (a clerk) gets 404."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer, 404: error(404)})
    def get(self, request):
        person = person_for_user(user=request.user)
        if person is None:
            raise NotFound(_("当前账号没有关联的参保人信息。"))
        return Response(MeSerializer(person_records(person=person)).data)


token = sensitive_post_parameters("password")(TokenView.as_view())
register = sensitive_post_parameters("password")(RegisterView.as_view())
me = MeView.as_view()
