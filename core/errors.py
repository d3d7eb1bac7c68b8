"""Domain errors. Services raise them; views show the message, the API maps ``http_status``."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the service refused the request; the message is for the person who asked."""

    code = "refused"
    http_status = 400

    def __init__(self, message=None, *, code: str | None = None):
        self.message = message if message is not None else _("请求未能办理。")
        if code:
            self.code = code
        super().__init__(str(self.message))


class NotAllowed(DomainError):
    """The actor may not do this (wrong agency or role)."""

    code = "forbidden"
    http_status = 403


class TransitionNotAllowed(DomainError):
    """The move is not allowed in the object's current state."""

    code = "conflict"
    http_status = 409


class TooManyRequests(DomainError):
    """A per-person quota is used up for now; the message says when it renews."""

    code = "too_many_requests"
    http_status = 429
