"""DRF authentication by ``Authorization: Token <key>`` against ``core.tokens`` (expiring,
per login). A subclass of DRF's TokenAuthentication, so the header format and the OpenAPI
security scheme stay the same."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from core.tokens import token_find


class ExpiringTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = token_find(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已过期，请重新登录。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("该账号已停用，请联系经办机构。"))
        return token.user, token
