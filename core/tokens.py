"""API tokens that expire: one per login, stored as a hash, revoked on logout and on password
change. Lifetimes: ``API_TOKEN_TTL_PERSON`` for insured persons, ``API_TOKEN_TTL_STAFF`` for
clerks and administrators."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.utils import timezone

from core.backends import user_related
from core.models import AuthToken


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_lifetime(user) -> datetime.timedelta:
    return settings.API_TOKEN_TTL_STAFF if user.is_staff else settings.API_TOKEN_TTL_PERSON


def token_issue(*, user, otp_verified: bool = False) -> tuple[str, AuthToken]:
    """A new token for ``user``; returns the key (shown once, never stored) and the row.
    Expired tokens (anyone's: the index on expires_at keeps it cheap) are deleted on the way."""
    now = timezone.now()
    AuthToken.objects.filter(expires_at__lte=now).delete()
    key = secrets.token_urlsafe(32)
    token = AuthToken.objects.create(
        digest=_digest(key),
        prefix=key[:8],
        user=user,
        expires_at=now + token_lifetime(user),
        otp_verified=otp_verified,
    )
    return key, token


def token_find(key: str) -> AuthToken | None:
    """The live token with this key (with its user), or None; an expired one is deleted."""
    if not key or len(key) > 100:
        return None
    related = ("user", *(f"user__{name}" for name in user_related()))
    token = AuthToken.objects.select_related(*related).filter(digest=_digest(key)).first()
    if token is None:
        return None
    if token.expires_at <= timezone.now():
        token.delete()
        return None
    return token


def token_revoke(*, token: AuthToken) -> None:
    AuthToken.objects.filter(pk=token.pk).delete()


def tokens_revoke_all(*, user) -> int:
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted
