from django.urls import path

from documents import api

urlpatterns = [
    path("documents/<int:pk>/pdf/", api.DocumentPdfView.as_view(), name="document-pdf"),
    path("verify/", api.VerifyCodeView.as_view(), name="api-document-verify-code"),
    path("verify/<str:token>/", api.VerifyView.as_view(), name="api-document-verify"),
]
