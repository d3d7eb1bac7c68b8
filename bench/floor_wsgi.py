"""The portal as production serves it, plus two floors for ``bench/http.py``: what a signed-in
request costs before a page or an API call does any work of its own.

    gunicorn bench.floor_wsgi:application

``/bench/floor/page/`` passes the whole middleware stack (session from Redis, the user and
their person, second factor, locale, CSRF, CSP, session timeout, axes) and ``login_required``,
then answers two bytes. ``/bench/floor/api/`` passes the API's default authentication (token),
permission and exception handling and answers ``{}``. Every other URL is the portal's own."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import include, path

application = get_wsgi_application()

from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


@login_required
def page_floor(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


class ApiFloor(APIView):
    def get(self, request):
        return Response({})


urlpatterns = [
    path("bench/floor/page/", page_floor),
    path("bench/floor/api/", ApiFloor.as_view()),
    path("", include(settings.ROOT_URLCONF)),
]
# Before the first request, so that the resolver is built from these patterns.
settings.ROOT_URLCONF = __name__
