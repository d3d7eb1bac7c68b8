"""Error pages for the whole site in Chinese with English, never a bare "Forbidden"."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import include, path

from tests.factories import UserFactory


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("forbidden/", forbidden),
    path("broken/", broken),
    path("", include("portal.urls")),
]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_403_and_500_are_explained_in_chinese_and_english(client):
    client.force_login(UserFactory())
    page = client.get("/forbidden/")
    html = page.content.decode()
    assert page.status_code == 403
    assert "无权访问此页面（403）" in html and "You do not have access" in html
    assert "<h1>403 Forbidden</h1>" not in html

    client.raise_request_exception = False
    page = client.get("/broken/")
    assert page.status_code == 500
    html = page.content.decode()
    assert "系统暂时出错（500）" in html and "something went wrong" in html


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_404_is_explained_in_chinese_and_english(client):
    page = client.get("/no-such-page/")
    html = page.content.decode()
    assert page.status_code == 404
    assert "页面不存在（404）" in html and "Page not found" in html
