from django.urls import path

from insured import api

urlpatterns = [
    path("auth/token/", api.token, name="api-token"),
    path("auth/register/", api.register, name="api-register"),
]
