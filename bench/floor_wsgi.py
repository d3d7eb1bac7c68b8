"""The portal as production serves it, plus two floors for ``bench/http.py``: what a signed-in
request costs before a page or an API call does any work of its own.

    gunicorn bench.floor_wsgi:application

``/bench/floor/page/`` passes the whole middleware stack (session from Redis, the user and
their person, second factor, locale, CSRF, CSP, session timeout, axes) and ``login_required``,
then answers two bytes. ``/bench/floor/api/`` passes the API's default authentication (token),
permission and exception handling and answers ``{}``.

``/bench/cache-hit/<path>`` (a page, behind ``login_required``) and ``/bench/cache-hit-api/<path>``
(an API call, behind token authentication) measure what a page or call served from a cache of
whole responses could cost at best, a design not built (README, "the fourth run"): one keyed
read of a row of the person (standing for their version row), one cache GET from Redis, the
stored bytes answered. The first request of a person renders the real view and stores it.
Every other URL is the portal's own."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import include, path, resolve

application = get_wsgi_application()

from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


@login_required
def page_floor(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


class ApiFloor(APIView):
    def get(self, request):
        return Response({})


def _from_cache(request, path: str) -> HttpResponse:
    from django.core.cache import cache
    from django.db import connection
    from django.utils.translation import get_language

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM insured_insuredperson WHERE user_id = %s", [request.user.pk])
        (version,) = cursor.fetchone()
    key = f"bench:cache-hit:{path}:{request.user.pk}:{version}:{get_language()}"
    stored = cache.get(key)
    if stored is None:
        match = resolve(path)
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render"):
            response.render()
        stored = (response.content, response["Content-Type"])
        cache.set(key, stored, 3600)
    return HttpResponse(stored[0], content_type=stored[1])


@login_required
def page_cache_hit(request, rest):
    return _from_cache(request, "/" + rest)


class ApiCacheHit(APIView):
    def get(self, request, rest):
        return _from_cache(request._request, "/" + rest)


urlpatterns = [
    path("bench/floor/page/", page_floor),
    path("bench/floor/api/", ApiFloor.as_view()),
    path("bench/cache-hit/<path:rest>", page_cache_hit),
    path("bench/cache-hit-api/<path:rest>", ApiCacheHit.as_view()),
    path("", include(settings.ROOT_URLCONF)),
]
# Before the first request, so that the resolver is built from these patterns.
settings.ROOT_URLCONF = __name__
