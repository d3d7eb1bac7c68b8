from django.urls import path

from core import auth_api
from insured import api

urlpatterns = [
    path("auth/token/", auth_api.token, name="api-token"),
    path("auth/logout/", auth_api.logout, name="api-logout"),
    path("auth/password/change/", auth_api.password_change_view, name="api-password-change"),
    path("auth/password/reset/", api.password_reset, name="api-password-reset"),
    path(
        "auth/password/reset/confirm/",
        api.password_reset_confirm_view,
        name="api-password-reset-confirm",
    ),
    path("auth/register/", api.register, name="api-register"),
    path("auth/register/confirm/", api.register_confirm, name="api-register-confirm"),
]
