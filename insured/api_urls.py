from django.urls import path

from insured import api

urlpatterns = [
    path("me/", api.me, name="api-me"),
]
