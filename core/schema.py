"""The OpenAPI schema tells the truth (issue 10, item 9): every operation declares the error
answers it can give, with their bodies, and month strings are declared as such.

``PortalAutoSchema`` adds, to what each view declares with ``extend_schema``, the answers that
come from the plumbing rather than the view:

- 400 on every operation: the edge middleware refuses control characters in any query string,
  and bodies and query parameters are validated (a free-form object: ``{field: [messages]}`` or
  ``{code, detail}``);
- 401 and 403 on every operation that needs a login (DRF's authentication and permissions);
- 404 on every path with a parameter (what does not exist and what the caller may not see look
  the same), and on paginated lists (a page beyond the last);
- 413 on every operation that takes a body (``REQUEST_BODY_MAX_BYTES``);
- 429 on every throttled view.

409 (a move not allowed now) and 429 of a quota are declared by the views that raise them.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny

ERROR = inline_serializer(
    "Error",
    {
        "code": serializers.CharField(required=False, help_text="machine-readable reason"),
        "detail": serializers.CharField(help_text="the message for the user (Chinese)"),
    },
)
VALIDATION_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Bad input: `{field: [messages]}` for field errors, `{code, detail}` otherwise.",
)
ERROR_DESCRIPTIONS = {
    "401": "Not logged in (no or an invalid token).",
    "403": "Logged in, but not allowed (wrong kind of user, agency or role).",
    "404": "Not found, or not the caller's to see.",
    "409": "Not allowed in the current state.",
    "413": "Request body too large.",
    "429": "Too many requests: a rate limit or a daily quota.",
}


def error(code: int | str, description: str = "") -> OpenApiResponse:
    """The ``{code, detail}`` answer for ``code``, for ``extend_schema(responses=…)``."""
    return OpenApiResponse(ERROR, description=description or ERROR_DESCRIPTIONS[str(code)])


MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2008-07"})
class MonthField(serializers.DateField):
    """A calendar month as ``YYYY-MM`` (the first of the month is stored)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m")
        super().__init__(**kwargs)


class PortalAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        extra: dict[str, object] = {"400": VALIDATION_ERROR}
        permissions = getattr(self.view, "permission_classes", [])
        if not any(isinstance(p, type) and issubclass(p, AllowAny) for p in permissions):
            extra["401"] = error(401)
            extra["403"] = error(403)
        if "{" in self.path:
            extra["404"] = error(404)
        if self.method == "GET" and self._is_list_view() and self._get_paginator() is not None:
            extra["404"] = error(404, "No such page (`page` beyond the last one).")
        if self.method in {"POST", "PUT", "PATCH"}:
            extra["413"] = error(413)
        if getattr(self.view, "throttle_classes", None):
            extra["429"] = error(429)
        for code, response in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return dict(sorted(responses.items()))
