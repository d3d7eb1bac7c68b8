from django.urls import path

from core import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.password_change_page, name="password-change"),
    path("me/notifications/", views.notifications, name="notifications"),
]
