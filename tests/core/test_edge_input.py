"""Input at the edge: control characters in a path or query string and absurd admin filter
values are answered 400/404 in one place (core.middleware), never a 500."""

from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.transfers.factories import login, make_mover, make_parties

pytestmark = pytest.mark.django_db

ACTIONS = ["accept", "reject", "acknowledge", "return", "remit", "confirm-receipt", "retry"]

# (who, method, url): every one answered 500 before the edge middleware (issue 10, item 4).
PROBES = [
    ("anonymous", "get", "/verify/%00/"),
    ("anonymous", "get", "/api/v1/verify/%00/"),
    ("person", "get", "/api/v1/transfers/%00/"),
    ("person", "post", "/api/v1/transfers/%00/withdraw/"),
    ("clerk", "get", "/api/v1/agency/transfers/%00/"),
    *[("clerk", "post", f"/api/v1/agency/transfers/%00/{action}/") for action in ACTIONS],
    ("admin", "get", "/admin/transfers/transfercase/?status__exact=%00"),
    ("admin", "get", "/admin/transfers/transfercase/?insurance__exact=%00"),
    ("admin", "get", "/admin/insured/enrollment/?insurance__exact=%00"),
    ("admin", "get", "/admin/insured/enrollment/?status__exact=%00"),
    ("admin", "get", "/admin/insured/enrollment/?account_kind__exact=%00"),
    ("admin", "get", "/admin/agencies/agency/?insurance__exact=%00"),
    ("admin", "get", "/admin/agencies/region/?level__exact=%00"),
    ("admin", "get", "/admin/agencies/staffmembership/?role__exact=%00"),
    ("admin", "get", "/admin/documents/document/?kind__exact=%00"),
    ("admin", "get", "/admin/documents/document/?issued_at__year=99999999999999999999"),
    (
        "admin",
        "get",
        "/admin/documents/document/?issued_at__year=2024&issued_at__month=99999999999999999999",
    ),
    ("admin", "get", "/admin/transfers/transfercase/?q=%00"),
    ("admin", "get", "/admin/insured/insuredperson/?q=%00"),
    ("clerk", "get", "/api/v1/agency/transfers/?queue=%00"),
    ("anonymous", "get", "/api/v1/regions/?parent=%00"),
    ("anonymous", "get", "/api/v1/agencies/?region=%00"),
    ("anonymous", "get", "/agencies/?region=%00"),
    ("anonymous", "get", "/regions/?parent=%00"),
    ("person", "get", "/transfers/?status=%00"),
    ("anonymous", "get", "/verify/%01%1b/"),
]


@pytest.fixture
def users(regions):
    parties = make_parties()
    admin = login("root", is_staff=True, is_superuser=True)
    return {
        "anonymous": None,
        "person": make_mover(parties).user,
        "clerk": parties.in_reviewer,
        "admin": admin,
    }


@pytest.mark.parametrize(("who", "method", "url"), PROBES)
def test_control_characters_and_absurd_filters_are_400_or_404_never_500(
    client, users, who, method, url
):
    client.raise_request_exception = False
    if users[who] is not None:
        client.force_login(users[who])
    response = getattr(client, method)(url)
    assert response.status_code in (400, 404), (url, response.status_code)


def test_a_nul_in_the_path_is_400_with_a_plain_message(client):
    response = client.get("/verify/%00/")
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


def test_the_api_answers_a_nul_with_json(client):
    response = client.get("/api/v1/verify/%00/")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "控制字符" in response.json()["detail"]


def test_ordinary_unicode_in_a_query_is_served(client, regions):
    response = client.get("/agencies/", {"q": "北京 朝阳"})
    assert response.status_code == 200


def test_an_overlong_year_in_the_admin_is_400_not_a_500(client, regions):
    admin = get_user_model().objects.create_superuser("boss", password=None)
    client.force_login(admin)
    client.raise_request_exception = False
    response = client.get("/admin/documents/document/", {"issued_at__year": "9" * 20})
    assert response.status_code == 400


URL_TEMPLATES = [
    "/verify/{}/",
    "/api/v1/verify/{}/",
    "/api/v1/transfers/{}/",
    "/api/v1/agency/transfers/{}/",
    "/admin/transfers/transfercase/?status__exact={}",
    "/admin/transfers/transfercase/?q={}",
    "/admin/documents/document/?issued_at__year={}",
    "/admin/documents/document/?kind__exact={}",
    "/api/v1/regions/?parent={}",
    "/agencies/?region={}",
]


@given(
    template=st.sampled_from(URL_TEMPLATES),
    text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_text_in_a_path_or_filter_gives_a_500(client, users, template, text):
    client.raise_request_exception = False
    client.force_login(users["admin"])
    response = client.get(template.format(quote(text, safe="")))
    assert response.status_code < 500, (template, text, response.status_code)
