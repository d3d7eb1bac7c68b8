from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("me/records/", TemplateView.as_view(template_name="portal/home.html"), name="my-records"),
]
