from django.urls import path

from documents import views

urlpatterns = [
    path("verify/", views.verify_code, name="document-verify-code"),
    path("verify/check/", views.verify_upload, name="document-verify-upload"),
    path("verify/<str:token>/", views.verify, name="document-verify"),
    path("me/documents/", views.my_documents, name="my-documents"),
    path("me/documents/<int:pk>/", views.my_document, name="my-document"),
]
