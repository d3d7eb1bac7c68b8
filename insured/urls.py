from django.urls import path

from insured import views

urlpatterns = [
    path("register/", views.register, name="register"),
    path("me/records/", views.my_records, name="my-records"),
    path("display-mode/", views.set_display_mode, name="display-mode"),
]
