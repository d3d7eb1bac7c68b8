"""English through Django i18n: the header's language switch (/i18n/setlang/), the default
Chinese, and API error messages chosen by Accept-Language.

These tests read the compiled catalogue (locale/en/LC_MESSAGES/django.mo, built by
``make compile-messages``): they assert English text, so they fail when a translation is
missing, fuzzy or not compiled."""

import pytest

from tests.cache_helpers import clear_cache_keys
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REGISTER_URL = "/api/v1/auth/register/"

# Chinese source string → its English translation, as shown on the home page and in the nav.
HOME_STRINGS = {
    "开通地区查询": "Regions offering online transfer",
    "经办机构查询": "Find a social insurance agency",
    "社会保险网上服务平台": "Social Insurance Online Service Platform",
    "社保关系跨省转移接续": "Cross-province transfer of social insurance",
    "办事指南": "Service guide",
    "适用对象": "Who can apply",
    "办理流程": "Procedure",
    "参保缴费凭证": "Certificate of insurance and contributions",
    "联系函": "Contact letter",
    "信息表及基金划转": "Information sheet and fund remittance",
    "基本养老保险": "Basic pension insurance",
    "职工基本医疗保险": "Employee basic medical insurance",
    "温馨提示": "Helpful tips",
    "参保人注册": "Register as an insured person",
    "跳到主要内容": "Skip to main content",
}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # DRF counts the auth endpoints' requests in the cache.
    clear_cache_keys()
    yield
    clear_cache_keys()


def switch_language(client, language: str, next_url: str = "/"):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    return response


def test_default_language_is_chinese(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert response["Content-Language"] == "zh-hans"
    for chinese, english in HOME_STRINGS.items():
        assert chinese in html, chinese
        assert english not in html, english


def test_language_switch_shows_the_home_page_and_nav_in_english(client):
    switch_language(client, "en")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert response["Content-Language"] == "en"
    assert '<option value="en" selected>English</option>' in html
    for chinese, english in HOME_STRINGS.items():
        assert english in html, english
        assert chinese not in html, chinese
    # The nav: lookups, login and registration.
    for english in ["Home", "Log in", "Register", "Main navigation"]:
        assert english in html, english
    assert "个工作日" not in html
    assert (
        "<title>Cross-province transfer of social insurance · Social Insurance Online Service Platform</title>"
        in html
    )


def test_english_time_limits_use_the_plural_forms(client, settings):
    settings.TRANSFER_STAGE_LIMITS = {("medical", "transfer_in"): 1}
    switch_language(client, "en")
    html = client.get("/").content.decode()
    assert "1 working day<" in html  # singular: msgstr[0]
    assert "15 working days" in html  # plural: msgstr[1]
    assert "45 working days" in html


def test_switching_back_to_chinese(client):
    switch_language(client, "en")
    assert "Regions offering online transfer" in client.get("/").content.decode()
    switch_language(client, "zh-hans")
    html = client.get("/").content.decode()
    assert '<html lang="zh-CN">' in html
    assert "开通地区查询" in html
    assert "Regions offering online transfer" not in html


def test_browser_accept_language_english_without_a_cookie(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="en">' in html
    assert "Regions offering online transfer" in html


def test_region_lookup_in_english(client, regions):
    switch_language(client, "en", "/regions/")
    response = client.get("/regions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for english in [
        "Regions offering online transfer",
        "Provincial-level regions",
        "Online transfer available",
        "Search by administrative division code",
        "You are here",
    ]:
        assert english in html, english
    for chinese in ["开通地区查询", "省级地区", "已开通网上转移", "按行政区划代码查询", "当前位置"]:
        assert chinese not in html, chinese
    assert "江苏省" in html  # region names are data and stay as they are


def test_agency_lookup_error_keeps_its_placeholder_in_english(client, regions):
    switch_language(client, "en", "/agencies/")
    html = client.get("/agencies/", {"region": "999999"}).content.decode()
    assert "No region found with the administrative division code “999999”." in html
    assert "未找到行政区划代码" not in html


def test_api_answers_in_english_with_accept_language_en(api_client, regions):
    person = PersonFactory(name="王小明")
    wrong = person.id_number[:-1] + ("1" if person.id_number[-1] != "1" else "2")
    data = {"id_number": wrong, "name": person.name, "phone": "13912345678", "password": "x"}

    response = api_client.post(REGISTER_URL, data, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Language"] == "en"
    assert response.json()["id_number"] == [
        "The check digit of the citizen ID number is incorrect. "
        "Please check the number and enter it again."
    ]

    # Without the header the same request is answered in Chinese.
    response = api_client.post(REGISTER_URL, data, format="json")
    assert response.status_code == 400
    assert response.json()["id_number"] == ["公民身份号码校验位不正确，请核对后重新输入。"]


def test_api_login_failure_in_english(api_client, regions):
    response = api_client.post(
        TOKEN_URL,
        {"username": "110105199003071239", "password": "wrong-password-1"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Incorrect ID card number (username) or password."]
    }
