"""The client's address, the one key every throttle and lockout counts by.

``X-Forwarded-For`` is a header anyone can send: it is read only when the connection itself
comes from a proxy listed in ``TRUSTED_PROXIES``. Then the header is walked from the right
(the hop our proxy appended) past every trusted proxy; the first address that is not one of
ours is the client. Whatever a client puts further left is ignored, so rotating the header
gains nothing."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for item in proxies:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES must list IP addresses or CIDR networks, got {item!r}"
            ) from None
    return tuple(networks)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _parse(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str:
    """The address to count this request against (also AXES_CLIENT_IP_CALLABLE); "" when
    the connection has no IP address."""
    remote = _parse(request.META.get("REMOTE_ADDR", "") or "")
    if remote is None:
        # No usable peer address (a unix socket): one shared bucket. "" is also what
        # django-axes stores as no address (an invalid string would break its inet column).
        return ""
    networks = trusted_networks()
    if not networks or not _is_trusted(remote, networks):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    client = remote
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # Garbage in the chain: stop at the last address our proxies vouched for.
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)
