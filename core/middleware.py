"""The edge: requests whose path or query string no view could answer sensibly are refused
here, once, before any view, form, filter or database sees them (issue 10, item 4).

- C0 control characters and DEL in the path (PostgreSQL refuses NUL in a string literal: every
  ``<str:…>`` URL and admin filter used to turn ``%00`` into a 500);
- the same in the query string, except tab, line feed and carriage return (a GET form may carry a
  multi-line value);
- date-part filters (the admin's ``date_hierarchy``: ``issued_at__year=…``) that are not a small
  number: Python's dates overflow on ``99999999999999999999``;
- a body announced larger than ``REQUEST_BODY_MAX_BYTES``: 413 before a byte of it is read.
"""

import re
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
QUERY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DATE_PART = re.compile(r"__(year|month|day|week|week_day|iso_year|quarter|hour|minute|second)$")
SMALL_NUMBER = re.compile(r"-?[0-9]{1,4}")


def _refuse(request, message: str, status: int = 400) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "bad_request", "detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _too_large_message(limit: int | None = None) -> str:
    limit = limit or settings.REQUEST_BODY_MAX_BYTES
    return _("请求内容过大（上限 %(mb).1f MB），请压缩附件后重试。") % {"mb": limit / 1024 / 1024}


def body_too_large(request) -> bool:
    """Whether the announced body is over the cap (an unreadable length is Django's 400)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.REQUEST_BODY_MAX_BYTES


def bad_input_reason(request) -> str | None:
    """Why this request's path or query string is refused, or None."""
    if PATH_CONTROL.search(request.path):
        return _("请求地址含有控制字符，无法处理。")
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return None
    pairs = parse_qsl(query, keep_blank_values=True, errors="replace")
    for key, value in pairs:
        if QUERY_CONTROL.search(key) or QUERY_CONTROL.search(value):
            return _("查询参数含有控制字符，无法处理。")
        if DATE_PART.search(key) and value and not SMALL_NUMBER.fullmatch(value):
            return _("日期筛选条件“%(key)s”应为不超过四位的数字。") % {"key": key}
    return None


class EdgeInputMiddleware:
    """Refuse control characters and absurd date filters with 400 before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if body_too_large(request):
            return _refuse(request, _too_large_message(), status=413)
        reason = bad_input_reason(request)
        if reason is not None:
            return _refuse(request, reason)
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and response.get("Content-Type", "").startswith("text/html")
        ):
            # No URL matched (e.g. a non-numeric id): the API answers in JSON like its views.
            return _refuse(request, _("未找到。"), status=404)
        return response

    def process_exception(self, request, exception):
        # A number from the request too large for a date or a machine integer: the input's
        # fault, whatever view met it first. Everything else stays a real error.
        if isinstance(exception, OverflowError):
            return _refuse(request, _("请求参数中的数字超出范围。"))
        if isinstance(exception, RequestDataTooBig):
            # A form or JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE (files have their own cap).
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return _refuse(request, _too_large_message(limit), status=413)
        return None


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on what is personal: the person's pages, the back office, the
    API (``NO_STORE_PATH_PREFIXES``) and any PDF (issued documents carry the full ID number).
    A shared computer's browser cache or a proxy must keep none of it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if request.path.startswith(settings.NO_STORE_PATH_PREFIXES) or content_type.startswith(
            "application/pdf"
        ):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
