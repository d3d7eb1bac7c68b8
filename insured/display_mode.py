"""Which display mode (标准版 or 长辈版) a request is shown in.

A person who chose a mode while logged in keeps it on every device (their profile); anyone
else gets what this browser chose last (a cookie); the default is the standard mode."""

from django.utils.functional import SimpleLazyObject

from insured.models import DisplayMode

COOKIE_NAME = "display_mode"
COOKIE_MAX_AGE = 365 * 24 * 3600


def mode_for_request(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # The reverse one-to-one is cached on the user (also when missing), so the base
        # template's own ``user.insured_person`` costs no second query.
        person = getattr(user, "insured_person", None)
        if person is not None and person.display_mode:
            return person.display_mode
    cookie = request.COOKIES.get(COOKIE_NAME, "")
    return cookie if cookie in DisplayMode.values else DisplayMode.STANDARD


def display_mode(request) -> dict:
    """Context processor: ``display_mode`` and ``elder_mode`` for every template; lazy, so a
    page that never asks (the admin) costs no query."""
    mode = SimpleLazyObject(lambda: mode_for_request(request))
    return {
        "display_mode": mode,
        "elder_mode": SimpleLazyObject(lambda: mode == DisplayMode.ELDER),
    }
