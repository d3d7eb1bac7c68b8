from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("portal.api_auth_urls")),
    path("", include("core.notifications_api")),
    path("", include("agencies.api_urls")),
    path("", include("insured.api_urls")),
    path("", include("documents.api_urls")),
    path("", include("transfers.api_urls")),
]
