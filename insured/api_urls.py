from django.urls import path

from insured import api, documents_api

urlpatterns = [
    path("me/", api.me, name="api-me"),
    path(
        "me/certificates/",
        documents_api.MyCertificatesView.as_view(),
        name="api-my-certificates",
    ),
    path("me/proofs/", documents_api.MyProofsView.as_view(), name="api-my-proofs"),
]
