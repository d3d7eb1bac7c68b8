"""Session lifetime: a logged-in session ends after ``SESSION_IDLE_TIMEOUT`` without a
request (30 minutes) and ``SESSION_ABSOLUTE_TIMEOUT`` after the login (12 hours), whatever
happens in between. Django's own cookie age is only the upper bound of the second."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

LOGIN_AT = "_portal_login_at"
SEEN_AT = "_portal_seen_at"
# Refresh the idle clock at most once a minute: no session write on every request.
SEEN_RESOLUTION = 60


def _now() -> float:
    return timezone.now().timestamp()


@receiver(user_logged_in)
def _start_clock(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    # Only a session login (not an API token login) starts a session clock.
    if session is not None and session.get(SESSION_KEY) == str(user.pk):
        session[LOGIN_AT] = session[SEEN_AT] = _now()


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware: log out a session that is idle or too old."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY):
            now = _now()
            login_at = session.get(LOGIN_AT)
            seen_at = session.get(SEEN_AT)
            if login_at is None or seen_at is None:
                # A session from before this clock existed: start it now.
                session[LOGIN_AT] = session[SEEN_AT] = now
            elif (
                now - seen_at > settings.SESSION_IDLE_TIMEOUT.total_seconds()
                or now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            ):
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("您已较长时间未操作或登录已超过时限，请重新登录。"))
            elif now - seen_at >= SEEN_RESOLUTION:
                session[SEEN_AT] = now
        return self.get_response(request)
