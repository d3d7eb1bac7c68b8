import pytest
from django.urls import reverse

from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_page_shows_the_service_guide(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    for text in [
        "办事指南",
        "适用对象",
        "已经按月领取基本养老金的人员",
        "同一省",
        "参保缴费凭证",
        "转入申请",
        "联系函",
        "信息表及基金划转",
        "接收转入申请",
        "处理转移信息",
        "办理基金划转",
        "记录个人权益",
        "1024&nbsp;KB",
    ]:
        assert text in html, text


def limit_cells(html: str) -> dict[str, str]:
    """The guide's time-limit cells by their data-limit key, as text."""
    import re

    cells = re.findall(r'data-limit="([\w-]+)">(?:<strong>)?([^<]+)<', html)
    return dict(cells)


@pytest.mark.parametrize("insurance", ["pension", "medical"])
def test_home_page_shows_what_the_time_limit_table_says(client, insurance):
    from transfers.calendar import time_limits

    limits = time_limits(insurance)
    cells = limit_cells(client.get("/").content.decode())

    for stage in ("review", "transfer_out", "transfer_in"):
        assert cells[f"{insurance}-{stage}"] == f"{limits.stage(stage)}个工作日"
    assert cells[f"{insurance}-target"] == f"{limits.service_target}个工作日"


def test_home_page_time_limits_in_working_days(client):
    cells = limit_cells(client.get("/").content.decode())

    assert cells == {
        "pension-review": "15个工作日",
        "pension-transfer_out": "15个工作日",
        "pension-transfer_in": "15个工作日",
        "pension-whole": "45个工作日",
        "pension-target": "15个工作日",
        # 43号: review counted inside the transfer-out's 10, then 5: 15 in all.
        "medical-review": "3个工作日",
        "medical-transfer_out": "7个工作日",
        "medical-transfer_in": "5个工作日",
        "medical-target": "15个工作日",
    }


def test_home_page_time_limits_follow_the_deadline_settings(client, settings):
    settings.TRANSFER_STAGE_LIMITS = {("medical", "transfer_in"): 7}
    cells = limit_cells(client.get("/").content.decode())
    assert cells["medical-transfer_in"] == "7个工作日"
    assert cells["medical-target"] == "17个工作日"


def test_home_page_guide_states_the_rules_of_issue_9(client):
    html = client.get("/").content.decode()
    for text in [
        "至少要在转入地实际缴费一个月",  # item 2
        "待遇领取地按省（自治区、直辖市）确定",  # item 3
        "视同缴费年限计入工作所在地的年限",
        "同一省内（如苏州转到南京）也可以在本平台申请转移接续",  # item 4
        "不超过6个月的待遇享受等待期",
        "退役军人保险转入、未就业随军配偶保险转入",  # item 8
        "预计",  # item 6
    ]:
        assert text in html, text


def test_home_page_links_to_lookups_login_and_registration(client):
    html = client.get("/").content.decode()
    for name in ["region-lookup", "agency-lookup", "login", "register"]:
        assert f'href="{reverse(name)}"' in html, name


def test_home_page_has_landmarks_and_one_h1(client):
    html = client.get("/").content.decode()
    assert "<header" in html and "<nav" in html and '<main id="main"' in html
    assert "<footer" in html
    assert html.count("<h1") == 1


def test_home_page_is_cheap(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        assert client.get("/").status_code == 200


def test_switching_to_english_sets_the_cookie_and_the_lang_attribute(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/regions/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


def test_switching_back_to_chinese_restores_zh_cn(client):
    client.post("/i18n/setlang/", {"language": "en"})
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    assert '<html lang="zh-CN">' in client.get("/").content.decode()


def test_lookup_pages_follow_the_chosen_language(client, regions):
    client.post("/i18n/setlang/", {"language": "en"})
    assert '<html lang="en">' in client.get("/regions/").content.decode()
    assert '<html lang="en">' in client.get("/agencies/").content.decode()


def test_login_page_asks_for_the_id_number(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "身份证号码" in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html


def test_insured_person_logs_in_with_id_number_and_lands_on_my_records(client, regions):
    person = PersonFactory()
    person.user = UserFactory(username=person.id_number)
    person.save()
    response = client.post(
        reverse("login"), {"username": person.id_number, "password": "Correct-Horse-9"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("my-records")


def test_lowercase_x_in_the_id_number_still_logs_in(client):
    user = UserFactory(username="11010519900307123X")
    response = client.post(
        reverse("login"), {"username": "11010519900307123x", "password": "Correct-Horse-9"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_staff_user_lands_in_the_back_office(client):
    UserFactory(username="nj-review", is_staff=True)
    response = client.post(
        reverse("login"), {"username": "nj-review", "password": "Correct-Horse-9"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_safe_next_wins_over_the_default_landing_page(client):
    UserFactory(username="nj-review", is_staff=True)
    response = client.post(
        reverse("login"),
        {"username": "nj-review", "password": "Correct-Horse-9", "next": "/agencies/"},
    )
    assert response["Location"] == "/agencies/"


def test_an_outside_next_is_ignored(client):
    UserFactory(username="nj-review")
    response = client.post(
        reverse("login"),
        {"username": "nj-review", "password": "Correct-Horse-9", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("my-records")


def test_wrong_password_shows_a_chinese_message_and_no_redirect(client):
    UserFactory(username="nj-review")
    response = client.post(reverse("login"), {"username": "nj-review", "password": "wrong"})
    assert response.status_code == 200
    assert "密码不正确" in response.content.decode()


def test_logout_is_a_post_and_returns_home_with_a_message(client):
    client.force_login(UserFactory())
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "您已安全退出" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_locked_out_after_repeated_failures_shows_a_chinese_message(client, settings):
    settings.AXES_ENABLED = True
    UserFactory(username="nj-review")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "nj-review", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "nj-review", "password": "Correct-Horse-9"}
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录失败次数过多" in html
    assert "15分钟后再试" in html
    assert '<html lang="zh-CN">' in html


def test_home_page_offers_my_records_instead_of_login_to_an_insured_person(client, regions):
    person = PersonFactory()
    person.user = UserFactory(username=person.id_number)
    person.save()
    client.force_login(person.user)
    html = client.get("/").content.decode()
    assert f'href="{reverse("my-records")}"' in html
    assert f'class="quick-link primary" href="{reverse("login")}"' not in html
