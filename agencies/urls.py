from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("regions/", TemplateView.as_view(template_name="portal/home.html"), name="region-lookup"),
    path("agencies/", TemplateView.as_view(template_name="portal/home.html"), name="agency-lookup"),
]
