"""长辈版: the switch in every header, remembered in a cookie and on the person's profile."""

import pytest
from django.urls import reverse

from insured.models import InsuredPerson
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

SWITCH = reverse("display-mode")


def _html_tag(response) -> str:
    html = response.content.decode()
    return html[html.index("<html") : html.index(">", html.index("<html")) + 1]


def test_every_page_header_has_the_switch_posting_to_display_mode(client, regions):
    for url in ("/", reverse("region-lookup"), reverse("agency-lookup"), reverse("login")):
        html = client.get(url).content.decode()
        assert f'action="{SWITCH}" method="post"' in html
        assert 'name="mode" value="elder"' in html
        assert f'name="next" type="hidden" value="{url}' in html


def test_choosing_elder_mode_sets_a_cookie_and_returns_to_the_page(client, regions):
    response = client.post(SWITCH, {"mode": "elder", "next": "/regions/?parent=320000"})
    assert response.status_code == 302
    assert response["Location"] == "/regions/?parent=320000"
    assert response.cookies["display_mode"].value == "elder"

    page = client.get("/regions/?parent=320000")
    assert 'class="elder"' in _html_tag(page)
    assert 'name="mode" value="standard"' in page.content.decode()

    client.post(SWITCH, {"mode": "standard", "next": "/"})
    assert "elder" not in _html_tag(client.get("/"))


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""]
)
def test_the_switch_never_redirects_off_site(client, next_url):
    response = client.post(SWITCH, {"mode": "elder", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_unknown_mode_is_refused_with_a_message(client):
    response = client.post(SWITCH, {"mode": "huge", "next": "/"})
    assert response.status_code == 400
    assert "不支持的显示模式" in response.content.decode()
    assert "display_mode" not in response.cookies


def test_the_switch_only_accepts_post(client):
    assert client.get(SWITCH, {"mode": "elder"}).status_code == 405


def test_a_logged_in_person_keeps_the_mode_on_another_device(client, regions, django_user_model):
    person = PersonFactory(user=UserFactory())
    client.force_login(person.user)
    client.post(SWITCH, {"mode": "elder", "next": "/"})
    person.refresh_from_db()
    assert person.display_mode == "elder"

    # A fresh browser without the cookie: the profile decides.
    client.cookies.clear()
    client.force_login(person.user)
    assert 'class="elder"' in _html_tag(client.get("/"))


def test_the_profile_wins_over_an_old_cookie_once_chosen(client, regions):
    person = PersonFactory(user=UserFactory(), display_mode="standard")
    client.cookies["display_mode"] = "elder"
    client.force_login(person.user)
    assert "elder" not in _html_tag(client.get("/"))


def test_a_person_who_never_chose_follows_the_browsers_cookie(client, regions):
    person = PersonFactory(user=UserFactory())
    client.cookies["display_mode"] = "elder"
    client.force_login(person.user)
    assert 'class="elder"' in _html_tag(client.get("/"))
    assert InsuredPerson.objects.get(pk=person.pk).display_mode == ""


def test_a_staff_login_without_a_profile_uses_the_cookie(client, regions):
    client.force_login(UserFactory(is_staff=True))
    response = client.post(SWITCH, {"mode": "elder", "next": "/"})
    assert response.cookies["display_mode"].value == "elder"
    assert 'class="elder"' in _html_tag(client.get("/"))


def test_elder_home_page_puts_the_four_most_used_tasks_first_and_keeps_the_guide(client, regions):
    client.cookies["display_mode"] = "elder"
    html = client.get("/").content.decode()
    tasks = html[html.index('class="elder-tasks"') : html.index("</ul>", html.index("elder-tasks"))]
    assert tasks.count('class="elder-task"') == 4
    for url in ("my-records", "transfer-apply", "transfer-list", "agency-lookup"):
        assert f'href="{reverse(url)}"' in tasks
    # No information lost: the whole guide is still there.
    for heading in ("办事指南", "适用对象", "办理流程", "办理时限", "办理前请准备", "温馨提示"):
        assert heading in html
