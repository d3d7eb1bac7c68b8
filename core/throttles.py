"""Request rate limits, per client address and global, for the API and the pages.

Counters live in the Django cache, which is Redis when ``REDIS_URL`` is set, so every
gunicorn worker and every web container shares them; ``cache.incr`` is atomic there. A limit
is a fixed window: ``"20/min"`` allows 20 requests in each minute. The address is
``core.clientip.client_ip`` (X-Forwarded-For only from ``TRUSTED_PROXIES``). Rates are in
``settings.THROTTLE_RATES``: ``<scope>`` per address, ``<scope>-global`` for everyone."""

import functools
import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle

from core.clientip import client_ip

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"(\d+)/(\d*)([smhd])[a-z]*")


@functools.lru_cache(maxsize=64)
def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/min"`` → (20, 60); ``"5/15m"`` → (5, 900)."""
    match = _RATE.fullmatch(rate.strip())
    if not match:
        raise ImproperlyConfigured(f"THROTTLE_RATES: {rate!r} is not like '20/min' or '5/15m'")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNITS[unit]


def rate_for(scope: str) -> tuple[int, int] | None:
    rate = settings.THROTTLE_RATES.get(scope)
    return parse_rate(rate) if rate else None


def _key(*parts: str) -> str:
    # Hashed: usernames and addresses may hold any character, the cache key may not.
    return "throttle:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def hit(*, scope: str, ident: str, limit: int, period: int) -> int:
    """Count one request; return 0 if it is within the limit, else the seconds to wait."""
    now = time.time()
    window = int(now // period)
    key = _key(scope, ident, str(window))
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count <= limit:
        return 0
    return max(1, int((window + 1) * period - now) + 1)


def check(request, scope: str) -> int:
    """Count the request against ``scope`` (per address) and ``scope-global``; return the
    seconds to wait when either limit is exceeded, else 0."""
    wait = 0
    address_rate = rate_for(scope)
    if address_rate:
        limit, period = address_rate
        wait = hit(scope=scope, ident=client_ip(request), limit=limit, period=period)
    global_rate = rate_for(f"{scope}-global")
    if global_rate:
        limit, period = global_rate
        wait = max(wait, hit(scope=f"{scope}-global", ident="*", limit=limit, period=period))
    return wait


class AddressThrottle(BaseThrottle):
    """Per client address and global limits of the view's ``throttle_scope``."""

    def allow_request(self, request, view) -> bool:
        self._wait = check(request, view.throttle_scope)
        return self._wait == 0

    def wait(self) -> float | None:
        return self._wait or None


def throttled_response(request, wait: int):
    minutes = max(1, round(wait / 60))
    message = _("请求过于频繁，请%(minutes)d分钟后再试。") % {"minutes": minutes}
    response = render(request, "core/throttled.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


def throttle_page(scope: str, *, methods: tuple[str, ...] = ("POST",)):
    """Decorate a page view: requests of ``methods`` count against ``scope``; over the limit
    the page answers 429 with the wait time."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                wait = check(request, scope)
                if wait:
                    return throttled_response(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
