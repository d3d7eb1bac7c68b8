"""Soft lockout of failed logins, on top of django-axes' per-username-and-address lock.

Three counters, in the cache (Redis when ``REDIS_URL`` is set):

1. username + address (django-axes): 5 failures lock that username *from that address* for
   15 minutes. Someone guessing a clerk's password from elsewhere does not lock the clerk out.
2. address, any username (``LOGIN_GUARD_ADDRESS_LIMIT`` failures in the window): the address
   may not log in at all for the cool-off. This stops spraying many usernames from one place.
3. username, any address (``LOGIN_GUARD_USERNAME_LIMIT`` failures from at least
   ``LOGIN_GUARD_USERNAME_MIN_ADDRESSES`` addresses in the window): the username is locked for
   the cool-off, but **not from an address it logged in from successfully** in the last
   ``LOGIN_GUARD_KNOWN_ADDRESS_DAYS`` days. A distributed guesser is stopped; the clerk keeps
   working from the office.

Attempts refused while locked are not counted, so a lock cannot be renewed by hammering it.
The guard is the authentication backend below (second in AUTHENTICATION_BACKENDS, after
axes): it refuses before the password is checked, and marks the request so that the login
page and the token endpoint answer 429."""

import hashlib

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils.translation import gettext as _

from core.clientip import client_ip


def _h(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _username(credentials: dict | None) -> str:
    return str((credentials or {}).get("username") or "").strip()[:150]


def _keys(username: str, address: str) -> dict[str, str]:
    user, addr = _h(username), _h(address)
    return {
        "addr_fails": f"guard:addr:{addr}:fails",
        "addr_locked": f"guard:addr:{addr}:locked",
        "user_fails": f"guard:user:{user}:fails",
        "user_addrs": f"guard:user:{user}:addrs",
        "user_seen_addr": f"guard:user:{user}:seen:{addr}",
        "user_locked": f"guard:user:{user}:locked",
        "known": f"guard:user:{user}:known:{addr}",
    }


def _incr(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=timeout)
        return 1


def blocked_reason(*, username: str, address: str) -> str | None:
    """Why a login for ``username`` from ``address`` is refused now, or None."""
    if not settings.LOGIN_GUARD_ENABLED:
        return None
    keys = _keys(username, address)
    if cache.get(keys["addr_locked"]):
        return "address"
    if username and cache.get(keys["user_locked"]) and not cache.get(keys["known"]):
        return "username"
    return None


def record_failure(*, username: str, address: str) -> None:
    if not settings.LOGIN_GUARD_ENABLED:
        return
    keys = _keys(username, address)
    window = settings.LOGIN_GUARD_WINDOW_SECONDS
    cool_off = settings.LOGIN_GUARD_COOL_OFF_SECONDS
    if _incr(keys["addr_fails"], window) >= settings.LOGIN_GUARD_ADDRESS_LIMIT:
        cache.set(keys["addr_locked"], 1, timeout=cool_off)
        cache.delete(keys["addr_fails"])
    if not username:
        return
    if cache.add(keys["user_seen_addr"], 1, timeout=window):
        addresses = _incr(keys["user_addrs"], window)
    else:
        addresses = cache.get(keys["user_addrs"]) or 1
    failures = _incr(keys["user_fails"], window)
    if (
        failures >= settings.LOGIN_GUARD_USERNAME_LIMIT
        and addresses >= settings.LOGIN_GUARD_USERNAME_MIN_ADDRESSES
    ):
        cache.set(keys["user_locked"], 1, timeout=cool_off)
        cache.delete_many([keys["user_fails"], keys["user_addrs"]])


def record_success(*, username: str, address: str) -> None:
    keys = _keys(username, address)
    cache.set(keys["known"], 1, timeout=settings.LOGIN_GUARD_KNOWN_ADDRESS_DAYS * 86400)


def message(reason: str, *, minutes: int | None = None) -> str:
    minutes = minutes or max(1, settings.LOGIN_GUARD_COOL_OFF_SECONDS // 60)
    if reason == "address":
        return _("本设备（网络地址）登录失败次数过多，请%(minutes)d分钟后再试。") % {
            "minutes": minutes
        }
    return _(
        "该账号近期在多处登录失败，为保护账号安全，请%(minutes)d分钟后再试，"
        "或在您常用的设备上登录。"
    ) % {"minutes": minutes}


class LoginGuardBackend:
    """Refuses a login the guard has locked (raises PermissionDenied, which stops
    ``authenticate``); never logs anyone in itself."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        reason = blocked_reason(username=str(username or "").strip(), address=client_ip(request))
        if reason:
            request.login_guard_blocked = reason
            raise PermissionDenied
        # No get_user(): sessions are never this backend's (force_login skips it too).
        return None


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    # Refused while locked (by this guard or by axes): not a new failure, so no renewal.
    if getattr(request, "login_guard_blocked", None) or getattr(request, "axes_locked_out", False):
        return
    record_failure(username=_username(credentials), address=client_ip(request))


@receiver(user_logged_in)
def _remember_address(sender, request, user, **kwargs):
    if request is not None:
        record_success(username=user.get_username(), address=client_ip(request))
