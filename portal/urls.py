from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api_urls")),
    path("", include("portal.pages_urls")),
    path("", include("core.urls")),
    path("", include("agencies.urls")),
    path("", include("insured.urls")),
    path("", include("documents.urls")),
    path("", include("transfers.urls")),
]
