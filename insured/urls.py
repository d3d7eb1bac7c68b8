from django.urls import path

from insured import documents_views, views

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/confirm/", views.register_confirm, name="register-confirm"),
    path("password/reset/", views.password_reset, name="password-reset"),
    path(
        "password/reset/confirm/",
        views.password_reset_confirm_page,
        name="password-reset-confirm",
    ),
    path("me/records/", views.my_records, name="my-records"),
    path("display-mode/", views.set_display_mode, name="display-mode"),
    path(
        "me/documents/certificate/<int:enrollment_id>/",
        documents_views.certificate_confirm,
        name="certificate-confirm",
    ),
    path("me/documents/proof/", documents_views.proof_issue, name="proof-issue"),
]
