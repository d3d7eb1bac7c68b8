from django.urls import path, re_path

from transfers import views

# Serial numbers are 16 digits (YYYYMMDD + daily sequence); anything else never matches.
SERIAL = r"(?P<serial_no>[0-9]{16})"

urlpatterns = [
    path("transfers/", views.case_list, name="transfer-list"),
    path("transfers/apply/", views.apply, name="transfer-apply"),
    path("transfers/export.xlsx", views.export, name="transfer-export"),
    re_path(rf"^transfers/{SERIAL}/$", views.detail, name="transfer-detail"),
    re_path(rf"^transfers/{SERIAL}/submitted/$", views.submitted, name="transfer-submitted"),
    re_path(rf"^transfers/{SERIAL}/withdraw/$", views.withdraw, name="transfer-withdraw"),
    re_path(rf"^transfers/{SERIAL}/attachment/$", views.attachment, name="transfer-attachment"),
]
