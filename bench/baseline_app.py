"""The floor: a trivial Django 5.2 view rendering a 20-item template, no database, no
middleware, served by the same gunicorn settings as the portal (``bench/http.py``).

    gunicorn bench.baseline_app:application"""

from django.conf import settings

TEMPLATE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ title }}</title>
</head><body><h1>{{ title }}</h1><ul>{% for item in items %}<li>{{ item.name }}: {{ item.value }}</li>
{% endfor %}</ul></body></html>"""

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-baseline-only",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [
                        (
                            "django.template.loaders.cached.Loader",
                            [("django.template.loaders.locmem.Loader", {"trivial.html": TEMPLATE})],
                        )
                    ],
                },
            }
        ],
    )

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import path  # noqa: E402

ITEMS = [{"name": f"项目{i}", "value": i * 1.5} for i in range(20)]


def trivial(request):
    return render(request, "trivial.html", {"title": "基线", "items": ITEMS})


urlpatterns = [path("", trivial)]
application = get_wsgi_application()
